"""Fetch one article through the polite HTTP layer and extract it."""

from __future__ import annotations

from datetime import UTC, datetime

from trafilatura.utils import decode_file

from ingest.http import FetchResult, PoliteClient
from ingest.types import ItemDraft

from .parser import extract_article
from .types import ArticleData

HTML_TYPES = ("text/html", "application/xhtml+xml")


class ArticleClient:
    def __init__(self, http: PoliteClient) -> None:
        self.http = http

    def fetch(
        self, url: str, *, date_hint: datetime | None = None
    ) -> tuple[ArticleData, FetchResult]:
        result = self.http.get(url, accept=HTML_TYPES)
        # Without a charset header, let trafilatura read <meta charset> / sniff
        # (windows-1250/1251 pages are still common in the region).
        html = result.text if result.encoding else decode_file(result.content)
        article = extract_article(
            html, url=result.url, fetched_at=datetime.now(UTC), date_hint=date_hint
        )
        return article, result

    def fetch_draft(self, url: str, *, date_hint: datetime | None = None) -> ItemDraft:
        article, result = self.fetch(url, date_hint=date_hint)
        return article_to_draft(article, result)


def article_to_draft(article: ArticleData, result: FetchResult) -> ItemDraft:
    return ItemDraft(
        url=article.canonical_url or result.url,
        platform="article",
        title=article.title,
        text=article.text,
        html=article.html,
        author=article.author,
        published_at=article.published_at,
        language=article.language,
        raw=result.content,
        raw_content_type=result.headers.get("content-type", ""),
        image=article.image,
    )
