"""Ingest hands new items to the queue: same claim seen again is one claim."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claims.models import Claim, ClaimStatus
from ingest.pipeline import store_item
from ingest.types import ItemDraft
from sources.models import Channel, Outlet

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(db):
    outlet = Outlet.objects.create(name="Portal X", country="RS", languages=["sr"])
    return Channel.objects.create(outlet=outlet, kind="telegram", url_or_handle="portalx")


def _post(n: int, text: str, **kw) -> ItemDraft:
    return ItemDraft(
        url=f"https://t.me/portalx/{n}", platform="telegram", text=text,
        published_at=datetime(2025, 3, 14, 9, 30, tzinfo=UTC), engagement={"views": 1000 * n}, **kw,
    )  # fmt: skip


def test_new_item_opens_claim_with_suggestions(matcher, make_factcheck, channel):
    page = make_factcheck()
    matcher.suggest(page)
    outcome = store_item(
        _post(1, "Вакцине против короне садрже микрочипове који прате људе"), channel=channel
    )
    claim = Claim.objects.get()
    sighting = claim.sightings.get()
    assert sighting.captured_item == outcome.item and sighting.platform == "telegram"
    assert sighting.outlet == channel.outlet and claim.country == "RS"
    assert claim.matches.get().factcheck_id == page.pk and claim.has_suggested_match
    assert claim.engagement_total == 1000


def test_same_claim_again_in_other_script_is_a_sighting(matcher, channel):
    store_item(
        _post(1, "Вакцине против короне садрже микрочипове који прате људе"), channel=channel
    )
    # The same post in Latin script under another URL, with a lead-in: a new item for ingest.
    latin = "Hitno, prosledite dalje: vakcine protiv korone sadrže mikročipove koji prate ljude"
    second = store_item(_post(2, latin), channel=channel)
    store_item(_post(2, latin), channel=channel)  # the same item again
    claim = Claim.objects.get()
    assert second.created
    assert claim.sighting_count == 2 and claim.status == ClaimStatus.NEW


def test_short_items_do_not_become_claims(matcher, channel):
    store_item(_post(1, "ok"), channel=channel)
    assert not Claim.objects.exists()


def test_intake_with_the_real_matcher(make_factcheck, channel, search_index):
    """Integration: the real ``search.match`` over a real index (this test's own: other
    tests' documents would outrank it) suggests the debunk."""
    import search

    assert hasattr(search, "match")
    page = make_factcheck(
        claim_reviewed="COVID-19 vaccines contain microchips that track people",
        title="Vaccines do not contain microchips",
    )
    from claims.indexing import factcheck_index

    factcheck_index(page_id=page.pk)
    assert search.match(page.claim_reviewed, limit=3)
    store_item(
        ItemDraft(url="https://fb.example/p/77", platform="article",
                  text="COVID-19 vaccines contain microchips that track people, a viral post says."),
        channel=None,
    )  # fmt: skip
    claim = Claim.objects.get()
    suggested = list(claim.matches.values_list("factcheck_id", flat=True))
    assert page.pk in suggested
