"""Outlet track record: appearances of claims later rated false or misleading, per month."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import selectors
from claims.models import Claim, ClaimMatch, ClaimSighting, FactCheckPage, MatchState, Rating
from sources.models import Outlet

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def _at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def _claim(text: str, factcheck=None) -> Claim:
    return Claim.objects.create(text=text, factcheck=factcheck)


def _seen(claim: Claim, outlet: Outlet | None, when: datetime) -> ClaimSighting:
    return ClaimSighting.objects.create(
        claim=claim, source="captured", outlet=outlet, seen_at=when, url="https://o.example/a"
    )


@pytest.fixture
def outlets():
    return (
        Outlet.objects.create(name="Portal A", country="RS"),
        Outlet.objects.create(name="Portal B", country="BA"),
    )


@pytest.fixture
def pages(make_factcheck):
    false = make_factcheck(slug="false-one", verdict_key="false")
    true = make_factcheck(slug="true-one", verdict_key="true", title="A true one")
    return false, true


def test_counts_false_appearances_per_month(outlets, pages):
    a, b = outlets
    false_page, true_page = pages
    debunked = _claim("Vaccines contain microchips", factcheck=false_page)
    confirmed_true = _claim("The bridge opened on time", factcheck=true_page)
    unrated = _claim("Nobody checked this yet")
    _seen(debunked, a, _at(2026, 11))
    _seen(debunked, a, _at(2026, 11, 12))
    _seen(debunked, a, _at(2026, 9))
    _seen(debunked, a, _at(2025, 10))  # older than 12 months
    _seen(debunked, b, _at(2026, 11))  # another outlet
    _seen(debunked, None, _at(2026, 11))  # no outlet
    _seen(confirmed_true, a, _at(2026, 11))
    _seen(unrated, a, _at(2026, 11))

    record = selectors.outlet_track_record(outlet=a, now=NOW)

    assert record["outlet"] == a
    assert [m["month"] for m in record["months"]][:2] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert len(record["months"]) == 12 and record["months"][-1]["month"] == date(2026, 11, 1)
    by_month = {m["month"]: m["appearances"] for m in record["months"]}
    assert by_month[date(2026, 11, 1)] == 2
    assert by_month[date(2026, 9, 1)] == 1
    assert sum(by_month.values()) == 3 == record["appearances"]
    assert record["claims"] == 1
    assert record["all_appearances"] == 5  # 3 false + true + unrated, in the window
    assert record["peak"] == 2

    short = selectors.outlet_track_record(outlet=a, months=3, now=NOW)
    assert [m["month"] for m in short["months"]] == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    assert short["appearances"] == 3
    assert selectors.outlet_track_record(outlet=b, now=NOW)["appearances"] == 1


def test_confirmed_match_misleading_and_unpublished(outlets, pages, make_factcheck):
    a, _b = outlets
    false_page, true_page = pages
    # A confirmed suggestion counts even when the claim itself points elsewhere.
    via_match = _claim("Microchips again, reworded")
    ClaimMatch.objects.create(claim=via_match, factcheck=false_page, state=MatchState.CONFIRMED)
    _seen(via_match, a, _at(2026, 10))
    # A rejected suggestion does not.
    rejected = _claim("Something else")
    ClaimMatch.objects.create(claim=rejected, factcheck=false_page, state=MatchState.REJECTED)
    _seen(rejected, a, _at(2026, 10))
    # Misleading counts: the verdict, not the rating key, decides.
    misleading_page = make_factcheck(slug="misleading", verdict_key="true", title="Misleading")
    Rating.objects.filter(pk=misleading_page.rating_id).update(verdict="misleading")
    _seen(_claim("Half a story", factcheck=misleading_page), a, _at(2026, 10))
    # A fact-check that is not published (yet) is not a verdict.
    draft = make_factcheck(slug="draft-false", verdict_key="false", title="Draft")
    FactCheckPage.objects.filter(pk=draft.pk).update(live=False)
    _seen(_claim("Under review", factcheck=draft), a, _at(2026, 10))

    record = selectors.outlet_track_record(outlet=a, now=NOW)
    assert {m["month"]: m["appearances"] for m in record["months"]}[date(2026, 10, 1)] == 2
    assert record["claims"] == 2
    assert true_page.rating.verdict == "misleading"  # same rating row, now misleading


def test_summary_worst_first_and_bounded_queries(outlets, pages, django_assert_max_num_queries):
    a, b = outlets
    false_page, _true = pages
    claim = _claim("Vaccines contain microchips", factcheck=false_page)
    other = _claim("Another hoax", factcheck=false_page)
    for when in (_at(2026, 11), _at(2026, 10), _at(2026, 8)):
        _seen(claim, b, when)
    _seen(other, b, _at(2026, 11))
    _seen(claim, a, _at(2026, 11))
    quiet = Outlet.objects.create(name="Quiet portal")

    with django_assert_max_num_queries(1):
        rows = selectors.outlet_track_record_summary(now=NOW)
    assert [(r["outlet"], r["appearances"], r["claims"]) for r in rows] == [
        (b, 4, 2),
        (a, 1, 1),
        (quiet, 0, 0),
    ]
    with django_assert_max_num_queries(3):
        selectors.outlet_track_record(outlet=b, now=NOW)


def test_admin_views(client, editor, outlets, pages):
    a, b = outlets
    false_page, _true = pages
    claim = _claim("Vaccines contain microchips", factcheck=false_page)
    now = timezone.now()
    _seen(claim, b, now)
    _seen(claim, b, now)

    index = reverse("claims_track_record:index")
    assert client.get(index).status_code == 302  # login first

    client.force_login(editor)
    response = client.get(index)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Portal B" in html and html.index("Portal B") < html.index("Portal A")
    assert f'data-outlet="{b.pk}"' in html

    response = client.get(reverse("claims_track_record:detail", args=[b.pk]), {"months": "6"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 appearances of 1 claims" in html
    assert html.count("data-month=") == 6
    missing = client.get(reverse("claims_track_record:detail", args=[9999]), follow=True)
    assert missing.status_code == 404  # (after the locale-prefix redirect of 404s)
    assert client.get(index, {"months": "nonsense"}).status_code == 200

    # The admin menu links to it.
    assert index in client.get(reverse("wagtailadmin_home")).content.decode()


def test_hidden_from_users_without_queue_access(client, django_user_model, outlets):
    user = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("claims_track_record:index"))
    assert response.status_code in (302, 403)
