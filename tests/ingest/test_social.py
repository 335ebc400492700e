"""Telegram, Mastodon and Bluesky connectors against recorded fixtures on the local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_testserver import Reply

from ingest.bluesky.client import BlueskyClient
from ingest.bluesky.exceptions import BlueskyParseError, BlueskyTargetError
from ingest.bluesky.parser import parse_posts
from ingest.bluesky.parser import parse_target as bluesky_target
from ingest.exceptions import HTTPStatusError
from ingest.mastodon.client import MastodonClient
from ingest.mastodon.exceptions import MastodonParseError, MastodonTargetError
from ingest.mastodon.parser import parse_statuses
from ingest.mastodon.parser import parse_target as mastodon_target
from ingest.telegram.client import TelegramClient
from ingest.telegram.exceptions import TelegramParseError, TelegramTargetError
from ingest.telegram.parser import channel_name, parse_count, parse_preview

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest"


def fixture(name: str) -> bytes:
    return (RES / name).read_bytes()


# --------------------------------------------------------------- telegram


@pytest.mark.parametrize(
    "value",
    [
        "provjera",
        "@provjera",
        "t.me/provjera",
        "https://t.me/s/provjera",
        "https://t.me/provjera/101",
    ],
)
def test_telegram_channel_name(value: str) -> None:
    assert channel_name(value) == "provjera"


@pytest.mark.parametrize("value", ["", "a", "https://t.me/", "bad name!", "../../etc"])
def test_telegram_bad_target(value: str) -> None:
    with pytest.raises(TelegramTargetError):
        channel_name(value)


@pytest.mark.parametrize(
    ("text", "count"),
    [("15.3K", 15300), ("1,200", 1200), ("1.2M", 1200000), ("950", 950), ("n/a", None)],
)
def test_parse_count(text: str, count: int | None) -> None:
    assert parse_count(text) == count


def test_telegram_preview_parsing() -> None:
    page = parse_preview(fixture("telegram/s-provjera.html").decode())
    assert [p.post_id for p in page.posts] == [101, 102]  # service message skipped
    first, second = page.posts
    assert first.url == "https://t.me/provjera/101"
    assert first.published_at == datetime(2025, 3, 14, 8, 15, tzinfo=UTC)
    assert first.views == 15300
    assert first.author == "Провјера инфо"
    assert first.text.startswith("Хитно! Вакцине садрже микрочипове.\nПроширите вијест!")
    assert second.views == 1200 and second.edited and second.forwarded_from == "Druga vijest"
    assert "alert" not in second.text
    assert page.before == 100


@pytest.mark.parametrize("html", ["", "<html><body><p>Channel not found</p></body></html>"])
def test_telegram_not_a_preview(html: str) -> None:
    with pytest.raises(TelegramParseError):
        parse_preview(html)


def test_telegram_client_pages_with_before(client, local_server) -> None:
    local_server.route("/s/provjera", Reply(body=fixture("telegram/s-provjera.html")))
    local_server.route(
        "/s/provjera?before=100", Reply(body=fixture("telegram/s-provjera-before-100.html"))
    )
    telegram = TelegramClient(client, base_url=local_server.base, max_pages=3)
    poll = telegram.poll("@provjera")
    assert [d.external_id for d in poll.items] == ["provjera/101", "provjera/102", "provjera/99"]
    assert poll.items[0].engagement == {"views": 15300}
    assert poll.items[0].platform == "telegram"
    assert len(local_server.requests) == 3  # robots.txt + two pages; no third page


# --------------------------------------------------------------- mastodon


@pytest.mark.parametrize(
    ("value", "base", "tag", "account"),
    [
        ("#provjera@mastodon.social", "https://mastodon.social", "provjera", ""),
        ("@ana@mastodon.example", "https://mastodon.example", "", "ana"),
        ("https://mastodon.example/tags/cjepivo", "https://mastodon.example", "cjepivo", ""),
        ("https://mastodon.example/@ana", "https://mastodon.example", "", "ana"),
    ],
)
def test_mastodon_targets(value, base, tag, account) -> None:
    target = mastodon_target(value)
    assert (target.base_url, target.tag, target.account) == (base, tag, account)


@pytest.mark.parametrize("value", ["provjera", "https://mastodon.example/about", "#@x"])
def test_mastodon_bad_target(value: str) -> None:
    with pytest.raises(MastodonTargetError):
        mastodon_target(value)


def test_mastodon_status_parsing() -> None:
    drafts = parse_statuses(json.loads(fixture("mastodon/tag-provjera.json")))
    assert [d.url for d in drafts] == [
        "https://mastodon.example/@ana/11300001",
        "https://other.example/@marko/9",
    ]
    first, boosted = drafts
    assert first.text == "Tvrdnja o #cjepivo i mikročipovima je netočna."
    assert first.engagement == {"replies_count": 2, "reblogs_count": 5, "favourites_count": 11}
    assert first.language == "hr" and first.author == "ana"
    assert boosted.author == "marko@other.example" and boosted.language == "sr"


def test_mastodon_client_tag_and_account(client, local_server) -> None:
    local_server.route(
        "/api/v1/timelines/tag/provjera",
        Reply(body=fixture("mastodon/tag-provjera.json"), content_type="application/json"),
    )
    local_server.route(
        "/api/v1/accounts/lookup",
        Reply(body=fixture("mastodon/lookup-ana.json"), content_type="application/json"),
    )
    local_server.route(
        "/api/v1/accounts/42/statuses",
        Reply(body=fixture("mastodon/statuses-42.json"), content_type="application/json"),
    )
    mastodon = MastodonClient(client)
    tag = mastodon.poll(local_server.url("/tags/provjera"))
    assert len(tag.items) == 2
    account = MastodonClient(client, base_url=local_server.base).poll("@ana@mastodon.example")
    assert [d.external_id for d in account.items] == ["500"]
    assert local_server.hits("/api/v1/timelines/tag/provjera?limit=40")


def test_mastodon_requires_auth_is_a_clear_error(client, local_server) -> None:
    local_server.route(
        "/api/v1/timelines/tag/closed",
        Reply(
            422,
            body='{"error":"This method requires an authenticated user"}',
            content_type="application/json",
        ),
    )
    with pytest.raises(HTTPStatusError) as info:
        MastodonClient(client).poll(local_server.url("/tags/closed"))
    assert info.value.status == 422


def test_mastodon_bad_json(client, local_server) -> None:
    local_server.route(
        "/api/v1/timelines/tag/bad", Reply(body="{not json", content_type="application/json")
    )
    with pytest.raises(MastodonParseError):
        MastodonClient(client).poll(local_server.url("/tags/bad"))


# ---------------------------------------------------------------- bluesky


@pytest.mark.parametrize(
    ("value", "actor", "query"),
    [
        ("@istinomer.bsky.social", "istinomer.bsky.social", ""),
        ("did:plc:abc123", "did:plc:abc123", ""),
        ("https://bsky.app/profile/faktograf.hr", "faktograf.hr", ""),
        ("search: vakcine mikročip", "", "vakcine mikročip"),
    ],
)
def test_bluesky_targets(value, actor, query) -> None:
    target = bluesky_target(value)
    assert (target.actor, target.query) == (actor, query)


@pytest.mark.parametrize("value", ["", "search:", "no spaces allowed", "https://bsky.app/"])
def test_bluesky_bad_target(value: str) -> None:
    with pytest.raises(BlueskyTargetError):
        bluesky_target(value)


def test_bluesky_author_feed_parsing() -> None:
    drafts = parse_posts(json.loads(fixture("bluesky/author-feed.json")))
    assert [d.url for d in drafts] == [
        "https://bsky.app/profile/istinomer.bsky.social/post/3kxyz1",
        "https://bsky.app/profile/istinomer.bsky.social/post/3kxyz2",
    ]
    assert drafts[0].engagement == {
        "likeCount": 12,
        "repostCount": 3,
        "replyCount": 1,
        "quoteCount": 0,
    }
    assert drafts[0].language == "sr"
    # A forged createdAt (year 1) falls back to indexedAt.
    assert drafts[1].published_at == datetime(2025, 3, 13, 10, tzinfo=UTC)


def test_bluesky_search_future_date_falls_back() -> None:
    drafts = parse_posts(json.loads(fixture("bluesky/search.json")))
    assert drafts[0].published_at == datetime(2025, 3, 14, 11, tzinfo=UTC)


@pytest.mark.parametrize("payload", [[], {"error": "AuthMissing"}, "x"])
def test_bluesky_bad_payload(payload) -> None:
    with pytest.raises(BlueskyParseError):
        parse_posts(payload)


def test_bluesky_client(client, local_server) -> None:
    local_server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        Reply(body=fixture("bluesky/author-feed.json"), content_type="application/json"),
    )
    local_server.route(
        "/xrpc/app.bsky.feed.searchPosts",
        Reply(body=fixture("bluesky/search.json"), content_type="application/json"),
    )
    bluesky = BlueskyClient(client, base_url=local_server.base)
    assert len(bluesky.poll("@istinomer.bsky.social").items) == 2
    assert len(bluesky.poll("search:vakcine").items) == 1
    sent = [r.path for r in local_server.requests if r.path.startswith("/xrpc/")]
    assert "actor=istinomer.bsky.social" in sent[0] and "q=vakcine" in sent[1]
