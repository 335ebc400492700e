"""The claim queue's outlet filter in a browser: type a name, pick it, the list follows.

Headless Debian Chromium against ``live_server``: the filter drawer shows a search box
(not the id input) once ``factcheck/queue-chooser.js`` has run; typing asks the chooser
endpoint; clicking a match sets the outlet and Wagtail refreshes the list with it.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import browser_page, requires_chromium
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import expect

from claims.models import Claim, ClaimSighting, SightingSource
from sources.models import Channel, Outlet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def _seen_on(text: str, channel: Channel) -> Claim:
    now = timezone.now()
    claim = Claim.objects.create(text=text, last_seen=now, first_seen=now)
    ClaimSighting.objects.create(
        claim=claim,
        source=SightingSource.MANUAL,
        url=f"https://x.example/{claim.pk}",
        outlet=channel.outlet,
        channel=channel,
    )
    return claim


def test_editor_picks_an_outlet_by_name(live_server):
    editor = User.objects.create_user("urednik", "u@example.org", "pw-for-tests", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    outlets = [Outlet.objects.create(name=f"Portal {i:02d}") for i in range(40)]
    channels = [
        Channel.objects.create(outlet=o, kind="feed", url_or_handle=f"https://p{o.pk}.example/")
        for o in outlets
    ]
    _seen_on("Claim carried by portal seven", channels[7])
    _seen_on("Claim carried by portal eight", channels[8])

    base = live_server.url
    with browser_page() as page:
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", "urednik")
        page.fill("#id_password", "pw-for-tests")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/claims/queue/")
        results = page.locator("#listing-results")
        assert "portal eight" in results.inner_text()

        page.click("button[aria-label='Show filters']")
        page.click("button[aria-controls='drilldown-id_outlet']")
        chooser = page.locator("#drilldown-id_outlet [data-claim-chooser]")
        search = chooser.locator("[data-claim-chooser-query]")
        search.wait_for(state="visible")
        assert not chooser.locator("input[name=outlet]").is_visible()  # the id input hides

        search.fill("portal 07")
        buttons = chooser.locator("[data-claim-chooser-results] button")
        expect(buttons).to_have_count(1)  # focusing listed the first 20; typing narrows
        expect(buttons).to_have_text(["Portal 07"])
        buttons.first.click()

        page.wait_for_url(re.compile(rf"outlet={outlets[7].pk}\b"))
        page.wait_for_function(
            "() => !document.querySelector('#listing-results').innerText.includes('portal eight')"
        )
        assert "portal seven" in results.inner_text()
        assert chooser.locator("[data-claim-chooser-label]").inner_text() == "Portal 07"
        assert not [e for e in page.errors if "queue-chooser" in e or "TypeError" in e]
