"""Per-host politeness on a virtual clock: no test here sleeps for real.

``VirtualClock`` is a tiny discrete-event scheduler. Every worker thread calls
its ``sleep``; virtual time only moves forward when *every* running worker is
asleep, and then jumps to the earliest wake-up. So the virtual time at the end
is the schedule the throttle imposes (HTTP itself takes zero virtual time), and
threads that the throttle lets run side by side really do overlap in it.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import defaultdict, deque

import pytest
from ingest_testserver import LocalServer, Reply

from ingest.http import HostThrottle, PoliteClient, RobotsCache

DELAY = 1.0


class VirtualClock:
    def __init__(self, workers: int) -> None:
        self.now = 0.0
        self.running = workers
        self._wakeups: list[float] = []
        self._cond = threading.Condition()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._cond:
            target = self.now + max(0.0, seconds)
            heapq.heappush(self._wakeups, target)
            self.running -= 1
            self._advance()
            while self.now < target:
                self._cond.wait(timeout=5)

    def finished(self) -> None:
        with self._cond:
            self.running -= 1
            self._advance()

    def lock(self) -> VirtualLock:
        return VirtualLock(self)

    def _advance(self) -> None:
        if self.running > 0 or not self._wakeups:
            return
        self.now = max(self.now, self._wakeups[0])
        while self._wakeups and self._wakeups[0] <= self.now:
            heapq.heappop(self._wakeups)
            self.running += 1  # counted as running before it even wakes up
        self._cond.notify_all()


class VirtualLock:
    """A FIFO lock for ``HostThrottle``: a worker waiting for it is idle in virtual time."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.owner: int | None = None
        self.queue: deque[int] = deque()

    def __enter__(self) -> VirtualLock:
        me = threading.get_ident()
        with self.clock._cond:
            if self.owner is None:
                self.owner = me
                return self
            self.queue.append(me)
            self.clock.running -= 1
            self.clock._advance()
            while self.owner != me:
                self.clock._cond.wait(timeout=5)
        return self

    def __exit__(self, *exc: object) -> None:
        with self.clock._cond:
            if self.queue:
                self.owner = self.queue.popleft()
                self.clock.running += 1  # the next worker holds it and is running
                self.clock._cond.notify_all()
            else:
                self.owner = None


@pytest.fixture(scope="module")
def servers():
    """20 origins = 20 politeness keys (the key is host:port)."""
    started = [LocalServer() for _ in range(20)]
    for server in started:
        server.route(
            "/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")
        )
    yield started
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


def crawl(urls_per_worker: list[list[str]], delay: float = DELAY):
    """Fetch each worker's URLs in its own thread; return (makespan, log of (t, url))."""
    clock = VirtualClock(len(urls_per_worker))
    throttle = HostThrottle(lock_factory=clock.lock)  # fresh for each crawl
    log: list[tuple[float, str]] = []
    errors: list[BaseException] = []

    def work(urls: list[str]) -> None:
        http = PoliteClient(
            delay=delay,
            allow_hosts=["127.0.0.1"],
            sleep=clock.sleep,
            clock=clock.clock,
            throttle=throttle,
            robots_cache=RobotsCache(),
        )
        try:
            for url in urls:
                http.get(url)
                log.append((clock.clock(), url))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            http.close()
            clock.finished()

    threads = [threading.Thread(target=work, args=(urls,), daemon=True) for urls in urls_per_worker]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    return clock.now, log


def test_200_articles_on_one_host_take_at_least_200_seconds(servers) -> None:
    server = servers[0]
    urls = [server.url(f"/a/{i}") for i in range(200)]
    for i in range(200):
        server.route(f"/a/{i}", Reply(body=f"<p>{i}</p>"))
    # Even with four workers sharing the host, the throttle serialises them.
    makespan, log = crawl([urls[k::4] for k in range(4)])
    assert len(log) == 200
    # 201 requests (robots.txt + 200 pages), 1 s apart: 200 s of schedule.
    assert makespan >= 200 * DELAY
    starts = sorted(t for t, _ in log)
    assert all(b - a >= DELAY - 1e-9 for a, b in zip(starts, starts[1:], strict=False))


def test_200_articles_on_20_hosts_run_in_parallel(servers) -> None:
    per_host = []
    for server in servers:
        for i in range(10):
            server.route(f"/b/{i}", Reply(body=f"<p>{i}</p>"))
        per_host.append([server.url(f"/b/{i}") for i in range(10)])
    makespan, log = crawl(per_host)
    assert len(log) == 200
    # Each host: robots.txt + 10 pages = 10 s of schedule; hosts overlap, so the
    # whole crawl takes ~10 s of virtual time, not the 200+ s of one host.
    assert 10 * DELAY <= makespan < 12 * DELAY
    by_host: dict[str, list[float]] = defaultdict(list)
    for t, url in log:
        by_host[url.rsplit("/b/", 1)[0]].append(t)
    assert len(by_host) == 20
    for times in by_host.values():
        times.sort()
        assert all(b - a >= DELAY - 1e-9 for a, b in zip(times, times[1:], strict=False))
    # Parallel: in the first second of virtual time every host has been served.
    assert sum(1 for t, _ in log if t <= DELAY) >= 20


def test_crawl_delay_from_robots_raises_the_gap(servers) -> None:
    server = servers[1]
    server.route(
        "/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 5\n", content_type="text/plain")
    )
    for i in range(3):
        server.route(f"/c/{i}", Reply(body="<p>x</p>"))
    try:
        makespan, log = crawl([[server.url(f"/c/{i}") for i in range(3)]])
    finally:
        server.route(
            "/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")
        )
    assert makespan >= 15  # robots.txt + 3 pages, 5 s apart
