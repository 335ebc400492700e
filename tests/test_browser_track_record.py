"""Headless Chromium: a reader finds the outlet track record from the footer, opens an
outlet and follows a link to the published debunk. On the demo newsroom, with appearances
of its claims in the demo outlets over several months.

``FACTCHECK_SCREENSHOT_DIR=docs/screenshots`` keeps ``track-record.png`` and
``track-record-index.png`` for the README (``make screenshots``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir
from django.utils import timezone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

#: (outlet, fact-check slug in the demo, days ago the outlet carried the claim)
APPEARANCES = [
    ("Vijesti Odmah (fictional)", "hrvatska-ne-mora-primiti-30000-migranata", [2, 9, 33, 61]),
    ("Vijesti Odmah (fictional)", "struja-za-kucanstva-ne-poskupljuje-40-posto", [5, 95, 96]),
    ("Vijesti Odmah (fictional)", "5g-mreza-ne-uzrokuje-viroze", [150, 210]),
    ("Budni Balkan (fictional Telegram channel)", "5g-mreza-ne-uzrokuje-viroze", [1, 3, 40, 120]),
    (
        "Budni Balkan (fictional Telegram channel)",
        "vakcine-protiv-gripe-ne-sadrze-mikrocipove",
        [8, 70],
    ),
    (
        "Zdravlje Prirodno (fictional)",
        "kapi-za-pritisak-lazni-intervju-sa-kardiologom",
        [12, 14, 190],
    ),
    ("Portal Istina Danas (fictional)", "srbija-ne-mora-da-primi-30000-migranata", [25]),
]


@pytest.fixture
def track_record_site(transactional_db, live_server):
    from claims.models import Claim, ClaimSighting, FactCheckPage
    from factcheck.demo import demo_load
    from sources.models import Outlet

    demo_load()
    now = timezone.now()
    for outlet_name, slug, days in APPEARANCES:
        page = FactCheckPage.objects.get(slug=slug, alias_of__isnull=True)
        outlet = Outlet.objects.get(name=outlet_name)
        claim = Claim.objects.create(text=page.claim_reviewed, factcheck=page)
        for n, ago in enumerate(days):
            ClaimSighting.objects.create(
                claim=claim,
                source="captured",
                outlet=outlet,
                url=f"{outlet.homepage}/{slug}/{n}",
                seen_at=now - timedelta(days=ago),
            )
    # A claim that is still being checked counts nowhere.
    draft_target = Outlet.objects.get(name="Crnogorski Puls (fictional)")
    unchecked = Claim.objects.create(text="Nikšić dobija aerodrom do kraja godine")
    ClaimSighting.objects.create(claim=unchecked, source="captured", outlet=draft_target)
    return live_server.url


def test_reader_follows_the_track_record_to_a_debunk(track_record_site, tmp_path):
    base_url = track_record_site
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1200, height=900) as page:
        page.goto(f"{base_url}/hr/")
        with page.expect_navigation():
            page.click(".site-footer a[href='/hr/track-record/']")
        assert page.url == f"{base_url}/hr/track-record/"
        assert page.locator("h1").inner_text() == "Dosje medija"
        rows = page.locator("tr[data-outlet] th a")
        # Worst first; an outlet with no published debunk is not listed.
        assert rows.all_inner_texts()[:2] == [
            "Vijesti Odmah (fictional)",
            "Budni Balkan (fictional Telegram channel)",
        ]
        assert "Crnogorski Puls (fictional)" not in page.content()
        page.screenshot(path=str(shots / "track-record-index.png"), full_page=True)

        with page.expect_navigation():
            rows.first.click()
        assert page.locator("h1").inner_text().endswith("Vijesti Odmah (fictional)")
        assert page.locator("[data-appearances]").inner_text() == "9"
        assert page.locator("tr[data-month]").count() == 12
        links = page.locator("[data-debunk] a")
        assert links.count() == 3
        page.screenshot(path=str(shots / "track-record.png"), full_page=True)

        target = page.locator("[data-debunk] a", has_text="Hrvatska prema paktu")
        title = target.inner_text()
        with page.expect_navigation():
            target.click()
        assert page.url == f"{base_url}/hr/fact-checks/hrvatska-ne-mora-primiti-30000-migranata/"
        assert page.locator("h1").inner_text() == title
        assert page.locator(".rating-badge").first.is_visible()
        assert page.errors == [], f"console errors: {page.errors}"
