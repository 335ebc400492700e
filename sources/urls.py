"""The one rule for URLs from outside: a URL we store or link is http(s) only.

Every URL that reaches us from untrusted input (feed links, Mastodon and Bluesky
posts, Telegram permalinks, sitemaps, import files, an article's
``<link rel=canonical>``, a reader's tip, ClaimReview imported from another newsroom)
passes ``check_http_url`` / ``safe_http_url`` before it is stored, and every
template that turns a stored URL into an ``href`` passes it again (the ``http_url``
filter in ``factcheck/templatetags/safe_urls.py``), so a value that reached the
database some other way is still never a live ``javascript:`` link.

A URL is accepted when, after trimming leading and trailing ASCII whitespace:

* its scheme is ``http`` or ``https`` (any case; returned lower-case). ``javascript:``,
  ``data:``, ``vbscript:``, ``file:``, ``ftp:`` ... are refused, and so is a
  protocol-relative ``//host/path`` (its scheme would be whoever renders it);
* it contains no control character, tab, newline or other whitespace anywhere
  (browsers silently drop tabs and newlines, which is how ``java\\tscript:`` and
  ``ht\\ntps:`` obfuscation works; a plain space inside is percent-encoded instead);
* it names a host (``https:/x``, ``https:///x`` and ``https:\\\\x`` do not), the host
  is a DNS name, IDN or IP literal, and any port is a number;
* it carries no credentials (``https://user:pass@host/``): they leak secrets into
  our database and are the classic ``https://trusted.example@evil.example/`` spoof;
* it is at most ``MAX_URL_LENGTH`` characters (2,048: what browsers and search
  engines reliably handle; columns that hold URLs are 1,000 and callers storing into
  them pass ``max_length=1000``).

Relative references are resolved against the document they came from *before* the
check (``urljoin(page, href)``): a feed entry linking to ``//cdn.example/a`` is
``https://cdn.example/a`` when the feed was fetched over https, which is fine.

``same_site(url, page_url)`` decides whether an article's ``rel=canonical`` may
replace the page URL: only when both have the same *registrable domain* (eTLD+1 from
the Public Suffix List, private suffixes such as ``github.io`` included), so
``amp.portal.rs`` may point at ``www.portal.rs`` but ``evil.github.io`` may not claim
``other.github.io`` and no page may claim another site's URL. Hosts the list does not
know (IP addresses, ``localhost``) must be identical.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = [
    "MAX_URL_LENGTH",
    "UnsafeURLError",
    "check_http_url",
    "registrable_domain",
    "safe_http_url",
    "same_site",
]

MAX_URL_LENGTH = 2048
SCHEMES = frozenset({"http", "https"})

# WHATWG URL parsing strips leading/trailing C0 controls and space; we trim only
# ordinary whitespace and refuse the rest, so nothing hides in an invisible prefix.
_TRIM = " \t\r\n\f"
# Any control character (C0, DEL, C1) or Unicode whitespace/line separator.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\s\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# A DNS label (IDN letters allowed) dotted, or an IPv6 literal (hostname drops the []).
_HOSTNAME = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.?$")
_IPV6 = re.compile(r"^[0-9a-f:.]+(?:%[\w.~-]+)?$", re.I)


class UnsafeURLError(ValueError):
    """The value is not a URL we store or link; the message says why (for warnings)."""


def check_http_url(value: object, *, max_length: int = MAX_URL_LENGTH) -> str:
    """The URL, trimmed and with a lower-case scheme, or ``UnsafeURLError`` saying why."""
    if not isinstance(value, str):
        raise UnsafeURLError(f"not a URL: {type(value).__name__}")
    url = value.strip(_TRIM)
    if not url:
        raise UnsafeURLError("empty URL")
    if len(url) > max_length:
        raise UnsafeURLError(f"URL is {len(url):,} characters long (limit {max_length:,})")
    url = url.replace(" ", "%20")
    if _FORBIDDEN.search(url):
        raise UnsafeURLError(f"{_shown(url)} contains control or whitespace characters")
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        raise UnsafeURLError(f"{_shown(url)} is protocol-relative, not an http(s) URL")
    scheme = _SCHEME.match(url)
    if scheme is None:
        raise UnsafeURLError(f"{_shown(url)} is not an absolute http(s) URL")
    if scheme.group(1).lower() not in SCHEMES:
        raise UnsafeURLError(f"{_shown(url)}: the {scheme.group(1).lower()!r} scheme is refused")
    url = scheme.group(1).lower() + url[scheme.end(1) :]
    if url[scheme.end() : scheme.end() + 2] != "//":
        raise UnsafeURLError(f"{_shown(url)} has no host")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise UnsafeURLError(f"{_shown(url)} carries credentials (user@host)")
    if "\\" in parts.netloc:
        raise UnsafeURLError(f"{_shown(url)} has a backslash in its host")
    host = parts.hostname or ""
    if not host:
        raise UnsafeURLError(f"{_shown(url)} has no host")
    if not (_HOSTNAME.match(host) or (":" in host and _IPV6.match(host))):
        raise UnsafeURLError(f"{_shown(url)} has an invalid host {host!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        raise UnsafeURLError(f"{_shown(url)} has an invalid port") from None
    return url


def safe_http_url(value: object, *, max_length: int = MAX_URL_LENGTH) -> str:
    """``check_http_url``'s URL, or ``""`` when the value is not one we store or link."""
    try:
        return check_http_url(value, max_length=max_length)
    except UnsafeURLError:
        return ""


def registrable_domain(host: str) -> str:
    """eTLD+1 of a host name (``www.portal.co.uk`` -> ``portal.co.uk``); ``""`` if unknown.

    Uses the Public Suffix List bundled with ``tld`` (offline; private suffixes such as
    ``github.io`` and ``blogspot.com`` count as suffixes)."""
    from tld import get_fld

    host = host.lower().rstrip(".")
    if not host or ":" in host or host.replace(".", "").isdigit():
        return ""
    try:
        return get_fld(host, fix_protocol=True, fail_silently=True) or ""
    except Exception:  # noqa: BLE001 - an odd host name is "unknown", never a crash
        return ""


def same_site(url: str, page_url: str) -> bool:
    """True when ``url`` is on the same registrable domain as ``page_url`` (see module doc)."""
    target, page = safe_http_url(url), safe_http_url(page_url)
    if not target or not page:
        return False
    target_host = (urlsplit(target).hostname or "").rstrip(".")
    page_host = (urlsplit(page).hostname or "").rstrip(".")
    if target_host == page_host:
        return True
    target_domain, page_domain = registrable_domain(target_host), registrable_domain(page_host)
    return bool(target_domain) and target_domain == page_domain


def _shown(url: str) -> str:
    """The URL as a warning may quote it: short, with controls made visible."""
    short = url if len(url) <= 80 else url[:77] + "..."
    return repr(short)
