"""RSS and Atom feeds of the latest debunks, one per locale (the URL's language prefix).

The ``sr-latn`` feeds list the Serbian fact-checks (Cyrillic originals are mirrored
there as aliases) and are written in Latin script, as the ``sr-latn`` HTML is: the
transliteration middleware only rewrites HTML, so the feed does it for its own text.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Locale

from claims.selectors import factcheck_list_latest

from .middleware import LATIN_SCRIPT_LANGUAGES
from .transliteration import transliterate_text


def _in_reader_script(text: str) -> str:
    """``text`` in the script of the reader's locale (Latin for ``sr-latn``)."""
    language = LATIN_SCRIPT_LANGUAGES.get(translation.get_language() or "")
    return transliterate_text(text, language) if language and text else text


class LatestFactChecksFeed(Feed):
    def title(self):
        return _in_reader_script(_("Latest fact-checks") + f" · {settings.FACTCHECK_NEWSROOM_NAME}")

    def link(self):
        return f"/{translation.get_language()}/"

    def description(self):
        return _in_reader_script(
            _("The newest verdicts from %(newsroom)s.")
            % {"newsroom": settings.FACTCHECK_NEWSROOM_NAME}
        )

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
        return _in_reader_script(f"{item.title} [{rating.label}]" if rating else item.title)

    def item_description(self, item):
        return _in_reader_script(f"“{item.claim_reviewed}” — {item.summary}")

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class LatestFactChecksAtomFeed(LatestFactChecksFeed):
    feed_type = Atom1Feed
    subtitle = LatestFactChecksFeed.description
