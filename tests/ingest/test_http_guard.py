"""The polite HTTP layer: SSRF guard, redirects, size cap, robots, 304, retries."""

from __future__ import annotations

import ipaddress

import pytest
from ingest_testserver import Reply

from ingest import http_guard
from ingest.exceptions import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
    TooManyRedirectsError,
    UnexpectedContentTypeError,
    UnsafeURLError,
)
from ingest.http import (
    AddressGuard,
    HostThrottle,
    PoliteClient,
    RobotsCache,
    is_forbidden_address,
    parse_retry_after,
)

PUBLIC_IP = "93.184.216.34"


def fake_resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


HOSTILE_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8000/admin",
    "http://localhost/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://169.254.1.1/",
    "http://[fd00:ec2::254]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",  # deprecated site-local
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f000001/",  # hex
    "http://0x7f.0.0.1/",
    "http://017700000001/",  # octal
    "http://127.1/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/",
    "http://rebind.example/",  # resolves to 127.0.0.1 (below)
    "http://mixed.example/",  # one public, one private address
    "http://meta.example/",  # resolves to the metadata address
]

UNSAFE_SCHEMES = [
    "file:///etc/passwd",
    "ftp://example.com/x",
    "gopher://example.com/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//example.com/no-scheme",
    "http://user:secret@example.com/",
    "http:///no-host",
    "not a url",
    "http://0177.0.0.1/",  # octal dotted form: httpx refuses to parse it
]

RESOLVER = fake_resolver(
    {
        "rebind.example": ["127.0.0.1"],
        "mixed.example": [PUBLIC_IP, "10.1.2.3"],
        "meta.example": ["169.254.169.254"],
        "public.example": [PUBLIC_IP],
        "localhost": ["127.0.0.1"],
    }
)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_guard_refuses_non_public_addresses(url: str) -> None:
    guard = AddressGuard(allow_hosts=[], resolver=RESOLVER)
    with pytest.raises(BlockedAddressError):
        parsed = guard.check_url(url)
        guard.resolve(parsed.raw_host.decode(), parsed.port or 80)


@pytest.mark.parametrize("url", HOSTILE_URLS[:12])
def test_client_refuses_hostile_urls_without_sending(url: str, local_server) -> None:
    http = PoliteClient(delay=0, allow_hosts=[], resolver=RESOLVER, sleep=lambda s: None)
    with pytest.raises(BlockedAddressError):
        http.get(url)
    assert local_server.requests == []


@pytest.mark.parametrize("url", UNSAFE_SCHEMES)
def test_guard_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        AddressGuard(allow_hosts=[], resolver=RESOLVER).check_url(url)


def test_guard_accepts_public_host() -> None:
    guard = AddressGuard(allow_hosts=[], resolver=RESOLVER)
    assert str(guard.check_url("https://public.example/vijesti?id=3")).startswith("https://")
    assert guard.resolve("public.example", 443) == [PUBLIC_IP]


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("8.8.8.8", False),
        ("2a00:1450:4001:81b::200e", False),
        ("::ffff:8.8.8.8", False),
        ("169.254.169.254", True),
        ("::ffff:10.0.0.1", True),
        ("::", True),
        ("fd00::1", True),
        ("fec0::1", True),  # deprecated site-local
    ],
)
def test_is_forbidden_address(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden


def test_allow_list_lets_loopback_through(client: PoliteClient, local_server) -> None:
    local_server.route("/hello", Reply(body="zdravo"))
    result = client.get(local_server.url("/hello"))
    assert result.status == 200
    assert result.text == "zdravo"


def test_loopback_blocked_without_allow_list(local_server) -> None:
    local_server.route("/hello", Reply(body="zdravo"))
    http = PoliteClient(delay=0, allow_hosts=[], sleep=lambda s: None)
    with pytest.raises(BlockedAddressError):
        http.get(local_server.url("/hello"))
    assert local_server.hits("/hello") == []


def test_redirect_to_private_address_is_blocked(client: PoliteClient, local_server) -> None:
    # 127.0.0.1 is allowed, but the hop to 10.0.0.1 / the metadata service is not.
    local_server.route("/go", Reply(302, headers={"Location": "http://169.254.169.254/latest/"}))
    with pytest.raises(BlockedAddressError):
        client.get(local_server.url("/go"))


def test_redirect_to_decimal_loopback_is_blocked(client: PoliteClient, local_server) -> None:
    local_server.route("/go", Reply(301, headers={"Location": "http://2130706433/x"}))
    with pytest.raises(BlockedAddressError):
        client.get(local_server.url("/go"))


def test_redirect_to_other_scheme_is_blocked(client: PoliteClient, local_server) -> None:
    local_server.route("/go", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(UnsafeURLError):
        client.get(local_server.url("/go"))


def test_redirects_followed_with_every_hop_recorded(client: PoliteClient, local_server) -> None:
    local_server.route("/a", Reply(301, headers={"Location": "/b"}))
    local_server.route("/b", Reply(302, headers={"Location": local_server.url("/c")}))
    local_server.route("/c", Reply(body="kraj"))
    result = client.get(local_server.url("/a"))
    assert result.text == "kraj"
    assert result.url == local_server.url("/c")
    assert [h.rsplit("/", 1)[1] for h in result.redirects] == ["a", "b"]


def test_redirect_limit(client: PoliteClient, local_server) -> None:
    local_server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(TooManyRedirectsError):
        client.get(local_server.url("/loop"))
    assert len(local_server.hits("/loop")) == client.max_redirects + 1


def test_dns_rebinding_is_caught_at_connect_time(local_server, monkeypatch) -> None:
    """The name resolves to a public IP when checked, then to loopback when connecting."""
    # The local server cannot listen on port 80: let its port pass the port rule.
    monkeypatch.setattr(http_guard, "ALLOWED_PORTS", frozenset({80, 443, local_server.port}))
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    http = PoliteClient(
        delay=0,
        allow_hosts=[],
        resolver=lambda host, port: next(answers),
        sleep=lambda s: None,
        obey_robots=False,
    )
    with pytest.raises(BlockedAddressError):
        http.get(f"http://rebind.test:{local_server.port}/hello")
    assert local_server.requests == []


def test_connects_to_the_validated_address_keeping_host_header(local_server) -> None:
    """An allow-listed name that system DNS cannot resolve: only our resolver's IP is used."""
    local_server.route("/hello", Reply(body="ok"))
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    http = PoliteClient(delay=0, allow_hosts=["news.test"], resolver=resolver, sleep=lambda s: None)
    result = http.get(f"http://news.test:{local_server.port}/hello")
    assert result.text == "ok"
    assert "news.test" in calls
    assert local_server.hits("/hello")[0].headers["Host"] == f"news.test:{local_server.port}"


def test_user_agent_names_platform_and_contact(client: PoliteClient, local_server) -> None:
    local_server.route("/ua", Reply(body="x"))
    client.get(local_server.url("/ua"))
    agent = local_server.hits("/ua")[0].headers["User-Agent"]
    assert agent.startswith("BalkanFactCheckBot/") and "+http" in agent


def test_size_cap_by_content_length(client: PoliteClient, local_server) -> None:
    local_server.route("/big", Reply(body=b"x" * 2048))
    with pytest.raises(ResponseTooLargeError):
        client.get(local_server.url("/big"), max_bytes=1024)


def test_size_cap_while_streaming_without_content_length(
    client: PoliteClient, local_server
) -> None:
    # A lying Content-Length can't be used with HTTP/1.1 keep-alive, so close the
    # connection instead and send no length: the cap must trigger while reading.
    local_server.route(
        "/huge",
        Reply(body=b"y" * (6 * 1024 * 1024), headers={"Content-Length": "", "Connection": "close"}),
    )
    with pytest.raises(ResponseTooLargeError, match="stopped reading|exceeds"):
        client.get(local_server.url("/huge"))


def test_default_cap_is_five_megabytes(client: PoliteClient) -> None:
    assert client.max_bytes == 5 * 1024 * 1024


def test_content_type_check(client: PoliteClient, local_server) -> None:
    local_server.route("/img", Reply(body=b"\x89PNG", content_type="image/png"))
    with pytest.raises(UnexpectedContentTypeError):
        client.get(local_server.url("/img"), accept=["text/html", "application/xhtml+xml"])
    local_server.route("/page", Reply(body="<p>x</p>"))
    assert client.get(local_server.url("/page"), accept=["text/*"]).status == 200


def test_conditional_get_returns_not_modified(client: PoliteClient, local_server) -> None:
    local_server.route(
        "/feed.xml",
        Reply(
            body="<rss/>",
            headers={"ETag": '"v1"', "Last-Modified": "Sat, 01 Mar 2025 10:00:00 GMT"},
        ),
        Reply(304, headers={"ETag": '"v1"'}),
    )
    first = client.get(local_server.url("/feed.xml"))
    assert first.etag == '"v1"' and not first.not_modified
    second = client.get(
        local_server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified
    )
    assert second.not_modified and second.content == b""
    sent = local_server.hits("/feed.xml")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Sat, 01 Mar 2025 10:00:00 GMT"


def test_retries_honour_retry_after(client: PoliteClient, local_server, fake_sleep) -> None:
    local_server.route(
        "/flaky",
        Reply(503, headers={"Retry-After": "7"}),
        Reply(429, headers={"Retry-After": "0"}),
        Reply(500),
        Reply(body="konačno"),
    )
    result = client.get(local_server.url("/flaky"))
    assert result.text == "konačno"
    # Retry-After 7 beats backoff 1; then backoff 2 beats Retry-After 0; then backoff 4.
    assert fake_sleep.calls == [7.0, 2.0, 4.0]


def test_retries_give_up_with_status(client: PoliteClient, local_server, fake_sleep) -> None:
    local_server.route("/down", Reply(502))
    with pytest.raises(HTTPStatusError) as info:
        client.get(local_server.url("/down"))
    assert info.value.status == 502
    assert len(local_server.hits("/down")) == client.max_retries + 1
    assert fake_sleep.calls == [1.0, 2.0, 4.0]


def test_retry_after_is_capped(local_server, fake_sleep) -> None:
    local_server.route("/slow", Reply(429, headers={"Retry-After": "86400"}), Reply(body="ok"))
    http = PoliteClient(delay=0, allow_hosts=["127.0.0.1"], sleep=fake_sleep, max_retry_after=60)
    assert http.get(local_server.url("/slow")).text == "ok"
    assert fake_sleep.calls == [60]


def test_network_errors_are_retried(fake_sleep) -> None:
    http = PoliteClient(delay=0, allow_hosts=["127.0.0.1"], sleep=fake_sleep, obey_robots=False)
    with pytest.raises(FetchError, match="network error"):
        http.get("http://127.0.0.1:1/closed-port")
    assert fake_sleep.calls == [1.0, 2.0, 4.0]


def test_not_found_is_not_retried(client: PoliteClient, local_server, fake_sleep) -> None:
    with pytest.raises(HTTPStatusError) as info:
        client.get(local_server.url("/missing"))
    assert info.value.status == 404
    assert fake_sleep.calls == []


def test_parse_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sat, 01 Mar 2025 10:00:30 GMT", now=now) == 30
    assert parse_retry_after("garbage") is None


ROBOTS = """User-agent: *
Disallow: /private/
Disallow: /*?print=1

User-agent: BalkanFactCheckBot
Disallow: /no-bots/
Crawl-delay: 3
Sitemap: /sitemap.xml
"""


def test_robots_disallow_and_cache(client: PoliteClient, local_server) -> None:
    local_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    local_server.route("/no-bots/page", Reply(body="secret"))
    local_server.route("/ok", Reply(body="ok"))
    with pytest.raises(RobotsDisallowedError):
        client.get(local_server.url("/no-bots/page"))
    assert client.get(local_server.url("/ok")).text == "ok"
    assert client.get(local_server.url("/ok")).text == "ok"
    assert local_server.hits("/no-bots/page") == []
    assert len(local_server.hits("/robots.txt")) == 1  # cached per host


def test_robots_crawl_delay_spaces_requests(local_server) -> None:
    local_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    local_server.route("/ok", Reply(body="ok"))
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    http = PoliteClient(
        delay=0.5,
        allow_hosts=["127.0.0.1"],
        sleep=sleep,
        clock=lambda: now[0],
        throttle=HostThrottle(),
        robots_cache=RobotsCache(),
    )
    http.get(local_server.url("/ok"))
    http.get(local_server.url("/ok"))
    # Once robots.txt is known, Crawl-delay: 3 (not the base 0.5) spaces every request.
    assert sleeps == [3.0, 3.0]


def test_robots_server_error_means_do_not_crawl(client: PoliteClient, local_server) -> None:
    local_server.route("/robots.txt", Reply(500))
    local_server.route("/page", Reply(body="x"))
    with pytest.raises(RobotsDisallowedError):
        client.get(local_server.url("/page"))
    assert local_server.hits("/page") == []


def test_sitemaps_from_robots(client: PoliteClient, local_server) -> None:
    local_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    assert client.sitemaps_from_robots(local_server.url("/")) == ["/sitemap.xml"]
