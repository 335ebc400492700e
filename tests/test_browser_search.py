"""A reader finds the same debunk whichever script they type (headless Chromium).

Run with ``pytest -m browser``; CI installs Chromium. ``make screenshots`` saves the
README's screenshots to ``docs/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def debunk(search_index, live_server, make_factcheck):
    from claims.services import site_ensure_structure

    site_ensure_structure()
    make_factcheck(
        locale="sr",
        slug="vakcine-ne-sadrze-mikrocipove",
        title="Вакцине не садрже микрочипове",
        claim_reviewed="Вакцине против грипа садрже микрочипове којима власт прати грађане",
        summary="Нетачно. Ниједна вакцина не садржи микрочип: игла је преуска.",
        claimant="Вајбер порука",
        topic_keys=["health"],
        country_codes=["rs"],
    )
    make_factcheck(
        locale="hr",
        slug="cjepiva-ne-sadrze-mikrocipove",
        title="Cjepiva ne sadrže mikročipove",
        claim_reviewed="Cjepiva protiv gripe sadrže mikročipove kojima se prate građani",
        summary="Netočno. Nijedno cjepivo ne sadrži mikročip.",
        country_codes=["hr"],
    )
    return live_server.url


def _search(page, base_url: str, locale: str, query: str) -> None:
    page.goto(f"{base_url}/{locale}/")
    page.fill("#site-search", query)
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    page.wait_for_selector(".results-count")


def test_reader_finds_the_debunk_in_either_script(debunk, tmp_path):
    # Content first: the ORM refuses to run once Playwright's event loop is running.
    base_url = debunk
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1200, height=900) as page:
        _reader_journey(page, base_url, shots)
        assert page.errors == [], f"console errors: {page.errors}"


def _reader_journey(page, base_url, shots) -> None:
    # A reader in Niš types Cyrillic on the Cyrillic site.
    _search(page, base_url, "sr", "вакцине микрочипови")
    assert "/sr/search/" in page.url
    first = page.locator(".search-hit").first
    assert first.locator("h3 a").inner_text() == "Вакцине не садрже микрочипове"
    assert first.locator(".rating-badge").inner_text() == "Нетачно"
    assert "Вакцине" in first.locator(".hit-snippet mark").first.inner_text()
    assert page.locator(".search-hit").count() == 2  # the Croatian debunk too
    page.screenshot(path=str(shots / "search-cyrillic.png"), full_page=True)

    # A reader on a phone without diacritics, on the Latin site.
    _search(page, base_url, "sr-latn", "vakcine mikrocipovi")
    assert "/sr-latn/search/" in page.url
    titles = page.locator(".search-hit h3 a").all_inner_texts()
    assert "Vakcine ne sadrže mikročipove" in titles  # the Cyrillic original, shown in Latin
    snippets = " ".join(page.locator(".hit-snippet").all_inner_texts())
    assert not re.search("[\u0400-\u04ff]", snippets)
    marks = page.locator(".hit-snippet mark").all_inner_texts()
    assert "Vakcine" in marks
    page.screenshot(path=str(shots / "search-latin.png"), full_page=True)

    # The result leads to the Latin rendering of the debunk.
    link = page.locator(".search-hit h3 a", has_text="Vakcine ne sadrže mikročipove")
    with page.expect_navigation():
        link.click()
    assert "/sr-latn/fact-checks/vakcine-ne-sadrze-mikrocipove/" in page.url
    assert "Vakcine ne sadrže mikročipove" in page.locator("h1").inner_text()
