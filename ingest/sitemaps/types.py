from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    news_title: str = ""
    news_published_at: datetime | None = None
    news_language: str = ""


@dataclass
class ParsedSitemap:
    kind: str  # 'urlset' or 'index'
    urls: list[SitemapUrl] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
