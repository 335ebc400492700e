"""Walk sitemaps (index -> child sitemaps) with depth and size caps; discover feeds."""

from __future__ import annotations

import logging

from ingest.exceptions import FetchError
from ingest.http import PoliteClient
from ingest.types import ChannelPoll, ItemDraft

from .parser import discover_feed_links, parse_sitemap
from .types import SitemapUrl

logger = logging.getLogger(__name__)

SITEMAP_TYPES = (
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
    "+xml",
)


class SitemapClient:
    def __init__(
        self,
        http: PoliteClient,
        *,
        max_depth: int = 2,
        max_sitemaps: int = 20,
        max_urls: int = 5000,
    ) -> None:
        self.http = http
        self.max_depth = max_depth
        self.max_sitemaps = max_sitemaps
        self.max_urls = max_urls

    def collect(self, url: str, *, etag: str = "", last_modified: str = "") -> ChannelPoll:
        """All URLs under ``url`` (breadth-first), stopping at the caps with a warning."""
        poll = ChannelPoll()
        urls: list[SitemapUrl] = []
        queue: list[tuple[str, int]] = [(url, 0)]
        fetched = 0
        while queue:
            current, depth = queue.pop(0)
            if fetched >= self.max_sitemaps:
                poll.warnings.append(f"stopped after {self.max_sitemaps} sitemaps")
                break
            top = fetched == 0
            try:
                result = self.http.get(
                    current,
                    etag=etag if top else "",
                    last_modified=last_modified if top else "",
                    accept=SITEMAP_TYPES,
                )
            except FetchError as exc:
                if top:
                    raise
                poll.warnings.append(f"child sitemap {current} failed: {exc}")
                continue
            fetched += 1
            if top:
                if result.not_modified:
                    return ChannelPoll(not_modified=True, etag=etag, last_modified=last_modified)
                poll.etag, poll.last_modified = result.etag, result.last_modified
            parsed = parse_sitemap(result.content, base_url=result.url)
            poll.warnings.extend(parsed.warnings)
            if parsed.kind == "index":
                if depth + 1 > self.max_depth:
                    poll.warnings.append(f"sitemap index deeper than {self.max_depth}: {current}")
                    continue
                queue.extend((child, depth + 1) for child in parsed.sitemaps)
                continue
            room = self.max_urls - len(urls)
            if len(parsed.urls) > room:
                poll.warnings.append(f"stopped at {self.max_urls} URLs")
                urls.extend(parsed.urls[:room])
                break
            urls.extend(parsed.urls)
        poll.items = [
            ItemDraft(
                url=entry.loc,
                platform="sitemap",
                title=entry.news_title,
                published_at=entry.news_published_at,
                language=entry.news_language,
                needs_article_fetch=True,
            )
            for entry in urls
        ]
        return poll

    def discover_feeds(self, homepage: str) -> list[str]:
        result = self.http.get(homepage, accept=("text/html", "application/xhtml+xml"))
        return discover_feed_links(result.text, base_url=result.url)

    def discover_sitemaps(self, homepage: str) -> list[str]:
        declared = self.http.sitemaps_from_robots(homepage)
        if declared:
            return [str(self.http.guard.check_url(homepage).join(s)) for s in declared]
        return [str(self.http.guard.check_url(homepage).join("/sitemap.xml"))]
