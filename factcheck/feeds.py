"""RSS and Atom feeds of the latest debunks, one per locale (the URL's language prefix)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Locale

from claims.selectors import factcheck_list_latest


class LatestFactChecksFeed(Feed):
    def title(self):
        return _("Latest fact-checks") + f" · {settings.FACTCHECK_NEWSROOM_NAME}"

    def link(self):
        return f"/{translation.get_language()}/"

    def description(self):
        return _("The newest verdicts from %(newsroom)s.") % {
            "newsroom": settings.FACTCHECK_NEWSROOM_NAME
        }

    @property
    def language(self):
        code = translation.get_language()
        return settings.FACTCHECK_LANGUAGE_TAGS.get(code, code)

    def items(self):
        locale = Locale.objects.filter(language_code=translation.get_language()).first()
        if locale is None:
            return []
        return factcheck_list_latest(locale=locale, limit=30)

    def item_title(self, item):
        rating = item.display_rating
        return f"{item.title} [{rating.label}]" if rating else item.title

    def item_description(self, item):
        return f"“{item.claim_reviewed}” — {item.summary}"

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class LatestFactChecksAtomFeed(LatestFactChecksFeed):
    feed_type = Atom1Feed
    subtitle = LatestFactChecksFeed.description
