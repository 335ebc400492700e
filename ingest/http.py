"""Polite, safe HTTP for every connector and for any user-given URL.

Contract (``PoliteClient.get``):

* Only ``http``/``https`` URLs without credentials. The host is resolved and every
  address is checked (loopback, private, link-local, multicast, reserved,
  unspecified, CGNAT, cloud metadata, IPv4 embedded in IPv6, numeric forms such
  as ``http://2130706433/``). The check runs twice: before each hop (for a clear
  error) and again inside the transport when the TCP connection is opened, which
  connects to the address it has just validated, so DNS rebinding between the
  two cannot reach a private address. TLS SNI and the Host header keep the name.
* Redirects are followed by hand, up to ``max_redirects``; every hop goes through
  the guard and robots.txt.
* Only ports 80 and 443: an internal service on another port of a public host
  (SSH, Redis, an admin UI) is not ours to probe. The check runs on every hop and
  again at connect time.
* ``fec0::/10`` (deprecated IPv6 site-local) is refused like the private ranges:
  some networks still route it internally and ``ipaddress`` calls it global.
* Hosts listed in ``settings.FACTCHECK_FETCH_ALLOW_HOSTS`` skip the address and
  port checks (tests allow loopback this way); nothing else does.
* robots.txt is obeyed (protego), cached per origin, and its ``Crawl-delay`` raises
  the per-host delay. One request at a time per host in this process, at least
  ``delay`` seconds apart (``settings.FACTCHECK_HTTP_DELAY``, zero in tests).
* ``Crawl-delay`` is capped at ``MAX_CRAWL_DELAY`` (60 s): ``Crawl-delay: 1e9`` made
  the first fetch sleep forever. A host asking for more is "polled rarely", never
  slept for: one page per Crawl-delay, and any other request to it in that window
  fails at once with ``CrawlDelayError`` (crawl passes then schedule the channel's
  next poll no sooner than the Crawl-delay, see ``crawl_delay_watch``).
* One deadline per ``get()`` (``deadline``, ``settings.FACTCHECK_FETCH_DEADLINE``,
  default 90 s) covers robots.txt, throttle waits, connect, TLS, headers, body,
  retries, ``Retry-After`` and redirect hops: every socket read and write gets the
  time left, so a server that sends headers a byte at a time, or answers 503 with
  ``Retry-After: 600``, cannot hold a worker past it (``FetchDeadlineError``). A wait
  that would end past the deadline is not started. DNS resolution is bounded by
  the system resolver only.
* Request headers that carry credentials (``Authorization``, ``Cookie``, API-key
  headers: ``SECRET_HEADERS``) are dropped when a redirect leaves the origin.
* Conditional GET: pass ``etag``/``last_modified``; a 304 gives
  ``FetchResult.not_modified``.
* Only what may succeed on a second try is retried: connection/read errors and
  timeouts, 429 and 5xx, with exponential backoff; ``Retry-After`` is honoured
  (capped). Malformed responses, invalid ``Location`` headers, refused URLs, size,
  content-type and encoding errors, and a passed deadline fail at once, because
  they would fail the same way again. ``sleep`` is injectable so tests never sleep.
* Bodies larger than ``max_bytes`` (default 5 MB) raise ``ResponseTooLargeError``
  as soon as the limit is passed, on the wire and after decoding; ``accept``
  restricts content types.
* Decompression is ours, not httpx's: at most one ``Content-Encoding`` layer (gzip
  or deflate, the only ones we advertise), decoded in bounded steps that stop at
  ``max_bytes``. A 400 MB ``gzip, gzip`` bomb used to take 928 MB of memory before
  the cap fired; stacked or unrequested encodings (``br``, ``zstd``) are refused.
* Nothing but ``IngestError`` leaves ``get()``: anything unexpected from the HTTP
  stack is wrapped in ``FetchError`` (fuzzed with arbitrary bytes from a raw socket).

Layout: ``ingest.http_guard`` (addresses, ports, the guarded transport),
``ingest.http_decode`` (the deadline budget and bounded decompression) and
``ingest.robots`` (robots.txt, Crawl-delay, per-host spacing) hold the parts; their
public names are re-exported here, so ``from ingest.http import ...`` keeps working.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from .exceptions import (
    CrawlDelayError,
    FetchDeadlineError,
    FetchError,
    HTTPStatusError,
    IngestError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnexpectedContentTypeError,
    UnsafeURLError,
)
from .http_decode import ACCEPT_ENCODING, DECODE_STEP, KNOWN_CODINGS, BoundedDecoder, FetchBudget
from .http_guard import (
    ALLOWED_PORTS,
    FETCH_DEADLINE,
    METADATA_ADDRESSES,
    AddressGuard,
    DeadlineStream,
    GuardedNetworkBackend,
    GuardedTransport,
    IPAddress,
    Resolver,
    check_port,
    default_resolver,
    is_forbidden_address,
    parse_ip_literal,
)
from .robots import (
    _THROTTLE,
    BOT_NAME,
    MAX_CRAWL_DELAY,
    REDIRECT_STATUSES,
    ROBOTS_MAX_BYTES,
    CrawlDelayWatch,
    HostThrottle,
    RobotsCache,
    RobotsMixin,
    ThrottleWaitTooLong,
    parse_retry_after,
)

# Names other modules and tests import from here (the module was split in three).
__all__ = [
    "ACCEPT_ENCODING",
    "ALLOWED_PORTS",
    "BOT_NAME",
    "DECODE_STEP",
    "DEFAULT_MAX_BYTES",
    "KNOWN_CODINGS",
    "MAX_CRAWL_DELAY",
    "METADATA_ADDRESSES",
    "ROBOTS_MAX_BYTES",
    "AddressGuard",
    "BoundedDecoder",
    "CrawlDelayError",
    "CrawlDelayWatch",
    "DeadlineStream",
    "FetchBudget",
    "FetchDeadlineError",
    "FetchResult",
    "GuardedNetworkBackend",
    "GuardedTransport",
    "HostThrottle",
    "IPAddress",
    "PoliteClient",
    "Resolver",
    "RobotsCache",
    "ThrottleWaitTooLong",
    "check_port",
    "default_resolver",
    "get_client",
    "is_forbidden_address",
    "parse_ip_literal",
    "parse_retry_after",
    "user_agent",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_DEADLINE = 90.0
# Request headers dropped when a redirect leaves the origin (API keys, credentials).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-goog-api-key", "x-api-key"}
)


def user_agent() -> str:
    contact = settings.FACTCHECK_BOT_CONTACT_URL or (
        settings.FACTCHECK_SITE_URL.rstrip("/") + "/about/crawler/"
    )
    return f"{BOT_NAME}/0.1 (fact-checking; +{contact})"


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def encoding(self) -> str | None:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        return match.group(1) if match else None

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def _content_type_ok(content_type: str, accept: Iterable[str]) -> bool:
    for pattern in accept:
        pattern = pattern.lower()
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if content_type == pattern or (pattern.startswith("+") and content_type.endswith(pattern)):
            return True
    return False


# ----------------------------------------------------------------------- client


class PoliteClient(RobotsMixin):
    """The one way ingest fetches a URL. See the module docstring for the contract."""

    def __init__(
        self,
        *,
        delay: float | None = None,
        allow_hosts: Iterable[str] | None = None,
        resolver: Resolver | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_retry_after: float = 600.0,
        timeout: float = 20.0,
        deadline: float | None = None,
        total_timeout: float | None = None,
        obey_robots: bool = True,
        robots_cache: RobotsCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        throttle: HostThrottle | None = None,
        verify: bool = True,
    ) -> None:
        self.delay = float(settings.FACTCHECK_HTTP_DELAY if delay is None else delay)
        self.guard = AddressGuard(allow_hosts=allow_hosts, resolver=resolver)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        if deadline is None:
            deadline = total_timeout  # the old name of the same limit
        if deadline is None:
            deadline = settings.FACTCHECK_FETCH_DEADLINE
        self.deadline = float(deadline)
        self.total_timeout = self.deadline
        self.timeout = timeout
        self.obey_robots = obey_robots
        self.robots = robots_cache or RobotsCache()
        self.sleep = sleep
        self.clock = clock
        self.throttle = throttle or _THROTTLE
        self.user_agent = user_agent()
        self._watches = threading.local()
        self._client = httpx.Client(
            transport=GuardedTransport(self.guard, verify=verify),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- public

    def get(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: Iterable[str] | None = None,
        max_bytes: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` following redirects safely; raise a ``FetchError`` subclass on failure."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.max_bytes
        with self._fetching(url) as budget:
            current = self.guard.check_url(url)
            hops: list[str] = []
            while True:
                budget.check(current, "before the request")
                self._check_robots(current, budget)
                response = self._request_with_retries(
                    current, request_headers, accept, limit, budget
                )
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise FetchError(
                            f"redirect {response.status} without Location", url=str(current)
                        )
                    if len(hops) >= self.max_redirects:
                        raise TooManyRedirectsError(
                            f"more than {self.max_redirects} redirects", url=str(current)
                        )
                    hops.append(str(current))
                    try:
                        target = current.join(location)
                    except (httpx.InvalidURL, ValueError, TypeError) as exc:
                        raise UnsafeURLError(
                            f"redirect to an invalid Location {location[:200]!r}", url=str(current)
                        ) from exc
                    previous, current = current, self.guard.check_url(target)
                    if _origin_of(current) != _origin_of(previous):
                        # Credentials are for the host they were meant for, never the next.
                        for name in [h for h in request_headers if h.lower() in SECRET_HEADERS]:
                            del request_headers[name]
                    continue
                return FetchResult(
                    url=str(current),
                    status=response.status,
                    headers=response.headers,
                    content=response.content,
                    redirects=tuple(hops),
                )

    # --------------------------------------------------------------- internal

    @contextlib.contextmanager
    def _fetching(self, url: object) -> Iterator[FetchBudget]:
        """One deadline for everything inside; nothing but ``IngestError`` leaves it."""
        budget = FetchBudget.start(self.deadline, self.clock)
        token = FETCH_DEADLINE.set(budget.wall_end)
        try:
            yield budget
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract: only IngestError escapes
            logger.warning("unexpected %s fetching %s: %s", type(exc).__name__, url, exc)
            raise FetchError(
                f"could not fetch {url}: {type(exc).__name__}: {str(exc)[:300]}", url=str(url)
            ) from exc
        finally:
            FETCH_DEADLINE.reset(token)

    def _host_key(self, url: httpx.URL) -> str:
        return f"{url.raw_host.decode('ascii', 'replace').lower()}:{url.port or ''}"

    def _request_with_retries(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: FetchBudget,
    ) -> _RawResponse:
        attempt = 0
        while True:
            try:
                response = self._send_once(url, headers, accept, limit, budget)
            except FetchError as exc:
                if not getattr(exc, "retryable", False) or attempt >= self.max_retries:
                    raise
                wait = self.backoff * 2**attempt
                if wait >= budget.left():
                    raise  # the retry could not finish in time: give the real error now
                logger.info("network error on %s (%s); retry in %.1fs", url, exc, wait)
            else:
                if response.status not in RETRY_STATUSES:
                    if response.status >= 400:
                        raise HTTPStatusError(
                            f"HTTP {response.status} from {url}",
                            url=str(url),
                            status=response.status,
                        )
                    return response
                if attempt >= self.max_retries:
                    raise HTTPStatusError(
                        f"HTTP {response.status} from {url} after {attempt + 1} attempts",
                        url=str(url),
                        status=response.status,
                    )
                wait = self.backoff * 2**attempt
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    wait = max(wait, retry_after)
                wait = min(wait, self.max_retry_after)
                if wait >= budget.left():
                    raise HTTPStatusError(
                        f"HTTP {response.status} from {url}; waiting {wait:g} s to retry "
                        f"would pass the {self.deadline:g} s fetch deadline",
                        url=str(url),
                        status=response.status,
                    )
            attempt += 1
            self.sleep(wait)

    def _send_once(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: FetchBudget,
        *,
        robots: bool = False,
    ) -> _RawResponse:
        delay, rare = self._spacing(url, robots=robots)
        try:
            with self.throttle.slot(
                self._host_key(url),
                delay,
                sleep=self.sleep,
                clock=self.clock,
                max_wait=budget.left,
                rare=rare,
                robots=robots,
            ):
                return self._exchange(url, headers, accept, limit, budget)
        except ThrottleWaitTooLong as too_long:
            if rare:
                raise CrawlDelayError(
                    f"robots.txt asks for {delay:g} s between requests, above the "
                    f"{MAX_CRAWL_DELAY:g} s Crawl-delay cap: this host is polled rarely; "
                    f"next request in {too_long.wait:.0f} s",
                    url=str(url),
                    retry_in=too_long.wait,
                ) from None
            raise budget.error(url, f"waiting {too_long.wait:.1f} s for the host") from None

    def _exchange(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        accept: Iterable[str] | None,
        limit: int,
        budget: FetchBudget,
    ) -> _RawResponse:
        left = budget.left()
        if left <= 0:
            raise budget.error(url, "before the request")
        timeout = httpx.Timeout(
            min(self.timeout, left), connect=min(self.timeout, 10.0, left), pool=left
        )
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
                if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                    return _RawResponse(response.status_code, response.headers, b"")
                if response.status_code >= 400:
                    return _RawResponse(response.status_code, response.headers, b"")
                content_type = (
                    response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                )
                if (
                    accept is not None
                    and content_type
                    and not _content_type_ok(content_type, accept)
                ):
                    raise UnexpectedContentTypeError(
                        f"unexpected content type {content_type!r} from {url}", url=str(url)
                    )
                declared = response.headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > limit:
                    raise ResponseTooLargeError(
                        f"response of {declared} bytes exceeds the {limit}-byte limit",
                        url=str(url),
                    )
                decoder = BoundedDecoder.for_header(
                    response.headers.get("content-encoding", ""), limit=limit, url=str(url)
                )
                chunks: list[bytes] = []
                on_wire = 0
                for raw in response.iter_raw():
                    on_wire += len(raw)
                    if on_wire > limit:
                        raise ResponseTooLargeError(
                            f"response exceeds the {limit}-byte limit; stopped reading",
                            url=str(url),
                        )
                    chunks.extend(decoder.feed(raw))
                    budget.check(url, "reading the body")
                chunks.extend(decoder.flush())
                return _RawResponse(response.status_code, response.headers, b"".join(chunks))
        except httpx.HTTPError as exc:
            if budget.left() <= 0:
                raise budget.error(url, type(exc).__name__) from exc
            transient = isinstance(exc, (httpx.TimeoutException, httpx.NetworkError))
            kind = "network error" if transient else "bad response"
            error = FetchError(f"{kind} fetching {url}: {exc!s}", url=str(url))
            error.retryable = transient  # type: ignore[attr-defined]
            raise error from exc


@dataclass(frozen=True)
class _RawResponse:
    status: int
    headers: httpx.Headers
    content: bytes


def _origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.raw_host.decode("ascii", "replace").lower(), url.port)


def get_client(**kwargs: Any) -> PoliteClient:
    """A ``PoliteClient`` configured from settings; keyword arguments override."""
    return PoliteClient(**kwargs)
