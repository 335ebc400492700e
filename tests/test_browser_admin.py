"""The newsroom loop in headless Chromium: tip -> queue -> claim page -> fact-check -> published.

Run with ``pytest -m browser tests/test_browser_admin.py``; it saves the README
screenshots under docs/screenshots/. Skipped when Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback restores the data migrations (locales, groups, workflow) after
    # each flush; every transactional test must use it, or the next one finds them gone.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM), reason="needs Debian Chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def restored(newsroom):
    """The site structure, restored by serialized rollback after earlier flushes."""
    return newsroom


@pytest.fixture
def matcher(monkeypatch):
    """``search.match`` suggesting whatever ``matcher.results`` holds (deterministic)."""
    import search
    from search.types import MatchResult

    class Matcher:
        results: list[MatchResult] = []

        def suggest(self, page, *, score: float, is_match: bool) -> None:
            self.results = [
                MatchResult(id=str(page.pk), score=score, is_match=is_match,
                            matched_sentence=page.claim_reviewed, method="hybrid", fields={})
            ]  # fmt: skip

        def __call__(self, text, *, limit=5, language=None, filters=None):
            return self.results[:limit]

    fake = Matcher()
    monkeypatch.setattr(search, "match", fake)
    return fake


@pytest.fixture
def browser_page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM calls between Playwright steps
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


def test_newsroom_loop(
    restored, live_server, browser_page, make_factcheck, matcher, django_user_model
):
    from claims.models import Claim, ClaimStatus, FactCheckPage, Rating

    debunk = make_factcheck()
    matcher.suggest(debunk, score=0.62, is_match=True)
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    page = browser_page

    # 1. A reader sends a tip on the public site.
    page.goto(f"{live_server.url}/en/tips/")
    page.fill(
        "textarea[name=text]", "Vaccines against covid change your DNA, a viral Viber message says"
    )
    page.click(".tip-form button[type=submit]")
    page.wait_for_selector("[data-tip-thanks]")
    claim = Claim.objects.get()
    Claim.objects.filter(pk=claim.pk).update(language="en")

    # 2. An editor logs in, finds it in the queue and sees the suggested match.
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server.url}/admin/claims/queue/")
    page.wait_for_selector("text=change your DNA")
    page.screenshot(path=str(SCREENSHOTS / "admin-queue.png"), full_page=False)
    page.click("text=change your DNA")
    page.wait_for_selector("[data-matches]")
    assert debunk.title in page.inner_text("[data-matches]")
    page.screenshot(path=str(SCREENSHOTS / "admin-claim.png"), full_page=True)

    # 3. The editor rejects the match and starts a fact-check: the page editor opens.
    page.click("[data-match] button:has-text('Reject')")
    page.wait_for_selector("text=Match rejected")
    page.click("[data-start-factcheck]")
    page.wait_for_url("**/admin/pages/*/edit/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS and claim.factcheck_id

    # 4-5. The fact-checker writes the verdict; the editor approves and publishes.
    draft = FactCheckPage.objects.get(pk=claim.factcheck_id)
    draft.rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="en")
    draft.summary = "False. mRNA vaccines do not alter human DNA."
    draft.save_revision(user=None).publish()

    # 6. The public page shows the verdict with ClaimReview, and the claim is published.
    draft.refresh_from_db()
    page.goto(f"{live_server.url}{draft.url}")
    assert "False" in page.content() and "ClaimReview" in page.content()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    page.goto(f"{live_server.url}/admin/claim-queue/{claim.pk}/")
    assert "published" in page.inner_text("body").lower()
