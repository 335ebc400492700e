"""Who is the client, and do the per-client limits hold against one that lies about it?

``factcheck.clientip.client_ip`` is the single rule (``FACTCHECK_TRUSTED_PROXIES``);
every public endpoint is checked against three clients that try to get around it:
one rotating ``X-Forwarded-For`` with no proxy in front, two readers behind one proxy
(who must not share a bucket), and one prepending fake addresses behind the proxy.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from factcheck.clientip import client_bucket, client_ip

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.1"  # the reverse proxy, as the app sees it (REMOTE_ADDR)
_fake = (f"10.{a}.{b}.{c}" for a, b, c in itertools.product(range(256), repeat=3))


@pytest.fixture(autouse=True)
def _fresh_buckets():
    cache.clear()
    yield
    cache.clear()


# --- client_ip --------------------------------------------------------------------


def _request(remote="198.51.100.9", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_default_trusts_no_proxy_and_ignores_forwarded_for(settings):
    assert settings.FACTCHECK_TRUSTED_PROXIES == 0
    assert client_ip(_request(xff="1.2.3.4")) == "198.51.100.9"
    assert client_ip(_request(xff="1.2.3.4, 5.6.7.8")) == "198.51.100.9"


@pytest.mark.parametrize(
    ("hops", "xff", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entries don't count
        (1, " 203.0.113.5 ", "203.0.113.5"),
        (1, "203.0.113.5:51234", "203.0.113.5"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:DB8:0::1", "2001:db8::1"),
        (2, "6.6.6.6, 203.0.113.5, 192.0.2.10", "203.0.113.5"),
        # Malformed: fall back to REMOTE_ADDR (the nearest proxy), never to a client choice.
        (1, "", "198.51.100.9"),
        (1, None, "198.51.100.9"),
        (1, "not-an-ip", "198.51.100.9"),
        (1, "203.0.113.5, ", "198.51.100.9"),
        (1, "unknown", "198.51.100.9"),
        (2, "203.0.113.5", "198.51.100.9"),  # fewer entries than hops
        (1, "1.2.3.4, " * 5000 + "203.0.113.5", "203.0.113.5"),
    ],
)
def test_trusted_hops_pick_the_nth_address_from_the_right(settings, hops, xff, expected):
    settings.FACTCHECK_TRUSTED_PROXIES = hops
    assert client_ip(_request(xff=xff)) == expected


@pytest.mark.parametrize("value", [-1, "x", None])
def test_nonsense_setting_means_no_trusted_proxy(settings, value):
    settings.FACTCHECK_TRUSTED_PROXIES = value
    assert client_ip(_request(xff="203.0.113.5")) == "198.51.100.9"


def test_garbage_remote_addr_never_raises():
    assert client_ip(_request(remote="")) == "unknown"
    assert client_ip(_request(remote="::ffff:10.0.0.1")) == "::ffff:a00:1"


@pytest.mark.parametrize(
    ("remote", "bucket"),
    [
        ("198.51.100.9", "198.51.100.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("", "unknown"),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64(remote, bucket):
    assert client_bucket(_request(remote=remote)) == bucket


# --- every public endpoint, against clients that try to get around the limit -----------


@pytest.fixture
def search_engine(settings, tmp_path):
    """A search index of this test's own with one fact-check (match and search need one)."""
    import search
    from search.backends import reset_search_backends
    from search.embeddings import get_embedder
    from search.types import SearchDocument

    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_SEARCH_PARAMS = {"PATH": str(tmp_path / "search")}
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    claim = "Cjepiva sadrže mikročipove kojima se prate građani"
    search.index_documents(
        [
            SearchDocument(
                id="7",
                title="Cjepiva ne sadrže mikročipove",
                claim_reviewed=claim,
                language="hr",
                rating_verdict="false",
                rating_label="Netočno",
                url="/hr/provjere/cjepiva/",
                vector=list(get_embedder("test").embed_passages([claim])[0]),
            )
        ]
    )
    yield
    reset_search_backends()


# Each search-page request asks something new: with the page cache on (a shared cache, as
# in production), a repeated query is served from the cache without reaching the view, so
# the limit is on the searches that cost something.
_new_query = (f"cjepiva {n}" for n in itertools.count())

ENDPOINTS = {
    "match API": ("match", lambda c, **h: c.get("/api/v1/match/", {"text": "cjepiva čipovi"}, **h)),
    "search API": ("search", lambda c, **h: c.get("/api/v1/search/", {"q": "cjepiva"}, **h)),
    "search page": (
        "search_page",
        lambda c, **h: c.get("/hr/search/", {"q": next(_new_query)}, **h),
    ),
    "factchecks API": ("factchecks", lambda c, **h: c.get("/api/v1/factchecks/", **h)),
    "ClaimReview feed": ("claimreview", lambda c, **h: c.get("/api/v1/claimreview.json", **h)),
    # An empty tip is refused (400) but still counts: the limit comes before validation.
    "tip form": ("tips", lambda c, **h: c.post("/hr/tips/", {"text": ""}, **h)),
}


def _set_limit(settings, scope: str, per_minute: int) -> None:
    if scope == "tips":
        settings.FACTCHECK_TIP_RATE_LIMIT = per_minute
        return
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], scope: f"{per_minute}/min"},
    }


def _codes(send, client, headers_list) -> list[int]:
    return [send(client, **headers).status_code for headers in headers_list]


@pytest.fixture(params=list(ENDPOINTS))
def endpoint(request, newsroom, search_engine):
    return ENDPOINTS[request.param]


def test_rotating_forwarded_for_does_not_escape_the_limit(client, settings, endpoint):
    scope, send = endpoint
    _set_limit(settings, scope, 3)
    rotating = [
        {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": next(_fake)} for _ in range(5)
    ]
    assert len({h["HTTP_X_FORWARDED_FOR"] for h in rotating}) == 5
    codes = _codes(send, client, rotating)
    assert codes[:3] == [codes[0]] * 3 and codes[0] in (200, 400)
    assert codes[3:] == [429, 429]


def test_rotating_ipv6_addresses_within_a_64_does_not_escape(client, settings, endpoint):
    scope, send = endpoint
    _set_limit(settings, scope, 2)
    hosts = [{"REMOTE_ADDR": f"2001:db8:5:6:{i:x}::{i:x}"} for i in range(1, 5)]
    assert _codes(send, client, hosts)[2:] == [429, 429]


def test_readers_behind_one_proxy_get_their_own_buckets(client, settings, endpoint):
    scope, send = endpoint
    settings.FACTCHECK_TRUSTED_PROXIES = 1
    _set_limit(settings, scope, 2)
    alice = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    bob = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert _codes(send, client, [alice] * 3)[2] == 429
    assert _codes(send, client, [bob])[0] != 429  # Alice's limit is not Bob's


def test_prepending_fake_addresses_behind_the_proxy_does_not_escape(client, settings, endpoint):
    scope, send = endpoint
    settings.FACTCHECK_TRUSTED_PROXIES = 1
    _set_limit(settings, scope, 2)
    # The client sends "X-Forwarded-For: <fake>"; the proxy appends the address it saw.
    lies = [
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{next(_fake)}, 203.0.113.30"}
        for _ in range(4)
    ]
    assert _codes(send, client, lies)[2:] == [429, 429]


def test_the_search_page_says_so_readably_when_limited(client, settings, newsroom, search_engine):
    _set_limit(settings, "search_page", 1)
    assert client.get("/hr/search/", {"q": next(_new_query)}).status_code == 200
    response = client.get("/hr/search/", {"q": next(_new_query)})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "<html" in html and 'lang="hr"' in html
    assert "data-too-many-requests" in html


# --- one rule for every DRF view -------------------------------------------------------


def _drf_views(patterns=None, prefix=""):
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _drf_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
            yield prefix + str(entry.pattern), entry.callback


def test_every_api_view_is_throttled_by_client_ip():
    from rest_framework.throttling import BaseThrottle

    from factcheck.throttling import ClientThrottleMixin

    seen = set()
    for route, callback in _drf_views():
        view = callback.cls(**getattr(callback, "initkwargs", {}))
        throttles = view.get_throttles()
        assert all(isinstance(t, BaseThrottle) for t in throttles)
        for throttle in throttles:
            assert isinstance(throttle, ClientThrottleMixin), (route, type(throttle))
        if route.startswith("api/v1/"):
            assert throttles, f"{route} is not throttled"
            seen.add(route)
    assert {"api/v1/match/", "api/v1/search/", "api/v1/claimreview.json"} <= seen
    assert any(r.startswith("api/v1/^factchecks") for r in seen)


def test_stock_drf_throttles_follow_the_same_setting(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.FACTCHECK_TRUSTED_PROXIES
