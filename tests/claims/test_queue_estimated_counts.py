"""The queue list does not count a large unfiltered table row by row (issue 12).

On PostgreSQL an unfiltered list takes its size from the planner's statistics
(``pg_class.reltuples``) once the table is larger than ``QUEUE_COUNT_ESTIMATE_ABOVE``;
filtered lists, small tables and SQLite are counted exactly. Pages are still numbered and
reachable from that figure.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus
from claims.selectors import queue as queue_selectors

pytestmark = pytest.mark.django_db

LIST = "claims_queue:list"


def postgres(test):
    test = pytest.mark.postgres(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_class.reltuples is PostgreSQL's: set DATABASE_URL=postgres://... to run",
    )(test)


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def _claims(n: int, **fields) -> list[Claim]:
    now = timezone.now()
    return Claim.objects.bulk_create(
        Claim(text=f"Estimated claim {i}", priority=i, last_seen=now, first_seen=now, **fields)
        for i in range(n)
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Claim._meta.db_table)}")


def test_a_small_or_non_postgres_table_is_counted_exactly(admin_client):
    _claims(3)
    count, estimated = queue_selectors.claim_count_estimate(Claim.objects.all())
    assert (count, estimated) == (3, False)
    html = admin_client.get(reverse(LIST)).content.decode()
    assert "3 claims" in html and not re.search(r"[Aa]bout \d+ claims", html)


@postgres
def test_an_unfiltered_large_table_uses_the_planner_estimate(admin_client, monkeypatch):
    monkeypatch.setattr(queue_selectors, "QUEUE_COUNT_ESTIMATE_ABOVE", 50)
    _claims(120)
    _analyze()
    _claims(7, status=ClaimStatus.DISMISSED)  # after ANALYZE: not in the estimate
    count, estimated = queue_selectors.claim_count_estimate(Claim.objects.all())
    assert estimated and count == 120  # the statistics, not COUNT(*) (127)
    # a filter is counted exactly
    assert queue_selectors.claim_count_estimate(Claim.objects.exclude(status="merged")) == (
        127,
        False,
    )

    response = admin_client.get(reverse(LIST))
    html = response.content.decode()
    assert response.context["paginator"].estimated is True
    assert "About 120 claims" in html  # the pagination footer
    # 120 / 50 a page = 3 pages, each reachable
    assert response.context["paginator"].num_pages == 3
    page3 = admin_client.get(reverse(LIST), {"p": 3})
    assert page3.status_code == 200
    assert page3.content.decode().count('data-object-id="') == 20
    # a filtered list: exact, and Wagtail's "N matches"
    filtered = admin_client.get(reverse(LIST), {"status": "dismissed"})
    assert filtered.context["paginator"].estimated is False
    assert "There are 7 matches" in filtered.content.decode()


@postgres
def test_an_estimate_above_the_real_count_still_pages(admin_client, monkeypatch):
    monkeypatch.setattr(queue_selectors, "QUEUE_COUNT_ESTIMATE_ABOVE", 50)
    claims = _claims(140)
    _analyze()
    Claim.objects.filter(pk__in=[c.pk for c in claims[:60]]).delete()  # 80 left, 140 estimated
    first = admin_client.get(reverse(LIST))
    assert first.context["paginator"].num_pages == 3
    assert first.content.decode().count('data-object-id="') == 50
    second = admin_client.get(reverse(LIST), {"p": 2})
    assert second.content.decode().count('data-object-id="') == 30
    # the page the estimate promised but the table no longer fills: empty, not an error
    assert admin_client.get(reverse(LIST), {"p": 3}).status_code == 200
    # out of range or not a number: Wagtail's paginator shows the last or the first page
    assert admin_client.get(reverse(LIST), {"p": 99}).status_code == 200
    assert admin_client.get(reverse(LIST), {"p": "x"}).status_code == 200


@postgres
def test_below_the_threshold_postgres_counts_exactly(admin_client):
    _claims(30)
    _analyze()
    assert queue_selectors.claim_count_estimate(Claim.objects.all()) == (30, False)
    html = admin_client.get(reverse(LIST)).content.decode()
    assert "30 claims" in html and not re.search(r"[Aa]bout \d+ claims", html)
