"""The claim queue finds a claim's repeats through the search backend's claim vector index.

Every claim that is not merged is a candidate, however old (there is no "most recent
window" any more); merged and deleted claims leave the index after their commit and are
never candidates; claims never reach public search or ``search.match()``; and
``rebuild_search_index`` restores the index from the database. The test embedder
(settings.FACTCHECK_EMBEDDER = "test") sees a reworded sentence as the same claim.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

import search
from claims import services
from claims.models import Claim, ClaimStatus, JoinMethod, SightingSource

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

CLAIM = "Vaccines against corona contain microchips that track people"
REWORDED = "BREAKING: vaccines against corona contain microchips that track people!!"
OTHERS = (
    "The dinar will be abolished next month, a post says",
    "A new bridge over the Drina will be closed for a year from Monday",
    "Bread will cost three times more from January, the bakers say",
)


def _sighting(n: int) -> services.SightingData:
    return services.SightingData(source=SightingSource.MANUAL, url=f"https://a.example/{n}")


def _open(text: str, n: int) -> tuple[Claim, bool]:
    return services.claim_open_or_attach(text=text, language="en", sighting=_sighting(n))


def _create(text: str, n: int = 0) -> Claim:
    return services.claim_create(text=text, language="en", sighting=_sighting(n), suggest=False)


def _neighbours(text: str) -> list[int]:
    return [pk for pk, _cos in search.nearest_claims(search.claim_vector(text, kind="query"))]


def test_an_old_claim_outside_the_former_window_is_still_joined(settings):
    """The queue used to compare a text with its most recent FACTCHECK_CLAIM_SIMILARITY_WINDOW
    claims only; the index holds them all, so the oldest claim is still found."""
    settings.FACTCHECK_CLAIM_SIMILARITY_WINDOW = 1
    old = _create(CLAIM)
    Claim.objects.filter(pk=old.pk).update(last_seen=timezone.now() - timedelta(days=400))
    for n, text in enumerate(OTHERS, start=1):
        _create(text, n)  # newer claims, each more recent than the old one
    claim, created = _open(REWORDED, 9)
    assert not created and claim.pk == old.pk
    joined = claim.sightings.get(url="https://a.example/9")
    assert joined.joined_by == JoinMethod.VECTOR and joined.join_score >= 0.89
    assert search.count_claims() == 4
    assert _neighbours(REWORDED)[0] == old.pk


def test_a_merged_claim_leaves_the_index_and_is_never_a_candidate(
    editor, django_capture_on_commit_callbacks
):
    source = _create(CLAIM, 1)
    target = _create(OTHERS[0], 2)
    assert source.pk in _neighbours(REWORDED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.claim_merge(source=source, target=target, user=editor)
    assert callbacks  # the removal waits for the commit
    assert source.pk not in _neighbours(REWORDED)
    assert search.count_claims() == 1
    claim, created = _open(REWORDED, 3)
    assert created and claim.pk not in (source.pk, target.pk)


def test_a_merged_claim_still_in_the_index_is_skipped(editor):
    """Until the merge's commit (or when the index could not be reached then) the merged
    claim is still indexed: the database, not the index, decides the candidates."""
    source = _create(CLAIM, 1)
    target = _create(OTHERS[0], 2)
    services.claim_merge(source=source, target=target, user=editor)  # no commit in a test
    assert Claim.objects.get(pk=source.pk).status == ClaimStatus.MERGED
    assert source.pk in _neighbours(REWORDED)  # the index has not heard yet
    assert services.claim_find_join(text=REWORDED, language="en") is None


def test_a_rolled_back_claim_is_never_a_candidate():
    """Claims enter the index at once (the next item may repeat them), so a rolled-back
    transaction leaves an entry the database does not have: it is skipped."""
    kept = _create(OTHERS[0], 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        ghost = _create(CLAIM, 2)
        raise RuntimeError("the item's transaction failed")
    assert not Claim.objects.filter(pk=ghost.pk).exists()
    assert ghost.pk in _neighbours(REWORDED)
    assert services.claim_find_join(text=REWORDED, language="en") is None
    claim, created = _open(REWORDED, 3)
    assert created and claim.pk != kept.pk
    assert _neighbours(REWORDED)[0] == claim.pk  # (SQLite may hand out the ghost's pk again)


def test_a_deleted_claim_leaves_the_index(django_capture_on_commit_callbacks):
    claim = _create(CLAIM, 1)
    with django_capture_on_commit_callbacks(execute=True):
        Claim.objects.filter(pk=claim.pk).delete()
    assert _neighbours(REWORDED) == []


def test_a_split_off_claim_enters_the_index_at_once(editor):
    claim = _create(OTHERS[0], 1)
    services.claim_add_sighting(
        claim=claim,
        sighting=services.SightingData(
            source=SightingSource.MANUAL, url="https://b.example/2", claim_text=CLAIM,
            language="en", joined_by=JoinMethod.VECTOR, join_score=0.91,
        ),
    )  # fmt: skip
    claim.refresh_from_db()
    new = services.claim_split_sighting(
        claim=claim, sighting=claim.sightings.get(url="https://b.example/2"), user=editor,
        suggest=False,
    )  # fmt: skip
    assert _neighbours(REWORDED)[0] == new.pk
    joined, created = _open(REWORDED, 3)
    assert not created and joined.pk == new.pk


def test_claims_never_show_up_in_public_search_or_match(client, make_factcheck):
    page = make_factcheck(locale="en")  # indexed: the fact-check index is not empty
    claim = _create(CLAIM, 1)
    assert search.count_claims() == 1 and search.get_backend().count() == 1
    for query in (CLAIM, "microchips track people"):
        hits = search.query(query, limit=50).hits
        assert {hit.id for hit in hits} <= {str(page.pk)}
    vector = list(search.embed_queries([CLAIM])[0])
    assert {hit.id for hit in search.knn(vector, k=50)} == {str(page.pk)}
    assert {r.id for r in search.match(CLAIM, limit=50)} <= {str(page.pk)}
    response = client.get("/api/v1/search/", {"q": "microchips track people"})
    assert response.status_code == 200
    assert str(claim.pk) not in {str(r.get("id")) for r in response.json()["results"]}
    assert CLAIM not in response.content.decode()


def test_rebuild_search_index_restores_the_claim_vectors(editor):
    first = _create(CLAIM, 1)
    second = _create(OTHERS[0], 2)
    merged = _create(OTHERS[1], 3)
    services.claim_merge(source=merged, target=second, user=editor)
    search.get_backend().clear_claim_vectors()
    assert search.count_claims() == 0 and _neighbours(REWORDED) == []
    out = StringIO()
    call_command("rebuild_search_index", "--no-progress", stdout=out)
    assert "Indexed 2 claim vectors" in out.getvalue()
    assert search.count_claims() == 2  # not the merged one
    assert _neighbours(REWORDED)[0] == first.pk
    assert merged.pk not in _neighbours(OTHERS[1])
    claim, created = _open(REWORDED, 4)
    assert not created and claim.pk == first.pk


def test_an_empty_index_with_claims_in_the_queue_is_reported_once(caplog):
    from claims.services import joins

    _create(CLAIM, 1)
    search.get_backend().clear_claim_vectors()
    joins._warned_unfilled = False
    try:
        for _twice in range(2):
            # By exact text only, until the index is rebuilt.
            assert services.claim_find_join(text=REWORDED, language="en") is None
    finally:
        joins._warned_unfilled = False
    warnings = [r for r in caplog.records if "rebuild_search_index" in r.getMessage()]
    assert len(warnings) == 1


def test_an_unreachable_index_never_loses_the_claim(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("search is down")

    monkeypatch.setattr(search, "nearest_claims", down)
    monkeypatch.setattr(search, "index_claims", down)
    claim, created = _open(CLAIM, 1)
    assert created and Claim.objects.filter(pk=claim.pk).exists()
    assert any("claim vector index" in r.getMessage() for r in caplog.records)


def test_rebuild_can_embed_claims_that_lost_their_vector():
    """Migration 0008 cleared the vectors of claims outside its window: with
    --embed-claims the rebuild embeds them, so they are candidates again."""
    old = _create(CLAIM, 1)
    Claim.objects.filter(pk=old.pk).update(vector=b"")
    call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
    assert search.count_claims() == 0  # no vector, nothing to index
    out = StringIO()
    call_command("rebuild_search_index", "--no-progress", "--embed-claims", stdout=out)
    assert "Indexed 1 claim vectors" in out.getvalue() and "1 claims embedded now" in out.getvalue()
    old.refresh_from_db()
    assert old.vector == search.claim_vector(CLAIM)
    claim, created = _open(REWORDED, 2)
    assert not created and claim.pk == old.pk


def test_many_stale_entries_do_not_hide_the_live_claim(editor):
    """More stale entries than one round of candidates (merged claims whose removal has
    not run, rolled-back writes) lie nearer than the live claim: it is still found."""
    live = _create(CLAIM, 1)
    vector = bytes(live.vector)
    # 100 entries the database does not have, with the very same vector and lower keys
    # than any new claim would get, so they come first among equal cosines.
    search.index_claims((-n, vector) for n in range(1, 101))
    assert _neighbours(REWORDED)[0] < 0
    claim, created = _open(REWORDED, 2)
    assert not created and claim.pk == live.pk
