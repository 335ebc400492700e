"""Rating scales, topics, countries and authors: the newsroom's reference data (snippets).

Rating scales are data (translatable snippets), never an enum in code: each
newsroom configures its own labels in every locale and maps each one to a
normalised verdict and to ClaimReview's numbers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, TranslatableMixin


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


class RatingScale(TranslatableMixin, ClusterableModel):
    """A newsroom's rating scale, e.g. a five-grade truth scale or a media-manipulation scale.

    Edited in the admin with its ratings inline (one scale row and its ratings per locale;
    translations share ``translation_key``). Only Editors may change scales.
    """

    key = models.SlugField(
        max_length=50,
        help_text=_("Stable identifier shared by all translations, e.g. 'truth'."),
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("key"),
        FieldPanel("description"),
        InlinePanel("ratings", heading=_("Ratings"), label=_("Rating"), min_num=1),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
        constraints = [
            models.UniqueConstraint(fields=["key", "locale"], name="unique_scale_key_locale")
        ]

    def __str__(self) -> str:
        return self.name


class Rating(TranslatableMixin, models.Model):
    """One grade of a rating scale, with its label in this locale and its ClaimReview numbers.

    A rating that a fact-check uses cannot be deleted (``FactCheckPage.rating`` is PROTECT);
    it can be retired instead: hidden from new fact-checks, still shown on old ones.
    """

    scale = ParentalKey(RatingScale, on_delete=models.CASCADE, related_name="ratings")
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
    retired = models.BooleanField(
        default=False,
        help_text=_(
            "Retired ratings are not offered for new fact-checks; fact-checks that use "
            "them keep them. Applies to every translation of this rating."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("key")]),
        FieldPanel("verdict"),
        FieldRowPanel(
            [FieldPanel("rating_value"), FieldPanel("best_rating"), FieldPanel("worst_rating")],
            heading=_("ClaimReview numbers"),
        ),
        FieldPanel("alternate_name"),
        FieldPanel("colour"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("retired")]),
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

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Retiring is one decision for the grade, not per language.
        Rating.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk).exclude(
            retired=self.retired
        ).update(retired=self.retired)

    @property
    def in_use(self) -> bool:
        """Whether any fact-check (draft or live) points at this rating."""
        from .pages import FactCheckPage

        return self.pk is not None and FactCheckPage.objects.filter(rating_id=self.pk).exists()

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


class Country(ClusterableModel):
    """A country fact-checks can be tagged with, keyed by its ISO 3166-1 alpha-2 code.

    One row per country (pages, the API, search facets and outlets all refer to the code);
    its name is stored once per locale in ``CountryName``, edited in the admin, so readers
    never see an English name run through gettext. See docs/architecture.md ("Countries")
    for how this relates to ``sources.models.Country``.
    """

    code = models.CharField(
        max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. RS or XK.")
    )
    name = models.CharField(max_length=80, help_text=_("The English name, the last fallback."))

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        InlinePanel("names", heading=_("Name in each language"), label=_("Name")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.code = (self.code or "").upper()
        if not (len(self.code) == 2 and self.code.isalpha()):
            raise ValidationError({"code": _("Use a two-letter ISO code such as RS.")})

    def name_for(self, language_code: str) -> str:
        """The name in a site language, else the English name."""
        for row in self.names.all():
            if row.locale.language_code == language_code:
                return row.name
        return self.name


class CountryName(Orderable):
    """A country's name in one locale."""

    country = ParentalKey(Country, on_delete=models.CASCADE, related_name="names")
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)

    panels = [FieldRowPanel([FieldPanel("locale"), FieldPanel("name")])]

    class Meta(Orderable.Meta):
        verbose_name = _("country name")
        constraints = [
            models.UniqueConstraint(fields=["country", "locale"], name="unique_country_name_locale")
        ]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    """A public byline: fact-checkers and reviewers as readers see them."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A portrait for the author's profile."),
    )
    user = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("The admin account of this author, if they have one."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        MultiFieldPanel([FieldPanel("user")], heading=_("Admin account")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")

    def __str__(self) -> str:
        return self.name
