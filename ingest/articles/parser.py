"""Extract an article from HTML. Pure: never fetches (trafilatura gets a string).

Untrusted page, so: ``<link rel=canonical>`` replaces the page URL only when it is an
http(s) URL on the same registrable domain as the page (``sources.urls.same_site``:
``amp.portal.rs`` -> ``www.portal.rs`` yes, any other site or a ``javascript:`` value
no, and then ``canonical_url`` is ""); the top image must be http(s) too. JSON-LD
blocks are decoded with ``loads_bounded`` (at most 64 levels, 1 MB a block); a block
over either limit is ignored like a malformed one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import html as lxml_html

from ingest.types import parse_iso_datetime
from sources.safejson import loads_bounded
from sources.urls import safe_http_url, same_site

from .exceptions import ArticleExtractionError
from .types import ArticleData

MAX_JSONLD_CHARS = 1_000_000
_META_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dcterms.created",
    "date",
)


def _parse_datetime(value: str) -> datetime | None:
    """ISO 8601, or at least a leading ``YYYY-MM-DD`` (CMSes append odd suffixes)."""
    parsed = parse_iso_datetime(value)
    if parsed is not None:
        return parsed
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not match:
        return None
    try:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _iter_jsonld(node: Any):
    if isinstance(node, list):
        for child in node:
            yield from _iter_jsonld(child)
    elif isinstance(node, dict):
        yield node
        yield from _iter_jsonld(node.get("@graph", []))


def metadata_date(tree: Any) -> datetime | None:
    """Publication date declared in JSON-LD or <meta>: the most trustworthy source."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            doc = loads_bounded(script, max_chars=MAX_JSONLD_CHARS)
        except (ValueError, TypeError):  # malformed, too deep or too large: not evidence
            continue
        for node in _iter_jsonld(doc):
            if isinstance(node.get("datePublished"), str):
                found = _parse_datetime(node["datePublished"])
                if found:
                    return found
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _META_DATE_KEYS:
            found = _parse_datetime(meta.get("content", ""))
            if found:
                return found
    return None


_LABELLED_DATE = re.compile(
    r"(?:objavljeno|objavljen|објављено|објавено|objavljeno|publikuar|publikuar më|published)"
    r"\s*:?\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\.?(?:\s*(?:u|в|at|në)?\s*(\d{1,2})[:.](\d{2}))?",
    re.I,
)


def labelled_date(page_text: str) -> datetime | None:
    """A date printed after 'Objavljeno:' / 'Објављено:' / 'Publikuar:' (local time, UTC+1)."""
    match = _LABELLED_DATE.search(page_text)
    if not match:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour or 12), int(minute or 0))
    except ValueError:
        return None
    return (local - timedelta(hours=1)).replace(tzinfo=UTC)


def is_plausible_date(
    value: datetime, *, fetched_at: datetime, page_text: str = "", from_htmldate: bool = False
) -> bool:
    """Never in the future; never a bare ``© 2026`` footer year read as 1 January."""
    if value > fetched_at + timedelta(hours=1):
        return False
    if value.year < 1990:
        return False
    if from_htmldate and value.month == 1 and value.day == 1:
        year = value.year
        copyright_year = re.search(
            rf"(©|&copy;|\(c\)|copyright)\s*(\d{{4}}\s*[-–]\s*)?{year}", page_text, re.I
        )
        # A copyright notice is no evidence, unless the page also spells out 1 January.
        spelled_out = re.search(rf"(0?1\.\s*0?1\.\s*{year}|{year}-01-01)", page_text)
        if copyright_year and not spelled_out:
            return False
    return True


def extract_article(
    html: str,
    *,
    url: str,
    fetched_at: datetime | None = None,
    date_hint: datetime | None = None,
) -> ArticleData:
    """Main text, title, author, date, language and top image of an article page.

    Date trust order: JSON-LD/<meta> on the page, then ``date_hint`` (the feed's
    pubDate), then htmldate's guess; each must pass ``is_plausible_date``.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if not html or not html.strip():
        raise ArticleExtractionError(f"empty page: {url}")
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise ArticleExtractionError(f"unparsable HTML at {url}: {exc}") from exc
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_formatting=False,
        deduplicate=False,
    )
    if doc is None:
        raise ArticleExtractionError(f"no main text found at {url}")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    if not text:
        raise ArticleExtractionError(f"no main text found at {url}")
    page_text = tree.text_content()
    published, source = None, ""
    candidates: list[tuple[datetime | None, str]] = [(metadata_date(tree), "metadata")]
    candidates.append((date_hint, "hint"))
    htmldate = data.get("date")
    if htmldate:
        parsed = _parse_datetime(str(htmldate))
        if parsed and len(str(htmldate)) == 10:  # a bare date: noon UTC, not midnight
            parsed = datetime.combine(date.fromisoformat(str(htmldate)), time(12), tzinfo=UTC)
        candidates.append((parsed, "htmldate"))
    candidates.append((labelled_date(page_text), "label"))
    for value, origin in candidates:
        if value and is_plausible_date(
            value, fetched_at=fetched_at, page_text=page_text, from_htmldate=origin == "htmldate"
        ):
            published, source = value, origin
            break
    html_lang = (tree.get("lang") or "").strip()
    canonical = _canonical(tree, url)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    body_html = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)
    return ArticleData(
        url=url,
        title=(data.get("title") or "").strip(),
        text=text,
        html=body_html,
        author=(data.get("author") or "").strip(),
        published_at=published,
        date_source=source,
        language=html_lang or (data.get("language") or ""),
        image=safe_http_url(urljoin(url, str(data["image"]))) if data.get("image") else "",
        canonical_url=canonical,
    )


def _canonical(tree: Any, page_url: str) -> str:
    """The page's ``rel=canonical`` when it is http(s) and on the page's own site, else ""."""
    for href in tree.xpath('//link[@rel="canonical"]/@href')[:1]:
        candidate = safe_http_url(urljoin(page_url, href.strip()))
        if candidate and same_site(candidate, page_url):
            return candidate
    return ""


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
