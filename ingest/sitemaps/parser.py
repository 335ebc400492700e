"""Sitemap XML (plain or gzip) and homepage feed discovery. Pure: never fetches.

Every ``<loc>`` and discovered feed link is resolved against the document's URL and
must then pass the http(s) rule (``sources.urls``); anything else is skipped with a
warning (discovery just leaves it out).
"""

from __future__ import annotations

import zlib
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from ingest.types import parse_iso_datetime
from sources.urls import UnsafeURLError, check_http_url, safe_http_url

from .exceptions import SitemapParseError
from .types import ParsedSitemap, SitemapUrl

MAX_DECOMPRESSED = 20 * 1024 * 1024
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
)


def maybe_gunzip(data: bytes, *, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress gzip bytes with a hard cap on the output (no zip bombs)."""
    if data[:2] != b"\x1f\x8b":
        return data
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SitemapParseError(f"corrupt gzip sitemap: {exc}") from exc
    if len(out) > limit or decompressor.unconsumed_tail:
        raise SitemapParseError(f"gzip sitemap expands beyond {limit} bytes")
    return out


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _loc(base_url: str, text: str, warnings: list[str]) -> str:
    """An absolute http(s) URL from a ``<loc>``, or "" with a warning."""
    try:
        return check_http_url(urljoin(base_url, text.strip()) if base_url else text)
    except (UnsafeURLError, ValueError) as exc:
        warnings.append(f"skipped <loc>: {exc}")
        return ""


def parse_sitemap(data: bytes, *, base_url: str = "") -> ParsedSitemap:
    data = maybe_gunzip(data)
    # No entities, no network, no huge trees: sitemaps are untrusted XML.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapParseError(f"not XML: {exc}") from exc
    if root is None:
        raise SitemapParseError("empty or unreadable sitemap")
    kind = _local(root.tag)
    if kind == "sitemapindex":
        result = ParsedSitemap(kind="index")
        for node in root:
            if _local(node.tag) != "sitemap":
                continue
            loc = next((c.text for c in node if _local(c.tag) == "loc" and c.text), None)
            if loc and (url := _loc(base_url, loc, result.warnings)):
                result.sitemaps.append(url)
        return result
    if kind != "urlset":
        raise SitemapParseError(f"root element <{kind or '?'}> is not urlset or sitemapindex")
    result = ParsedSitemap(kind="urlset")
    for node in root:
        if _local(node.tag) != "url":
            continue
        entry = SitemapUrl(loc="")
        refused = False
        for child in node:
            name = _local(child.tag)
            if name == "loc" and child.text:
                entry.loc = _loc(base_url, child.text, result.warnings)
                refused = not entry.loc
            elif name == "lastmod":
                entry.lastmod = parse_iso_datetime(child.text)
            elif name == "news":
                for item in child.iter():
                    sub = _local(item.tag)
                    if sub == "title" and item.text:
                        entry.news_title = item.text.strip()
                    elif sub == "publication_date":
                        entry.news_published_at = parse_iso_datetime(item.text)
                    elif sub == "language" and item.text:
                        entry.news_language = item.text.strip()
        if entry.loc:
            result.urls.append(entry)
        elif not refused:
            result.warnings.append("skipped <url> without <loc>")
    return result


def discover_feed_links(html: str, *, base_url: str) -> list[str]:
    """Feed URLs announced by ``<link rel="alternate" type="application/rss+xml">``."""
    if not html.strip():
        return []
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in tree.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        ctype = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and ctype in FEED_TYPES:
            url = safe_http_url(urljoin(base_url, link.get("href").strip()))
            if url and url not in found:
                found.append(url)
    return found
