"""Untrusted URLs and text in ingest: only http(s) URLs are stored, text is cut before nh3,
and deeply nested JSON from a connector is a clear error, never a RecursionError.

Every connector gets the same hostile URLs; the good entry next to them must survive.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import nh3
import pytest
from ingest_testserver import Reply

from ingest import text
from ingest.articles.client import ArticleClient
from ingest.articles.exceptions import ArticleExtractionError
from ingest.articles.parser import extract_article
from ingest.bluesky.client import BlueskyClient
from ingest.bluesky.exceptions import BlueskyParseError
from ingest.bluesky.parser import parse_posts
from ingest.exceptions import IngestError
from ingest.feeds.exceptions import FeedParseError
from ingest.feeds.parser import parse_feed
from ingest.imports.exceptions import ImportParseError
from ingest.imports.parser import parse_import
from ingest.mastodon.client import MastodonClient
from ingest.mastodon.exceptions import MastodonParseError
from ingest.mastodon.parser import parse_statuses
from ingest.pipeline import crawl_channel, store_item
from ingest.sitemaps.parser import discover_feed_links, parse_sitemap
from ingest.telegram.parser import parse_preview
from ingest.types import ItemDraft
from sources.models import CapturedItem, Channel

NOW = datetime(2025, 3, 15, 12, tzinfo=UTC)
GOOD = "https://portal.example/vijesti/1"

# Absolute hostile values: no base URL can turn them into http(s).
HOSTILE = [
    "javascript:alert(document.cookie)//",
    "JAVASCRIPT:alert(1)",
    " java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "https://user:pass@evil.example/x",
    "https://trusted.example@evil.example/",
    "https://evil.example/" + "a" * 5000,
]
WORDS = (
    "Vlada je danas usvojila izmjene zakona o javnom zdravstvu kojima se uvodi obavezno "
    "izvještavanje o nuspojavama svih cjepiva te nova pravila za nabavu lijekova."
)


def _is_http(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "@" not in url.split("/")[2]


# ------------------------------------------------------------------ articles


def _page(canonical: str, *, extra_head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='hr'><head><meta charset='utf-8'><title>Naslov</title>"
        f'<link rel="canonical" href="{canonical}">{extra_head}</head><body><article>'
        f"<h1>Naslov</h1><p>{WORDS}</p><p>{WORDS}</p></article></body></html>"
    )


def test_hostile_canonical_from_the_issue_is_dropped() -> None:
    article = extract_article(
        _page("javascript:alert(document.cookie)//"), url="https://portal.example/vijesti/1"
    )
    assert article.canonical_url == ""


@pytest.mark.parametrize(
    "canonical",
    [
        *HOSTILE,
        "https://evil.example/vijesti/1",  # another site claiming to be the original
        "https://portal.example.evil.example/vijesti/1",
        "//evil.example/vijesti/1",  # protocol-relative, resolves to another site
    ],
)
def test_canonical_must_be_http_and_same_site(canonical: str) -> None:
    article = extract_article(_page(canonical), url="https://portal.example/vijesti/1")
    assert article.canonical_url == ""


@pytest.mark.parametrize(
    ("page_url", "canonical", "expected"),
    [
        ("https://amp.portal.rs/v/1", "https://www.portal.rs/v/1", "https://www.portal.rs/v/1"),
        ("https://portal.rs/v/1?utm_source=x", "/v/1", "https://portal.rs/v/1"),
    ],
)
def test_same_site_canonical_is_kept(page_url: str, canonical: str, expected: str) -> None:
    assert extract_article(_page(canonical), url=page_url).canonical_url == expected


def test_canonical_on_another_tenant_of_a_shared_suffix_is_refused() -> None:
    article = extract_article(
        _page("https://victim.github.io/post"), url="https://attacker.github.io/post"
    )
    assert article.canonical_url == ""


def test_hostile_image_is_dropped() -> None:
    page = _page(
        "/vijesti/1", extra_head='<meta property="og:image" content="javascript:alert(1)">'
    )
    assert extract_article(page, url=GOOD).image == ""


@pytest.mark.django_db
def test_crawled_hostile_canonical_is_never_stored(client, local_server) -> None:
    """End to end: an article channel whose page names a javascript: canonical."""
    local_server.route("/vijesti/1", Reply(body=_page("javascript:alert(document.cookie)//")))
    channel = Channel.objects.create(kind="article", url_or_handle=local_server.url("/vijesti/1"))
    report = crawl_channel(channel, http=client, now=NOW)
    assert report.new == 1, report
    item = CapturedItem.objects.get()
    assert item.canonical_url == local_server.url("/vijesti/1")
    assert all(_is_http(u) for u in item.seen_urls)


def test_tip_page_with_hostile_canonical_gives_an_http_sighting(client, local_server) -> None:
    from ingest.articles.client import article_to_draft

    local_server.route("/tip", Reply(body=_page("JAVASCRIPT:alert(1)")))
    article, result = ArticleClient(client).fetch(local_server.url("/tip"))
    assert article_to_draft(article, result).url == local_server.url("/tip")


def test_deeply_nested_jsonld_in_an_article_is_not_a_recursion_error() -> None:
    deep = "[" * 20_000 + "]" * 20_000
    page = _page("/vijesti/1", extra_head=f'<script type="application/ld+json">{deep}</script>')
    try:
        article = extract_article(page, url=GOOD)
    except ArticleExtractionError:
        return  # a clear refusal is fine too
    assert article.text  # the rest of the page still reads


# --------------------------------------------------------------------- feeds


def _json_feed(urls: list[str]) -> bytes:
    items = [{"id": str(i), "url": u, "title": f"t{i}"} for i, u in enumerate(urls)]
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "f", "items": items}
    ).encode()


def test_json_feed_drops_hostile_links_with_warnings() -> None:
    feed = parse_feed(_json_feed([*HOSTILE, GOOD]), base_url="https://portal.example/feed.json")
    assert [e.url for e in feed.entries] == [GOOD]
    assert len(feed.warnings) == len(HOSTILE)


def test_json_feed_home_page_link_is_checked() -> None:
    doc = json.loads(_json_feed([GOOD]))
    doc["home_page_url"] = "javascript:alert(1)"
    assert parse_feed(json.dumps(doc).encode()).link == ""


def _rss(links: list[str]) -> bytes:
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>t{i}</title><link>{escape(u)}</link></item>" for i, u in enumerate(links)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
        f"<link>javascript:alert(0)</link>{items}"
        "<item><title>g</title><guid>javascript:alert(2)</guid></item>"
        "</channel></rss>"
    ).encode()


def test_rss_drops_hostile_links_with_warnings() -> None:
    # XML cannot carry \x01: that one is covered by the JSON feed.
    hostile = [u for u in HOSTILE if "\x01" not in u]
    feed = parse_feed(_rss([*hostile, GOOD]), base_url="https://portal.example/rss.xml")
    assert [e.url for e in feed.entries] == [GOOD]
    assert len(feed.warnings) == len(hostile) + 1
    assert feed.link == ""


def test_deeply_nested_json_feed_is_a_parse_error() -> None:
    with pytest.raises(FeedParseError, match="nested"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 20_000)


# ------------------------------------------------------------------ sitemaps


def test_sitemap_drops_hostile_locs() -> None:
    from xml.sax.saxutils import escape

    hostile = [u for u in HOSTILE if "\x01" not in u]
    urls = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in [*hostile, GOOD])
    data = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()
    parsed = parse_sitemap(data, base_url="https://portal.example/sitemap.xml")
    assert [u.loc for u in parsed.urls] == [GOOD]
    assert len(parsed.warnings) == len(hostile)


def test_sitemap_index_drops_hostile_children() -> None:
    data = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>javascript:alert(1)</loc></sitemap>"
        b"<sitemap><loc>https://portal.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    parsed = parse_sitemap(data, base_url="https://portal.example/sitemap.xml")
    assert parsed.sitemaps == ["https://portal.example/s1.xml"]
    assert parsed.warnings


def test_feed_discovery_ignores_hostile_links() -> None:
    html = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="data:text/xml,x">'
        '<link rel="alternate" type="application/rss+xml" href="/feed/"></head></html>'
    )
    assert discover_feed_links(html, base_url="https://portal.example/") == [
        "https://portal.example/feed/"
    ]


# ------------------------------------------------------------ social networks


def _status(i: int, url: str, uri: str = "") -> dict:
    return {"id": str(i), "url": url, "uri": uri, "content": f"<p>{WORDS}</p>", "account": {}}


def test_mastodon_drops_hostile_status_urls() -> None:
    statuses = [_status(i, u) for i, u in enumerate(HOSTILE)]
    statuses.append(_status(99, GOOD))
    # A hostile url with a good uri: the uri is the status' identity and is used instead.
    statuses.append(_status(100, "javascript:alert(1)", "https://mastodon.example/users/a/1"))
    warnings: list[str] = []
    drafts = parse_statuses(statuses, warnings=warnings)
    assert [d.url for d in drafts] == [GOOD, "https://mastodon.example/users/a/1"]
    assert len(warnings) == len(HOSTILE)


def test_mastodon_deeply_nested_json_is_a_parse_error(client, local_server) -> None:
    local_server.route(
        "/api/v1/timelines/tag/deep",
        Reply(body="[" * 20_000 + "]" * 20_000, content_type="application/json"),
    )
    with pytest.raises(MastodonParseError, match="nested"):
        MastodonClient(client, base_url=local_server.base).poll("#deep@mastodon.example")


def _post(handle: str, uri: str) -> dict:
    return {
        "uri": uri,
        "author": {"handle": handle},
        "record": {"text": WORDS, "createdAt": "2025-03-14T08:00:00Z"},
        "indexedAt": "2025-03-14T08:00:00Z",
    }


def test_bluesky_urls_are_built_only_from_valid_parts() -> None:
    posts = [
        _post("istinomer.bsky.social", "at://did:plc:abc/app.bsky.feed.post/3k1"),
        # A forged handle cannot inject into the URL: the DID is used instead.
        _post('x"><script>alert(1)</script>', "at://did:plc:abc/app.bsky.feed.post/3k2"),
        _post("a.example/../../@evil.example", "at://did:plc:abc/app.bsky.feed.post/3k3"),
        # A record key with URL syntax in it is not a post.
        _post("istinomer.bsky.social", "at://did:plc:abc/app.bsky.feed.post/x?y#z"),
        _post("istinomer.bsky.social", "at://did:plc:abc/app.bsky.feed.post/a b"),
    ]
    drafts = parse_posts({"posts": posts}, now=NOW)
    assert [d.url for d in drafts] == [
        "https://bsky.app/profile/istinomer.bsky.social/post/3k1",
        "https://bsky.app/profile/did:plc:abc/post/3k2",
        "https://bsky.app/profile/did:plc:abc/post/3k3",
    ]


def test_bluesky_deeply_nested_json_is_a_parse_error(client, local_server) -> None:
    local_server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        Reply(body='{"feed": ' + "[" * 20_000, content_type="application/json"),
    )
    with pytest.raises(BlueskyParseError, match="nested"):
        BlueskyClient(client, base_url=local_server.base).poll("istinomer.bsky.social")


def _telegram(permalink: str, data_post: str = "provjera/7") -> str:
    return (
        '<section class="tgme_channel_history"><div class="tgme_widget_message" '
        f'data-post="{data_post}"><div class="tgme_widget_message_text">{WORDS}</div>'
        f'<a class="tgme_widget_message_date" href="{permalink}"><time datetime='
        '"2025-03-14T08:15:00+00:00">08:15</time></a></div></section>'
    )


@pytest.mark.parametrize("permalink", [u for u in HOSTILE if "\x01" not in u])
def test_telegram_hostile_permalink_falls_back_to_the_built_url(permalink: str) -> None:
    from html import escape

    page = parse_preview(_telegram(escape(permalink)), base_url="https://t.me")
    assert [p.url for p in page.posts] == ["https://t.me/provjera/7"]


def test_telegram_post_with_a_forged_channel_name_is_skipped() -> None:
    page = parse_preview(
        _telegram("javascript:alert(1)", data_post="x@evil.example/7"), base_url="https://t.me"
    )
    assert page.posts == []


# ------------------------------------------------------------------ imports


def test_import_rows_with_hostile_urls_are_skipped() -> None:
    rows = [{"url": u, "text": WORDS} for u in HOSTILE] + [{"url": GOOD, "text": WORDS}]
    drafts, warnings = parse_import(json.dumps(rows).encode())
    assert [d.url for d in drafts] == [GOOD]
    assert len(warnings) == len(HOSTILE)


def test_import_deeply_nested_json_is_a_parse_error() -> None:
    with pytest.raises(ImportParseError, match="nested"):
        parse_import(b"[" * 20_000 + b"]" * 20_000)
    with pytest.raises(ImportParseError, match="nested"):
        parse_import(b'{"url": ' + b"[" * 20_000 + b"]" * 20_000 + b"}")


# ------------------------------------------------------------------ storing


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*HOSTILE, "//evil.example/x", "relative/path"])
def test_store_item_refuses_a_hostile_url(url: str) -> None:
    with pytest.raises(IngestError, match="URL"):
        store_item(ItemDraft(url=url, platform="feed", text=WORDS), now=NOW)
    assert not CapturedItem.objects.exists()


@pytest.mark.django_db
def test_store_item_drops_a_hostile_image_url() -> None:
    item = store_item(
        ItemDraft(url=GOOD, platform="feed", text=WORDS, image="JAVASCRIPT:alert(1)"), now=NOW
    ).item
    assert item.image_url == ""
    item = store_item(
        ItemDraft(
            url=GOOD + "2", platform="feed", text=WORDS + " 2", image="https://u:p@x.example/i"
        ),
        now=NOW,
    ).item
    assert item.image_url == ""


@pytest.mark.django_db
def test_crawl_reports_a_hostile_item_and_keeps_the_rest(client, local_server) -> None:
    local_server.route(
        "/feed.json",
        Reply(
            body=_json_feed(["javascript:alert(1)", local_server.url("/a/1")]),
            content_type="application/feed+json",
        ),
    )
    local_server.route("/a/1", Reply(body=_page("/a/1")))
    channel = Channel.objects.create(kind="feed", url_or_handle=local_server.url("/feed.json"))
    report = crawl_channel(channel, http=client, now=NOW)
    assert report.ok and report.new == 1
    assert any("javascript" in w for w in report.warnings)
    assert list(CapturedItem.objects.values_list("canonical_url", flat=True)) == [
        local_server.url("/a/1")
    ]


# -------------------------------------------------------------------- text


def test_sanitiser_gets_a_bounded_input_and_output_stays_well_formed(monkeypatch) -> None:
    seen: list[int] = []
    real = nh3.clean

    def spy(html, *args, **kwargs):
        seen.append(len(html))
        return real(html, *args, **kwargs)

    monkeypatch.setattr(text.nh3, "clean", spy)
    huge = "<p>A &amp; B <b>bold</b> &lt;tag&gt; <a href='https://x.example/'>link</a></p>" * (
        200_000
    )  # ~15 MB of hostile markup
    limit = 20_000
    clean = text.sanitize_html(huge, limit=limit)
    assert seen and max(seen) <= limit
    # Well-formed: nothing cut in the middle of an entity or a tag, so sanitising the
    # output again changes nothing.
    assert real(clean, tags=text.SAFE_TAGS, attributes={"a": {"href", "title"}},
                url_schemes={"http", "https", "mailto"},
                link_rel="noopener noreferrer nofollow") == clean  # fmt: skip
    assert not clean.rstrip().endswith(("&", "&am", "&amp", "<", "</", "</b"))


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 5, 7, 11])
def test_sanitised_excerpt_never_ends_in_a_broken_entity_or_tag(cut: int) -> None:
    html = "<p>" + "x" * cut + "&amp;&lt;<b>y</b>" * 5000 + "</p>"
    clean = text.sanitize_html(html, limit=1000)
    tail = clean[-12:]
    assert "&" not in tail or tail.rsplit("&", 1)[1].split(";")[0] in ("amp", "lt", "gt")
    assert clean.count("<b>") == clean.count("</b>")
    assert clean.endswith("</p>")


def test_html_to_text_bounds_the_sanitiser_input(monkeypatch) -> None:
    seen: list[int] = []
    real = nh3.clean
    monkeypatch.setattr(
        text.nh3, "clean", lambda h, *a, **k: seen.append(len(h)) or real(h, *a, **k)
    )
    out = text.html_to_text("<p>" + "word " * 2_000_000 + "</p>")
    assert seen and max(seen) <= text.MAX_HTML_INPUT
    assert out.startswith("word word")


@pytest.mark.django_db
def test_pipeline_stores_a_bounded_excerpt_of_a_huge_hostile_body() -> None:
    body = "<p onclick='x()'>" + "&amp; <i>x</i> " * 1_000_000 + "</p>"
    item = store_item(ItemDraft(url=GOOD, platform="feed", text=WORDS, html=body), now=NOW).item
    assert 0 < len(item.html_excerpt) < 40_000
    assert "onclick" not in item.html_excerpt
    assert item.html_excerpt.count("<i>") == item.html_excerpt.count("</i>")
