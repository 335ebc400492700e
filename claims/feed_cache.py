"""The ClaimReview feed (``/api/v1/claimreview.json``), built once per change, not per request.

Building the feed reads every published fact-check with its rating, appearances and
translations: far too much work to repeat for each anonymous request. The serialised
feed is kept in the default cache (Redis in production, so all web processes share it)
under a *generation* key; any change that can alter the feed starts a new generation,
so the next request rebuilds it and old entries simply expire:

* a fact-check published, unpublished or deleted (Wagtail's ``page_published`` /
  ``page_unpublished``, ``post_delete``; scheduled publishing sends the same signals);
* a page moved or a slug changed (URLs in the feed change);
* a rating saved or deleted (labels and values are in the feed).

The receivers are connected at start-up (``ClaimsConfig.ready``) in every process, so a
publish in a worker or a management command invalidates the feed the web serves.
:data:`FEED_TIMEOUT` is a backstop for edits no signal reports.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

GENERATION_KEY = "claims:claimreview-feed:generation"
#: Seconds a built feed is kept even if nothing changes.
FEED_TIMEOUT = 6 * 3600


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY) or "0"
    return str(generation)


def claimreview_feed_json(*, base_url: str) -> bytes:
    """The DataFeed for ``base_url`` as UTF-8 JSON, from the cache or built and cached."""
    from .selectors import factcheck_claimreview_datafeed

    site = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    key = f"claims:claimreview-feed:{_generation()}:{site}"
    body = cache.get(key)
    if body is None:
        feed = factcheck_claimreview_datafeed(base_url=base_url)
        body = json.dumps(feed, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
        cache.set(key, body, timeout=FEED_TIMEOUT)
    return body


def claimreview_feed_invalidate(**kwargs) -> None:
    """Start a new generation: the next request builds the feed afresh."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def connect() -> None:
    from .models import FactCheckPage, Rating

    uid = "claims.claimreview_feed"
    for signal in (page_published, page_unpublished, post_delete):
        signal.connect(claimreview_feed_invalidate, sender=FactCheckPage, dispatch_uid=uid)
    post_page_move.connect(claimreview_feed_invalidate, dispatch_uid=uid)
    page_slug_changed.connect(claimreview_feed_invalidate, dispatch_uid=uid)
    for signal in (post_save, post_delete):
        signal.connect(claimreview_feed_invalidate, sender=Rating, dispatch_uid=f"{uid}.rating")
