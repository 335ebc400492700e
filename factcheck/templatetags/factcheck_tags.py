"""Template helpers for the public site: language links, hreflang, rating badges."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

register = template.Library()


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per site language: the current page's translation when it exists, else that home.

    Each entry has ``code``, ``tag`` (BCP 47, for hreflang), ``name``, ``url``, ``is_current``
    and ``is_translation`` (False when the link falls back to the locale's home page).
    """
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    by_locale: dict[str, Page] = {}
    if isinstance(page, Page):
        for translated in page.get_translations(inclusive=True).live().public():
            by_locale[translated.locale.language_code] = translated
    links = []
    homes = None
    for code, _name in settings.LANGUAGES:
        target = by_locale.get(code)
        is_translation = target is not None
        if target is None:
            if homes is None:
                homes = _home_pages(request)
            target = homes.get(code)
        url = target.get_url(request) if target is not None else f"/{code}/"
        links.append(
            {
                "code": code,
                "tag": settings.FACTCHECK_LANGUAGE_TAGS.get(code, code),
                "name": _language_name(code),
                "url": url,
                "is_current": code == current,
                "is_translation": is_translation,
            }
        )
    return links


def _home_pages(request=None) -> dict[str, Page]:
    """The live home page of each locale, looked up once per request (the header and
    footer ask for it about ten times per page)."""
    from claims.models import HomePage

    homes = getattr(request, "_factcheck_home_pages", None)
    if homes is None:
        homes = {
            home.locale.language_code: home
            for home in HomePage.objects.live().select_related("locale")
        }
        if request is not None:
            request._factcheck_home_pages = homes
    return homes


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    request = context.get("request")
    if request is not None and url and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


@register.simple_tag(takes_context=True)
def locale_home_url(context, code: str) -> str:
    request = context.get("request")
    home = _home_pages(request).get(code)
    return home.get_url(request) if home else f"/{code}/"


@register.filter
def language_name(code: str) -> str:
    return _language_name(code)


@register.filter
def language_tag(code: str) -> str:
    return settings.FACTCHECK_LANGUAGE_TAGS.get(code, code)


@register.simple_tag
def default_locale() -> Locale:
    return Locale.get_default()


COUNTRY_NAMES = {
    "RS": _("Serbia"),
    "BA": _("Bosnia and Herzegovina"),
    "ME": _("Montenegro"),
    "MK": _("North Macedonia"),
    "AL": _("Albania"),
    "XK": _("Kosovo"),
    "HR": _("Croatia"),
    "SI": _("Slovenia"),
    "BG": _("Bulgaria"),
}


@register.filter
def country_name(code: str) -> str:
    """The country's name in the reader's language, as editors set it (claims.CountryName).

    Falls back to the country's English name, then to the interface catalogue."""
    from claims.models import Country, CountryName

    code = str(code).upper()
    language = translation.get_language() or settings.LANGUAGE_CODE
    names = CountryName.objects.filter(country__code=code)
    name = names.filter(locale__language_code=language).values_list("name", flat=True).first()
    if name:
        return name
    if code in COUNTRY_NAMES:
        return str(COUNTRY_NAMES[code])
    english = Country.objects.filter(code=code).values_list("name", flat=True).first()
    return english or code
