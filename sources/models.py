"""Publishers, the channels we poll, and what ingest captured from them.

``Outlet`` is a publisher (a newsroom, portal, or a person posting publicly);
``Channel`` is one place we poll for it (feed, sitemap, Telegram channel, ...)
and carries the poll state the crawler needs to be polite and resumable;
``CapturedItem`` is one ingested article/post with its archived raw bytes.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    SERBIA = "RS", _("Serbia")
    BOSNIA = "BA", _("Bosnia and Herzegovina")
    MONTENEGRO = "ME", _("Montenegro")
    NORTH_MACEDONIA = "MK", _("North Macedonia")
    ALBANIA = "AL", _("Albania")
    KOSOVO = "XK", _("Kosovo")
    CROATIA = "HR", _("Croatia")
    SLOVENIA = "SI", _("Slovenia")
    BULGARIA = "BG", _("Bulgaria")
    OTHER = "other", _("Other")


class Script(models.TextChoices):
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN = "latin", _("Latin")
    MIXED = "mixed", _("Mixed")
    UNKNOWN = "", _("Unknown")


class Outlet(models.Model):
    name = models.CharField(max_length=200, unique=True)
    homepage = models.URLField(blank=True, max_length=500)
    country = models.CharField(max_length=8, choices=Country.choices, default=Country.OTHER)
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'Locale codes this outlet publishes in, e.g. ["sr", "sr-latn"]. '
            "Used to pick the exact variety (sr/hr/bs/cnr) that language detection cannot."
        ),
    )
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Accept "sr, hr" from forms and fixtures as well as a list.
        if isinstance(self.languages, str):
            self.languages = [c.strip() for c in self.languages.split(",") if c.strip()]
        super().save(*args, **kwargs)


class ChannelKind(models.TextChoices):
    FEED = "feed", _("RSS / Atom / JSON feed")
    SITEMAP = "sitemap", _("Sitemap / news sitemap")
    ARTICLE = "article", _("Single article URL")
    TELEGRAM = "telegram", _("Telegram public channel")
    MASTODON = "mastodon", _("Mastodon hashtag or account")
    BLUESKY = "bluesky", _("Bluesky account or search")
    IMPORT = "import", _("Manual import (never polled)")
    CLAIMREVIEW = "claimreview", _("Partner newsroom's ClaimReview (feed, page, sitemap, API)")


class ChannelStatus(models.TextChoices):
    OK = "ok", _("OK")
    FAILING = "failing", _("Failing")
    PAUSED = "paused", _("Paused")


class Channel(models.Model):
    outlet = models.ForeignKey(
        Outlet, on_delete=models.CASCADE, related_name="channels", null=True, blank=True
    )
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    url_or_handle = models.CharField(
        max_length=500,
        help_text=_(
            "Feed/sitemap/article URL; Telegram channel name or t.me link; Mastodon "
            "'#tag@instance', '@user@instance' or a /tags/ URL; Bluesky handle or 'search:words'."
        ),
    )
    language = models.CharField(
        max_length=16, blank=True, help_text=_("Language hint, e.g. 'hr' or 'sr-latn'.")
    )
    poll_interval_minutes = models.PositiveIntegerField(default=30)
    enabled = models.BooleanField(default=True)

    # Poll state: written by the crawler only.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet__name", "kind", "url_or_handle"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "url_or_handle"], name="uniq_channel_target")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.url_or_handle}"

    @property
    def status(self) -> str:
        if not self.enabled:
            return ChannelStatus.PAUSED
        if self.consecutive_failures:
            return ChannelStatus.FAILING
        return ChannelStatus.OK

    @property
    def language_hint(self) -> str:
        """The channel's own hint, else the outlet's first listed language."""
        if self.language:
            return self.language
        outlet = self.outlet if self.outlet_id else None
        if outlet is not None and outlet.languages:
            return str(outlet.languages[0])
        return ""

    def is_due(self, now=None) -> bool:
        now = now or timezone.now()
        return self.enabled and (self.next_poll_at is None or self.next_poll_at <= now)

    @property
    def poll_interval(self) -> timedelta:
        return timedelta(minutes=max(1, self.poll_interval_minutes))


class CapturedItem(models.Model):
    """One ingested article or post. Raw bytes are archived zlib-compressed."""

    canonical_url = models.URLField(max_length=1000, unique=True)
    seen_urls = models.JSONField(default=list, blank=True)
    platform = models.CharField(max_length=16, choices=ChannelKind.choices)
    external_id = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    title = models.CharField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    image_url = models.URLField(max_length=1000, blank=True)
    html_excerpt = models.TextField(
        blank=True, help_text=_("Sanitised with nh3 before it is stored: safe to render.")
    )
    archived_raw = models.BinaryField(blank=True, default=b"", editable=False)
    archived_content_type = models.CharField(max_length=100, blank=True)
    engagement = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, blank=True, db_index=True)
    script = models.CharField(max_length=10, choices=Script.choices, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True, blank=True)
    minhash = models.JSONField(default=list, blank=True, editable=False)
    near_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )

    class Meta:
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        return self.title or self.canonical_url

    @property
    def raw_bytes(self) -> bytes:
        return zlib.decompress(bytes(self.archived_raw)) if self.archived_raw else b""

    def set_raw(self, data: bytes, content_type: str = "") -> None:
        self.archived_raw = zlib.compress(data, 6) if data else b""
        self.archived_content_type = content_type[:100]


class CapturedItemBand(models.Model):
    """One LSH band of an item's MinHash: items sharing a band are near-duplicate candidates."""

    item = models.ForeignKey(CapturedItem, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["band", "key"])]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.band}:{self.key}"
