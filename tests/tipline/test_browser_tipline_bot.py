"""Headless Chromium: an editor connects a Telegram bot in the admin, the way the README
says (*Tipline bots → Add*: a name and the token, the webhook secret left empty). The Bot
API is the loopback fake of ``conftest.py``; saving calls its ``setWebhook``.

``FACTCHECK_SCREENSHOT_DIR=docs/screenshots`` keeps ``admin-telegram-bot.png``.
"""

from __future__ import annotations

import pytest
from browser_helpers import browser_page, requires_chromium, screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

TOKEN = "7000000003:AAFq8sK2mN5bV7cX9zL1pO3iU6yT4rE2wQa"


@pytest.fixture
def admin_site(transactional_db, live_server, django_user_model, settings, bot_api):
    settings.FACTCHECK_SITE_URL = "https://provjera.example"
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-for-tests")
    return live_server.url


def test_editor_connects_a_telegram_bot(admin_site, bot_api, tmp_path):
    from tipline.models import TelegramBot

    base_url = admin_site
    shots = screenshot_dir(tmp_path)
    with browser_page(width=1280, height=900) as page:
        page.goto(f"{base_url}/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "pw-for-tests")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/admin/")
        # Tipline bots → Add, from the menu.
        with page.expect_navigation():
            page.click("a:has-text('Tipline bots')")
        with page.expect_navigation():
            page.click("a:has-text('Add telegram bot')")
        page.fill("#id_name", "Provjera bot")
        page.fill("#id_token", TOKEN)
        # The token and secret are write-only fields.
        assert page.locator("#id_token").get_attribute("type") == "password"
        assert page.locator("#id_webhook_secret").get_attribute("type") == "password"
        page.screenshot(path=str(shots / "admin-telegram-bot.png"), full_page=True)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Create')")
        assert "Telegram now sends this bot's messages here." in page.content()

        bot = TelegramBot.objects.get()
        assert bot.token == TOKEN and len(bot.webhook_secret) >= 32  # generated
        (call,) = bot_api.sent("setWebhook")
        assert call["url"] == f"https://provjera.example/tipline/telegram/{bot.pk}/"
        assert call["secret_token"] == bot.webhook_secret
        # The listing shows the token masked, never in full.
        assert bot.masked_token in page.content() and TOKEN not in page.content()
        assert page.errors == [], f"console errors: {page.errors}"
