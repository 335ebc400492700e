"""The URL rule (``sources.urls``) and bounded JSON (``sources.safejson``)."""

from __future__ import annotations

import json

import pytest

from sources.safejson import JSONLimitError, check_nesting, loads_bounded
from sources.urls import UnsafeURLError, check_http_url, safe_http_url, same_site

# Each of these must never be stored or become an href.
HOSTILE = [
    "javascript:alert(document.cookie)//",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    " java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\x00javascript:alert(1)",
    "\x01javascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "javascript\u00a0:alert(1)",
    "  \n javascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example/x",
    "//evil.example/x",
    "\\\\evil.example/x",
    "/\\evil.example/x",
    "https:evil.example",
    "https:/evil.example/x",
    "https:\\\\evil.example/x",
    "https:///x",
    "https://user:pass@evil.example/x",
    "https://trusted.example@evil.example/",
    "https://trusted.example%40evil.example/",
    "https://trusted.example\\@evil.example/",
    "ht\ttps://example.com/",
    "https://exa\tmple.com/",
    "https://example.com/\x00",
    "https://example.com:port/",
    "https://example.com:99999/",
    'https://ex"ample.com/',
    "https://<script>/",
    "https://example.com/" + "a" * 5000,
    "relative/path",
    "/absolute/path",
    "",
    "   ",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_urls_are_refused(value: str) -> None:
    assert safe_http_url(value) == ""
    with pytest.raises(UnsafeURLError):
        check_http_url(value)


@pytest.mark.parametrize("value", [None, 42, ["https://x.example/"], {"url": "https://x.example/"}])
def test_non_strings_are_refused(value) -> None:
    assert safe_http_url(value) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://portal.rs/vesti/1?id=2#x", "https://portal.rs/vesti/1?id=2#x"),
        ("HTTP://Portal.RS/a", "http://Portal.RS/a"),
        ("  https://portal.rs/a \n", "https://portal.rs/a"),
        ("https://portal.rs/a b", "https://portal.rs/a%20b"),
        ("https://пример.срб/вести", "https://пример.срб/вести"),
        ("https://xn--e1afmkfd.xn--90a3ac/", "https://xn--e1afmkfd.xn--90a3ac/"),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/x"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("https://t.me/s/kanal?before=10", "https://t.me/s/kanal?before=10"),
        (
            "https://example.com/?q=javascript:alert(1)",
            "https://example.com/?q=javascript:alert(1)",
        ),
    ],
)
def test_ordinary_urls_pass(value: str, expected: str) -> None:
    assert safe_http_url(value) == expected


def test_length_limit_is_adjustable_for_narrow_columns() -> None:
    url = "https://example.com/" + "a" * 1500
    assert safe_http_url(url) == url
    assert safe_http_url(url, max_length=1000) == ""


def test_refusal_says_why() -> None:
    with pytest.raises(UnsafeURLError, match="javascript"):
        check_http_url("JAVASCRIPT:alert(1)")
    with pytest.raises(UnsafeURLError, match="credentials"):
        check_http_url("https://u:p@x.example/")
    with pytest.raises(UnsafeURLError, match="control"):
        check_http_url("java\tscript:alert(1)")


@pytest.mark.parametrize(
    ("url", "page", "ok"),
    [
        ("https://portal.rs/vest?id=1", "https://portal.rs/vest?id=1&utm_source=x", True),
        ("https://www.portal.rs/vest", "https://amp.portal.rs/vest", True),
        ("https://portal.rs/vest", "http://m.portal.rs/vest", True),
        ("https://www.bbc.co.uk/news/1", "https://m.bbc.co.uk/news/1", True),
        ("http://127.0.0.1/a", "http://127.0.0.1:8123/a", True),
        ("https://evil.example/", "https://portal.rs/vest", False),
        ("https://portal.rs.evil.example/", "https://portal.rs/vest", False),
        ("https://other.github.io/", "https://evil.github.io/page", False),
        ("https://github.io/", "https://evil.github.io/page", False),
        ("https://other.co.uk/", "https://portal.co.uk/", False),
        ("http://127.0.0.2/a", "http://127.0.0.1/a", False),
        ("javascript:alert(document.cookie)//", "https://portal.rs/vest", False),
        ("https://u:p@portal.rs/", "https://portal.rs/vest", False),
    ],
)
def test_same_site(url: str, page: str, ok: bool) -> None:
    assert same_site(url, page) is ok


# ----------------------------------------------------------------- bounded JSON


def test_deep_nesting_is_refused_before_decoding(monkeypatch) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    decoded: list[str] = []
    monkeypatch.setattr(json, "loads", lambda *a, **k: decoded.append("called"))
    with pytest.raises(JSONLimitError, match="nested more than 64"):
        loads_bounded(deep)
    with pytest.raises(JSONLimitError):
        loads_bounded('{"a":' * 20_000 + "1" + "}" * 20_000)
    assert decoded == []  # the decoder never saw it


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"text": "[" * 10_000 + '\\"{' * 100, "ok": [[[1]]]})
    assert loads_bounded(text)["ok"] == [[[1]]]


def test_depth_at_the_limit_passes_and_one_more_fails() -> None:
    check_nesting("[" * 64 + "]" * 64)
    with pytest.raises(JSONLimitError):
        check_nesting("[" * 65 + "]" * 65)


def test_size_limit_and_bytes_input() -> None:
    assert loads_bounded(b'\xef\xbb\xbf{"a": [1]}') == {"a": [1]}
    with pytest.raises(JSONLimitError, match="larger"):
        loads_bounded("[" + "1," * 1000 + "1]", max_chars=100)
    with pytest.raises(json.JSONDecodeError):
        loads_bounded("{not json")


def test_unterminated_string_scans_in_linear_time() -> None:
    import time

    text = '["' + "\\a" * 200_000 + "[" * 100
    started = time.perf_counter()
    with pytest.raises(JSONLimitError):
        loads_bounded(text)
    assert time.perf_counter() - started < 2
