"""Read one ClaimReview node into a ``ClaimReviewRecord``, reporting what was wrong.

``parse_record`` returns the record (``None`` when it has to be skipped) and a
report whose errors say why it was skipped and whose warnings say what was
repaired or dropped. Every URL goes through ``limits.absolute_url``; every text
through ``values.clean_text``.

Error or warning
----------------
Errors (the record is skipped and reported; an editor has to fix the source):

- ``claimReviewed`` missing or empty: there is no claim to import.
- no usable ``url`` (``url``, else ``mainEntityOfPage``): the URL is the
  identity of a fact-check for de-duplication and linking; a relative URL is
  resolved against ``base_url`` (or the publisher's URL) and is an error only
  when there is nothing to resolve it against.
- ``reviewRating`` missing, or with neither ``alternateName`` nor a numeric
  ``ratingValue``. A newsroom would not expect us to publish a fact-check
  without a verdict, and inventing a label such as "unrated" would silently put
  unrated items into verdict statistics and the Google feed.

Warnings (the record is kept): ``reviewRating.alternateName`` missing while a
numeric ``ratingValue`` exists (the label must be mapped from the newsroom's
scale); a rating outside ``worstRating..bestRating``; a non-numeric rating
number (ignored; ``""`` counts as absent without a warning, as many publishers
emit it); a list-valued ``claimReviewed`` (items are joined with `` / ``, so
nothing is lost); a date that cannot be read (set to ``None``); a missing
``datePublished`` or publishing ``author``; a missing ``itemReviewed``; a
repaired URL (no scheme -> ``https://``, relative -> resolved); an appearance
URL that had to be dropped; a ClaimReview without ``@type`` (accepted because
it has ``claimReviewed``); a non-schema.org ``@context``; a URL already seen in
an earlier record of the same source.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from .limits import absolute_url
from .types import Appearance, ClaimReviewRecord, ParseIssue
from .values import (
    NUMBER,
    as_list,
    clean_text,
    first_mapping,
    first_value,
    has_type,
    language_tag,
    node_types,
    parse_date,
    scalar,
)


class _Report:
    def __init__(self, position: str) -> None:
        self.position = position
        self.errors: list[ParseIssue] = []
        self.warnings: list[ParseIssue] = []

    def error(self, message: str) -> None:
        self.errors.append(ParseIssue(self.position, message, "error"))

    def warning(self, message: str) -> None:
        self.warnings.append(ParseIssue(self.position, message, "warning"))


def parse_record(
    node: dict, position: str, base_url: str | None
) -> tuple[ClaimReviewRecord | None, _Report]:
    report = _Report(position)
    if not node_types(node):
        report.warning("no @type; read as a ClaimReview because it has claimReviewed")
    context = node.get("@context")
    if context is not None and "schema.org" not in json.dumps(context):
        report.warning("@context is not schema.org; terms read as schema.org anyway")

    claim = _claim_text(node.get("claimReviewed"), report)
    if not claim:
        report.error("claimReviewed is missing or empty")

    publisher_name, publisher_url = _publisher(node, base_url, report)
    url = _review_url(node, base_url or publisher_url, report)

    rating = first_mapping(node.get("reviewRating"))
    rating_fields = _rating(rating, base_url or publisher_url or url, report) if rating else None
    if rating is None:
        report.error("reviewRating is missing: a fact-check without a verdict cannot be imported")
    elif rating_fields is None:
        report.error("reviewRating has neither alternateName nor a numeric ratingValue")

    date_published = _date(node.get("datePublished"), "datePublished", report)
    if node.get("datePublished") in (None, ""):
        report.warning("datePublished is missing")

    item = first_mapping(node.get("itemReviewed"))
    if item is None:
        report.warning("itemReviewed is missing (no claimant, claim date or appearance)")
        item = {}
    claimant, claimant_type = _entity_name_and_type(item.get("author"))
    claim_date = _date(item.get("datePublished"), "itemReviewed.datePublished", report)
    appearances = _appearances(item.get("appearance"), url, report)
    firsts = _appearances(item.get("firstAppearance"), url, report, label="firstAppearance")
    first_appearance = firsts[0] if firsts else None
    item_url, item_note = absolute_url(item.get("url"), url)
    if item_url is None and item_note:
        report.warning(f"itemReviewed.url dropped: {item_note}")
    known = {a.url for a in appearances} | {a.url for a in firsts}
    if item_url and item_url not in known:
        # Older markup (CreativeWork itemReviewed) puts where the claim appeared in its url.
        appearances.append(Appearance(item_url, claim_date))

    if report.errors:
        return None, report
    assert rating_fields is not None and url is not None
    record = ClaimReviewRecord(
        url=url,
        claim_reviewed=claim,
        claimant=claimant,
        claimant_type=claimant_type,
        claim_date=claim_date,
        appearances=appearances,
        first_appearance=first_appearance,
        publisher_name=publisher_name,
        publisher_url=publisher_url,
        date_published=date_published,
        in_language=language_tag(_language_value(node.get("inLanguage"))),
        headline=clean_text(node.get("headline") or node.get("name")) or None,
        review_body=clean_text(node.get("reviewBody") or node.get("description")) or None,
        source_position=position,
        **rating_fields,
    )
    return record, report


def _claim_text(value: Any, report: _Report) -> str:
    if isinstance(value, list):
        parts = [t for t in (clean_text(v) for v in value) if t]
        parts = list(dict.fromkeys(parts))
        if len(parts) > 1:
            report.warning(f"claimReviewed is a list of {len(parts)}; joined with ' / '")
        return " / ".join(parts)
    return clean_text(value)


def _review_url(node: Mapping, base: str | None, report: _Report) -> str | None:
    """``url``, else ``mainEntityOfPage``; an unusable ``url`` is dropped with a warning."""
    url, note = absolute_url(node.get("url"), base)
    dropped = note if url is None else None
    if url is None:
        main = node.get("mainEntityOfPage")
        raw = main.get("url", main.get("@id")) if isinstance(main, Mapping) else main
        url, main_note = absolute_url(raw, base)
        note = main_note if url is not None or not dropped else dropped
        if url is not None:
            if dropped:
                report.warning(f"url dropped ({dropped}); used mainEntityOfPage {url}")
            else:
                report.warning(f"url is missing; used mainEntityOfPage {url}")
    if url is None:
        report.error(f"url is missing or unusable{f': {note}' if note else ''}")
        return None
    if note:
        report.warning(f"url: {note}")
    return url


def _publisher(node: Mapping, base: str | None, report: _Report) -> tuple[str, str | None]:
    """The fact-checking organisation: an Organization author, else publisher, else any author."""
    authors = [a for a in as_list(node.get("author")) if a]
    publishers = [p for p in as_list(node.get("publisher")) if p]
    organisations = [a for a in authors if isinstance(a, Mapping) and not has_type(a, "Person")]
    for candidate in (*organisations, *publishers, *authors):
        name, _ = _entity_name_and_type(candidate)
        if name:
            url = None
            if isinstance(candidate, Mapping):
                for key in ("url", "@id", "sameAs"):
                    for value in as_list(candidate.get(key)):
                        url, note = absolute_url(value, base)
                        if url:
                            return name, url
                        if note and key != "@id":  # @id is often a blank-node label
                            report.warning(f"author {key} dropped: {note}")
            return name, url
    report.warning("author (the fact-checking organisation) is missing")
    return "", None


def _rating(rating: Mapping, base: str | None, report: _Report) -> dict[str, Any] | None:
    label = clean_text(rating.get("alternateName")) or clean_text(rating.get("name"))
    value = _number(rating.get("ratingValue"), "ratingValue", report)
    best = _number(rating.get("bestRating"), "bestRating", report)
    worst = _number(rating.get("worstRating"), "worstRating", report)
    if not label and value is None:
        return None
    if not label:
        report.warning("reviewRating.alternateName is missing; map the label from ratingValue")
    if None not in (value, best, worst) and not (
        min(worst, best) <= value <= max(worst, best)  # type: ignore[type-var]
    ):
        report.warning(
            f"ratingValue {value:g} is outside worstRating..bestRating ({worst:g}..{best:g})"
        )
    image = rating.get("image")
    if isinstance(image, Mapping):
        image = image.get("url", image.get("contentUrl"))
    image_url, image_note = absolute_url(image, base)
    if image_url is None and image_note:
        report.warning(f"reviewRating.image dropped: {image_note}")
    return {
        "alternate_name": label,
        "rating_value": value,
        "best_rating": best,
        "worst_rating": worst,
        "rating_image": image_url,
    }


def _appearances(
    value: Any, base: str | None, report: _Report, *, label: str = "appearance"
) -> list[Appearance]:
    found: list[Appearance] = []
    for entry in as_list(value):
        if isinstance(entry, Mapping):
            raw = entry.get("url", entry.get("@id"))
            when = _date(entry.get("datePublished"), f"{label}.datePublished", report)
            headline = clean_text(entry.get("headline") or entry.get("name")) or None
        else:
            raw, when, headline = entry, None, None
        url, note = absolute_url(raw, base)
        if url is None:
            if note:
                report.warning(f"{label} dropped: {note}")
            continue
        if note:
            report.warning(f"{label}: {note}")
        if url not in {a.url for a in found}:
            found.append(Appearance(url, when, headline))
    return found


def _entity_name_and_type(value: Any) -> tuple[str, str]:
    """Name and Person/Organization of an author given as a string, object or list."""
    names: list[str] = []
    kind = ""
    for entity in as_list(value):
        if isinstance(entity, Mapping):
            name = ", ".join(t for t in (clean_text(n) for n in as_list(entity.get("name"))) if t)
            if name and not kind:
                types = [t.lower() for t in node_types(entity)]
                kind = "Person" if "person" in types or not types else "Organization"
        else:
            name = clean_text(entity)
            if name and not kind:
                kind = "Person"
        if name and name not in names:
            names.append(name)
    return ", ".join(names), (kind if names else "")


def _language_value(value: Any) -> str | None:
    value = first_value(value)
    if isinstance(value, Mapping):  # {"@type": "Language", "alternateName": "sr-Cyrl"}
        value = value.get("alternateName") or value.get("name")
    return clean_text(value) or None


def _number(value: Any, label: str, report: _Report) -> float | None:
    value = scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and NUMBER.fullmatch(value.strip().replace(",", ".")):
        number = float(value.strip().replace(",", "."))
    else:
        report.warning(f"{label} {value!r} is not a number; ignored")
        return None
    if not math.isfinite(number):
        report.warning(f"{label} {value!r} is not a finite number; ignored")
        return None
    return number


def _date(value: Any, label: str, report: _Report) -> dt.date | None:
    value = scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse_date(value)
    if parsed is None:
        report.warning(f"{label} {value!r} is not a date; ignored")
    return parsed
