"""Connecting a bot in the Wagtail admin: setWebhook with the secret; the token stays hidden."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tipline.models import TelegramBot

pytestmark = pytest.mark.django_db

TOKEN = "7000000002:AAGk2nD8fQ1zXc5VbN7mL0pO9iU8yT6rE4w"


def test_adding_a_bot_calls_set_webhook_with_the_secret(admin_client, bot_api, settings):
    settings.FACTCHECK_SITE_URL = "https://provjera.example"
    secret = "webhook_secret-0123456789abcdef"
    response = admin_client.post(
        reverse("tipline_bots:add"),
        {"name": "Provjera bot", "token": TOKEN, "webhook_secret": secret, "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    bot = TelegramBot.objects.get()
    assert bot.token == TOKEN and bot.webhook_secret == secret
    (call,) = bot_api.sent("setWebhook")
    assert call["secret_token"] == secret
    assert call["url"] == f"https://provjera.example/tipline/telegram/{bot.pk}/"
    assert "callback_query" in call["allowed_updates"]
    assert bot.connected_at is not None and bot.last_error == ""

    # The token is never shown back in full: not in the listing, not in the edit form.
    listing = admin_client.get(reverse("tipline_bots:index")).content.decode()
    edit = admin_client.get(reverse("tipline_bots:edit", args=[bot.pk])).content.decode()
    assert bot.masked_token in listing
    for page in (listing, edit):
        assert TOKEN not in page and TOKEN.split(":")[1] not in page and secret not in page


def test_editing_with_empty_fields_keeps_token_and_secret(admin_client, bot, bot_api):
    response = admin_client.post(
        reverse("tipline_bots:edit", args=[bot.pk]),
        {"name": "Renamed", "token": "", "webhook_secret": "", "enabled": "on"},
    )
    assert response.status_code == 302
    fresh = TelegramBot.objects.get(pk=bot.pk)
    assert (fresh.name, fresh.token, fresh.webhook_secret) == (
        "Renamed",
        bot.token,
        bot.webhook_secret,
    )
    assert bot_api.sent("setWebhook")[0]["secret_token"] == bot.webhook_secret


def test_an_empty_secret_is_generated_and_a_bad_token_refused(admin_client, bot_api):
    url = reverse("tipline_bots:add")
    bad = admin_client.post(url, {"name": "x", "token": "not-a-token", "enabled": "on"})
    assert bad.status_code == 200 and not TelegramBot.objects.exists()
    assert bot_api.calls == []

    admin_client.post(url, {"name": "x", "token": TOKEN, "enabled": "on"})
    bot = TelegramBot.objects.get()
    assert len(bot.webhook_secret) >= 32
    assert bot_api.sent("setWebhook")[0]["secret_token"] == bot.webhook_secret


def test_a_refused_webhook_is_reported_not_hidden(admin_client, bot_api):
    bot_api.fail_with = 502
    response = admin_client.post(
        reverse("tipline_bots:add"), {"name": "x", "token": TOKEN, "enabled": "on"}, follow=True
    )
    bot = TelegramBot.objects.get()
    assert bot.connected_at is None and "HTTP 502" in bot.last_error
    assert TOKEN.split(":")[1] not in bot.last_error
    assert "did not accept the webhook" in response.content.decode()
