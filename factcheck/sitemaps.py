from __future__ import annotations

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class AllLocalesSitemap(Sitemap):
    """Every live public page of every locale; the home pages of other locales are
    siblings of the site root, so Wagtail's default (root descendants) would miss them.
    Aliases are left out: they name their original as canonical."""

    def items(self):
        return (
            Page.objects.live()
            .public()
            .filter(depth__gte=2, alias_of__isnull=True)
            .order_by("path")
            .specific()
        )
