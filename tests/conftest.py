"""Shared fixtures. No test touches the network: sockets to anything but loopback are refused."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

RESOURCES = Path(__file__).parent / "resources"

_real_connect = socket.socket.connect


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:  # unix sockets (PostgreSQL on a socket path) are local
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise OSError(f"tests may not reach non-loopback address {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _interface_language_reset():
    """A request through LocaleMiddleware leaves its language active in the thread; the
    next test starts from the default language, whatever ran before it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def resources() -> Path:
    return RESOURCES


# --- Newsroom content for page, API and import tests --------------------------------

TRUTH_SCALE = {
    "key": "truth",
    "names": {
        "en": "Truth scale",
        "sr": "Скала истинитости",
        "sr-latn": "Skala istinitosti",
        "hr": "Ljestvica istinitosti",
        "mk": "Скала на вистинитост",
    },
    "ratings": [
        {
            "key": "true",
            "verdict": "true",
            "rating_value": 5,
            "best": 5,
            "worst": 1,
            "alternate_name": "True",
            "colour": "#1a7f37",
            "label": {
                "en": "True",
                "sr": "Истина",
                "sr-latn": "Istina",
                "hr": "Točno",
                "mk": "Вистина",
            },
        },
        {
            "key": "false",
            "verdict": "false",
            "rating_value": 1,
            "best": 5,
            "worst": 1,
            "alternate_name": "False",
            "colour": "#cf222e",
            "label": {
                "en": "False",
                "sr": "Нетачно",
                "sr-latn": "Netačno",
                "hr": "Netočno",
                "mk": "Невистина",
            },
        },
    ],
}


def _build_newsroom():
    from claims import services

    homes = services.site_ensure_structure()
    services.rating_scale_upsert(
        key=TRUTH_SCALE["key"], names=TRUTH_SCALE["names"], ratings=TRUTH_SCALE["ratings"]
    )
    services.topic_upsert(key="health", names={"en": "Health", "sr": "Здравље", "hr": "Zdravlje"})
    return homes


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the site structure once: publishing 24 pages per test would dominate the run."""
    from django.db import connections

    with django_db_blocker.unblock():
        _build_newsroom()
        # Transactional tests (live server, row locks) flush the database afterwards; with
        # serialized_rollback they restore this state, migrations' data included.
        for connection in connections.all():
            if hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture
def newsroom(db):
    """Site structure in every locale plus a small truth scale (no demo content).

    Idempotent, so it also rebuilds what a transactional test flushed."""
    return _build_newsroom()


@pytest.fixture
def make_factcheck(newsroom):
    """Build a published fact-check in a locale; keyword arguments override the defaults."""
    from claims import services
    from claims.models import Rating

    def make(locale="en", slug="vaccines-microchips", verdict_key="false", **fields):
        defaults = {
            "title": "Vaccines do not contain microchips",
            "claim_reviewed": "COVID-19 vaccines contain microchips that track people",
            "summary": "False. No vaccine contains a microchip; the needles are too thin.",
            "claimant": "A viral Facebook post",
            "appearances": [
                services.AppearanceData(url="https://social.example/p/1", platform="facebook")
            ],
        }
        defaults.update(fields)
        rating = Rating.objects.get(
            scale__key="truth", key=verdict_key, locale__language_code=locale
        )
        page, _ = services.factcheck_upsert(
            index=services.index_for(locale_code=locale), slug=slug, rating=rating, **defaults
        )
        return page

    return make


@pytest.fixture
def search_index(settings, tmp_path) -> Path:
    """An empty search index of this test's own: the database rolls back, files would not."""
    from search.backends import reset_search_backends

    path = tmp_path / "search"
    settings.FACTCHECK_SEARCH_PARAMS = {"PATH": str(path)}
    reset_search_backends()
    yield path
    reset_search_backends()


#: The one debunk in :func:`match_index`.
MATCH_INDEX_CLAIM = "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"


@pytest.fixture
def match_index(settings, tmp_path) -> str:
    """A search index of this test's own holding one Bosnian debunk (id 7) with a test
    embedder vector; returns its claim. What the match API tests query."""
    import search
    from search.backends import reset_search_backends
    from search.embeddings import get_embedder
    from search.types import SearchDocument

    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    vector = get_embedder("test").embed_passages([MATCH_INDEX_CLAIM])[0]
    search.index_documents(
        [
            SearchDocument(
                id="7",
                title="Coca-Cola i alkohol",
                claim_reviewed=MATCH_INDEX_CLAIM,
                language="bs",
                rating_verdict="false",
                rating_label="Netačno",
                url="/bs/provjere/coca-cola/",
                vector=list(vector),
            )
        ]
    )
    yield MATCH_INDEX_CLAIM
    reset_search_backends()
