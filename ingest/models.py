"""What ingest remembers about partner newsrooms it follows (``claimreview`` channels).

``PartnerFeed`` holds a channel's choices: publish a partner's fact-checks at once, or
save them as drafts for an editor; withdraw what leaves the feed; and whether the feed
may carry other publishers' fact-checks (a network's shared feed) or only those on the
channel's own site (the default: see "Attribution" in docs/network.md). ``PartnerFactCheck`` is one fact-check a channel has
imported: the partner's URL (the identity), a digest of the record last imported, a
fingerprint of the page as the import left it (a different fingerprint later means an
editor changed the page here), and when the partner withdrew it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishMode(models.TextChoices):
    PUBLISH = "publish", _("Publish partners' fact-checks at once")
    DRAFT = "draft", _("Save them as drafts for an editor")


class PartnerFeed(models.Model):
    """Per-channel settings of a followed partner (created with defaults on first crawl)."""

    channel = models.OneToOneField(
        "sources.Channel", on_delete=models.CASCADE, related_name="partner_feed"
    )
    publish_mode = models.CharField(
        _("publishing"),
        max_length=10,
        choices=PublishMode.choices,
        default=PublishMode.PUBLISH,
    )
    withdraw_missing = models.BooleanField(
        _("withdraw what leaves the feed"),
        default=True,
        help_text=_(
            "Unpublish an imported fact-check when it is no longer in the partner's feed. "
            "Search results (Google's Fact Check Tools) are never complete, so they never "
            "withdraw anything."
        ),
    )
    other_publishers = models.BooleanField(
        _("carries other publishers"),
        default=False,
        help_text=_(
            "Import fact-checks published on other sites too, credited to their own "
            "publishers. Only for a network's shared feed you trust: otherwise a channel "
            "imports only fact-checks on its own site, so no partner can publish here in "
            "another newsroom's name."
        ),
    )

    class Meta:
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")

    def __str__(self) -> str:
        return str(self.channel)

    @property
    def publish(self) -> bool:
        return self.publish_mode == PublishMode.PUBLISH


class PartnerFactCheck(models.Model):
    """One partner fact-check imported through a channel."""

    channel = models.ForeignKey(
        "sources.Channel", on_delete=models.CASCADE, related_name="partner_factchecks"
    )
    original_url = models.URLField(max_length=1000)
    page = models.ForeignKey(
        "claims.FactCheckPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    found_at_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text=_("The feed, page or sitemap entry it was read from."),
    )
    record_digest = models.CharField(max_length=64, blank=True)
    page_fingerprint = models.CharField(max_length=64, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    held_for_review = models.BooleanField(
        default=False,
        help_text=_("The partner changed a page edited here: the change waits as a draft."),
    )

    class Meta:
        verbose_name = _("partner fact-check")
        verbose_name_plural = _("partner fact-checks")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "original_url"], name="uniq_partner_factcheck"
            )
        ]

    def __str__(self) -> str:
        return self.original_url
