"""The whole newsroom loop in headless Chromium, through Wagtail's own workflow.

1. a reader sends a tip on /hr/tips/; 2. an editor finds it in the queue with a suggested
match; 3. rejects the match and starts a fact-check; 4. a fact-checker fills in the
verdict in the page editor and submits it to the "Fact-check review" workflow; 5. the
editor approves it in the page editor (the workflow's approve action publishes it);
6. the public page shows the verdict with ClaimReview JSON-LD and the claim is published.

``search.match`` is replaced (the live server runs in this process, so the patch reaches
its thread). Screenshots go to ``FACTCHECK_SCREENSHOT_DIR`` when set.
"""

from __future__ import annotations

import json
import os

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

CLAIM = "Cjepiva protiv covida mijenjaju vaš DNK, kaže viralna poruka na Viberu"


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def test_newsroom_loop_through_the_workflow(
    live_server, make_factcheck, django_user_model, monkeypatch, tmp_path
):
    from django.contrib.auth.models import Group

    import search
    from claims.models import Claim, ClaimMatch, ClaimStatus, FactCheckPage, MatchState, Rating
    from search.types import MatchResult

    debunk = make_factcheck()
    monkeypatch.setattr(
        search,
        "match",
        lambda text, *, limit=5, language=None, filters=None, reader_language=None: [
            MatchResult(
                id=str(debunk.pk),
                score=0.62,
                is_match=True,
                method="hybrid",
                matched_sentence=debunk.claim_reviewed,
                fields={},
            )
        ][:limit],  # fmt: skip
    )
    for name, group in (("editor", "Editors"), ("checker", "Fact-checkers")):
        user = django_user_model.objects.create_user(
            name, f"{name}@example.org", "pw", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
    shots = screenshot_dir(tmp_path) if os.environ.get("FACTCHECK_SCREENSHOT_DIR") else None
    base = live_server.url

    with browser_page(width=1400, height=1000) as page:
        # 1. A reader sends a tip on the Croatian site.
        page.goto(f"{base}/hr/tips/")
        page.fill("textarea[name=text]", CLAIM)
        page.click(".tip-form button[type=submit]")
        page.wait_for_selector("[data-tip-thanks]")
        claim = Claim.objects.get()
        assert claim.status == ClaimStatus.NEW and claim.has_suggested_match

        # 2. The editor finds it in the queue and sees the suggested match.
        _login(page, base, "editor")
        page.goto(f"{base}/admin/claims/queue/")
        page.wait_for_selector("text=mijenjaju vaš DNK")
        if shots:
            page.screenshot(path=str(shots / "admin-queue.png"))
        page.click("text=mijenjaju vaš DNK")
        page.wait_for_selector("[data-matches]")
        assert debunk.title in page.inner_text("[data-matches]")
        if shots:
            page.screenshot(path=str(shots / "admin-claim.png"), full_page=True)

        # 3. It is not the same claim: reject the match, start a fact-check.
        page.click("[data-match] button:has-text('Reject')")
        page.wait_for_selector("text=Match rejected")
        assert ClaimMatch.objects.get(claim=claim).state == MatchState.REJECTED
        page.click("[data-start-factcheck]")
        page.wait_for_url("**/admin/pages/*/edit/")
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.IN_PROGRESS and claim.factcheck_id
        draft = FactCheckPage.objects.get(pk=claim.factcheck_id)
        assert not draft.live and draft.locale.language_code == "hr"
        edit_url = f"{base}/admin/pages/{draft.pk}/edit/"

        # 4. The fact-checker writes the verdict and submits it for moderation.
        _login(page, base, "checker")
        page.goto(edit_url)
        false = Rating.objects.get(scale__key="truth", key="false", locale__language_code="hr")
        page.select_option("select[name=rating]", str(false.pk))
        page.fill("textarea[name=summary]", "Netočno. mRNA cjepiva ne mijenjaju ljudski DNK.")
        # "Submit for moderation" sits in the footer's "more actions" dropdown.
        page.locator(".footer__container [data-w-dropdown-target='toggle']").first.click()
        page.locator("button[name=action-submit]").click()
        page.wait_for_selector(".messages .success, .messages li.success")
        draft.refresh_from_db()
        assert draft.current_workflow_state is not None
        assert draft.current_workflow_state.status == "in_progress"
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.IN_REVIEW

        # 5. The editor approves it: the workflow's only task, so it publishes.
        _login(page, base, "editor")
        page.goto(edit_url)
        page.locator(".footer__container [data-w-dropdown-target='toggle']").first.click()
        page.locator(
            "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        ).click()
        page.wait_for_selector(".messages .success, .messages li.success")
        draft.refresh_from_db()
        assert draft.live and draft.rating_id == false.pk

        # 6. The public page shows the verdict with ClaimReview; the claim is published.
        page.goto(f"{base}{draft.url}")
        assert page.locator(".rating-badge").first.is_visible()
        scripts = page.locator("script[type='application/ld+json']").all_inner_texts()
        reviews = [json.loads(s) for s in scripts if "ClaimReview" in s]
        assert reviews, scripts
        review = reviews[0]
        assert review["@type"] == "ClaimReview"
        assert "mijenjaju" in review["claimReviewed"]
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.PUBLISHED
        page.goto(f"{base}/admin/claim-queue/{claim.pk}/")
        assert page.locator(".claim-page .w-status").first.inner_text().lower() == "published"
        # (Logging out mid-edit makes the old editor's session-release beacon fail: ignored.)
        assert not [e for e in page.errors if "Failed to load resource" not in e]
