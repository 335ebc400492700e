"""The newsroom's site settings: name, logo, links, ClaimReview author, badges, defaults.

Edited per site under Settings → Newsroom in the admin. Everything is optional: where a
value is unset the templates and the ClaimReview output fall back to the deployment's
settings (``FACTCHECK_NEWSROOM_NAME``, the site's own URL).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from .snippets import Platform, RatingScale

SOCIAL_PLATFORMS = [
    (value, label)
    for value, label in Platform.choices
    if value not in (Platform.WEB, Platform.PRINT, Platform.TV, Platform.OTHER)
]


class SocialLinkBlock(blocks.StructBlock):
    platform = blocks.ChoiceBlock(choices=SOCIAL_PLATFORMS, label=_("Platform"))
    url = blocks.URLBlock(label=_("Link"))

    class Meta:
        icon = "link"
        label = _("Social link")


class BadgeBlock(blocks.StructBlock):
    """A membership such as the IFCN or EFCSN code of principles."""

    name = blocks.CharBlock(
        max_length=120, label=_("Name"), help_text=_("e.g. 'IFCN signatory' or 'EFCSN member'.")
    )
    url = blocks.URLBlock(label=_("Link"), help_text=_("The membership's public page."))
    image = blocks.URLBlock(
        required=False, label=_("Badge image URL"), help_text=_("Optional: the official badge.")
    )

    class Meta:
        icon = "success"
        label = _("Membership badge")


@register_setting(icon="site")
class NewsroomSettings(BaseSiteSetting):
    newsroom_name = models.CharField(
        _("newsroom name"),
        max_length=120,
        blank=True,
        help_text=_("Shown in the header, page titles and feeds. Empty: the deployment's name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    social_links = StreamField(
        [("link", SocialLinkBlock())], blank=True, verbose_name=_("social links")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_text = models.TextField(
        _("contact details"), blank=True, help_text=_("Address, phone, or other ways to reach us.")
    )
    claimreview_author_name = models.CharField(
        _("ClaimReview author name"),
        max_length=200,
        blank=True,
        help_text=_("The organisation named as author of our ClaimReview. Empty: newsroom name."),
    )
    claimreview_author_url = models.URLField(
        _("ClaimReview author URL"),
        max_length=500,
        blank=True,
        help_text=_("The organisation's home page. Empty: this site's address."),
    )
    badges = StreamField([("badge", BadgeBlock())], blank=True, verbose_name=_("membership badges"))
    default_rating_scale = models.ForeignKey(
        RatingScale,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default rating scale"),
        help_text=_("Its ratings are offered first on new fact-checks."),
    )
    tip_form_text = models.TextField(
        _("tip form text"),
        blank=True,
        help_text=_("Replaces the introduction above the public tip form."),
    )

    select_related = ["logo", "default_rating_scale"]

    panels = [
        MultiFieldPanel([FieldPanel("newsroom_name"), FieldPanel("logo")], heading=_("Identity")),
        MultiFieldPanel(
            [FieldPanel("social_links"), FieldPanel("contact_email"), FieldPanel("contact_text")],
            heading=_("Links and contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("claimreview_author_name"), FieldPanel("claimreview_author_url")],
            heading=_("ClaimReview"),
        ),
        FieldPanel("badges"),
        MultiFieldPanel(
            [FieldPanel("default_rating_scale"), FieldPanel("tip_form_text")],
            heading=_("Editorial defaults"),
        ),
    ]

    class Meta:
        verbose_name = _("newsroom settings")

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        return self.newsroom_name or django_settings.FACTCHECK_NEWSROOM_NAME

    @property
    def social_items(self) -> list[dict[str, str]]:
        """The social links as ``{"label", "url"}``, labelled with the platform's name."""
        labels = dict(SOCIAL_PLATFORMS)
        return [
            {"label": str(labels.get(link.value["platform"], "")), "url": link.value["url"]}
            for link in self.social_links
        ]

    def claimreview_author(self, *, site_url: str) -> tuple[str, str]:
        """(name, url) of the organisation our ClaimReview names as ``author``."""
        name = self.claimreview_author_name or self.display_name
        return name, self.claimreview_author_url or site_url


def _settings_of(site) -> NewsroomSettings:
    # Read-only: an unsaved default where none is stored, so rendering a page never writes
    # (a write would invalidate the page cache while the page is being cached).
    found = NewsroomSettings.base_queryset().filter(site=site).first()
    return found or NewsroomSettings(site=site)


def newsroom_settings_for(*, request=None, site=None) -> NewsroomSettings | None:
    """The settings of the request's (or given) site; None when there is no site at all."""
    from wagtail.models import Site

    if site is None and request is not None:
        if hasattr(request, "_newsroom_settings"):
            return request._newsroom_settings
        found = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        request._newsroom_settings = _settings_of(found) if found else None
        return request._newsroom_settings
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return _settings_of(site) if site is not None else None
