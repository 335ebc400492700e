"""Check our JSON-LD against what ClaimReview consumers (Google first) require.

``validate_claimreview`` lists problems as ``required:``, ``recommended:`` or
``invalid:`` messages; an empty list means nothing to fix. It checks what we
write (the tests run it on ``build_claimreview`` output and the page's JSON-LD);
reading never calls it, because imports repair or report instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .limits import absolute_url
from .values import ISO_DATE, NUMBER, as_list, clean_text, first_mapping, has_type


def validate_claimreview(obj: Mapping[str, Any]) -> list[str]:
    """Problems that stop ClaimReview consumers from using ``obj`` (one JSON-LD review).

    Each message starts with ``required:``, ``recommended:`` or ``invalid:``
    (a value present but wrong); an empty list means nothing to fix.

    Sources for the lists:

    - Google Search Central, "Fact check (ClaimReview) structured data"
      (developers.google.com/search/docs/appearance/structured-data/factcheck),
      tabulated by Full Fact's markup investigation: REQUIRED
      ``claimReviewed``, ``reviewRating``, ``reviewRating.alternateName``,
      ``url``; RECOMMENDED ``author``, ``datePublished``, ``itemReviewed``,
      ``itemReviewed.author``/``datePublished``/``appearance``/
      ``firstAppearance``, ``reviewRating.ratingValue``/``bestRating``/
      ``worstRating``. Google only reads the schema.org ``@context``.
    - schema.org v30.0 (schema.org/ClaimReview): the types
      (ClaimReview, Rating, Claim, CreativeWork) and that rating numbers are
      digits with ``.`` as decimal point.

    Deviation: ``author`` (the fact-checking organisation, with ``name``) is
    treated as required, because the Fact Check Explorer and the Data Commons
    feed attribute every fact-check to it and our exports always have it.
    ``ratingValue`` must lie between ``worstRating`` and ``bestRating``.
    """
    problems: list[str] = []
    if not isinstance(obj, Mapping):
        return ["invalid: a ClaimReview must be a JSON object"]
    if not has_type(obj, "ClaimReview"):
        problems.append("required: @type must be ClaimReview")
    context = obj.get("@context")
    if context is not None and "schema.org" not in json.dumps(context):
        problems.append("invalid: @context must be https://schema.org")
    if not clean_text(obj.get("claimReviewed")) or not isinstance(obj.get("claimReviewed"), str):
        problems.append("required: claimReviewed (one non-empty text)")
    url = obj.get("url")
    if not url:
        problems.append("required: url")
    elif absolute_url(url, None) != (url, None):
        problems.append(f"invalid: url {url!r} must be an absolute http(s) URL")

    author = first_mapping(obj.get("author"))
    if author is None or not clean_text(author.get("name")):
        problems.append("required: author with a name (the fact-checking organisation)")
    elif not author.get("url"):
        problems.append("recommended: author.url")

    _check_date(obj, "datePublished", "datePublished", problems)
    _validate_rating(obj.get("reviewRating"), problems)

    item = obj.get("itemReviewed")
    if not isinstance(item, Mapping):
        problems.append("recommended: itemReviewed (a Claim)")
        return problems
    claimant = first_mapping(item.get("author"))
    if claimant is None or not clean_text(claimant.get("name")):
        problems.append("recommended: itemReviewed.author with a name")
    _check_date(item, "datePublished", "itemReviewed.datePublished", problems)
    if not item.get("appearance") and not item.get("firstAppearance"):
        problems.append("recommended: itemReviewed.appearance or itemReviewed.firstAppearance")
    for key in ("appearance", "firstAppearance"):
        for work in as_list(item.get(key)):
            link = work.get("url") if isinstance(work, Mapping) else work
            if absolute_url(link, None) != (link, None):
                problems.append(
                    f"invalid: itemReviewed.{key} {link!r} is not an absolute http(s) URL"
                )
    return problems


def _validate_rating(rating: Any, problems: list[str]) -> None:
    if not isinstance(rating, Mapping):
        problems.append("required: reviewRating (a Rating)")
        return
    if not clean_text(rating.get("alternateName")):
        problems.append("required: reviewRating.alternateName (the verdict as text)")
    numbers: dict[str, float] = {}
    for key in ("ratingValue", "bestRating", "worstRating"):
        value = rating.get(key)
        if value is None or value == "":
            problems.append(f"recommended: reviewRating.{key}")
        elif isinstance(value, bool) or not (
            isinstance(value, int | float) or NUMBER.fullmatch(str(value).strip())
        ):
            problems.append(f"invalid: reviewRating.{key} {value!r} is not a number")
        else:
            numbers[key] = float(value)
    if len(numbers) == 3:
        value, best, worst = numbers["ratingValue"], numbers["bestRating"], numbers["worstRating"]
        if worst > best:
            problems.append(f"invalid: reviewRating.worstRating {worst:g} > bestRating {best:g}")
        elif not worst <= value <= best:
            problems.append(
                f"invalid: reviewRating.ratingValue {value:g} is outside {worst:g}..{best:g}"
            )


def _check_date(node: Mapping, key: str, label: str, problems: list[str]) -> None:
    value = node.get(key)
    if value is None or value == "":
        problems.append(f"recommended: {label}")
    elif not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        problems.append(f"invalid: {label} {value!r} is not an ISO 8601 date")
