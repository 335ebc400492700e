"""Read a partner newsroom's fact-checks: a DataFeed, a page or sitemap, or Google's API.

``poll_partner(url, http=...)`` fetches through the polite, guarded client and returns a
``PartnerPoll``: the ClaimReview records found, each with the page it came from, and what
the poll can say about withdrawals:

* a **DataFeed or JSON-LD document** (such as this platform's ``/api/v1/claimreview.json``)
  is complete: a record no longer in it was withdrawn. An empty ``DataFeed`` is a valid,
  empty listing. The channel's ETag/Last-Modified make the poll conditional.
* an **HTML page** carrying ClaimReview JSON-LD is complete for itself.
* a **sitemap** lists pages; up to ``max_pages`` are fetched per poll (new pages first,
  then the longest unchecked). A page that left the sitemap, or answers 410 Gone, was
  withdrawn; pages listed but not fetched this time keep their fact-checks.
* **Google's Fact Check Tools** ``claims:search`` (a URL whose path ends in
  ``/claims:search``) is a search, never complete: nothing is withdrawn for missing
  from it. The key comes from ``FACTCHECK_GOOGLE_FACTCHECK_API_KEY`` and travels in the
  ``X-Goog-Api-Key`` header, never in a URL that could end up in a log or an error.

A 410 on the channel's own URL means everything it carried was withdrawn. Any other
failure raises (``FetchError``/``ConnectorError``) and withdraws nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings

from claims.claimreview import (
    ClaimReviewError,
    ClaimReviewRecord,
    NotClaimReviewError,
    extract_claimreview_from_html,
    parse_claimreview_json,
)
from ingest.exceptions import ConnectorError, HTTPStatusError, IngestError
from ingest.http import FetchResult, PoliteClient
from ingest.sitemaps.client import SitemapClient

JSON_TYPES = ("application/ld+json", "application/json", "+json", "text/plain")
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/xml", "text/xml", "+xml")
GOOGLE_PATH_SUFFIX = "/claims:search"
GOOGLE_MAX_PAGES = 5
GOOGLE_PAGE_SIZE = 100


@dataclass
class PartnerPoll:
    """What one poll of a partner found (see the module docstring)."""

    records: list[tuple[ClaimReviewRecord, str]] = field(default_factory=list)
    #: Pages the partner still lists; ``None`` when the listing is not complete (a search).
    listed_pages: set[str] | None = None
    #: Pages read in full this time: a record they no longer carry was withdrawn.
    fetched_pages: set[str] = field(default_factory=set)
    #: Pages (or review URLs) that answered 410 Gone.
    gone_pages: set[str] = field(default_factory=set)
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    warnings: list[str] = field(default_factory=list)


def is_google_search(url: str) -> bool:
    return urlsplit(url).path.endswith(GOOGLE_PATH_SUFFIX)


def poll_partner(
    url: str,
    *,
    http: PoliteClient,
    etag: str = "",
    last_modified: str = "",
    known_pages: Iterable[str] = (),
    max_pages: int | None = None,
) -> PartnerPoll:
    """Poll one partner source once. ``known_pages`` (pages already checked, oldest first)
    decide which sitemap pages are re-read when there is no room for all of them."""
    if is_google_search(url):
        return _poll_google(url, http=http)
    try:
        result = http.get(
            url,
            etag=etag,
            last_modified=last_modified,
            accept=(*JSON_TYPES, *HTML_TYPES, *XML_TYPES),
        )
    except HTTPStatusError as exc:
        if exc.status == 410:
            return PartnerPoll(listed_pages=set(), gone_pages={url})
        raise
    if result.not_modified:
        return PartnerPoll(not_modified=True, etag=etag, last_modified=last_modified)
    kind = _sniff(result)
    if kind == "sitemap":
        if max_pages is None:
            max_pages = int(settings.FACTCHECK_INGEST_MAX_ARTICLES_PER_POLL)
        return _poll_sitemap(url, http=http, known_pages=known_pages, max_pages=max_pages)
    poll = PartnerPoll(
        listed_pages={url},
        fetched_pages={url},
        etag=result.etag,
        last_modified=result.last_modified,
    )
    _read_document(result, page=url, poll=poll)
    return poll


def _sniff(result: FetchResult) -> str:
    content_type = result.content_type
    head = result.content[:512].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if "xml" in content_type or head.startswith(b"<?xml") or head.startswith(b"<urlset"):
        return "sitemap"
    return "json"


def _read_document(result: FetchResult, *, page: str, poll: PartnerPoll) -> None:
    """Records of one fetched document, added to ``poll``; an empty DataFeed adds none."""
    try:
        if _sniff(result) == "html":
            parsed = extract_claimreview_from_html(
                result.text, source_name=page, base_url=result.url
            )
        else:
            parsed = parse_claimreview_json(result.content, source_name=page, base_url=result.url)
    except NotClaimReviewError as exc:
        if _sniff(result) == "html" or _is_empty_datafeed(result.content):
            return  # the page or feed is there and carries no fact-check (any more)
        raise ConnectorError(f"{page}: {exc}") from exc
    except ClaimReviewError as exc:
        raise ConnectorError(str(exc)) from exc
    poll.warnings.extend(str(issue) for issue in parsed.errors)
    poll.records.extend((record, page) for record in parsed.records)


def _is_empty_datafeed(content: bytes) -> bool:
    try:
        data = json.loads(content)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return data == []
    kind = data.get("@type")
    return kind == "DataFeed" and not data.get("dataFeedElement")


def _poll_sitemap(
    url: str, *, http: PoliteClient, known_pages: Iterable[str], max_pages: int
) -> PartnerPoll:
    listing = SitemapClient(http).collect(url)  # never conditional: pages are re-checked
    listed = list(dict.fromkeys(item.url for item in listing.items))
    poll = PartnerPoll(listed_pages=set(listed), warnings=list(listing.warnings))
    known = [page for page in dict.fromkeys(known_pages) if page in poll.listed_pages]
    new = [page for page in listed if page not in set(known)]
    to_fetch = (new + known)[:max_pages]
    if len(new) + len(known) > max_pages:
        poll.warnings.append(f"read {max_pages} of {len(listed)} pages; the rest next time")
    for page in to_fetch:
        try:
            result = http.get(page, accept=HTML_TYPES)
        except HTTPStatusError as exc:
            if exc.status == 410:
                poll.gone_pages.add(page)
            else:
                poll.warnings.append(f"{page}: {exc}")
            continue
        except IngestError as exc:  # one page must not stop the sitemap
            poll.warnings.append(f"{page}: {exc}")
            continue
        try:
            _read_document(result, page=page, poll=poll)
        except ConnectorError as exc:
            poll.warnings.append(str(exc))
            continue
        poll.fetched_pages.add(page)
    return poll


# ------------------------------------------------------------------ Google Fact Check Tools


def _poll_google(url: str, *, http: PoliteClient) -> PartnerPoll:
    key = settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY
    host = (urlsplit(url).hostname or "").lower()
    if host != settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST.lower():
        # A ".../claims:search" URL on anyone else's server must not collect our key.
        raise ConnectorError(
            f"{host or url} is not Google's Fact Check Tools API: the API key is sent only "
            "to FACTCHECK_GOOGLE_FACTCHECK_API_HOST "
            f"({settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST})"
        )
    if not key:
        raise ConnectorError(
            "Google's Fact Check Tools API needs a key: set FACTCHECK_GOOGLE_FACTCHECK_API_KEY"
        )
    poll = PartnerPoll(listed_pages=None)
    page_token = ""
    for _ in range(GOOGLE_MAX_PAGES):
        data = _google_page(_with_params(url, page_token), http=http, key=key)
        nodes = [node for claim in data.get("claims") or [] for node in _google_reviews(claim)]
        if nodes:
            try:
                parsed = parse_claimreview_json(
                    json.dumps(nodes), source_name="Google Fact Check Tools", base_url=None
                )
            except ClaimReviewError as exc:
                poll.warnings.append(str(exc))
            else:
                poll.warnings.extend(str(issue) for issue in parsed.errors)
                poll.records.extend((record, url) for record in parsed.records)
        page_token = str(data.get("nextPageToken") or "")
        if not page_token:
            break
    return poll


def _with_params(url: str, page_token: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("key", "pageToken")]
    if not any(k == "pageSize" for k, _ in query):
        query.append(("pageSize", str(GOOGLE_PAGE_SIZE)))
    if page_token:
        query.append(("pageToken", page_token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _google_page(url: str, *, http: PoliteClient, key: str) -> dict[str, Any]:
    result = http.get(url, accept=JSON_TYPES, headers={"X-Goog-Api-Key": key})
    try:
        data = json.loads(result.content)
    except ValueError as exc:
        raise ConnectorError(f"Google Fact Check Tools answered with invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConnectorError("Google Fact Check Tools answered with something not an object")
    return data


def _google_reviews(claim: Any) -> list[dict[str, Any]]:
    """The API's ``claims[].claimReview[]`` as schema.org ClaimReview objects."""
    if not isinstance(claim, dict):
        return []
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.get("claimant"):
        item["author"] = {"@type": "Person", "name": str(claim["claimant"])}
    if claim.get("claimDate"):
        item["datePublished"] = str(claim["claimDate"])
    nodes = []
    for review in claim.get("claimReview") or []:
        if not isinstance(review, dict) or not review.get("url"):
            continue
        publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
        node: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": str(review["url"]),
            "claimReviewed": str(claim.get("text") or review.get("title") or ""),
            "itemReviewed": item,
            "reviewRating": {
                "@type": "Rating",
                "alternateName": str(review.get("textualRating") or ""),
            },
        }
        if publisher.get("name"):
            site = str(publisher.get("site") or "")
            node["author"] = {
                "@type": "Organization",
                "name": str(publisher["name"]),
                **({"url": f"https://{site}"} if site and "/" not in site else {}),
            }
        for source, target in (
            ("title", "headline"),
            ("reviewDate", "datePublished"),
            ("languageCode", "inLanguage"),
        ):
            if review.get(source):
                node[target] = str(review[source])
        nodes.append(node)
    return nodes
