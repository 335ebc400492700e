"""The editors' claim queue: claims, where they were seen, suggested debunks, notes and tips.

Every field here is written by ``claims.services`` only. The denormalised counters on
``Claim`` (sightings, outlets, platforms, engagement, best match, priority and its
components) exist so the queue list can filter and sort 100,000 claims without joins;
``claims.services.claim_refresh_stats`` keeps them true.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .snippets import Platform


class ClaimStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ALREADY_DEBUNKED = "already_debunked", _("Already debunked")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged")


class SightingSource(models.TextChoices):
    CAPTURED = "captured", _("Ingest")
    TIP = "tip", _("Tip")
    MANUAL = "manual", _("Manual entry")


class JoinMethod(models.TextChoices):
    """How a sighting came to be on its claim (``ClaimSighting.joined_by``)."""

    OPENED = "", _("Opened the claim")
    HASH = "hash", _("Same text")
    VECTOR = "vector", _("Same claim (calibrated match)")
    NEAR_DUPLICATE = "near_duplicate", _("Near-duplicate of an item on the claim")
    SPLIT = "split", _("Split off by an editor.")


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Claim(models.Model):
    """One claim circulating in the region, however many times and places it was seen."""

    text = models.TextField(help_text=_("The claim as it circulates, in its original wording."))
    normalized_text = models.TextField(blank=True, editable=False)
    text_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    vector = models.BinaryField(blank=True, default=b"", editable=False)
    language = models.CharField(max_length=16, blank=True, db_index=True)
    country = models.CharField(max_length=8, blank=True, db_index=True)
    claimant = models.CharField(max_length=255, blank=True)
    entities = models.JSONField(default=list, blank=True)
    topics = models.ManyToManyField("claims.Topic", blank=True, related_name="queue_claims")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    factcheck = models.ForeignKey(
        "claims.FactCheckPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_claims",
        help_text=_("The fact-check that answers this claim (ours, or an earlier debunk)."),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_claims"
    )
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_claims",
        editable=False,
        help_text=_(
            "The claim an editor split this one off from: the two are never joined "
            "automatically as one claim again."
        ),
    )
    dismiss_reason = models.TextField(blank=True)
    first_seen = models.DateTimeField(default=timezone.now, db_index=True)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    # Denormalised for the list: refreshed by services on every change.
    sighting_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)
    platform_count = models.PositiveIntegerField(default=0)
    engagement_total = models.BigIntegerField(default=0)
    best_match_score = models.FloatField(default=0.0)
    has_suggested_match = models.BooleanField(default=False)
    priority = models.FloatField(default=0.0)
    priority_components = models.JSONField(default=dict, blank=True)
    priority_override = models.FloatField(
        null=True, blank=True, help_text=_("Set by an editor; replaces the computed priority.")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the claim was last closed (published, already debunked, dismissed or merged); "
            "empty while it is open. Tip contacts are erased a set time after this."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    #: A claim in one of these states needs no more work (see ``closed_at``).
    CLOSED_STATUSES = frozenset(
        {
            ClaimStatus.PUBLISHED,
            ClaimStatus.ALREADY_DEBUNKED,
            ClaimStatus.DISMISSED,
            ClaimStatus.MERGED,
        }
    )

    class Meta:
        ordering = ["-priority", "-last_seen"]
        verbose_name = _("claim")
        indexes = [
            models.Index(fields=["status", "-priority"], name="claim_status_priority"),
            models.Index(fields=["-priority", "-last_seen"], name="claim_priority"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_status"),
            models.Index(fields=["has_suggested_match", "status"], name="claim_suggested"),
            models.Index(fields=["status", "first_seen"], name="claim_status_first_seen"),
        ]

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 90 else text[:89] + "…"


class ClaimSighting(models.Model):
    """One appearance of a claim: an ingested item, a tip, or a URL an editor entered."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sightings")
    source = models.CharField(max_length=10, choices=SightingSource.choices)
    captured_item = models.ForeignKey(
        "sources.CapturedItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claim_sightings",
    )
    tip = models.ForeignKey(
        "claims.Tip", null=True, blank=True, on_delete=models.SET_NULL, related_name="sightings"
    )
    url = models.URLField(max_length=1000, blank=True)
    platform = models.CharField(
        max_length=20, choices=Platform.choices, default=Platform.WEB, db_index=True
    )
    outlet = models.ForeignKey(
        "sources.Outlet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.ForeignKey(
        "sources.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=1000, blank=True)
    text = models.TextField(blank=True, help_text=_("The archived text, plain."))
    published_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    engagement = models.JSONField(default=dict, blank=True)
    engagement_total = models.BigIntegerField(default=0)
    #: The claim text this appearance carried (what intake compared) and its language.
    claim_text = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=16, blank=True, editable=False)
    #: How it joined its claim (``JoinMethod``) and, for a calibrated match, the score.
    joined_by = models.CharField(
        max_length=20, choices=JoinMethod.choices, blank=True, default="", editable=False
    )
    join_score = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "captured_item"],
                condition=models.Q(captured_item__isnull=False),
                name="unique_claim_captured_item",
            )
        ]
        # The queue's outlet, channel and platform filters (EXISTS over sightings):
        # index-only probes instead of reading every sighting of each claim. Built
        # concurrently on PostgreSQL by migration 0009.
        indexes = [
            models.Index(fields=["outlet", "claim"], name="claimsighting_outlet_claim"),
            models.Index(fields=["channel", "claim"], name="claimsighting_channel_claim"),
            models.Index(fields=["platform", "claim"], name="claimsighting_platform_claim"),
        ]

    def __str__(self) -> str:
        return self.url or self.title or f"sighting {self.pk}"

    @property
    def joined_automatically(self) -> bool:
        return self.joined_by in (JoinMethod.HASH, JoinMethod.VECTOR, JoinMethod.NEAR_DUPLICATE)


class ClaimMatch(models.Model):
    """A fact-check that may already answer a claim, as suggested by ``search.match()``."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    factcheck = models.ForeignKey(
        "claims.FactCheckPage", on_delete=models.CASCADE, related_name="claim_matches"
    )
    score = models.FloatField(default=0.0)
    method = models.CharField(max_length=40, blank=True)
    is_match = models.BooleanField(default=False)
    matched_sentence = models.TextField(blank=True)
    state = models.CharField(
        max_length=10, choices=MatchState.choices, default=MatchState.SUGGESTED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("claim match")
        verbose_name_plural = _("claim matches")
        constraints = [
            models.UniqueConstraint(fields=["claim", "factcheck"], name="unique_claim_factcheck")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} -> {self.factcheck_id} ({self.score:.2f}, {self.state})"


class ClaimNote(models.Model):
    """An internal note on a claim; never shown to the public."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class TipStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    FETCHED = "fetched", _("URL fetched")
    FETCH_FAILED = "fetch_failed", _("URL could not be fetched")


class Tip(models.Model):
    """A claim a reader sent through the public tip form.

    The contact details are personal data: they are only shown to editors, an editor
    can erase them on the tipster's request, and ``claims.services.tip_purge_contacts``
    erases them ``FACTCHECK_TIP_CONTACT_RETENTION_DAYS`` after the claim is closed
    (docs/claim-queue.md). ``contact_erased_at`` records when, never what. The IP
    address is never stored, only a salted hash used for rate limiting.
    """

    text = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    contact = models.CharField(max_length=255, blank=True)
    contact_erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=15, choices=TipStatus.choices, default=TipStatus.RECEIVED)
    fetch_error = models.CharField(max_length=500, blank=True)
    fetched_title = models.CharField(max_length=1000, blank=True)
    fetched_text = models.TextField(blank=True)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return (self.text or self.url)[:80]
