"""The fetcher against hostile servers: bombs, tarpits, huge Crawl-delay, garbage bytes.

Every test here is a server that tries to get around a limit of ``ingest.http``:

* decompression bombs (stacked and single-layer gzip, deflate) stay within the cap,
  measured with ``tracemalloc``;
* ``Crawl-delay: 1e9`` neither blocks the first fetch nor a crawl pass;
* one deadline covers headers sent a byte at a time, ``Retry-After: 600``, retries
  and redirect hops;
* nothing but ``IngestError`` leaves ``get()`` or a crawl pass (hypothesis writes
  arbitrary bytes from a raw socket server);
* ``crawl --loop --enqueue`` does not queue a channel whose poll is still pending;
* ``fec0::/10`` and ports other than 80/443 are refused before any connection.

Wall-clock limits are enforced with ``SIGALRM`` (``within``), so a regression fails
fast instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_testserver import Reply

from ingest import pipeline
from ingest.exceptions import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    IngestError,
    ResponseTooLargeError,
    UnsafeURLError,
)
from ingest.http import (
    MAX_CRAWL_DELAY,
    AddressGuard,
    GuardedNetworkBackend,
    HostThrottle,
    PoliteClient,
    RobotsCache,
)
from sources import services as source_services
from sources.models import CapturedItem, Channel

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest"
NOW = datetime(2025, 3, 15, 12, tzinfo=UTC)
PUBLIC_IP = "93.184.216.34"
MB = 1024 * 1024


# ------------------------------------------------------------------ helpers


class Overran(BaseException):  # BaseException: no ``except Exception`` may swallow it
    """The code under test was still running when its time was up."""


@contextlib.contextmanager
def within(seconds: float) -> Iterator[dict[str, float]]:
    """Fail with ``Overran`` if the block runs longer than ``seconds`` (main thread only)."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Overran(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    timing = {"start": time.monotonic(), "elapsed": 0.0}
    try:
        yield timing
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        timing["elapsed"] = time.monotonic() - timing["start"]


def peak_memory(fn: Callable[[], object]) -> tuple[object, int]:
    """Run ``fn``; return (its result or the exception it raised, peak traced bytes)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        try:
            outcome: object = fn()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            outcome = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak


class RawServer:
    """A socket server on 127.0.0.1 that lets ``handler(conn, request)`` write anything.

    One request per connection; the connection is closed when the handler returns.
    """

    def __init__(self) -> None:
        self.handler: Callable[[socket.socket, bytes], None] = lambda conn, request: None
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.listener.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            try:
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                self.requests.append(request)
                self.handler(conn, request)
            except OSError:
                pass


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def polite(**kwargs: object) -> PoliteClient:
    """A loopback-allowed client with its own throttle and robots cache."""
    options: dict[str, object] = {
        "delay": 0.0,
        "allow_hosts": ["127.0.0.1"],
        "robots_cache": RobotsCache(),
        "throttle": HostThrottle(),
        "sleep": lambda seconds: None,
    }
    options.update(kwargs)
    return PoliteClient(**options)  # type: ignore[arg-type]


def compressed(size: int, *, wbits: int) -> bytes:
    """``size`` zero bytes compressed (wbits 31: gzip, 15: zlib, -15: raw deflate), fast.

    After a full flush the compressor starts afresh, so every 1 MB block compresses to
    the same ~1 kB: one block is compressed and repeated, and the checksums are added.
    """
    blocks = size // MB
    zeros = bytes(MB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    raw = block * blocks + packer.flush()
    if wbits == -15:
        return raw
    if wbits == 15:
        adler = 1
        for _ in range(blocks):
            adler = zlib.adler32(zeros, adler)
        return b"\x78\xda" + raw + struct.pack(">I", adler)
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + raw + struct.pack("<II", crc, (blocks * MB) & 0xFFFFFFFF)


def gzip_bytes(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


BOMB_SIZE = 100 * MB  # decompressed; a few hundred kB (single) or bytes (double) on the wire


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    gzip_bomb = compressed(BOMB_SIZE, wbits=31)
    return {
        "gzip": gzip_bomb,
        "gzip, gzip": gzip_bytes(gzip_bomb),
        "deflate": compressed(BOMB_SIZE, wbits=15),
        "deflate-raw": compressed(BOMB_SIZE, wbits=-15),
    }


# --------------------------------------------------------- decompression bombs


def test_double_gzip_bomb_is_refused_with_bounded_memory(local_server, bombs) -> None:
    bomb = bombs["gzip, gzip"]
    assert len(bomb) < 4096  # a few kB on the wire...
    local_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip, gzip"}))
    http = polite()
    outcome, peak = peak_memory(lambda: http.get(local_server.url("/bomb")))
    assert isinstance(outcome, FetchError), outcome
    assert peak < 16 * MB, f"peak {peak / MB:.0f} MB"  # ...was 100+ MB in memory before


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw"])
def test_single_layer_bomb_stops_at_the_cap_with_bounded_memory(
    local_server, bombs, encoding: str
) -> None:
    header = "deflate" if encoding.startswith("deflate") else encoding
    local_server.route(
        "/bomb",
        Reply(
            body=bombs[encoding],
            headers={"Content-Encoding": header, "Connection": "close"},
        ),
    )
    http = polite()
    assert http.max_bytes == 5 * MB
    outcome, peak = peak_memory(lambda: http.get(local_server.url("/bomb")))
    assert isinstance(outcome, ResponseTooLargeError), outcome
    # The 5 MB cap plus one bounded decode step, not 64+ MB per network chunk.
    assert peak < 16 * MB, f"peak {peak / MB:.0f} MB"


@pytest.mark.parametrize("wbits", [31, 15, -15])
def test_compressed_pages_still_decode(local_server, wbits: int) -> None:
    page = ("<p>Vijest dana: " + "x" * 5000 + "</p>").encode()
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(page) + packer.flush()
    encoding = "gzip" if wbits == 31 else "deflate"
    local_server.route("/page", Reply(body=body, headers={"Content-Encoding": encoding}))
    result = polite().get(local_server.url("/page"))
    assert result.content == page
    sent = local_server.hits("/page")[0].headers["Accept-Encoding"]
    assert "br" not in sent and "gzip" in sent  # only what we can decode with a bound


def test_gzip_member_after_member_is_decoded_within_the_cap(local_server) -> None:
    body = gzip_bytes(b"a" * 1000) + gzip_bytes(b"b" * 1000)
    local_server.route("/two", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    assert polite().get(local_server.url("/two")).content == b"a" * 1000 + b"b" * 1000
    many = b"".join(gzip_bytes(bytes(100_000)) for _ in range(20))  # 2 MB in 20 members
    local_server.route("/many", Reply(body=many, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError):
        polite().get(local_server.url("/many"), max_bytes=MB)


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, deflate"])
def test_encodings_we_did_not_ask_for_are_refused_not_retried(local_server, encoding: str) -> None:
    local_server.route("/odd", Reply(body=b"\x1f\x8b" * 50, headers={"Content-Encoding": encoding}))
    sleeps: list[float] = []
    with pytest.raises(FetchError, match="Content-Encoding"):
        polite(sleep=sleeps.append).get(local_server.url("/odd"))
    assert sleeps == [] and len(local_server.hits("/odd")) == 1


def test_corrupt_gzip_is_a_fetch_error(local_server) -> None:
    local_server.route(
        "/bad", Reply(body=b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(FetchError):
        polite().get(local_server.url("/bad"))


# ------------------------------------------------------------------ Crawl-delay

HUGE_DELAYS = ["1e9", "86400"]


@pytest.mark.parametrize("value", HUGE_DELAYS)
def test_huge_crawl_delay_never_sleeps(local_server, value: str) -> None:
    local_server.route(
        "/robots.txt",
        Reply(body=f"User-agent: *\nCrawl-delay: {value}\n", content_type="text/plain"),
    )
    local_server.route("/a", Reply(body="a"))
    local_server.route("/b", Reply(body="b"))
    sleeps: list[float] = []
    now = [1000.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    http = polite(delay=0.5, sleep=sleep, clock=lambda: now[0])
    assert http.get(local_server.url("/a")).text == "a"  # the first fetch goes at once
    with pytest.raises(FetchError, match="[Cc]rawl-delay"):
        http.get(local_server.url("/b"))  # the next one is "later", not a sleep
    assert local_server.hits("/b") == []
    assert all(s <= MAX_CRAWL_DELAY for s in sleeps), sleeps
    assert sum(sleeps) < 1, sleeps


def test_crawl_delay_above_the_cap_with_real_time_does_not_block(local_server) -> None:
    local_server.route(
        "/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 1e9\n", content_type="text/plain")
    )
    local_server.route("/a", Reply(body="a"))
    http = polite(sleep=time.sleep, deadline=2.0)
    with within(5) as timing:
        assert http.get(local_server.url("/a")).text == "a"
        with pytest.raises(FetchError):
            http.get(local_server.url("/a"))
    assert timing["elapsed"] < 2


def test_crawl_delay_below_the_cap_still_spaces_requests(local_server) -> None:
    local_server.route(
        "/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 45\n", content_type="text/plain")
    )
    local_server.route("/a", Reply(body="a"))
    sleeps: list[float] = []
    now = [1000.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    http = polite(sleep=sleep, clock=lambda: now[0])
    http.get(local_server.url("/a"))
    http.get(local_server.url("/a"))
    assert sleeps == [45.0, 45.0]  # robots.txt -> page, page -> page


@pytest.fixture
def slow_host_feed(local_server) -> Channel:
    local_server.route(
        "/robots.txt",
        Reply(body="User-agent: *\nCrawl-delay: 86400\n", content_type="text/plain"),
    )
    local_server.route(
        "/feeds/rss.xml",
        Reply(body=(RES / "feeds/rss.xml").read_bytes(), content_type="application/rss+xml"),
    )
    return Channel.objects.create(kind="feed", url_or_handle=local_server.url("/feeds/rss.xml"))


@pytest.mark.django_db
def test_crawl_pass_on_a_crawl_delay_host_finishes_and_polls_rarely(
    slow_host_feed, monkeypatch
) -> None:
    monkeypatch.setattr(pipeline, "hand_off", lambda item: None)  # time the fetching only
    http = polite(sleep=time.sleep, deadline=2.0)
    with within(10) as timing:
        reports = pipeline.crawl_due(http=http, now=NOW)
    assert timing["elapsed"] < 5
    (report,) = reports
    # The feed was read; its article pages wait for a later poll (entries keep their text).
    assert report.ok and report.new == 2, report
    assert CapturedItem.objects.count() == 2
    slow_host_feed.refresh_from_db()
    assert slow_host_feed.next_poll_at == NOW + timedelta(hours=24)  # "poll rarely"


# --------------------------------------------------------------- one deadline


def test_headers_sent_a_byte_at_a_time_stop_at_the_deadline(raw_server) -> None:
    def tarpit(conn: socket.socket, request: bytes) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
            conn.sendall(bytes([byte]))
            if raw_server.stop.wait(0.02):
                return

    raw_server.handler = tarpit
    http = polite(obey_robots=False, deadline=1.0, timeout=5.0)
    with within(6) as timing, pytest.raises(FetchError, match="deadline"):
        http.get(raw_server.url("/slow"))
    assert timing["elapsed"] < 1.5
    assert len(raw_server.requests) == 1  # a passed deadline is not retried


def test_robots_txt_tarpit_is_inside_the_same_deadline(raw_server) -> None:
    def tarpit(conn: socket.socket, request: bytes) -> None:  # robots.txt headers, slowly
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not raw_server.stop.wait(0.02):
            conn.sendall(b"a")

    raw_server.handler = tarpit
    http = polite(deadline=1.0, timeout=5.0)
    with within(6) as timing, pytest.raises(FetchError):
        http.get(raw_server.url("/page"))
    assert timing["elapsed"] < 1.5


def test_retry_after_600_does_not_hold_the_worker(local_server) -> None:
    local_server.route("/busy", Reply(503, headers={"Retry-After": "600"}))
    http = polite(sleep=time.sleep, deadline=1.0)
    with within(5) as timing, pytest.raises(HTTPStatusError) as info:
        http.get(local_server.url("/busy"))
    assert info.value.status == 503
    assert timing["elapsed"] < 1
    assert len(local_server.hits("/busy")) == 1


def test_backoff_stops_when_the_next_wait_would_pass_the_deadline(local_server) -> None:
    local_server.route("/down", Reply(502))
    sleeps: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    http = polite(sleep=sleep, clock=lambda: now[0], deadline=5.0)
    with pytest.raises(HTTPStatusError):
        http.get(local_server.url("/down"))
    assert sleeps == [1.0, 2.0]  # the next wait (4 s) would end past the 5 s deadline
    assert len(local_server.hits("/down")) == 3


def test_deadline_covers_redirect_hops(raw_server) -> None:
    now = [0.0]  # the fetcher's clock: each hop costs the server 0.4 s of it, no real wait

    def slow_redirect(conn: socket.socket, request: bytes) -> None:
        hop = int(request.split(b" ", 2)[1].rsplit(b"/", 1)[1] or 0)
        now[0] += 0.4
        conn.sendall(
            f"HTTP/1.1 302 Found\r\nLocation: /hop/{hop + 1}\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )

    raw_server.handler = slow_redirect
    http = polite(obey_robots=False, deadline=1.0, max_redirects=4, clock=lambda: now[0])
    with within(6) as timing, pytest.raises(FetchError, match="deadline"):
        http.get(raw_server.url("/hop/0"))
    assert timing["elapsed"] < 1.5  # not 5 hops x 0.4 s
    assert len(raw_server.requests) <= 3


def test_deadline_comes_from_settings(settings) -> None:
    settings.FACTCHECK_FETCH_DEADLINE = 7
    assert PoliteClient().deadline == 7
    assert PoliteClient(deadline=2).deadline == 2


# ------------------------------------------------- only IngestError escapes

BAD_LOCATIONS = ["http://[::1", "http://host:abc/", "\x01x", "http://xn--/", "http://[fe80::1%/"]


@pytest.mark.parametrize("location", BAD_LOCATIONS)
def test_malformed_location_is_a_fetch_error_and_not_retried(local_server, location: str) -> None:
    local_server.route("/go", Reply(302, headers={"Location": location}))
    sleeps: list[float] = []
    with pytest.raises(FetchError):
        polite(sleep=sleeps.append).get(local_server.url("/go"))
    assert sleeps == []
    assert len(local_server.hits("/go")) == 1


STATUS_LINES = st.one_of(
    st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.1 302 Found", b"HTTP/1.1 301 Moved"]),
    st.sampled_from(
        [
            b"HTTP/1.1 200 OK",
            b"HTTP/1.1 301 Moved",
            b"HTTP/1.1 302 Found",
            b"HTTP/1.1 304 Not Modified",
            b"HTTP/1.1 503 Busy",
            b"HTTP/1.0 200 OK",
            b"HTTP/1.1 100 Continue",
            b"HTTP/1.1 999 Huh",
            b"HTTP/1.1 -1 Minus",
            b"HTTP/1.1 20 Short",
            b"HTTP/2 200",
            b"HTTP/9.9 200 OK",
            b"ICY 200 OK",
            b"HTTP/1.1 200",
            b"",
        ]
    ),
    st.builds(
        lambda version, code, reason: version + b" " + code + b" " + reason,
        st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.", b"http/1.1"]),
        st.one_of(st.integers(-10, 1500).map(lambda n: str(n).encode()), st.binary(max_size=4)),
        st.binary(max_size=12),
    ),
)

HEADER_VALUES = {
    b"Content-Encoding": st.sampled_from(
        [b"gzip", b"x-gzip", b"deflate", b"br", b"zstd", b"gzip, gzip", b"identity", b"", b"\xff"]
    ),
    b"Content-Length": st.one_of(
        st.integers(-5, 10**12).map(lambda n: str(n).encode()),
        st.sampled_from([b"", b"abc", b"1, 2", b"0x10", b"99999999999999999999999"]),
    ),
    b"Transfer-Encoding": st.sampled_from([b"chunked", b"gzip, chunked", b"identity", b"x"]),
    b"Location": st.one_of(
        st.sampled_from(
            [
                b"/next",
                b"http://[::1",
                b"http://xn--/",
                b"http://127.0.0.1:1/",
                b"http://10.0.0.1/",
                b"http://example.org:22/",
                b"file:///etc/passwd",
                b"//evil.example/",
                b"\xc3\xa9",
            ]
        ),
        st.binary(max_size=30),
    ),
    b"Retry-After": st.sampled_from([b"600", b"1e9", b"-1", b"Wed, 21 Oct 2015", b"\xff"]),
    b"Content-Type": st.sampled_from(
        [b"text/html; charset=utf-8", b"text/html; charset=nope", b"application/rss+xml", b""]
    ),
}


def _header_lines(headers: dict[bytes, bytes], junk: list[bytes]) -> list[bytes]:
    return [name + b": " + value for name, value in headers.items()] + junk


# Mostly well-formed responses with hostile parts, so that the fuzzer reaches the
# decoder, the redirect handling and robots.txt, not only the status-line parser.
HEADERS = st.builds(
    _header_lines,
    st.fixed_dictionaries({}, optional=HEADER_VALUES),
    st.lists(st.binary(max_size=40), max_size=2),
)

BODIES = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(gzip_bytes),
    st.binary(max_size=300).map(lambda data: gzip_bytes(data)[: len(data) // 2]),
    st.binary(max_size=300).map(lambda data: b"%x\r\n" % len(data) + data + b"\r\n0\r\n\r\n"),
    st.sampled_from([b"zz\r\nabc\r\n", b"-1\r\n", b"ffffffffffffffff\r\n"]),
)

RESPONSES = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda status, headers, newline, body: (
            newline.join([status, *headers]) + newline + newline + body
        ),
        STATUS_LINES,
        HEADERS,
        st.sampled_from([b"\r\n", b"\r\n", b"\n", b"\r"]),
        BODIES,
    ),
)


def test_fuzzed_responses_raise_only_ingest_errors(raw_server) -> None:
    state = {"response": b""}

    def reply(conn: socket.socket, request: bytes) -> None:
        conn.sendall(state["response"])

    raw_server.handler = reply

    def no_dns(host: str, port: int) -> list[str]:
        raise OSError("tests do not resolve names")

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(response=RESPONSES, robots=st.booleans())
    def fetch(response: bytes, robots: bool) -> None:
        state["response"] = response
        http = polite(obey_robots=robots, deadline=2.0, max_retries=1, resolver=no_dns)
        try:
            with within(5):
                http.get(raw_server.url("/fuzz"))
        except IngestError:
            pass
        finally:
            http.close()

    fetch()


@pytest.fixture
def two_channels(local_server) -> tuple[Channel, Channel]:
    local_server.route(
        "/feeds/rss.xml",
        Reply(body=(RES / "feeds/rss.xml").read_bytes(), content_type="application/rss+xml"),
    )
    local_server.route("/hostile.xml", Reply(302, headers={"Location": "http://xn--/"}))
    first = Channel.objects.create(
        kind="feed",
        url_or_handle=local_server.url("/hostile.xml"),
        next_poll_at=NOW - timedelta(hours=2),
    )
    second = Channel.objects.create(
        kind="feed",
        url_or_handle=local_server.url("/feeds/rss.xml"),
        next_poll_at=NOW - timedelta(hours=1),
    )
    return first, second


@pytest.mark.django_db
def test_hostile_channel_fails_with_backoff_and_the_next_channel_runs(two_channels) -> None:
    first, second = two_channels
    reports = pipeline.crawl_due(http=polite(), now=NOW)
    assert [r.channel_id for r in reports] == [first.pk, second.pk]
    assert not reports[0].ok and reports[1].ok and reports[1].new == 2
    first.refresh_from_db()
    assert first.consecutive_failures == 1 and first.last_error
    assert first.next_poll_at == NOW + timedelta(minutes=60)  # 30 min x 2^1


@pytest.mark.django_db
def test_crashing_connector_is_recorded_and_the_pass_goes_on(two_channels, monkeypatch) -> None:
    first, second = two_channels
    real_poll = pipeline.poll_channel

    def poll(channel: Channel, **kwargs: object):
        if channel.pk == first.pk:
            raise RecursionError("parser blew up")
        return real_poll(channel, **kwargs)

    monkeypatch.setattr(pipeline, "poll_channel", poll)
    reports = pipeline.crawl_due(http=polite(), now=NOW)
    assert [r.ok for r in reports] == [False, True]
    assert "RecursionError" in reports[0].errors[0]
    first.refresh_from_db()
    assert first.consecutive_failures == 1 and "RecursionError" in first.last_error
    assert first.next_poll_at == NOW + timedelta(minutes=60)


# ------------------------------------------------- enqueue lease (no double queue)


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def queued(backend) -> list[int]:
    """The channel ids of the queued polls (the loop also queues the daily tip purge)."""
    return [result.args[0] for result in backend.results if result.task.name == "poll_channel_task"]


@pytest.mark.django_db
def test_crawl_loop_enqueue_does_not_requeue_a_pending_poll(dummy_tasks, local_server) -> None:
    from freezegun import freeze_time

    channel = Channel.objects.create(kind="feed", url_or_handle=local_server.url("/f.xml"))
    out = StringIO()
    call_command("crawl", "--loop", "--enqueue", "--max-passes", "3", "--interval", "0", stdout=out)
    assert queued(dummy_tasks) == [channel.pk]  # once, not once per pass
    call_command(
        "crawl",
        "--enqueue",
        "--channel",
        str(channel.pk),
        "--loop",
        "--max-passes",
        "2",
        "--interval",
        "0",
        stdout=out,
    )
    assert queued(dummy_tasks) == [channel.pk, channel.pk]  # explicit: first pass only
    # The worker died: after the lease expires the channel is due again, once.
    later = datetime.now(UTC) + source_services.POLL_LEASE + timedelta(minutes=1)
    with freeze_time(later):
        call_command(
            "crawl", "--enqueue", "--loop", "--max-passes", "2", "--interval", "0", stdout=out
        )
    assert queued(dummy_tasks) == [channel.pk] * 3


@pytest.mark.django_db
def test_finished_poll_releases_the_lease(dummy_tasks, local_server) -> None:
    channel = Channel.objects.create(kind="feed", url_or_handle=local_server.url("/f.xml"))
    now = datetime.now(UTC)
    assert source_services.channel_claim_poll(channel_id=channel.pk, now=now)
    assert not source_services.channel_claim_poll(channel_id=channel.pk, now=now)
    channel.refresh_from_db()
    source_services.channel_record_success(channel=channel, now=now)  # the poll finished
    soon = now + channel.poll_interval + timedelta(seconds=1)
    assert source_services.channel_claim_poll(channel_id=channel.pk, now=soon)


@pytest.mark.django_db
def test_crawl_due_task_claims_before_enqueueing(dummy_tasks, local_server) -> None:
    from ingest.tasks import crawl_due_task

    channel = Channel.objects.create(kind="feed", url_or_handle=local_server.url("/f.xml"))
    crawl_due_task.call()
    crawl_due_task.call()
    assert queued(dummy_tasks) == [channel.pk]


# ------------------------------------------------------------ addresses and ports


def test_site_local_fec0_is_blocked() -> None:
    guard = AddressGuard(allow_hosts=[], resolver=lambda host, port: ["fec0::5"])
    with pytest.raises(BlockedAddressError):
        guard.check_url("http://[fec0::1]/")
    with pytest.raises(BlockedAddressError):
        guard.resolve("site-local.example", 80)


def recording_resolver(calls: list[str]) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        calls.append(f"{host}:{port}")
        return [PUBLIC_IP]

    return resolve


@pytest.mark.parametrize(
    "url", ["http://example.org:22/", "https://example.org:8443/", "http://example.org:6379/x"]
)
def test_non_standard_port_is_refused_before_any_connection(url: str) -> None:
    calls: list[str] = []
    http = polite(allow_hosts=[], resolver=recording_resolver(calls))
    with pytest.raises(UnsafeURLError, match="port"):
        http.get(url)
    assert calls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/",
        "http://example.org:80/",
        "https://example.org:443/",
        "http://example.org:443/",
    ],
)
def test_standard_ports_pass_the_check(url: str) -> None:
    assert AddressGuard(allow_hosts=[]).check_url(url)


def test_redirect_to_a_non_standard_port_is_refused(local_server) -> None:
    calls: list[str] = []
    local_server.route("/go", Reply(302, headers={"Location": "http://example.org:8080/x"}))
    http = polite(resolver=recording_resolver(calls))
    with pytest.raises(UnsafeURLError, match="port"):
        http.get(local_server.url("/go"))
    assert calls == []


def test_port_is_checked_again_at_connect_time() -> None:
    calls: list[str] = []
    guard = AddressGuard(allow_hosts=[], resolver=recording_resolver(calls))
    with pytest.raises(UnsafeURLError, match="port"):
        GuardedNetworkBackend(guard).connect_tcp("example.org", 6379, timeout=1)
    assert calls == []


def test_allow_listed_host_may_use_any_port(local_server) -> None:
    local_server.route("/ok", Reply(body="ok"))
    assert local_server.port not in (80, 443)
    assert polite().get(local_server.url("/ok")).text == "ok"
