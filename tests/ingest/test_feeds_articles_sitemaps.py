"""Feeds, articles and sitemaps: parsers on fixtures, clients through the local server."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_testserver import Reply

from ingest.articles.client import ArticleClient
from ingest.articles.exceptions import ArticleExtractionError
from ingest.articles.parser import extract_article, is_plausible_date
from ingest.exceptions import ResponseTooLargeError
from ingest.feeds.client import FeedClient
from ingest.feeds.exceptions import FeedParseError
from ingest.feeds.parser import parse_feed
from ingest.sitemaps.client import SitemapClient
from ingest.sitemaps.exceptions import SitemapParseError
from ingest.sitemaps.parser import discover_feed_links, maybe_gunzip, parse_sitemap

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest"


def read(name: str) -> bytes:
    return (RES / name).read_bytes()


# ----------------------------------------------------------------- feeds


@pytest.mark.parametrize(
    ("name", "fmt", "count", "first_title", "author", "language"),
    [
        ("feeds/rss.xml", "rss20", 2, "Cjepivo ne sadrži mikročipove", "Ana Horvat", "hr"),
        ("feeds/atom.xml", "atom10", 1, "Вакцине не садрже микрочипове", "Марко Марковић", "sr"),
        ("feeds/feed.json", "json", 1, "Vaksina nuk përmban mikroçipa", "Arta Krasniqi", "sq"),
    ],
)
def test_parse_feed_formats(name, fmt, count, first_title, author, language) -> None:
    feed = parse_feed(read(name), base_url="http://127.0.0.1/feed")
    assert feed.format == fmt
    assert len(feed.entries) == count
    entry = feed.entries[0]
    assert entry.title == first_title
    assert entry.author == author
    assert entry.language == language
    assert entry.published_at is not None and entry.published_at.tzinfo is not None


def test_rss_relative_links_and_dates_normalised() -> None:
    feed = parse_feed(read("feeds/rss.xml"), base_url="http://127.0.0.1:8/feeds/rss.xml")
    assert (
        feed.entries[0].url == "http://127.0.0.1:8/vijesti/cjepivo-mikrocipovi?utm_source=rss&id=7"
    )
    assert feed.entries[0].published_at == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)


def test_feedparser_sanitises_entry_html() -> None:
    html = parse_feed(read("feeds/rss.xml")).entries[0].summary_html
    assert "<script" not in html and "onerror" not in html


def test_malformed_feed_keeps_what_was_parsed() -> None:
    feed = parse_feed(read("feeds/malformed.xml"))
    assert [e.url for e in feed.entries][:2] == ["http://127.0.0.1/a/1", "http://127.0.0.1/a/2"]
    assert feed.warnings and "malformed" in feed.warnings[0]


def test_json_feed_skips_bad_items_with_warnings() -> None:
    feed = parse_feed(read("feeds/feed.json"))
    assert len(feed.warnings) == 2


@pytest.mark.parametrize(
    "data",
    [read("feeds/not-a-feed.xml"), b"", b"\x00\x01garbage", b'{"version": "1"}', b"{broken json"],
)
def test_not_a_feed_gives_clear_error(data: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(data)


def test_feed_client_conditional_poll(client, local_server) -> None:
    local_server.route(
        "/feed.xml",
        Reply(
            body=read("feeds/rss.xml"), content_type="application/rss+xml", headers={"ETag": '"a"'}
        ),
        Reply(304),
    )
    feeds = FeedClient(client)
    first = feeds.poll(local_server.url("/feed.xml"))
    assert len(first.items) == 2 and first.etag == '"a"'
    assert first.items[0].needs_article_fetch
    assert "mikročipove je netočna" in first.items[0].text
    second = feeds.poll(local_server.url("/feed.xml"), etag=first.etag)
    assert second.not_modified and second.items == []


# --------------------------------------------------------------- articles

FETCHED = datetime(2025, 6, 1, tzinfo=UTC)


def test_article_extraction_fields() -> None:
    article = extract_article(
        read("articles/hr-article.html").decode(), url="http://127.0.0.1/v", fetched_at=FETCHED
    )
    assert article.title == "Cjepivo ne sadrži mikročipove"
    assert article.author == "Ana Horvat"
    assert article.published_at == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)
    assert article.date_source == "metadata"
    assert article.language == "hr"
    assert article.image == "http://127.0.0.1/img/cjepivo.jpg"
    assert article.canonical_url.endswith("/vijesti/cjepivo-mikrocipovi?id=7")
    assert "igla kojom se cjepivo daje" in article.text
    assert "Naslovnica" not in article.text  # navigation is boilerplate


def test_copyright_footer_is_not_a_publication_date() -> None:
    article = extract_article(
        read("articles/copyright-footer.html").decode(),
        url="http://127.0.0.1/p",
        fetched_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2025-03-14"
    assert article.date_source == "label"


def test_future_date_is_rejected() -> None:
    article = extract_article(
        read("articles/future-date.html").decode(), url="http://127.0.0.1/f", fetched_at=FETCHED
    )
    assert article.published_at is None or article.published_at <= FETCHED


@pytest.mark.parametrize(
    ("value", "text", "from_htmldate", "ok"),
    [
        (datetime(2026, 1, 1, 12, tzinfo=UTC), "© 2026 Portal", True, False),
        (datetime(2026, 1, 1, 12, tzinfo=UTC), "Copyright 2020-2026", True, False),
        (datetime(2026, 1, 1, 12, tzinfo=UTC), "Objavljeno 01.01.2026. © 2026", True, True),
        (datetime(2026, 1, 1, 12, tzinfo=UTC), "© 2026", False, True),  # declared in metadata
        (datetime(2027, 1, 1, tzinfo=UTC), "", False, False),  # after fetch time
        (datetime(1970, 1, 1, tzinfo=UTC), "", False, False),
    ],
)
def test_is_plausible_date(value, text, from_htmldate, ok) -> None:
    assert (
        is_plausible_date(
            value,
            fetched_at=datetime(2026, 3, 1, tzinfo=UTC),
            page_text=text,
            from_htmldate=from_htmldate,
        )
        is ok
    )


def test_feed_date_hint_used_when_page_has_none() -> None:
    hint = datetime(2025, 3, 10, 7, tzinfo=UTC)
    html = read("articles/hostile.html").decode()
    assert (
        extract_article(
            html, url="http://127.0.0.1/h", fetched_at=FETCHED, date_hint=hint
        ).published_at
        == hint
    )


@pytest.mark.parametrize(
    "html", ["", "   ", "<html><body><script>var x = 1;</script></body></html>"]
)
def test_article_without_text_raises(html: str) -> None:
    with pytest.raises(ArticleExtractionError):
        extract_article(html, url="http://127.0.0.1/e", fetched_at=FETCHED)


def test_article_client_fetches_and_caps(client, local_server) -> None:
    draft = ArticleClient(client).fetch_draft(local_server.url("/articles/hr-article.html"))
    assert draft.url == "http://127.0.0.1/vijesti/cjepivo-mikrocipovi?id=7"  # rel=canonical
    assert draft.raw.startswith(b"<!DOCTYPE html>")
    local_server.route("/huge.html", Reply(body=b"<p>" + b"a" * (6 * 1024 * 1024)))
    with pytest.raises(ResponseTooLargeError):
        ArticleClient(client).fetch(local_server.url("/huge.html"))


# --------------------------------------------------------------- sitemaps


def test_news_sitemap_fields() -> None:
    parsed = parse_sitemap(read("sitemaps/news.xml"))
    assert parsed.kind == "urlset"
    news = parsed.urls[0]
    assert news.news_title == "Вакцине не садрже микрочипове"
    assert news.news_language == "sr"
    assert news.news_published_at == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)
    assert parsed.urls[1].lastmod is not None


def test_gzip_sitemap_and_bomb_cap() -> None:
    assert len(parse_sitemap(read("sitemaps/archive.xml.gz")).urls) == 30
    bomb = gzip.compress(b"<urlset>" + b" " * 200_000 + b"</urlset>")
    with pytest.raises(SitemapParseError, match="expands beyond"):
        maybe_gunzip(bomb, limit=100_000)


def test_sitemap_xxe_entities_not_resolved() -> None:
    parsed = parse_sitemap(read("sitemaps/xxe.xml"))
    assert all("root:" not in u.loc for u in parsed.urls)


@pytest.mark.parametrize("data", [b"<html><body>no</body></html>", b"", b"\x1f\x8bnot gzip"])
def test_not_a_sitemap(data: bytes) -> None:
    with pytest.raises(SitemapParseError):
        parse_sitemap(data)


def test_sitemap_index_walk_with_caps(client, local_server) -> None:
    sitemaps = SitemapClient(client, max_depth=2, max_urls=25)
    poll = sitemaps.collect(local_server.url("/sitemaps/index.xml"))
    urls = [i.url for i in poll.items]
    assert urls[:2] == ["http://127.0.0.1/vesti/vakcine", "http://127.0.0.1/vesti/poplave"]
    assert len(urls) == 25  # news (2) + 23 of the archive's 30
    assert any("stopped at 25" in w for w in poll.warnings)
    assert any("missing.xml" in w for w in poll.warnings)


def test_sitemap_depth_cap(client, local_server) -> None:
    poll = SitemapClient(client, max_depth=1).collect(local_server.url("/sitemaps/index.xml"))
    assert any("deeper than 1" in w for w in poll.warnings)
    assert local_server.hits("/sitemaps/deeper-index.xml") == []


def test_feed_discovery(client, local_server) -> None:
    html = read("homepage.html").decode()
    assert discover_feed_links(html, base_url="http://127.0.0.1:9/") == [
        "http://127.0.0.1:9/feeds/rss.xml",
        "http://127.0.0.1/feeds/atom.xml",
    ]
    found = SitemapClient(client).discover_feeds(local_server.url("/homepage.html"))
    assert found[0] == local_server.url("/feeds/rss.xml")


def test_sitemap_discovery_from_robots(client, local_server) -> None:
    local_server.route(
        "/robots.txt",
        Reply(body="User-agent: *\nSitemap: /sitemaps/index.xml\n", content_type="text/plain"),
    )
    assert SitemapClient(client).discover_sitemaps(local_server.url("/")) == [
        local_server.url("/sitemaps/index.xml")
    ]


def test_article_in_windows_1250_without_charset_header(client, local_server) -> None:
    local_server.route(
        "/cp.html", Reply(body=read("articles/cp1250-article.html"), content_type="text/html")
    )
    article, _ = ArticleClient(client).fetch(local_server.url("/cp.html"))
    assert article.title == "Cjepivo ne sadrži mikročipove"
    assert "društvenim mrežama" in article.text
