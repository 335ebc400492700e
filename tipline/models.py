"""The bot a newsroom connects, the people who write to it, and the tips they handed in.

What is kept about a sender (``TiplineSender``): the chat number the bot answers, the
language it answers in and, only until they answer the consent question, the one message
waiting for it. ``/stop`` deletes the sender row, and with it the links to their tips
(``TiplineTip``); the tips stay in the claim queue with nothing that leads back to them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: ``<bot id>:<secret>`` as BotFather hands it out.
TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$")
#: Telegram's ``secret_token``: 1-256 of ``A-Z a-z 0-9 _ -``; we ask for at least 16.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def validate_token(value: str) -> None:
    if not TOKEN_RE.match(value or ""):
        raise ValidationError(_("This does not look like a bot token from @BotFather."))


def validate_secret(value: str) -> None:
    if not SECRET_RE.match(value or ""):
        raise ValidationError(
            _("Use 16 to 256 characters: letters, digits, underscores and hyphens only.")
        )


def mask_token(token: str) -> str:
    """``123456:AAE…wxyz``: enough to recognise a token, never enough to use it."""
    if not token:
        return ""
    bot_id, _sep, secret = token.partition(":")
    return f"{bot_id}:{secret[:3]}…{secret[-4:]}" if len(secret) > 8 else f"{bot_id}:…"


class TelegramBot(models.Model):
    """A Telegram bot the newsroom connected: its token, the webhook secret, its state."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("bot token"), max_length=200, validators=[validate_token])
    webhook_secret = models.CharField(
        _("webhook secret"), max_length=256, validators=[validate_secret]
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    # Telegram may deliver an update twice; one at or below this is ignored.
    last_update_id = models.BigIntegerField(default=0, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_token(self) -> str:
        return mask_token(self.token)


class TiplineSender(models.Model):
    """Someone who wrote to a bot: the chat to answer and the language to answer in."""

    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, related_name="senders")
    chat_id = models.BigIntegerField()
    locale = models.CharField(max_length=16, blank=True)
    # The one message waiting for the consent answer (erased on the answer or on /stop).
    pending_text = models.TextField(blank=True)
    pending_url = models.URLField(max_length=1000, blank=True)
    pending_locale = models.CharField(max_length=16, blank=True)
    pending_since = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bot", "chat_id"], name="tipline_sender_once_per_bot")
        ]

    def __str__(self) -> str:
        return f"sender {self.pk}"


class TiplineTip(models.Model):
    """A tip a sender agreed to hand in, so the bot can tell them when it is checked."""

    sender = models.ForeignKey(TiplineSender, on_delete=models.CASCADE, related_name="tips")
    tip = models.ForeignKey("claims.Tip", on_delete=models.CASCADE, related_name="+")
    locale = models.CharField(max_length=16, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"tipline tip {self.pk}"
