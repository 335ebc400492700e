"""Politeness for ``ingest.http``: robots.txt, Crawl-delay and per-host spacing.

* robots.txt is obeyed (protego), cached per origin (``RobotsCache``); an unreachable
  one (server error) disallows for now, a 4xx allows all (RFC 9309).
* One request at a time per host in this process, at least ``delay`` seconds apart
  (``HostThrottle``); robots.txt ``Crawl-delay`` raises the spacing.
* ``Crawl-delay`` is capped at ``MAX_CRAWL_DELAY`` (60 s). A host asking for more is
  "polled rarely", never slept for: one page per Crawl-delay, and any other request to
  it in that window fails at once with ``CrawlDelayError``; ``CrawlDelayWatch`` lets a
  crawl pass schedule the channel's next poll no sooner than that.
* ``parse_retry_after`` reads ``Retry-After`` (seconds or an HTTP date).

``RobotsMixin`` holds the ``PoliteClient`` methods that read robots.txt; the client
supplies ``guard``, ``robots``, ``clock``, ``delay``, ``obey_robots``, ``_watches``,
``_fetching`` and ``_send_once``.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from protego import Protego

from .exceptions import (
    BlockedAddressError,
    CrawlDelayError,
    FetchDeadlineError,
    FetchError,
    RobotsDisallowedError,
    UnsafeURLError,
)
from .http_decode import FetchBudget

logger = logging.getLogger("ingest.http")

BOT_NAME = "BalkanFactCheckBot"
ROBOTS_MAX_BYTES = 512 * 1024
MAX_CRAWL_DELAY = 60.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ThrottleWaitTooLong(Exception):
    """Raised by ``HostThrottle.slot`` instead of sleeping ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"would have to wait {wait:.1f} s")
        self.wait = wait


class HostThrottle:
    """One request at a time per host, at least ``delay`` seconds apart (per process).

    ``lock_factory`` makes the per-host locks (tests pass a virtual-time lock so a
    worker waiting for a busy host counts as idle on their fake clock).

    A wait longer than ``max_wait`` (a number or a callable, read once the host's
    lock is held) raises ``ThrottleWaitTooLong`` instead of sleeping. A ``rare``
    host (Crawl-delay above the cap) is never waited for: its gap is measured from
    its last page (robots.txt fetches do not count) and any wait raises.
    """

    def __init__(self, lock_factory: Callable[[], Any] = threading.Lock) -> None:
        self._lock_factory = lock_factory
        self._locks: dict[str, Any] = {}
        self._last: dict[str, float] = {}
        self._last_page: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def slot(
        self,
        host: str,
        delay: float,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        max_wait: float | Callable[[], float] = math.inf,
        rare: bool = False,
        robots: bool = False,
    ) -> Iterator[None]:
        with self._guard:
            lock = self._locks.get(host)
            if lock is None:
                lock = self._locks[host] = self._lock_factory()
        with lock:
            last = (self._last_page if rare else self._last).get(host)
            if last is not None and delay > 0:
                wait = last + delay - clock()
                if wait > 0:
                    allowed = 0.0 if rare else (max_wait() if callable(max_wait) else max_wait)
                    if wait > allowed:
                        raise ThrottleWaitTooLong(wait)
                    sleep(wait)
            try:
                yield
            finally:
                now = clock()
                self._last[host] = now
                if not robots:
                    self._last_page[host] = now


_THROTTLE = HostThrottle()


@dataclass
class RobotsCache:
    """Parsed robots.txt per origin; ``None`` means "could not fetch: disallow all"."""

    ttl: float = 3600.0
    entries: dict[str, tuple[float, Protego | None]] = field(default_factory=dict)


@dataclass(eq=False)
class CrawlDelayWatch:
    """The largest robots.txt ``Crawl-delay`` (seconds, uncapped) of any host fetched
    while the watch was open in this thread; crawl passes poll no sooner than this."""

    seconds: float = 0.0
    _stack: list[CrawlDelayWatch] | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._stack is not None and self in self._stack:
            self._stack.remove(self)

    def __enter__(self) -> CrawlDelayWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return None


class RobotsMixin:
    """robots.txt reading and Crawl-delay spacing for ``PoliteClient``."""

    guard: Any
    robots: RobotsCache
    clock: Callable[[], float]
    delay: float
    obey_robots: bool
    _watches: threading.local
    _fetching: Callable[..., Any]
    _send_once: Callable[..., Any]

    def robots_allows(self, url: str) -> bool:
        with self._fetching(url) as budget:
            parsed = self.guard.check_url(url)
            robots = self._robots_for(parsed, budget)
            return robots is not None and robots.can_fetch(str(parsed), BOT_NAME)

    def sitemaps_from_robots(self, url: str) -> list[str]:
        with self._fetching(url) as budget:
            robots = self._robots_for(self.guard.check_url(url), budget)
            return list(robots.sitemaps) if robots else []

    def crawl_delay_watch(self) -> CrawlDelayWatch:
        """Start recording the robots.txt Crawl-delay of every host fetched in this thread.

        ``close()`` the watch (or use it as a context manager) when done; its
        ``seconds`` is the largest Crawl-delay seen, uncapped.
        """
        stack = getattr(self._watches, "stack", None)
        if stack is None:
            stack = self._watches.stack = []
        watch = CrawlDelayWatch(_stack=stack)
        stack.append(watch)
        return watch

    def _robots_crawl_delay(self, url: httpx.URL) -> float:
        """The Crawl-delay robots.txt gives us for this origin (uncapped; 0 when none)."""
        entry = self.robots.entries.get(self._origin(url))
        if not entry or entry[1] is None:
            return 0.0
        try:
            value = float(entry[1].crawl_delay(BOT_NAME) or 0.0)
        except (TypeError, ValueError):
            return 0.0
        if not value > 0:  # also NaN
            return 0.0
        return min(value, 365 * 86400.0)

    def _spacing(self, url: httpx.URL, *, robots: bool) -> tuple[float, bool]:
        """(seconds between requests to this host, whether it is a "poll rarely" host)."""
        crawl_delay = self._robots_crawl_delay(url)
        if crawl_delay > MAX_CRAWL_DELAY:
            return (self.delay, False) if robots else (crawl_delay, True)
        return max(self.delay, crawl_delay), False

    @staticmethod
    def _origin(url: httpx.URL) -> str:
        return str(url.copy_with(path="/", query=None, fragment=None))

    def _robots_for(self, url: httpx.URL, budget: FetchBudget) -> Protego | None:
        origin = self._origin(url)
        cached = self.robots.entries.get(origin)
        now = self.clock()
        if cached and now - cached[0] < self.robots.ttl:
            return cached[1]
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        parsed: Protego | None
        try:
            # No retries and no redirects to other origins for robots.txt: keep it cheap.
            response = self._send_once(robots_url, {}, None, ROBOTS_MAX_BYTES, budget, robots=True)
            if response.status == 200:
                parsed = Protego.parse(response.content.decode("utf-8", errors="replace"))
            elif 400 <= response.status < 500 or response.status in REDIRECT_STATUSES:
                parsed = Protego.parse("")  # RFC 9309: unavailable robots.txt allows all
            else:
                parsed = None  # server error: treat as complete disallow for now
        except (BlockedAddressError, UnsafeURLError, FetchDeadlineError, CrawlDelayError):
            raise  # not the server's answer: nothing to cache
        except FetchError as exc:
            logger.info("robots.txt unreachable for %s: %s", origin, exc)
            parsed = None
        except Exception as exc:  # noqa: BLE001 - a robots.txt that breaks the parser
            logger.warning("robots.txt of %s could not be parsed: %r", origin, exc)
            parsed = None
        self.robots.entries[origin] = (now, parsed)
        return parsed

    def _check_robots(self, url: httpx.URL, budget: FetchBudget) -> None:
        if not self.obey_robots:
            return
        robots = self._robots_for(url, budget)
        if robots is None:
            raise RobotsDisallowedError(
                "robots.txt could not be fetched (server error): not crawling", url=str(url)
            )
        crawl_delay = self._robots_crawl_delay(url)
        for watch in getattr(self._watches, "stack", None) or ():
            watch.seconds = max(watch.seconds, crawl_delay)
        if not robots.can_fetch(str(url), BOT_NAME):
            raise RobotsDisallowedError(f"robots.txt disallows {url}", url=str(url))
