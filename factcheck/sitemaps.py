"""``/sitemap.xml``: every public page of every locale, with its ``hreflang`` alternates.

Each ``<url>`` lists, as ``<xhtml:link rel="alternate" hreflang=...>``, every live
translation of the page (itself included, as search engines ask) and its script mirror:
a Cyrillic ``sr`` page and its Latin ``sr-latn`` rendering are translations of each
other (the mirror is an alias with the same translation key), tagged ``sr-Cyrl`` and
``sr-Latn``. ``x-default`` names the default locale's version when there is one.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


def _tag(code: str) -> str:
    return settings.FACTCHECK_LANGUAGE_TAGS.get(code, code)


class AllLocalesSitemap(Sitemap):
    """Every live public page of every locale; the home pages of other locales are
    siblings of the site root, so Wagtail's default (root descendants) would miss them.
    Aliases are left out (they name their original as canonical), and so are imported
    fact-checks (they name the publisher's original); both still appear as alternates."""

    def items(self):
        from claims.models import FactCheckPage

        imported = FactCheckPage.objects.exclude(original_url="").values("pk")
        return (
            Page.objects.live()
            .public()
            .filter(depth__gte=2, alias_of__isnull=True)
            .exclude(pk__in=imported)
            .order_by("path")
            .specific()
        )

    def _urls(self, page, protocol, domain):
        pages = list(self.paginator.page(page).object_list)
        alternates = self._alternates({p.translation_key for p in pages})
        urls, last_mods = [], set()
        for item in pages:
            for url_info in item.get_sitemap_urls(self.request):
                url_info["alternates"] = alternates.get(item.translation_key, [])
                urls.append(url_info)
                last_mods.add(url_info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls

    def _alternates(self, keys) -> dict:
        """translation_key -> [{lang_code, location}], for keys with two versions or more."""
        versions = defaultdict(list)
        pages = (
            Page.objects.live()
            .public()
            .filter(translation_key__in=keys, depth__gte=2)
            .select_related("locale")
            .order_by("path")
        )
        for page in pages:
            versions[page.translation_key].append(page)
        default = settings.LANGUAGE_CODE
        out = {}
        for key, found in versions.items():
            by_code = {}
            for page in found:
                by_code.setdefault(page.locale.language_code, page)
            if len(by_code) < 2:
                continue
            links = [
                {"lang_code": _tag(code), "location": by_code[code].get_full_url(self.request)}
                for code, _name in settings.LANGUAGES
                if code in by_code
            ]
            if default in by_code:
                location = by_code[default].get_full_url(self.request)
                links.append({"lang_code": "x-default", "location": location})
            out[key] = links
        return out
