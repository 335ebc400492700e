"""The public outlet track record (/<lang>/track-record/): outlets whose items carried
claims a *published* fact-check rated false, mostly false or misleading, with counts per
verdict and month and a link to each debunk. Nothing private, nothing unpublished."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from wagtail.models import PageViewRestriction

from claims.models import (
    Claim,
    ClaimMatch,
    ClaimNote,
    ClaimSighting,
    ClaimStatus,
    FactCheckPage,
    MatchState,
    Rating,
    Tip,
)
from factcheck.pagecache import HEADER
from sources.models import Outlet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]


def _cells(html: str, outlet: Outlet) -> dict[str, int]:
    """The index row of ``outlet``: its count per verdict, its total and its debunk count."""
    row = re.search(rf'<tr data-outlet="{outlet.pk}">(.*?)</tr>', html, re.S)
    assert row, f"{outlet.name} is not listed"
    cells = dict(re.findall(r'data-verdict="([a-z-]+)">(\d+)<', row.group(1)))
    cells["total"] = re.search(r"data-total>(\d+)<", row.group(1)).group(1)
    cells["debunks"] = re.search(r"data-debunks>(\d+)<", row.group(1)).group(1)
    return {k: int(v) for k, v in cells.items()}


def _month_row(html: str, month: str) -> dict[str, int]:
    row = re.search(rf'<tr data-month="{month}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row for {month}"
    cells = dict(re.findall(r'data-verdict="([a-z-]+)">(\d+)<', row.group(1)))
    cells["total"] = re.search(r"data-total>(\d+)<", row.group(1)).group(1)
    return {k: int(v) for k, v in cells.items()}


def _rating_like_false(locale: str, key: str, verdict: str) -> None:
    """A rating on the truth scale with another verdict (the test scale has true/false)."""
    rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code=locale)
    rating.pk = rating.id = None
    rating.key, rating.verdict, rating.label = key, verdict, key.title()
    rating.translation_key = uuid.uuid4()
    rating.save()


def _seen(claim: Claim, outlet: Outlet, *, days_ago: int = 1, source: str = "captured", **kw):
    return ClaimSighting.objects.create(
        claim=claim,
        source=source,
        outlet=outlet,
        seen_at=timezone.now() - timedelta(days=days_ago),
        url=kw.pop("url", "https://portal.example/a"),
        **kw,
    )


@pytest.fixture
def world(make_factcheck, django_user_model):
    """Two outlets with debunked appearances, and every kind of thing that must not count."""
    _rating_like_false("en", "misleading", "misleading")
    _rating_like_false("en", "mostly-false", "mostly-false")
    false_page = make_factcheck(slug="microchips", title="Vaccines do not contain microchips")
    misleading = make_factcheck(
        slug="bridge", verdict_key="misleading", title="The bridge story is misleading"
    )
    mostly_false = make_factcheck(
        slug="prices", verdict_key="mostly-false", title="Bread prices did not triple"
    )
    true_page = make_factcheck(slug="true-one", verdict_key="true", title="The dam is safe")
    draft = make_factcheck(slug="draft-one", title="Draft debunk")
    FactCheckPage.objects.filter(pk=draft.pk).update(live=False)
    private = make_factcheck(slug="private-one", title="Restricted debunk")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )

    a = Outlet.objects.create(name="Portal A", country="RS", notes="INTERNAL-OUTLET-NOTE")
    b = Outlet.objects.create(name="Portal B", country="BA")
    quiet = Outlet.objects.create(name="Quiet portal", country="HR")

    editor = django_user_model.objects.create_user("editor-zoran", "z@example.org", "pw")
    chips = Claim.objects.create(text="Vaccines carry chips", factcheck=false_page, assignee=editor)
    ClaimNote.objects.create(claim=chips, author=editor, text="INTERNAL-CLAIM-NOTE")
    _seen(chips, a, days_ago=1, title="SIGHTING-TITLE", author="SIGHTING-AUTHOR")
    _seen(chips, a, days_ago=2, url="https://portal.example/PRIVATE-SIGHTING-URL")
    _seen(chips, b, days_ago=1)
    # A confirmed match counts, under the matched fact-check's verdict.
    bridge = Claim.objects.create(text="The bridge fell")
    ClaimMatch.objects.create(claim=bridge, factcheck=misleading, state=MatchState.CONFIRMED)
    _seen(bridge, a, days_ago=3)
    bread = Claim.objects.create(text="Bread costs three times more", factcheck=mostly_false)
    _seen(bread, b, days_ago=4)
    _seen(bread, b, days_ago=5)
    _seen(bread, b, days_ago=6)

    # None of these may count or be linked.
    for text, kwargs in [
        ("Suggested only", {}),
        ("Rejected suggestion", {}),
        ("Dam is safe", {"factcheck": true_page}),
        ("Under review", {"factcheck": draft}),
        ("Behind a password", {"factcheck": private}),
        ("Dismissed", {"factcheck": false_page, "status": ClaimStatus.DISMISSED,
                       "dismiss_reason": "INTERNAL-DISMISS-REASON"}),
        ("No debunk yet", {}),
    ]:  # fmt: skip
        claim = Claim.objects.create(text=text, **kwargs)
        if text == "Suggested only":
            ClaimMatch.objects.create(claim=claim, factcheck=false_page)
        if text == "Rejected suggestion":
            ClaimMatch.objects.create(claim=claim, factcheck=false_page, state=MatchState.REJECTED)
        _seen(claim, a)
        _seen(claim, quiet)
    # A tip's sighting of a debunked claim is not counted, and its text is never shown.
    tip = Tip.objects.create(text="INTERNAL-TIP-TEXT", contact="tipster@example.org")
    _seen(chips, a, source="tip", tip=tip)
    # Older than the window.
    _seen(chips, a, days_ago=400)
    return {
        "a": a,
        "b": b,
        "quiet": quiet,
        "false": false_page,
        "misleading": misleading,
        "mostly_false": mostly_false,
        "draft": draft,
        "private": private,
        "true": true_page,
    }


def test_index_counts_by_verdict_worst_first(client, world):
    response = client.get("/en/track-record/")
    assert response.status_code == 200
    html = response.content.decode()
    a, b = world["a"], world["b"]
    assert _cells(html, a) == {
        "false": 2,
        "mostly-false": 0,
        "misleading": 1,
        "total": 3,
        "debunks": 2,
    }
    assert _cells(html, b) == {
        "false": 1,
        "mostly-false": 3,
        "misleading": 0,
        "total": 4,
        "debunks": 2,
    }
    assert html.index("Portal B") < html.index("Portal A")  # worst first
    # An outlet whose items only matched drafts, private pages, true verdicts, dismissed
    # claims or suggestions is not on the list.
    assert "Quiet portal" not in html
    assert f'href="/en/track-record/{a.pk}/"' in html


def test_outlet_page_counts_by_month_and_links_each_published_debunk(client, world):
    a = world["a"]
    response = client.get(f"/en/track-record/{a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Portal A" in html
    assert re.search(r"data-appearances>3<", html) and re.search(r"data-claims>2<", html)
    assert html.count("<tr data-month=") == 12
    # Everything happened in the last week: at most two months have counts, adding up.
    rows = [_month_row(html, m) for m in re.findall(r'<tr data-month="(\d{4}-\d{2})"', html)]
    assert sum(r["false"] for r in rows) == 2 and sum(r["misleading"] for r in rows) == 1
    assert sum(r["total"] for r in rows) == 3
    months = re.findall(r'<tr data-month="(\d{4}-\d{2})"', html)
    assert months[0] == timezone.localtime().strftime("%Y-%m")  # newest first
    assert months == sorted(months, reverse=True)
    # One link per published debunk the outlet's items were matched to, none to the others.
    links = re.findall(r'<li data-debunk="(\d+)">.*?<a href="([^"]+)"', html, re.S)
    assert sorted(links) == sorted(
        [
            (str(world["false"].pk), "/en/fact-checks/microchips/"),
            (str(world["misleading"].pk), "/en/fact-checks/bridge/"),
        ]
    )
    for hidden in ("draft-one", "private-one", "true-one", "prices"):
        assert hidden not in html


def test_only_published_debunks_count_and_unpublishing_removes_them(client, world):
    b = world["b"]
    world["mostly_false"].unpublish()
    html = client.get("/en/track-record/").content.decode()
    assert _cells(html, b) == {
        "false": 1,
        "mostly-false": 0,
        "misleading": 0,
        "total": 1,
        "debunks": 1,
    }
    assert "prices" not in client.get(f"/en/track-record/{b.pk}/").content.decode()
    world["false"].unpublish()
    html = client.get("/en/track-record/").content.decode()
    assert "Portal B" not in html
    assert client.get(f"/en/track-record/{b.pk}/").status_code == 404


def test_nothing_private_is_shown(client, world):
    pages = [
        client.get("/en/track-record/").content.decode(),
        client.get(f"/en/track-record/{world['a'].pk}/").content.decode(),
    ]
    for html in pages:
        for secret in (
            "INTERNAL-OUTLET-NOTE",
            "INTERNAL-CLAIM-NOTE",
            "INTERNAL-DISMISS-REASON",
            "INTERNAL-TIP-TEXT",
            "tipster@example.org",
            "editor-zoran",
            "PRIVATE-SIGHTING-URL",
            "SIGHTING-TITLE",
            "SIGHTING-AUTHOR",
            "Vaccines carry chips",  # the queue's claim text
            "Draft debunk",
            "Restricted debunk",
        ):
            assert secret not in html, secret


def test_unknown_or_quiet_outlet_is_404(client, world):
    assert client.get("/en/track-record/999999/").status_code == 404
    assert client.get(f"/en/track-record/{world['quiet'].pk}/").status_code == 404


def test_debunk_link_in_the_readers_language_when_published_there(client, world, make_factcheck):
    a = world["a"]
    make_factcheck(
        locale="hr",
        slug="mikrocipovi",
        title="Cjepiva ne sadrže čipove",
        translation_of=world["false"],
    )
    html = client.get(f"/hr/track-record/{a.pk}/").content.decode()
    assert 'href="/hr/fact-checks/mikrocipovi/"' in html
    assert "Cjepiva ne sadrže čipove" in html
    # No Croatian version of the misleading one: the reader gets the original.
    assert 'href="/en/fact-checks/bridge/"' in html


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_every_locale_renders_and_links_it_from_the_footer(client, world, code):
    a = world["a"]
    index = client.get(f"/{code}/track-record/")
    assert index.status_code == 200
    html = index.content.decode()
    assert f'href="/{code}/track-record/{a.pk}/"' in html
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)
    assert f'href="/{code}/track-record/"' in footer
    detail = client.get(f"/{code}/track-record/{a.pk}/")
    assert detail.status_code == 200
    assert 'href="/en/fact-checks/microchips/"' in detail.content.decode() or code != "en"
    if code != "en":  # the interface is translated, not left in English
        assert "Outlet track record" not in html
        assert "What counts" not in detail.content.decode()


def test_served_from_the_page_cache_and_bounded_queries(
    client, world, settings, django_assert_max_num_queries
):
    settings.FACTCHECK_PAGE_CACHE_SECONDS = 300
    settings.FACTCHECK_PAGE_CACHE_LOCAL = True
    caches["default"].clear()
    try:
        with django_assert_max_num_queries(25):
            first = client.get("/en/track-record/")
        assert first[HEADER] == "miss"
        with django_assert_max_num_queries(0):
            assert client.get("/en/track-record/")[HEADER] == "hit"
        detail = f"/en/track-record/{world['b'].pk}/"
        assert client.get(detail)[HEADER] == "miss"
        assert client.get(detail)[HEADER] == "hit"
        # Unpublishing a debunk retires the cached copies at once.
        world["mostly_false"].unpublish()
        html = client.get(detail).content.decode()
        assert "/en/fact-checks/prices/" not in html
    finally:
        caches["default"].clear()
