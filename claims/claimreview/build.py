"""Write our ClaimReview: Google-ready JSON-LD for one record, and the DataFeed.

``build_claimreview`` turns a record into Google-ready JSON-LD (keys whose value
is unknown are omitted, never ``null``); ``build_datafeed`` wraps reviews in a
schema.org ``DataFeed``. ``parse(build(record))`` returns an equal record
(``source_position`` is not compared). Only http(s) URLs that pass
``sources.urls`` are written, whatever reached the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from sources.urls import safe_http_url

from .types import Appearance, ClaimReviewRecord
from .values import as_list, language_tag, parse_date

SCHEMA_CONTEXT = "https://schema.org"


def build_claimreview(record: ClaimReviewRecord | Mapping[str, Any]) -> dict[str, Any]:
    """Schema.org ClaimReview JSON-LD for one fact-check, as Google documents it.

    ``record`` is a ``ClaimReviewRecord`` or a mapping with the same keys
    (appearances as ``Appearance``, mappings or URL strings; dates as ``date``,
    ``datetime`` or ISO strings). ``author`` is the publishing newsroom. Unknown
    values are omitted rather than emitted as ``null``.
    """
    rec = record if isinstance(record, ClaimReviewRecord) else _record_from_mapping(record)
    review: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@type": "ClaimReview"}
    _put(review, "url", safe_http_url(rec.url))
    _put(review, "claimReviewed", rec.claim_reviewed)
    _put(review, "datePublished", _iso(rec.date_published))
    _put(review, "inLanguage", language_tag(rec.in_language))
    _put(review, "headline", rec.headline)
    _put(review, "reviewBody", rec.review_body)

    author: dict[str, Any] = {"@type": "Organization"}
    _put(author, "name", rec.publisher_name)
    _put(author, "url", safe_http_url(rec.publisher_url))
    if len(author) > 1:
        review["author"] = author

    rating: dict[str, Any] = {"@type": "Rating"}
    _put(rating, "ratingValue", _json_number(rec.rating_value))
    _put(rating, "bestRating", _json_number(rec.best_rating))
    _put(rating, "worstRating", _json_number(rec.worst_rating))
    _put(rating, "alternateName", rec.alternate_name)
    _put(rating, "image", safe_http_url(rec.rating_image))
    review["reviewRating"] = rating

    claim: dict[str, Any] = {"@type": "Claim"}
    if rec.claimant:
        claim["author"] = {"@type": rec.claimant_type or "Person", "name": rec.claimant}
    _put(claim, "datePublished", _iso(rec.claim_date))
    # Only http(s) URLs leave, whatever reached the database (see "Untrusted input").
    _put(claim, "appearance", [_creative_work(a) for a in rec.appearances if safe_http_url(a.url)])
    if rec.first_appearance is not None and safe_http_url(rec.first_appearance.url):
        claim["firstAppearance"] = _creative_work(rec.first_appearance)
    if len(claim) > 1:
        review["itemReviewed"] = claim
    return review


def build_datafeed(
    reviews: Iterable[Mapping[str, Any] | ClaimReviewRecord],
    *,
    name: str,
    url: str,
    date_modified: dt.date | dt.datetime | str,
) -> dict[str, Any]:
    """A schema.org ``DataFeed`` of reviews, in the shape of Google's fact-check feed.

    Each review becomes a ``DataFeedItem`` with ``dateCreated`` (the review's
    ``datePublished``), ``url`` and an ``item`` list holding the ClaimReview, as
    in the Data Commons / Fact Check Markup Tool feed. The feed carries the one
    ``@context``; nested reviews drop theirs.
    """
    elements = []
    for review in reviews:
        body = build_claimreview(review) if isinstance(review, ClaimReviewRecord) else dict(review)
        body.pop("@context", None)
        element: dict[str, Any] = {"@type": "DataFeedItem"}
        _put(element, "dateCreated", body.get("datePublished"))
        _put(element, "url", body.get("url"))
        element["item"] = [body]
        elements.append(element)
    modified = date_modified if isinstance(date_modified, str) else date_modified.isoformat()
    feed: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@type": "DataFeed"}
    _put(feed, "name", name)
    _put(feed, "url", url)
    _put(feed, "dateModified", modified)
    feed["dataFeedElement"] = elements
    return feed


def _record_from_mapping(data: Mapping[str, Any]) -> ClaimReviewRecord:
    names = {f.name for f in fields(ClaimReviewRecord)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("claim_date", "date_published"):
        if key in values:
            values[key] = parse_date(values[key])
    for key in ("rating_value", "best_rating", "worst_rating"):
        if values.get(key) not in (None, ""):
            values[key] = float(values[key])
        else:
            values[key] = None
    values["appearances"] = [
        a for a in (_coerce_appearance(v) for v in as_list(values.get("appearances"))) if a
    ]
    values["first_appearance"] = _coerce_appearance(values.get("first_appearance"))
    values.setdefault("url", "")
    values.setdefault("claim_reviewed", "")
    return ClaimReviewRecord(**values)


def _coerce_appearance(value: Any) -> Appearance | None:
    if value is None or isinstance(value, Appearance):
        return value
    if isinstance(value, str):
        return Appearance(value) if value else None
    if isinstance(value, Mapping) and value.get("url"):
        when = value.get("date", value.get("datePublished"))
        return Appearance(value["url"], parse_date(when), value.get("headline") or None)
    raise TypeError(f"cannot read an appearance from {value!r}")


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "url": appearance.url}
    _put(work, "datePublished", _iso(appearance.date))
    _put(work, "headline", appearance.headline)
    return work


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "" and value != []:
        target[key] = value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
