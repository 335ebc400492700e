"""The public pages: home, standard pages, fact-check indexes and fact-checks."""

from __future__ import annotations

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import FactCheckBodyBlock, PlainPageBodyBlock
from ..page_forms import FactCheckPageForm
from .snippets import Author, ClaimantType, Country, Platform, Rating, Topic

# --- Pages --------------------------------------------------------------------


class HomePage(Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["claims.FactCheckIndexPage", "claims.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    template = "pages/home_page.html"
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        from ..selectors import factcheck_list_latest

        context = super().get_context(request, *args, **kwargs)
        context["latest"] = factcheck_list_latest(locale=self.locale, limit=9)
        return context


class StandardPage(Page):
    """About, methodology, corrections policy, contact."""

    intro = models.TextField(blank=True)
    body = StreamField(PlainPageBodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types: list[str] = []
    template = "pages/standard_page.html"


class FactCheckIndexPage(Page):
    """Lists the fact-checks below it, with filters and pagination."""

    intro = models.TextField(blank=True)
    is_imported = models.BooleanField(
        default=False,
        help_text=_("Holds fact-checks imported from other newsrooms' ClaimReview."),
    )
    per_page = 12

    content_panels = Page.content_panels + [FieldPanel("intro")]
    settings_panels = Page.settings_panels + [FieldPanel("is_imported")]
    subpage_types = ["claims.FactCheckPage"]
    template = "pages/factcheck_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from ..selectors import factcheck_filter_options, factcheck_list

        context = super().get_context(request, *args, **kwargs)
        params = request.GET
        language = params.get("language", "")
        pages = factcheck_list(
            index=self,
            verdict=params.get("rating") or None,
            topic=params.get("topic") or None,
            country=params.get("country") or None,
            language=language or None,
        )
        paginator = Paginator(pages, self.per_page)
        try:
            page_obj = paginator.page(params.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(
                1 if not str(params.get("page", "")).isdigit() else paginator.num_pages
            )
        query = params.copy()
        query.pop("page", None)
        context.update(
            page_obj=page_obj,
            factchecks=page_obj.object_list,
            filters=factcheck_filter_options(locale=self.locale),
            selected={k: params.get(k, "") for k in ("rating", "topic", "country", "language")},
            querystring=query.urlencode(),
        )
        return context


class FactCheckPage(Page):
    """A published verdict on one claim. Emits one schema.org ClaimReview."""

    claim_reviewed = models.TextField(
        help_text=_("The claim as it circulated, quoted or closely paraphrased.")
    )
    claimant = models.CharField(
        max_length=255,
        blank=True,
        help_text=_(
            "Who made the claim: a person, an organisation, or e.g. 'a viral Facebook post'."
        ),
    )
    claimant_type = models.CharField(
        max_length=20, choices=ClaimantType.choices, default=ClaimantType.ORGANIZATION
    )
    claim_date = models.DateField(null=True, blank=True, help_text=_("When the claim was made."))
    rating = models.ForeignKey(
        Rating,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The verdict, from one of the newsroom's rating scales."),
    )
    summary = models.TextField(
        help_text=_("One paragraph: the verdict and why, for readers in a hurry.")
    )
    body = StreamField(FactCheckBodyBlock(), blank=True)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="factchecks")
    countries = ParentalManyToManyField(Country, blank=True, related_name="factchecks")
    authors = ParentalManyToManyField(Author, blank=True, related_name="factchecks")
    reviewer = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed"
    )
    # Set for fact-checks imported from another newsroom's ClaimReview.
    original_url = models.URLField(max_length=1000, blank=True, db_index=True)
    original_publisher = models.CharField(max_length=255, blank=True)
    original_publisher_url = models.URLField(max_length=1000, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("claim_reviewed"),
                FieldRowPanel([FieldPanel("claimant"), FieldPanel("claimant_type")]),
                FieldPanel("claim_date"),
            ],
            heading=_("The claim"),
        ),
        InlinePanel("appearances", heading=_("Where the claim appeared"), label=_("Appearance")),
        MultiFieldPanel([FieldPanel("rating"), FieldPanel("summary")], heading=_("Verdict")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("countries", widget=forms.CheckboxSelectMultiple),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("reviewer"),
            ],
            heading=_("Classification and credits"),
        ),
        InlinePanel("corrections", heading=_("Corrections log"), label=_("Correction")),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldPanel("original_url"),
                FieldPanel("original_publisher"),
                FieldPanel("original_publisher_url"),
            ],
            heading=_("Imported from another newsroom"),
        )
    ]
    search_fields = Page.search_fields + [
        index.SearchField("claim_reviewed"),
        index.SearchField("summary"),
        index.SearchField("claimant"),
        index.SearchField("body"),
    ]
    parent_page_types = ["claims.FactCheckIndexPage"]
    subpage_types: list[str] = []
    template = "pages/factcheck_page.html"
    base_form_class = FactCheckPageForm  # retired ratings are not offered

    class Meta:
        verbose_name = _("fact-check")

    @property
    def display_rating(self) -> Rating | None:
        """The rating in this page's locale when a translation exists."""
        if self.rating is None:
            return None
        return self.rating.get_translation_or_none(self.locale) or self.rating

    @property
    def first_appearance(self):
        dated = [a for a in self.appearances.all() if a.date]
        if dated:
            return min(dated, key=lambda a: a.date)
        return self.appearances.first()

    def get_context(self, request, *args, **kwargs):
        from ..selectors import factcheck_claimreview_json

        context = super().get_context(request, *args, **kwargs)
        context["claimreview_json"] = factcheck_claimreview_json(self, request=request)
        return context


class ClaimAppearance(Orderable):
    page = ParentalKey(FactCheckPage, on_delete=models.CASCADE, related_name="appearances")
    url = models.URLField(max_length=1000)
    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.WEB)
    date = models.DateField(null=True, blank=True)
    archive_url = models.URLField(
        max_length=1000, blank=True, help_text=_("An archived copy, e.g. on archive.today.")
    )

    panels = [
        FieldPanel("url"),
        FieldRowPanel([FieldPanel("platform"), FieldPanel("date")]),
        FieldPanel("archive_url"),
    ]

    def __str__(self) -> str:
        return self.url


class Correction(Orderable):
    page = ParentalKey(FactCheckPage, on_delete=models.CASCADE, related_name="corrections")
    date = models.DateField()
    text = RichTextField(features=["bold", "italic", "link"])

    panels = [FieldPanel("date"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        ordering = ["sort_order"]
