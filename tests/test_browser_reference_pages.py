"""Headless Chromium: the tip form suggests earlier debunks as the reader types; the
verdict badge leads to the rating-scale explainer; topic and author pages render.

Run with ``pytest -m browser``; ``FACTCHECK_SCREENSHOT_DIR=docs/screenshots`` keeps the
screenshots for the README.
"""

from __future__ import annotations

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def site(search_index, live_server, make_factcheck):
    from claims.models import Author
    from claims.services import site_ensure_structure

    site_ensure_structure()
    author = Author.objects.create(
        name="Ana Anić", role="Novinarka", bio="Provjerava tvrdnje o zdravlju."
    )
    page = make_factcheck(
        locale="hr",
        slug="cjepiva-ne-sadrze-mikrocipove",
        title="Cjepiva ne sadrže mikročipove",
        claim_reviewed="Cjepiva protiv gripe sadrže mikročipove kojima se prate građani",
        summary="Netočno. Nijedno cjepivo ne sadrži mikročip.",
        topic_keys=["health"],
    )
    page.authors.add(author)
    page.save_revision().publish()
    return live_server.url, author.pk


def test_tip_form_suggests_debunks_and_badge_explains_the_rating(site, tmp_path):
    base_url, author_pk = site
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1200, height=900) as page:
        # The navigation leads to the tip form.
        page.goto(f"{base_url}/hr/")
        page.click(".main-nav a.nav-tip")
        page.wait_for_url(f"{base_url}/hr/tips/")
        box = page.locator("[data-tip-suggestions]")
        assert box.is_hidden()
        page.fill("textarea[name=text]", "Vidio sam da cjepiva protiv gripe sadrže mikročipove")
        page.wait_for_selector("[data-tip-suggestions] li a", timeout=10_000)
        assert box.is_visible()
        link = box.locator("li a").first
        assert link.inner_text() == "Cjepiva ne sadrže mikročipove"
        assert link.get_attribute("href").endswith("/hr/fact-checks/cjepiva-ne-sadrze-mikrocipove/")
        page.screenshot(path=str(shots / "tip-form-suggestions.png"), full_page=True)

        # The fact-check's badge opens its rating on the explainer.
        with page.expect_navigation():
            link.click()
        with page.expect_navigation():
            page.click("a.rating-explainer-link")
        assert page.url.endswith("/hr/ratings/#rating-truth-false")
        assert page.locator("#rating-truth-false .rating-badge").inner_text() == "Netočno"
        page.screenshot(path=str(shots / "rating-scale-explainer.png"), full_page=True)

        page.goto(f"{base_url}/hr/topics/health/")
        assert page.locator("h1").inner_text().endswith("Zdravlje")
        assert page.locator(".card h3 a").all_inner_texts() == ["Cjepiva ne sadrže mikročipove"]

        page.goto(f"{base_url}/hr/authors/{author_pk}/")
        assert page.locator("h1").inner_text() == "Ana Anić"
        assert "Provjerava tvrdnje o zdravlju." in page.locator(".author-bio").inner_text()
        page.screenshot(path=str(shots / "author-page.png"), full_page=True)
        assert page.errors == [], f"console errors: {page.errors}"
