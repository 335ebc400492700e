"""The public search page. Every locale has one at /<lang>/search/.

Each client is held to the rate ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["search_page"]``
(``factcheck.throttling``); past that it gets a readable 429 page with ``Retry-After``.

Results come from :func:`search.public.public_search`: lexical, plus the vector channel
that finds debunks written in another language (each such result says so).

Renders from the search index only (each hit's stored fields), so this app never
imports ``claims``; human labels for facet values (verdicts, topics, countries in the
reader's language) come from a provider that ``claims`` registers at start-up with
:func:`register_facet_labels`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from factcheck.throttling import throttle_request
from search.public import public_search
from search.types import ORIGINS, VERDICTS

logger = logging.getLogger(__name__)

#: Characters of a query that are used; the input box has the same ``maxlength``.
MAX_QUERY_LENGTH = 200
PER_PAGE = 10
#: Deep pages cost the engine more and help nobody: 50 pages of 10 is plenty.
MAX_PAGES = 50
#: Query parameter -> index field, in the order the facets are shown.
FILTER_PARAMS = {
    "rating": "rating_verdict",
    "lang": "language",
    "country": "countries",
    "topic": "topics",
    "origin": "origin",
}
FACET_LEGENDS = {
    "rating": _("Verdict"),
    "lang": _("Language"),
    "country": _("Country"),
    "topic": _("Topic"),
    "origin": _("Debunked by"),
}
#: ``origin`` values: the newsroom's own debunks, or partners' (imported) ones.
ORIGIN_LABELS = {"own": _("Our debunks"), "partner": _("Partners' debunks")}
#: A reader choosing "Serbian" means both scripts; the index keeps them apart.
LANGUAGE_ALIASES = {"sr-latn": "sr", "sr-cyrl": "sr"}
_VALID = {
    "rating": re.compile(r"^[a-z-]{1,20}$"),
    "lang": re.compile(r"^[a-z]{2,3}(-[a-z]{2,4})?$"),
    "country": re.compile(r"^[A-Za-z]{2}$"),
    "topic": re.compile(r"^[-a-zA-Z0-9_]{1,50}$"),
    "origin": re.compile(r"^[a-z]{1,10}$"),
}

FacetLabels = Callable[..., dict[str, dict[str, str]]]
_facet_labels: list[FacetLabels] = []


def register_facet_labels(provider: FacetLabels) -> None:
    """Register ``provider(language=...) -> {field: {value: label}}`` for facet labels.

    ``claims`` registers one when the app is ready; without one, values show as codes.
    """
    if provider not in _facet_labels:
        _facet_labels.append(provider)


def facet_labels(language: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for provider in _facet_labels:
        try:
            for field, values in provider(language=language).items():
                labels.setdefault(field, {}).update(values)
        except Exception:  # labels are cosmetic: never fail the page over them
            logger.exception("facet label provider %r failed", provider)
    return labels


def clean_query(raw: str | None) -> str:
    """Whitespace collapsed and capped at :data:`MAX_QUERY_LENGTH` characters."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH].strip()


def language_names() -> dict[str, str]:
    names = dict(settings.LANGUAGES)
    names["sr"] = str(_("Serbian"))
    return names


def _selected(params: QueryDict) -> dict[str, list[str]]:
    """The filter values a reader chose; anything malformed is dropped, never an error."""
    allowed_languages = {code for code, _name in settings.LANGUAGES} | {"hbs"}
    chosen: dict[str, list[str]] = {}
    for param in FILTER_PARAMS:
        values = []
        for raw in params.getlist(param)[:20]:
            for value in raw.split(","):
                value = value.strip()
                if not value or not _VALID[param].match(value):
                    continue
                if param == "rating" and value not in VERDICTS:
                    continue
                if param == "origin" and value not in ORIGINS:
                    continue
                if param == "lang":
                    value = LANGUAGE_ALIASES.get(value.lower(), value.lower())
                    if value not in allowed_languages:
                        continue
                if param == "country":
                    value = value.upper()
                if value not in values:
                    values.append(value)
        if values:
            chosen[param] = values
    return chosen


def _date_param(params: QueryDict, name: str, errors: list[str]) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        errors.append(str(_("Ignored the date “%(value)s”: use YYYY-MM-DD.") % {"value": raw[:20]}))
        return None


def _filters(selected: dict[str, list[str]], dates: dict[str, date | None]) -> dict[str, Any]:
    filters: dict[str, Any] = {FILTER_PARAMS[p]: v for p, v in selected.items()}
    filters.update({k: v for k, v in dates.items() if v})
    return filters


def _merge_languages(counts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for code, count in counts.items():
        key = LANGUAGE_ALIASES.get(code, code)
        merged[key] = merged.get(key, 0) + count
    return merged


def _facet_counts(
    query: str,
    *,
    reader_language: str,
    selected: dict[str, list[str]],
    dates: dict[str, date | None],
    main_facets: dict[str, dict[str, int]],
) -> dict[str, dict[str, int]]:
    """Counts per facet value; a facet with a selection is counted *without* its own
    filter, so the other values of that facet stay visible and can be added (OR)."""
    counts: dict[str, dict[str, int]] = {}
    for param, field in FILTER_PARAMS.items():
        if param in selected:
            others = {p: v for p, v in selected.items() if p != param}
            result = public_search(
                query,
                reader_language=reader_language,
                filters=_filters(others, dates),
                facets=[field],
                # Only the counts are wanted, but the embedded engine's limit=0 path
                # panics inside tantivy ("Limit must be greater than 0").
                limit=1,
            )
            raw = result.facets.get(field, {})
        else:
            raw = main_facets.get(field, {})
        counts[param] = _merge_languages(raw) if param == "lang" else dict(raw)
    return counts


def result_url(url: str, *, doc_language: str, reader_language: str) -> str:
    """Serbian fact-checks are published in one script and mirrored (same slug) on the
    other script's site: send a reader to the copy in their own script."""
    pair = {"sr": "sr-latn", "sr-latn": "sr"}
    if pair.get(doc_language) == reader_language and url.startswith(f"/{doc_language}/"):
        return f"/{reader_language}/" + url[len(doc_language) + 2 :]
    return url


def _querystring(params: dict[str, Any], **changes: Any) -> str:
    q = QueryDict(mutable=True)
    for key, value in {**params, **changes}.items():
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            q.setlist(key, [str(v) for v in value])
        else:
            q[key] = str(value)
    return "?" + q.urlencode()


def search(request: HttpRequest) -> TemplateResponse:
    # Each search runs several engine queries: per-client limit, rate "search_page" in
    # REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], the same client rule as the API.
    wait = throttle_request(request, "search_page")
    if wait is not None:
        seconds = math.ceil(wait)
        return TemplateResponse(
            request,
            "pages/too_many_requests.html",
            {"retry_after": seconds},
            status=429,
            headers={"Retry-After": str(seconds)},
        )
    params = request.GET
    reader_language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    query = clean_query(params.get("q"))
    errors: list[str] = []
    selected = _selected(params)
    dates = {
        "published_from": _date_param(params, "from", errors),
        "published_to": _date_param(params, "to", errors),
    }
    try:
        page_number = max(1, min(int(params.get("page") or 1), MAX_PAGES))
    except ValueError:
        page_number = 1

    state: dict[str, Any] = {"q": query, **selected}
    if dates["published_from"]:
        state["from"] = dates["published_from"].isoformat()
    if dates["published_to"]:
        state["to"] = dates["published_to"].isoformat()

    results: list[dict[str, Any]] = []
    total = 0
    counts: dict[str, dict[str, int]] = {}
    if query:

        def page_of_results(number: int):
            return public_search(
                query,
                reader_language=reader_language,
                filters=_filters(selected, dates),
                facets=list(FILTER_PARAMS.values()),
                limit=PER_PAGE,
                offset=(number - 1) * PER_PAGE,
            )

        found = page_of_results(page_number)
        total = found.total
        num_pages = max(1, min(MAX_PAGES, math.ceil(total / PER_PAGE)))
        if page_number > num_pages and total:
            # Past the last page (an old link, a narrowed filter): show the last one.
            page_number = num_pages
            found = page_of_results(page_number)
        counts = _facet_counts(
            query,
            reader_language=reader_language,
            selected=selected,
            dates=dates,
            main_facets=found.facets,
        )
        names = language_names()
        for hit in found.hits:
            fields = hit.fields
            doc_lang = fields.get("language") or ""
            published = fields.get("published")
            results.append(
                {
                    "title": fields.get("title") or "",
                    "claim": fields.get("claim_reviewed") or "",
                    "claimant": fields.get("claimant") or "",
                    "highlight": hit.highlight,
                    "url": result_url(
                        fields.get("url") or "",
                        doc_language=doc_lang,
                        reader_language=reader_language,
                    ),
                    "verdict": fields.get("rating_verdict") or "other",
                    "rating_label": fields.get("rating_label") or "",
                    "language": doc_lang,
                    # BCP 47 of the text as shown: sr-latn readers see Cyrillic in Latin.
                    "lang_tag": settings.FACTCHECK_LANGUAGE_TAGS.get(
                        "sr-latn" if (doc_lang, reader_language) == ("sr", "sr-latn") else doc_lang,
                        doc_lang,
                    ),
                    "language_name": names.get(LANGUAGE_ALIASES.get(doc_lang, doc_lang), doc_lang),
                    "published": date.fromisoformat(published) if published else None,
                    # Not in the language the reader searched in: the page says so.
                    "other_language": bool(fields.get("other_language")),
                    "partner": fields.get("origin") == "partner",
                }
            )
    else:
        num_pages = 1

    labels = facet_labels(reader_language)
    names = language_names()
    facets = []
    for param, field in FILTER_PARAMS.items():
        options_counts = counts.get(param, {})
        chosen = selected.get(param, [])
        values = list(
            dict.fromkeys([*sorted(options_counts, key=lambda v: -options_counts[v]), *chosen])
        )
        if param == "lang":
            field_labels = names
        elif param == "origin":
            field_labels = {key: str(label) for key, label in ORIGIN_LABELS.items()}
        else:
            field_labels = labels.get(field, {})
        options = [
            {
                "value": value,
                "label": field_labels.get(value) or value,
                "count": options_counts.get(value, 0),
                "checked": value in chosen,
            }
            for value in values
        ]
        if options:
            facets.append({"param": param, "legend": FACET_LEGENDS[param], "options": options})

    has_filters = bool(selected) or any(dates.values())
    pages = None
    if total > PER_PAGE:
        pages = {
            "number": page_number,
            "num_pages": num_pages,
            "previous_url": _querystring(state, page=page_number - 1) if page_number > 1 else None,
            "next_url": _querystring(state, page=page_number + 1)
            if page_number < num_pages
            else None,
            "links": [
                {"number": n, "url": _querystring(state, page=n), "current": n == page_number}
                for n in range(max(1, page_number - 3), min(num_pages, page_number + 3) + 1)
            ],
        }
    context = {
        "search_query": query,
        "results": results,
        "total": total,
        "facets": facets,
        "pages": pages,
        "has_filters": has_filters,
        "date_from": state.get("from", ""),
        "date_to": state.get("to", ""),
        "errors": errors,
        "clear_filters_url": _querystring({"q": query}),
        "tips_url": f"/{reader_language}/tips/",
        "first_index": (page_number - 1) * PER_PAGE + 1,
    }
    return TemplateResponse(request, "pages/search.html", context)
