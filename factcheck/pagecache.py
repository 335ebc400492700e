"""Full-page cache for anonymous readers, invalidated by bumping one generation number.

The public site is read far more than it changes, and a rendered fact-check page (the
ClaimReview JSON-LD, the body, the language switcher, the Latin transliteration on
``sr-latn``) costs tens of milliseconds of Python on every request. This middleware
stores the finished response in the ``default`` cache (Redis in production) and serves
it to the next anonymous reader of the same URL without touching the view, the
templates or the database.

**What is cached** (everything else passes straight through, neither read nor stored):

* ``GET`` responses (``HEAD`` is answered from the ``GET`` copy) to public,
  language-prefixed paths (``/<lang>/...``: home, indexes, fact-checks, search, feeds);
  never ``/admin/``, ``/django-admin/``, ``/api/``, ``/static/``, ``/media/``,
  ``/documents/`` (they carry no language prefix) nor ``/<lang>/tips/``.
* only for requests without a session cookie, a messages cookie or an
  ``Authorization`` header: an editor (logged in, so with a session) never reads the
  cache, and a reader with pending messages or a password-protected page unlocked in
  their session gets a real render;
* only responses with status 200, not streamed, without ``Set-Cookie``, without
  ``Cache-Control`` ``private``/``no-cache``/``no-store``, without ``Vary: *``, that did
  not use the CSRF token (a form) or queue messages, rendered for an anonymous user,
  and at most :data:`MAX_BODY_BYTES`.

**The key** is the scheme, host, full path with its query string, the language
taken from the path (``sr`` and ``sr-latn`` are different languages, so the Latin
mirror never gets the Cyrillic copy) and the request's cookies (our pages say
``Vary: Cookie``; the CSRF cookie is left out, since a stored response never used the
token). ``Vary`` is respected in full: each stored copy records the request headers
its response named in ``Vary`` and their values, and is served only to a request
with the same values; a request with other values is a variant, rendered and stored
under a key that adds its values.

**Invalidation.** Every stored copy carries the *generation* it was rendered in, a
number kept in the cache itself (shared by all workers), and is served only while
that is still the current one. :func:`pagecache_invalidate` increments it, which
retires every stored page at once (the next render overwrites each). It runs on
Wagtail's ``page_published``/``page_unpublished``/``post_page_move``, on the deletion
of any page, on saving or deleting ratings, rating scales, topics, countries, authors,
sites, locales, images, documents and page view restrictions, and when a
``claims.tasks`` task (search indexing) finishes, so search pages follow the index.
Each bump happens at once and again when the surrounding transaction commits: a page
rendered between the change and the commit (still showing the old content) is
retired by the second bump. Changes made behind Django's back (``QuerySet.update``
outside a publish, SQL, ``manage.py rebuild_search_index``, a deploy that changes
templates) show up after ``FACTCHECK_PAGE_CACHE_SECONDS`` or after
``pagecache_invalidate()``.

**When it is on.** ``FACTCHECK_PAGE_CACHE_SECONDS`` > 0 (the TTL; default 300) *and*
the ``default`` cache is shared between processes. With a process-local cache
(``LocMemCache``, the default without ``REDIS_URL``) a publish in one process could
not invalidate the others, so the cache stays off unless
``FACTCHECK_PAGE_CACHE_LOCAL = True`` (tests, single-process setups). Cache errors
never break a page: the request is served uncached and the error logged.

Responses carry ``X-Page-Cache: hit`` or ``miss`` (stored); no header means the cache
was not consulted.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language_from_path

__all__ = [
    "HEADER",
    "PageCacheMiddleware",
    "connect",
    "pagecache_enabled",
    "pagecache_generation",
    "pagecache_invalidate",
]

logger = logging.getLogger(__name__)

HEADER = "X-Page-Cache"
PREFIX = "pagecache"
GENERATION_KEY = f"{PREFIX}:generation"
DEFAULT_SECONDS = 300
#: Larger responses are served but not stored.
MAX_BODY_BYTES = 1_000_000
#: URLs with longer query strings are served but not stored (cache-filling junk).
MAX_QUERY_CHARS = 1_000
#: Language-prefixed paths that are never cached, whatever their response looks like.
EXCLUDED_SUFFIXES = ("/tips/",)
#: Cache backends that live inside one process (see "When it is on").
LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
_UNCACHEABLE_CONTROL = {"private", "no-cache", "no-store"}


def _cache():
    return caches["default"]


def pagecache_seconds() -> int:
    """The TTL of a stored page, from ``FACTCHECK_PAGE_CACHE_SECONDS`` (0: off)."""
    try:
        return max(int(settings.FACTCHECK_PAGE_CACHE_SECONDS), 0)
    except (TypeError, ValueError):
        return 0


def pagecache_enabled() -> bool:
    """On when a TTL is set and the cache is shared (or a local one is explicitly allowed)."""
    if pagecache_seconds() <= 0:
        return False
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return backend not in LOCAL_BACKENDS or bool(settings.FACTCHECK_PAGE_CACHE_LOCAL)


def pagecache_generation() -> int:
    """The current generation; created (from the clock, so it never repeats) if missing."""
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Nanoseconds: a generation evicted and recreated is always above any number the
        # old one reached by increments, so old pages can never come back to life.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return int(generation)


def _bump(reason: str) -> None:
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # missing (never set, or evicted)
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        # Publishing must not fail because the cache is down; pages expire by their TTL.
        logger.exception("could not invalidate the page cache (%s)", reason)


def pagecache_invalidate(*, reason: str = "") -> None:
    """Retire every cached page: now, and again when the current transaction commits.

    The second bump covers a reader whose page was rendered from the database between
    the change and its commit. Outside a transaction both happen at once (harmless).
    """
    _bump(reason)
    transaction.on_commit(lambda: _bump(reason), robust=True)


# --- Keys -------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str | None:
    return get_language_from_path(request.path_info)


def _page_key(request: HttpRequest, language: str) -> str:
    url = "\n".join(
        (
            request.scheme or "http",
            request.get_host(),  # validated against ALLOWED_HOSTS (raises DisallowedHost)
            request.get_full_path(),
            language,
            _header_value(request, "cookie"),
        )
    )
    return f"{PREFIX}:page:" + hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def _vary_names(response: HttpResponseBase) -> tuple[str, ...]:
    if not response.has_header("Vary"):
        return ()
    names = {name.strip().lower() for name in cc_delim_re.split(response["Vary"])}
    return tuple(sorted(name for name in names if name))


def _header_value(request: HttpRequest, name: str) -> str:
    if name == "cookie":
        ignored = {settings.CSRF_COOKIE_NAME}
        return "; ".join(
            f"{key}={value}" for key, value in sorted(request.COOKIES.items()) if key not in ignored
        )
    meta = "HTTP_" + name.upper().replace("-", "_")
    if name in ("content-type", "content-length"):
        meta = name.upper().replace("-", "_")
    return str(request.META.get(meta, ""))


def _vary_values(request: HttpRequest, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_header_value(request, name) for name in names)


# --- Rules ------------------------------------------------------------------------------


def _message_cookie_name() -> str:
    from django.contrib.messages.storage.cookie import CookieStorage

    return CookieStorage.cookie_name


def _request_may_use_cache(request: HttpRequest) -> str | None:
    """The language of a request the cache may serve or fill, else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or _message_cookie_name() in cookies:
        return None  # logged in, a session (e.g. an unlocked private page), or messages
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    language = _language(request)
    if language is None:
        return None  # admin, API, static, media, documents, robots, sitemap
    if request.path_info.endswith(EXCLUDED_SUFFIXES):
        return None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_CHARS:
        return None
    return language


def _response_is_storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if request.method != "GET" or response.status_code != 200:
        return False
    if getattr(response, "streaming", False) or not isinstance(response, HttpResponse):
        return False
    if response.cookies:
        return False  # CSRF cookie (a form on the page), session, messages, anything
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page used a CSRF token, even if no cookie was (re)set
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return False
    control = {
        part.strip().split("=", 1)[0].lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if control & _UNCACHEABLE_CONTROL:
        return False
    if "*" in _vary_names(response):
        return False
    return len(response.content) <= MAX_BODY_BYTES


# --- The middleware ---------------------------------------------------------------------


def _current(entry: dict[str, Any] | None, generation: int) -> bool:
    return bool(entry) and entry.get("generation") == generation


def _serves(entry: dict[str, Any], request: HttpRequest) -> bool:
    """A copy records the ``Vary`` headers it was made for: it serves only their values."""
    return _vary_values(request, tuple(entry["vary"])) == tuple(entry["values"])


def _variant_key(key: str, values: tuple[str, ...]) -> str:
    digest = hashlib.sha256("\n".join(values).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{key}:{digest}"


def _from_entry(entry: dict[str, Any], *, head: bool) -> HttpResponse:
    response = HttpResponse(b"" if head else entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store whole pages for anonymous readers (see the module docstring).

    Goes right after ``SecurityMiddleware`` and ``WhiteNoiseMiddleware`` and before
    the session: a hit skips everything below it, and what is stored is the final
    response of the inner middleware (transliteration, CSRF and session cookies
    included, so that a cookie-setting response is seen and refused).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not pagecache_enabled():
            return self.get_response(request)
        language = _request_may_use_cache(request)
        if language is None:
            return self.get_response(request)
        try:
            key = _page_key(request, language)
            generation, hit, key = self._lookup(request, key)
        except Exception as exc:  # a bad Host, the cache is down: serve it uncached
            if type(exc).__name__ != "DisallowedHost":
                logger.exception("page cache lookup failed; serving uncached")
            return self.get_response(request)
        if hit is not None:
            return hit
        response = self.get_response(request)
        if _response_is_storable(request, response):
            try:
                self._store(request, response, key, generation)
            except Exception:
                logger.exception("could not store a page in the cache")
            else:
                response[HEADER] = "miss"
        return response

    @staticmethod
    def _lookup(request: HttpRequest, key: str) -> tuple[int, HttpResponse | None, str]:
        """The current generation, the stored copy if one may serve this request, and
        the key under which to store this request's render otherwise.

        The first copy of a URL lives at ``key`` and is read in one round trip with the
        generation (``get_many``: with Django's Redis backend every cache call builds a
        client, which costs about as much as the rest of a hit). A request whose
        ``Vary`` headers differ from that copy's is a *variant*: it has its own key,
        derived from its values of those headers, read in a second round trip.
        """
        cache = _cache()
        found = cache.get_many([GENERATION_KEY, key])
        if found.get(GENERATION_KEY) is None:
            return pagecache_generation(), None, key
        generation = int(found[GENERATION_KEY])
        entry = found.get(key)
        if not _current(entry, generation):
            return generation, None, key  # nothing stored, or stored before a change
        if _serves(entry, request):
            return generation, _from_entry(entry, head=request.method == "HEAD"), key
        variant = _variant_key(key, _vary_values(request, tuple(entry["vary"])))
        other = cache.get(variant)
        if _current(other, generation) and _serves(other, request):
            return generation, _from_entry(other, head=request.method == "HEAD"), variant
        return generation, None, variant

    @staticmethod
    def _store(request: HttpRequest, response: HttpResponse, key: str, generation: int) -> None:
        # ``generation`` is the one read *before* rendering: a page rendered while a
        # change was being made is stored under the old number and never served.
        names = _vary_names(response)
        entry = {
            "generation": generation,
            "status": response.status_code,
            "headers": [(k, v) for k, v in response.items() if k.lower() != HEADER.lower()],
            "content": response.content,
            "vary": names,
            "values": _vary_values(request, names),
        }
        _cache().set(key, entry, timeout=pagecache_seconds())


# --- Invalidation -----------------------------------------------------------------------


def _on_page_change(sender, instance=None, **kwargs) -> None:
    pagecache_invalidate(reason=f"{type(instance).__name__} {getattr(instance, 'pk', '')}")


def _on_page_deleted(sender, instance=None, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        _on_page_change(sender, instance=instance)


def _on_model_change(sender, instance=None, **kwargs) -> None:
    pagecache_invalidate(reason=f"{sender.__name__} {getattr(instance, 'pk', '')}")


def _on_task_finished(sender, task_result=None, **kwargs) -> None:
    task = getattr(task_result, "task", None)
    path = getattr(task, "module_path", "") or ""
    if path.startswith("claims.tasks."):
        pagecache_invalidate(reason=path)


#: Models whose rows appear on public pages outside the page tree ("app_label.Model").
CONTENT_MODELS = (
    "claims.RatingScale",
    "claims.Rating",
    "claims.Topic",
    "claims.Country",
    "claims.CountryName",
    "claims.Author",
    "claims.NewsroomSettings",
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "wagtailcore.PageViewRestriction",
    "wagtailimages.Image",
    "wagtaildocs.Document",
)


def connect() -> None:
    """Connect the invalidation receivers (``FactcheckConfig.ready``; every process,
    including task workers, since a worker's publish or index update must invalidate)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from django_tasks.signals import task_finished
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_change, dispatch_uid="pagecache.published")
    page_unpublished.connect(_on_page_change, dispatch_uid="pagecache.unpublished")
    post_page_move.connect(_on_page_change, dispatch_uid="pagecache.moved")
    post_delete.connect(_on_page_deleted, dispatch_uid="pagecache.page_deleted")
    for label in CONTENT_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_on_model_change, sender=model, dispatch_uid=f"pagecache.save.{label}")
        post_delete.connect(
            _on_model_change, sender=model, dispatch_uid=f"pagecache.delete.{label}"
        )
    task_finished.connect(_on_task_finished, dispatch_uid="pagecache.task_finished")
