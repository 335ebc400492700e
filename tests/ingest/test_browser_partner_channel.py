"""Headless Chromium: an editor follows a partner newsroom in the admin, the way the README
says (*Sources → Channels → Add*, kind "Partner newsroom's ClaimReview", then *Partner
feeds* to import as drafts). Nothing is fetched: the channel is only saved.

``FACTCHECK_SCREENSHOT_DIR=docs/screenshots`` keeps ``admin-follow-partner.png``.
"""

from __future__ import annotations

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

FEED = "https://partner.example/api/v1/claimreview.json"


@pytest.fixture
def admin_site(transactional_db, live_server, django_user_model, settings):
    from sources.models import Outlet

    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-for-tests")
    Outlet.objects.create(name="Istinomjer (partner, fictional)", country="BA")
    return live_server.url


def _login(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def test_editor_follows_a_partner_newsroom(admin_site, tmp_path):
    from ingest.models import PartnerFeed, PublishMode
    from sources.models import Channel, ChannelKind

    base_url = admin_site
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1280, height=900) as page:
        _login(page, base_url)
        # Sources → Channels → Add, found through the menu as the README describes.
        page.click("button:has-text('Sources')")
        with page.expect_navigation():
            page.click("a:has-text('Channels')")
        with page.expect_navigation():
            page.click("a:has-text('Add channel')")
        page.select_option("#id_outlet", label="Istinomjer (partner, fictional)")
        page.select_option("#id_kind", value="claimreview")
        assert (
            page.locator("#id_kind option:checked").inner_text()
            == "Partner newsroom's ClaimReview (feed, page, sitemap, API)"
        )
        page.fill("#id_url_or_handle", FEED)
        page.fill("#id_language", "bs")
        page.screenshot(path=str(shots / "admin-follow-partner.png"), full_page=True)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Create')")
        channel = Channel.objects.get(url_or_handle=FEED)
        assert channel.kind == ChannelKind.CLAIMREVIEW and channel.enabled
        assert channel.outlet.name == "Istinomjer (partner, fictional)"

        # Partner feeds → Add: import this partner's fact-checks as drafts.
        page.goto(f"{base_url}/admin/partner_feeds/new/")
        page.select_option("#id_channel", value=str(channel.pk))
        page.select_option("#id_publish_mode", value=PublishMode.DRAFT)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Create')")
        assert PartnerFeed.objects.get(channel=channel).publish_mode == PublishMode.DRAFT
        assert page.errors == [], f"console errors: {page.errors}"
