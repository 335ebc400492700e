"""A newsroom adopts its own rating scale (headless Debian Chromium for the admin step).

Every step runs in the browser except creating the empty draft (services):

1. An editor creates a scale with Montenegrin labels in the admin.
2. A fact-checker picks its rating on a draft fact-check and submits it for moderation.
3. An editor approves it in the admin.
4. The public page shows the new badge; its ClaimReview carries the new
   ``alternateName`` and numbers.
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir
from django.contrib.auth.models import Group, User

from claims import services
from claims.models import FactCheckPage, RatingScale

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

LABELS = [
    ("laz", "Laž", "false", "1", "#cf222e"),
    ("istina", "Istina", "true", "3", "#1a7f37"),
]


def _member(name: str, group: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", "pw-for-tests")
    user.groups.add(Group.objects.get(name=group))
    return user


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _fill_rating(page, index: int, key, label, verdict, value, colour) -> None:
    prefix = f"#id_ratings-{index}-"
    page.fill(prefix + "label", label)
    page.fill(prefix + "key", key)
    page.select_option(prefix + "verdict", verdict)
    page.fill(prefix + "rating_value", value)
    page.fill(prefix + "best_rating", "3")
    page.fill(prefix + "worst_rating", "1")
    page.fill(prefix + "alternate_name", label)
    page.fill(prefix + "colour", colour)


def test_editor_scale_to_public_badge(live_server, newsroom, tmp_path):
    editor = _member("urednica", "Editors")
    checker = _member("provjera", "Fact-checkers")
    shots = screenshot_dir(tmp_path)

    base = live_server.url
    with browser_page() as page:
        _login(page, base, editor.username)
        page.goto(f"{base}/admin/snippets/claims/ratingscale/add/?locale=cnr")
        page.fill("#id_name", "Crnogorska skala")
        page.fill("#id_key", "cg-skala")
        _fill_rating(page, 0, *LABELS[0])
        page.click("#id_ratings-ADD")
        page.wait_for_selector("#id_ratings-1-label")
        _fill_rating(page, 1, *LABELS[1])
        page.screenshot(path=str(shots / "admin-rating-scale.png"), full_page=True)
        page.locator("form button[type=submit]:has-text('Save')").first.click()
        page.wait_for_url("**/admin/snippets/claims/ratingscale/**")

        scale = RatingScale.objects.get(key="cg-skala")
        assert scale.locale.language_code == "cnr"
        laz = scale.ratings.get(key="laz")
        assert (laz.label, laz.locale.language_code, float(laz.rating_value)) == (
            "Laž",
            "cnr",
            1.0,
        )

        # A draft in Montenegrin, as "start fact-check" from the queue would leave it.
        draft, _ = services.factcheck_upsert(
            index=services.index_for(locale_code="cnr"),
            slug="vakcine-cip",
            title="Vakcine ne sadrže čip",
            claim_reviewed="Vakcine sadrže mikročip",
            summary="Još nije ocijenjeno.",
            rating=scale.ratings.get(key="istina"),
            publish=False,
            user=checker,
        )
        edit_url = f"{base}/admin/pages/{draft.pk}/edit/"

        # The fact-checker picks the new rating and submits the draft for moderation.
        _login(page, base, checker.username)
        page.goto(edit_url)
        page.select_option("select[name=rating]", str(laz.pk))
        page.fill("textarea[name=summary]", "Laž. Nijedna vakcina ne sadrži čip.")
        page.locator(".footer__container [data-w-dropdown-target='toggle']").first.click()
        page.locator("button[name=action-submit]").click()
        page.wait_for_selector(".messages .success, .messages li.success")
        draft.refresh_from_db()
        assert draft.current_workflow_state.status == "in_progress"
        assert not draft.live

        # The editor approves it: the workflow's only task, so it publishes.
        _login(page, base, editor.username)
        page.goto(edit_url)
        page.locator(".footer__container [data-w-dropdown-target='toggle']").first.click()
        page.locator(
            "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        ).click()
        page.wait_for_selector(".messages .success, .messages li.success")
        published = FactCheckPage.objects.get(pk=draft.pk)
        assert published.live and published.rating_id == laz.pk

        page.context.clear_cookies()
        page.goto(f"{base}{published.url}")
        badge = page.locator(".rating-badge").first
        assert badge.inner_text() == "Laž"
        assert "#cf222e" in badge.get_attribute("style")
        data = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
        page.screenshot(path=str(shots / "factcheck-new-scale.png"), full_page=True)

    rating = data["reviewRating"]
    assert rating["alternateName"] == "Laž"
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (1, 3, 1)
    assert data["inLanguage"] == "cnr"
