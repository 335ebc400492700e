"""Fixtures for ingest tests: the local HTTP server, a fake sleep, a loopback-allowed client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ingest_testserver import LocalServer

from ingest.http import PoliteClient, RobotsCache


@pytest.fixture(scope="session")
def _server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def local_server(_server: LocalServer) -> Iterator[LocalServer]:
    _server.reset()
    yield _server
    _server.reset()


class FakeSleep:
    """Records requested delays instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def client(fake_sleep: FakeSleep) -> Iterator[PoliteClient]:
    http = PoliteClient(
        delay=0.0,
        allow_hosts=["127.0.0.1", "localhost"],
        sleep=fake_sleep,
        robots_cache=RobotsCache(),
    )
    yield http
    http.close()
