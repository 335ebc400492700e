"""The public site and the admin in a real browser (headless Debian Chromium)."""

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir
from django.contrib.auth.models import User

from claims.models import FactCheckPage
from factcheck.demo import demo_load

# serialized_rollback restores the data migrations (locales, groups, workflow) after the flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def demo_site(transactional_db):
    demo_load()
    return FactCheckPage.objects.filter(locale__language_code="sr", alias_of__isnull=True).first()


def test_public_pages_in_a_browser(live_server, demo_site, tmp_path):
    shots = screenshot_dir(tmp_path)
    with browser_page() as page:
        page.goto(f"{live_server.url}/en/")
        assert page.locator("h1").first.inner_text()
        cards = page.locator("article.card")
        assert cards.count() >= 3
        page.screenshot(path=str(shots / "home.png"), full_page=True)

        # Keyboard users can skip straight to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"

        page.goto(f"{live_server.url}/sr/fact-checks/{demo_site.slug}/")
        assert page.locator("html").get_attribute("lang") == "sr-Cyrl"
        assert page.locator("h1").inner_text() == demo_site.title
        assert page.locator(".rating-badge").first.is_visible()
        page.screenshot(path=str(shots / "factcheck-cyrillic.png"), full_page=True)

        page.goto(f"{live_server.url}/sr-latn/fact-checks/{demo_site.slug}/")
        assert page.locator("html").get_attribute("lang") == "sr-Latn"
        latin_title = page.locator("h1").inner_text()
        assert latin_title != demo_site.title
        assert not any("\u0400" <= ch <= "\u04ff" for ch in latin_title)
        page.screenshot(path=str(shots / "factcheck-latin.png"), full_page=True)

        page.goto(f"{live_server.url}/hr/fact-checks/")
        assert page.locator("article.card").count() >= 1
        page.select_option("#f-language", "all")
        page.click(".filters button[type=submit]")
        page.wait_for_url("**language=all**")
        assert page.locator("article.card").count() >= 12
        page.screenshot(path=str(shots / "index.png"), full_page=True)

        # Images on the public pages all carry alt text.
        assert page.locator("img:not([alt])").count() == 0

        # On a phone, nothing scrolls sideways.
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(f"{live_server.url}/sr/fact-checks/{demo_site.slug}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert page.errors == []


def test_admin_in_a_browser(live_server, demo_site, tmp_path):
    User.objects.create_superuser("editor", "editor@example.org", "pw-for-tests")
    shots = screenshot_dir(tmp_path)
    with browser_page() as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "pw-for-tests")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        page.goto(f"{live_server.url}/admin/pages/{demo_site.pk}/edit/")
        assert page.locator("#id_claim_reviewed").input_value() == demo_site.claim_reviewed
        page.screenshot(path=str(shots / "admin-factcheck.png"))
