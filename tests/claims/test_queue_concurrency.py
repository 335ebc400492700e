"""Two editors acting on the same claim at once never leave it mixed (PostgreSQL).

Each thread has its own database connection (``transactional_db``), so the row locks
taken by ``claims.services`` are real. A barrier starts both actions together; the
services hold the lock while they work, so one must wait for the other and then see
its result.
"""

from __future__ import annotations

import pytest
from django.db import connection
from race_helpers import race

from claims import services
from claims.models import Claim, ClaimMatch, ClaimStatus, MatchState

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL: set DATABASE_URL=postgres://... to run",
    ),
]


@pytest.fixture
def locales(newsroom):
    """The site structure, restored by serialized rollback after earlier flushes."""
    return newsroom


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_crossed_merges_leave_exactly_one_claim(matcher):
    for _round in range(5):
        a = services.claim_create(text=f"Crossed merge A {_round}")
        b = services.claim_create(text=f"Crossed merge B {_round} different words")
        results = race(
            lambda a=a, b=b: services.claim_merge(source=a, target=b),
            lambda a=a, b=b: services.claim_merge(source=b, target=a),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.ClaimActionError), results
        a.refresh_from_db()
        b.refresh_from_db()
        merged = [c for c in (a, b) if c.status == ClaimStatus.MERGED]
        assert len(merged) == 1
        survivor = b if merged[0] == a else a
        assert merged[0].merged_into_id == survivor.pk and survivor.status != ClaimStatus.MERGED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_confirm_and_merge_at_once_is_never_mixed(locales, matcher, make_factcheck):
    page = make_factcheck()
    for _round in range(5):
        matcher.suggest(page)
        a = services.claim_create(text=f"Vaccines hold microchips, round {_round}")
        matcher.results = []
        b = services.claim_create(text=f"Another claim entirely, number {_round}")
        match = a.matches.get()
        results = race(
            lambda match=match: services.claim_confirm_match(match=match),
            lambda a=a, b=b: services.claim_merge(source=a, target=b),
        )
        a.refresh_from_db()
        b.refresh_from_db()
        match.refresh_from_db()
        if a.status == ClaimStatus.MERGED:
            # The merge committed; whatever the confirm did moved with it, as a whole.
            assert match.claim_id == b.pk
            if isinstance(results[0], Exception):
                assert isinstance(results[0], services.ClaimActionError)
                assert match.state == MatchState.SUGGESTED
            else:
                assert match.state == MatchState.CONFIRMED
                assert b.status == ClaimStatus.ALREADY_DEBUNKED and b.factcheck_id == page.pk
        else:
            assert isinstance(results[1], services.ClaimActionError), results
            assert a.status == ClaimStatus.ALREADY_DEBUNKED and match.state == MatchState.CONFIRMED
        assert not Claim.objects.filter(
            status=ClaimStatus.MERGED, merged_into__isnull=True
        ).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_confirms_of_different_matches_one_wins(locales, matcher, make_factcheck):
    first = make_factcheck(slug="one")
    second = make_factcheck(slug="two", title="Microchip claim, second debunk")
    matcher.suggest(first)
    claim = services.claim_create(text="Microchips in vaccines, two debunks")
    matcher.suggest(second)
    services.claim_suggest_matches(claim=claim)
    m1, m2 = ClaimMatch.objects.filter(claim=claim).order_by("pk")
    results = race(
        lambda: services.claim_confirm_match(match=m1),
        lambda: services.claim_confirm_match(match=m2),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.ClaimActionError), results
    claim.refresh_from_db()
    confirmed = ClaimMatch.objects.filter(claim=claim, state=MatchState.CONFIRMED)
    assert confirmed.count() == 1 and claim.factcheck_id == confirmed.get().factcheck_id
