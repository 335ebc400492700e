"""Partner API keys, webhooks and their deliveries.

An :class:`ApiKey` is stored as its SHA-256 hash and an 8-character lookup prefix; the
key itself is shown once, when it is created (``network.keys``). A :class:`Webhook`
keeps its signing secret (it must sign every delivery); each event to each hook is one
:class:`WebhookDelivery` row that the task worker sends and retries (``network.webhooks``).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKeyTier(models.TextChoices):
    """Rate tiers; each is a DRF throttle scope ``apikey_<tier>`` in ``REST_FRAMEWORK``."""

    STANDARD = "standard", _("Standard")
    PARTNER = "partner", _("Partner newsroom")
    PLATFORM = "platform", _("Platform")


class ApiKey(models.Model):
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who uses this key, and for what.")
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    tier = models.CharField(
        _("rate tier"), max_length=20, choices=ApiKeyTier.choices, default=ApiKeyTier.STANDARD
    )
    prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (fck_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    # What the DRF throttles read from ``request.auth`` (factcheck.throttling).
    @property
    def throttle_scope(self) -> str:
        return f"apikey_{self.tier}"

    @property
    def throttle_ident(self) -> str:
        return f"key{self.pk}"


class WebhookEvent(models.TextChoices):
    PUBLISHED = "factcheck.published", _("Fact-check published")
    UPDATED = "factcheck.updated", _("Fact-check updated")


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(
        _("URL"), max_length=1000, help_text=_("Where the signed POST requests are sent.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        editable=False,
        help_text=_("HMAC-SHA256 key for the X-Factcheck-Signature header."),
    )
    api_key = models.ForeignKey(
        ApiKey,
        verbose_name=_("partner's API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhooks",
    )
    send_published = models.BooleanField(_("when a fact-check is published"), default=True)
    send_updated = models.BooleanField(_("when a fact-check is updated"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def wants(self, event: str) -> bool:
        if event == WebhookEvent.PUBLISHED:
            return self.send_published
        return self.send_updated


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    body = models.TextField(help_text=_("The JSON body, exactly as signed and sent."))
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook} ({self.status})"
