"""An imported fact-check shows when its publisher published it, not when we imported it.

The import dates the page's ``first_published_at`` back to the record's
``datePublished``; future, ancient and garbage dates are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from claims.claimreview import parse_claimreview_json
from claims.models import FactCheckPage
from claims.services import claimreview_import
from claims.services.claimreview_import import original_publication_date

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)
URL = "https://istinomjer.example/analize/5g-virus/"


def _records(date_published):
    node = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": URL,
        "claimReviewed": "5G mreže šire virus korone.",
        "headline": "5G ne širi virus",
        "inLanguage": "bs",
        "author": {
            "@type": "Organization",
            "name": "Istinomjer",
            "url": "https://istinomjer.example/",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
    }
    if date_published is not None:
        node["datePublished"] = date_published
    return parse_claimreview_json(json.dumps(node), source_name="test").records


def _import(date_published, **kwargs):
    report = claimreview_import(records=_records(date_published), today=TODAY, **kwargs)
    return FactCheckPage.objects.get(original_url=URL), report


def _credit_and_jsonld(client, page):
    html = client.get(urlsplit(page.get_full_url()).path).content.decode()
    credit = re.search(r'<aside class="imported-note.*?</aside>', html, re.S).group(0)
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    return credit, ld


def test_valid_date_published_becomes_the_first_publication(client, newsroom) -> None:
    page, report = _import("2024-03-14T09:30:00+01:00")

    local = timezone.localtime(page.first_published_at)
    assert (local.date(), local.time()) == (dt.date(2024, 3, 14), dt.time(12, 0))
    assert original_publication_date(page) == dt.date(2024, 3, 14)
    assert not [w for w in report.warnings if "datePublished" in w]

    credit, ld = _credit_and_jsonld(client, page)
    assert 'class="meta original-date"' in credit
    assert '<time datetime="2024-03-14">' in credit
    assert credit.count("<time") == 1  # not also "republished here on <today>"
    assert ld["datePublished"].startswith("2024-03-14")


def test_dotted_regional_date_is_understood(newsroom) -> None:
    page, _ = _import("14.03.2024.")

    assert original_publication_date(page) == dt.date(2024, 3, 14)


def test_reimport_keeps_the_original_date_and_changes_nothing(newsroom) -> None:
    page, _ = _import("2024-03-14")
    first = page.first_published_at

    again, report = _import("2024-03-14")

    assert report.unchanged == 1
    assert again.first_published_at == first


def test_draft_import_keeps_the_original_date_when_an_editor_publishes(newsroom) -> None:
    page, _ = _import("2023-11-02", publish=False)
    assert not page.live

    page.get_latest_revision().publish()

    page.refresh_from_db()
    assert page.live
    assert timezone.localtime(page.first_published_at).date() == dt.date(2023, 11, 2)
    assert original_publication_date(page) == dt.date(2023, 11, 2)


@pytest.mark.parametrize(
    "hostile",
    [
        "2999-01-01",  # the future: would sort first everywhere
        "2026-03-21",  # tomorrow, by the injected clock
        "0001-01-01",  # year one
        "1970-01-01",  # before there were fact-checks on the web
        "2024-02-30",  # not a day
        "yesterday",
        "<script>alert(1)</script>",
        "9" * 400,
        None,  # missing
    ],
)
def test_hostile_or_missing_dates_are_ignored(client, newsroom, hostile) -> None:
    before = timezone.now()
    page, _report = _import(hostile)

    assert page.first_published_at >= before  # when it went live here
    assert original_publication_date(page) is None
    credit, _ld = _credit_and_jsonld(client, page)
    assert "original-date" not in credit
    assert f'<time datetime="{timezone.localdate().isoformat()}T' in credit  # republished


def test_a_date_the_parser_accepts_but_we_do_not_is_reported(newsroom) -> None:
    _page, report = _import("2999-01-01")

    assert any("2999-01-01" in warning and URL in warning for warning in report.warnings)


def test_our_own_pages_never_claim_an_original_date(make_factcheck) -> None:
    page = make_factcheck()

    assert original_publication_date(page) is None
