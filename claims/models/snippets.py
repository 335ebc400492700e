"""Rating scales, topics, countries and authors: the newsroom's reference data (snippets).

Rating scales are data (translatable snippets), never an enum in code: each
newsroom configures its own labels in every locale and maps each one to a
normalised verdict and to ClaimReview's numbers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import TranslatableMixin


class Verdict(models.TextChoices):
    """The normalised verdicts every rating maps to (used for filters, facets and the API)."""

    TRUE = "true", _("True")
    MOSTLY_TRUE = "mostly-true", _("Mostly true")
    MIXED = "mixed", _("Mixed")
    MOSTLY_FALSE = "mostly-false", _("Mostly false")
    FALSE = "false", _("False")
    MISLEADING = "misleading", _("Misleading")
    UNPROVEN = "unproven", _("Unproven")
    SATIRE = "satire", _("Satire")
    OTHER = "other", _("Other")


class Platform(models.TextChoices):
    WEB = "web", "Web"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    X = "x", "X (Twitter)"
    TELEGRAM = "telegram", "Telegram"
    YOUTUBE = "youtube", "YouTube"
    VIBER = "viber", "Viber"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    PRINT = "print", _("Print")
    TV = "tv", _("TV / radio")
    OTHER = "other", _("Other")


class ClaimantType(models.TextChoices):
    PERSON = "Person", _("Person")
    ORGANIZATION = "Organization", _("Organisation")


# --- Snippets -----------------------------------------------------------------


class RatingScale(TranslatableMixin, models.Model):
    """A newsroom's rating scale, e.g. a five-grade truth scale or a media-manipulation scale."""

    key = models.SlugField(
        max_length=50,
        help_text=_("Stable identifier shared by all translations, e.g. 'truth'."),
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("key"), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("rating scale")
        constraints = [
            models.UniqueConstraint(fields=["key", "locale"], name="unique_scale_key_locale")
        ]

    def __str__(self) -> str:
        return self.name


class Rating(TranslatableMixin, models.Model):
    """One grade of a rating scale, with its label in this locale and its ClaimReview numbers."""

    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="ratings")
    key = models.SlugField(
        max_length=50, help_text=_("Stable identifier within the scale, e.g. 'mostly-false'.")
    )
    label = models.CharField(max_length=80, help_text=_("What readers see, in this locale."))
    verdict = models.CharField(
        max_length=20,
        choices=Verdict.choices,
        help_text=_("The normalised verdict used for filters, search facets and the API."),
    )
    rating_value = models.DecimalField(
        max_digits=5, decimal_places=2, help_text=_("ClaimReview ratingValue.")
    )
    best_rating = models.DecimalField(
        max_digits=5, decimal_places=2, help_text=_("ClaimReview bestRating.")
    )
    worst_rating = models.DecimalField(
        max_digits=5, decimal_places=2, help_text=_("ClaimReview worstRating.")
    )
    alternate_name = models.CharField(
        max_length=80,
        help_text=_("ClaimReview alternateName: the verdict in words, as consumers display it."),
    )
    colour = models.CharField(
        max_length=7, default="#6e7781", help_text=_("Badge colour as #rrggbb.")
    )
    description = models.TextField(blank=True, help_text=_("A short public explanation."))
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("scale"),
        FieldRowPanel([FieldPanel("label"), FieldPanel("key")]),
        FieldPanel("verdict"),
        FieldRowPanel(
            [FieldPanel("rating_value"), FieldPanel("best_rating"), FieldPanel("worst_rating")],
            heading=_("ClaimReview numbers"),
        ),
        FieldPanel("alternate_name"),
        FieldPanel("colour"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["scale_id", "sort_order", "pk"]
        verbose_name = _("rating")
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "key", "locale"], name="unique_rating_key_scale_locale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.scale})"

    def clean(self) -> None:
        low, high = sorted([self.worst_rating, self.best_rating])
        if self.rating_value is not None and not (low <= self.rating_value <= high):
            raise ValidationError(
                {"rating_value": _("The rating value must lie between worst and best rating.")}
            )
        if self.colour and not (
            len(self.colour) == 7
            and self.colour.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in self.colour[1:])
        ):
            raise ValidationError({"colour": _("Use a colour like #1a7f37.")})

    @property
    def text_colour(self) -> str:
        """Black or white, whichever contrasts better with the badge colour (WCAG luminance)."""
        try:
            r, g, b = (int(self.colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        except ValueError:
            return "#ffffff"

        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
        return "#000000" if luminance > 0.179 else "#ffffff"


class Topic(TranslatableMixin, models.Model):
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=80)

    panels = [FieldPanel("name"), FieldPanel("key")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        verbose_name = _("topic")
        constraints = [
            models.UniqueConstraint(fields=["key", "locale"], name="unique_topic_key_locale")
        ]

    def __str__(self) -> str:
        return self.name


class Country(models.Model):
    """Countries a fact-check concerns; seeded by a data migration with the region."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    """A public byline: fact-checkers and reviewers as readers see them."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    user = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("The admin account of this author, if they have one."),
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("bio"), FieldPanel("user")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
