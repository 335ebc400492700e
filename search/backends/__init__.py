"""Resolve the configured search engine (the Django cache / modelsearch pattern).

``settings.FACTCHECK_SEARCH_BACKEND`` names it: ``embedded`` (default),
``elasticsearch``, or a dotted path to a module that defines ``SearchBackend``
(or to the class itself). ``settings.FACTCHECK_SEARCH_PARAMS`` (optional dict)
is passed to the backend's constructor. The instance is built once per process
and cached; :func:`reset_search_backends` drops the cache (tests, settings changes).
"""

from __future__ import annotations

import threading
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from search.backends.base import BaseSearchBackend

ALIASES = {
    "embedded": "search.backends.embedded",
    "elasticsearch": "search.backends.elasticsearch",
}

_cache: dict[str, BaseSearchBackend] = {}
_lock = threading.Lock()


def _resolve_class(path: str) -> type[BaseSearchBackend]:
    module_path = ALIASES.get(path, path)
    try:
        module = import_module(module_path)
    except ImportError as exc:
        # Maybe a dotted path to the class itself: "pkg.module.MyBackend".
        mod_name, _, attr = module_path.rpartition(".")
        try:
            return getattr(import_module(mod_name), attr)
        except (ImportError, AttributeError, ValueError):
            pass
        hint = ""
        if path == "elasticsearch":
            hint = " (install the optional extra: pip install 'balkan-factcheck[elasticsearch]')"
        raise ImproperlyConfigured(
            f"FACTCHECK_SEARCH_BACKEND={path!r} could not be imported: {exc}{hint}. "
            f"Use one of {sorted(ALIASES)} or a dotted path to a module defining SearchBackend."
        ) from exc
    backend_class = getattr(module, "SearchBackend", None)
    if backend_class is None:
        raise ImproperlyConfigured(
            f"FACTCHECK_SEARCH_BACKEND={path!r}: module {module_path!r} has no SearchBackend."
        )
    return backend_class


def load_backend(alias_or_path: str, params: dict[str, Any] | None = None) -> BaseSearchBackend:
    """Build a new (uncached) backend instance; raise ``ImproperlyConfigured`` if unusable."""
    from search.backends.base import SearchBackendError

    backend_class = _resolve_class(alias_or_path)
    try:
        return backend_class(params or {})
    except SearchBackendError as exc:
        raise ImproperlyConfigured(
            f"search backend {alias_or_path!r} is configured but unusable: {exc}"
        ) from exc


def get_search_backend(alias_or_path: str | None = None) -> BaseSearchBackend:
    """The process-wide backend instance for ``alias_or_path`` (default: from settings)."""
    from django.conf import settings

    name = alias_or_path or settings.FACTCHECK_SEARCH_BACKEND or "embedded"
    backend = _cache.get(name)
    if backend is None:
        with _lock:
            backend = _cache.get(name)
            if backend is None:
                params = dict(settings.FACTCHECK_SEARCH_PARAMS or {})
                backend = _cache[name] = load_backend(name, params)
    return backend


def reset_search_backends() -> None:
    """Forget cached instances (the next call re-reads settings)."""
    with _lock:
        for backend in _cache.values():
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        _cache.clear()
