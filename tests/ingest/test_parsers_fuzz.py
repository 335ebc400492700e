"""Hostile input: fuzzed parsers, entity bombs, slow/silent servers, redirect loops.

(The redirect loop itself is ``test_http_guard.test_redirect_limit``.)
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.exceptions import FetchError
from ingest.feeds.exceptions import FeedParseError
from ingest.feeds.parser import parse_feed
from ingest.http import PoliteClient, RobotsCache
from ingest.sitemaps.exceptions import SitemapParseError
from ingest.sitemaps.parser import parse_sitemap
from ingest.telegram.exceptions import TelegramParseError
from ingest.telegram.parser import parse_preview

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that push the fuzzer into the parsers' interesting paths.
XMLISH = st.lists(
    st.sampled_from(
        [
            '<?xml version="1.0"?>',
            "<rss version='2.0'>",
            "<channel>",
            "</channel>",
            "<item>",
            "</item>",
            "<title>",
            "</title>",
            "<link>",
            "</link>",
            "<pubDate>",
            "Mon, 32 Foo 99999 99:99:99 +9999",
            "</pubDate>",
            "<feed xmlns='http://www.w3.org/2005/Atom'>",
            "<entry>",
            "<updated>",
            "</updated>",
            "&amp;",
            "&bogus;",
            "<![CDATA[",
            "]]>",
            "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
            "&a;",
            "{",
            '"version": "https://jsonfeed.org/version/1.1"',
            '"items": ',
            "[",
            "]",
            "}",
            "null",
            "\x00",
            "\ufffd",
            "ćčžšđ",
            "Ђорђе",
        ]
    )
    | st.text(max_size=20),
    max_size=40,
).map("".join)

TGISH = st.lists(
    st.sampled_from(
        [
            "<html><body>",
            '<section class="tgme_channel_history js-message_history">',
            '<div class="tgme_widget_message_wrap">',
            '<div class="tgme_widget_message js-widget_message" data-post="chan/',
            "12",
            "abc",
            '">',
            '<div class="tgme_widget_message_text">',
            "</div>",
            '<span class="tgme_widget_message_views">',
            "15.3K",
            "1.2M",
            "K",
            "</span>",
            '<time datetime="',
            "2026-13-45T99:99:99+00:00",
            '"></time>',
            '<a class="tgme_widget_message_forwarded_from_name" href="',
            "javascript:x",
            "</a>",
            '<a class="tgme_widget_message_photo_wrap" style="background-image:url(',
            "')",
            '<span class="tgme_widget_message_meta">edited</span>',
            "</section>",
            "\x00",
            "Ђ",
        ]
    )
    | st.text(max_size=20),
    max_size=40,
).map("".join)


@FUZZ
@given(st.binary(max_size=2000))
def test_feed_parser_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(data, base_url="http://127.0.0.1/")


@FUZZ
@given(XMLISH, st.sampled_from(["", "application/rss+xml", "application/feed+json"]))
def test_feed_parser_on_feedlike_text(text: str, content_type: str) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(text.encode("utf-8", "surrogatepass"), content_type=content_type)


@FUZZ
@given(st.text(max_size=2000))
def test_telegram_parser_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(TelegramParseError):
        parse_preview(text)


@FUZZ
@given(TGISH)
def test_telegram_parser_on_previewlike_text(text: str) -> None:
    with contextlib.suppress(TelegramParseError):
        parse_preview(text, base_url="http://127.0.0.1")


@FUZZ
@given(st.binary(max_size=1000) | XMLISH.map(str.encode))
def test_sitemap_parser_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(SitemapParseError):
        parse_sitemap(data, base_url="http://127.0.0.1/")


# ----------------------------------------------------------- entity bombs

LAUGHS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)
# Fully expanded this is 10**9 "lol"s (3 GB).


def test_billion_laughs_in_a_feed_is_not_expanded() -> None:
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{LAUGHS}]>'
        '<rss version="2.0"><channel><title>&lol9;</title>'
        "<item><title>&lol9;</title><link>http://127.0.0.1/a</link>"
        "<description>&lol9;</description></item></channel></rss>"
    ).encode()
    start = time.monotonic()
    try:
        feed = parse_feed(bomb)
    except FeedParseError:
        pass  # refused outright: also fine
    else:
        assert len(feed.title) < 100_000
        assert all(len(e.title) + len(e.summary_html) < 100_000 for e in feed.entries)
    assert time.monotonic() - start < 10


def test_billion_laughs_in_a_sitemap_is_not_expanded() -> None:
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{LAUGHS}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://127.0.0.1/&lol9;</loc></url></urlset>"
    ).encode()
    start = time.monotonic()
    try:
        sitemap = parse_sitemap(bomb)
    except SitemapParseError:
        pass
    else:
        assert all(len(u.loc) < 10_000 for u in sitemap.urls)
    assert time.monotonic() - start < 10


# ------------------------------------------------- slow and silent servers


@pytest.fixture
def raw_server() -> Iterator[tuple[str, dict]]:
    """A socket server on 127.0.0.1: mode "silent" never answers, "trickle" sends a
    valid header and then one body byte every 50 ms, forever."""
    state = {"mode": "silent", "stop": threading.Event()}
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                if state["mode"] == "trickle":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                        b"Content-Length: 1000000\r\n\r\n"
                    )
                    while not state["stop"].is_set():
                        conn.sendall(b"x")
                        state["stop"].wait(0.05)  # one byte every 50 ms, until told to stop
                else:
                    state["stop"].wait(30)
            except OSError:
                pass

    def serve() -> None:
        while not state["stop"].is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", state
    state["stop"].set()
    thread.join(2)
    listener.close()


def _client(**kwargs: object) -> PoliteClient:
    return PoliteClient(
        delay=0.0,
        allow_hosts=["127.0.0.1"],
        obey_robots=False,
        robots_cache=RobotsCache(),
        sleep=lambda s: None,
        max_retries=1,
        **kwargs,
    )


def test_server_that_never_answers_stops_at_the_read_timeout(raw_server) -> None:
    base, state = raw_server
    state["mode"] = "silent"
    with _client(timeout=0.3) as http:
        start = time.monotonic()
        with pytest.raises(FetchError):
            http.get(base + "/slow")
        elapsed = time.monotonic() - start
    assert elapsed < 3  # two attempts of 0.3 s each, plus slack


def test_server_that_trickles_stops_at_the_total_timeout(raw_server) -> None:
    base, state = raw_server
    state["mode"] = "trickle"
    with _client(timeout=0.5, total_timeout=1.0) as http:
        start = time.monotonic()
        with pytest.raises(FetchError, match="longer than"):
            http.get(base + "/trickle")
        elapsed = time.monotonic() - start
    # Each byte arrives well within the read timeout; only the total limit stops it.
    assert 1.0 <= elapsed < 4
