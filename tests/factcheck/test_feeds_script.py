"""The sr-latn RSS/Atom feeds and API answers are in Latin script; sr stays Cyrillic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture
def serbian(make_factcheck):
    """A Cyrillic original (mirrored on sr-latn as an alias) and a Latin original."""
    cyrillic = make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже микрочипове",
        claim_reviewed="Вакцине против ковида садрже микрочипове за праћење",
        summary="Нетачно. Ниједна вакцина не садржи микрочип.",
        claimant="Вирална објава на Фејсбуку",
    )
    latin = make_factcheck(
        locale="sr-latn",
        slug="5g-virus",
        title="5G mreža ne širi virus",
        claim_reviewed="5G mreža širi koronavirus",
        summary="Netačno. Radio-talasi ne prenose viruse.",
    )
    return cyrillic, latin


def _feed_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return " ".join(t for t in root.itertext() if t.strip())


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_sr_latn_feed_is_in_latin_script(client, serbian, kind) -> None:
    text = _feed_text(client, f"/sr-latn/feeds/latest.{kind}")
    assert "Vakcine ne sadrže mikročipove" in text  # the Cyrillic original, transliterated
    assert "Netačno" in text
    assert "5G mreža ne širi virus" in text  # the Latin original, as written
    assert not CYRILLIC.search(text), CYRILLIC.findall(text)[:10]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_sr_feed_stays_cyrillic(client, serbian, kind) -> None:
    text = _feed_text(client, f"/sr/feeds/latest.{kind}")
    assert "Вакцине не садрже микрочипове" in text


def test_sr_latn_feed_keeps_links_working(client, serbian) -> None:
    root = ET.fromstring(client.get("/sr-latn/feeds/latest.rss").content)
    links = [item.findtext("link") for item in root.iter("item")]
    assert links and all(link.startswith("http://testserver/sr-latn/") for link in links)
    for link in links:
        assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_api_sr_latn_answers_in_latin(client, serbian) -> None:
    data = client.get("/api/v1/factchecks/?lang=sr-latn").json()
    titles = {r["title"] for r in data["results"]}
    assert titles == {"Vakcine ne sadrže mikročipove", "5G mreža ne širi virus"}
    for result in data["results"]:
        for name in ("title", "claim_reviewed", "claimant", "summary"):
            assert not CYRILLIC.search(result[name]), (name, result[name])
        assert not CYRILLIC.search(result["rating"]["label"])
    cyrillic = next(r for r in data["results"] if r["language"] == "sr")
    assert cyrillic["claim_reviewed"] == "Vakcine protiv kovida sadrže mikročipove za praćenje"
    assert cyrillic["claimant"] == "Viralna objava na Fejsbuku"


def test_api_sr_stays_cyrillic(client, serbian) -> None:
    data = client.get("/api/v1/factchecks/?lang=sr").json()
    assert [r["title"] for r in data["results"]] == ["Вакцине не садрже микрочипове"]
