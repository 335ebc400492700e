"""What a hostile (or broken) partner newsroom can send a ``claimreview`` channel.

Every fetch is a real HTTP request to the loopback test server through the guarded
client, exactly as a crawl makes it. The partner's own site is the test server
(``http://127.0.0.1:PORT``); another newsroom's site is a real-looking domain that is
never contacted.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from ingest_testserver import Reply

from claims.models import FactCheckPage
from ingest.models import PartnerFactCheck, PartnerFeed
from ingest.pipeline import crawl_channel
from sources.models import Channel, ChannelKind

JSONLD = "application/ld+json; charset=utf-8"
FEED = "/api/v1/claimreview.json"
ELSEWHERE = "https://www.raskrikavanje.rs/provere/vakcine-cipovi"


def _review(url: str, **overrides: object) -> dict:
    review: dict = {
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": "Vakcine protiv gripa sadrže mikročipove za praćenje ljudi.",
        "headline": "Vakcine ne sadrže mikročipove",
        "reviewBody": "Nijedna vakcina ne sadrži mikročip; sastav je javno objavljen.",
        "datePublished": "2025-01-10",
        "inLanguage": "hr",
        "author": {"@type": "Organization", "name": "Partner Provjera"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Viral post"}},
    }
    review.update(overrides)
    return review


def _own(local_server, slug: str, **overrides: object) -> dict:
    """A fact-check on the partner's own site (the test server)."""
    return _review(f"{local_server.base}/provjere/{slug}", **overrides)


def _serve(local_server, records: list, path: str = FEED) -> str:
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": records}
    local_server.route(path, Reply(body=json.dumps(feed), content_type=JSONLD))
    return local_server.url(path)


def _add_channel(url: str) -> Channel:
    out = StringIO()
    call_command("channels", "add", "claimreview", url, "--outlet", "Partner", stdout=out)
    return Channel.objects.get(kind=ChannelKind.CLAIMREVIEW, url_or_handle=url)


def _page(url: str) -> FactCheckPage:
    return FactCheckPage.objects.get(original_url=url, alias_of__isnull=True)


def _crawl(channel: Channel, client, **kwargs):
    channel.refresh_from_db()
    return crawl_channel(channel, http=client, **kwargs)


# ------------------------------------------------------------ hole 1: attribution spoofing


def _spoofed() -> dict:
    return _review(
        ELSEWHERE,
        claimReviewed="Raskrikavanje kaže da 5G širi virus.",
        author={
            "@type": "Organization",
            "name": "Raskrikavanje",
            "url": "https://raskrikavanje.rs",
        },
    )


@pytest.mark.django_db
def test_a_datafeed_cannot_publish_in_another_newsrooms_name(
    newsroom, local_server, client
) -> None:
    """Hostile: a partner's feed lists a "Raskrikavanje" fact-check on raskrikavanje.rs.

    Imported, it would read "Originally published by Raskrikavanje" with a canonical link
    to raskrikavanje.rs, although Raskrikavanje never published it through this channel."""
    own = _own(local_server, "vakcine")
    channel = _add_channel(_serve(local_server, [own, _spoofed()]))
    report = _crawl(channel, client)
    assert report.new == 1
    refused = [e for e in report.errors if ELSEWHERE in e]
    assert len(refused) == 1, report.errors
    assert "is not on the partner's site 127.0.0.1" in refused[0]
    assert "imports only its own publisher's fact-checks" in refused[0]
    assert not FactCheckPage.objects.filter(original_url=ELSEWHERE).exists()
    assert not FactCheckPage.objects.filter(original_publisher="Raskrikavanje").exists()
    assert not PartnerFactCheck.objects.filter(original_url=ELSEWHERE).exists()
    assert _page(own["url"]).live

    # The refused record changes nothing else, poll after poll: the partner's own
    # fact-check stays, unchanged and not withdrawn.
    again = _crawl(channel, client)
    assert (again.new, again.updated, again.withdrawn) == (0, 0, 0)
    assert any(ELSEWHERE in e for e in again.errors)
    assert _page(own["url"]).live
    assert PartnerFactCheck.objects.filter(channel=channel, withdrawn_at=None).count() == 1


@pytest.mark.django_db
def test_a_jsonld_page_cannot_claim_another_newsrooms_url(newsroom, local_server, client) -> None:
    block = json.dumps({"@context": "https://schema.org", **_spoofed()})
    html = f'<!doctype html><html><head><script type="application/ld+json">{block}</script>'
    local_server.route("/provjere/lazna", Reply(body=html + "</head><body></body></html>"))
    channel = _add_channel(local_server.url("/provjere/lazna"))
    report = _crawl(channel, client)
    assert report.new == 0
    assert any("is not on the partner's site" in e for e in report.errors), report.errors
    assert not FactCheckPage.objects.filter(original_url=ELSEWHERE).exists()


@pytest.mark.django_db
def test_an_off_site_publisher_link_is_dropped_from_the_credit(
    newsroom, local_server, client
) -> None:
    """Hostile: the review is the partner's, but its author links to another newsroom."""
    record = _own(
        local_server,
        "vakcine",
        author={"@type": "Organization", "name": "Partner", "url": "https://raskrikavanje.rs/"},
    )
    channel = _add_channel(_serve(local_server, [record]))
    report = _crawl(channel, client)
    assert report.new == 1
    page = _page(record["url"])
    assert page.original_publisher_url == ""
    assert any(
        "raskrikavanje.rs" in w and "not on the partner's site" in w for w in report.warnings
    )
    html = Client().get(page.url).content.decode()
    assert "raskrikavanje.rs" not in html


@pytest.mark.django_db
def test_a_network_feed_set_to_carry_other_publishers_imports_them(
    newsroom, local_server, client
) -> None:
    channel = _add_channel(_serve(local_server, [_spoofed()]))
    out = StringIO()
    call_command("partners", "set", str(channel.pk), "--other-publishers", stdout=out)
    assert "other publishers" in out.getvalue()
    assert PartnerFeed.objects.get(channel=channel).other_publishers
    report = _crawl(channel, client)
    assert report.new == 1, report.errors
    page = _page(ELSEWHERE)
    assert page.original_publisher == "Raskrikavanje"
    assert page.original_publisher_url == "https://raskrikavanje.rs"

    call_command("partners", "set", str(channel.pk), "--own-site-only", stdout=out)
    assert not PartnerFeed.objects.get(channel=channel).other_publishers
    listing = StringIO()
    call_command("partners", "list", stdout=listing)
    assert "own site only" in listing.getvalue()


@pytest.mark.django_db
def test_admin_sets_a_partner_feed_to_carry_other_publishers(newsroom) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    web = Client()
    web.force_login(get_user_model().objects.create_superuser("ed", "ed@example.com", "pw"))
    channel = _add_channel("https://network.example/api/v1/claimreview.json")
    form = web.get(reverse("partner_feeds:add")).content.decode()
    assert 'name="other_publishers"' in form
    response = web.post(
        reverse("partner_feeds:add"),
        {
            "channel": channel.pk,
            "publish_mode": "publish",
            "withdraw_missing": "on",
            "other_publishers": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PartnerFeed.objects.get(channel=channel).other_publishers
    listing = web.get(reverse("partner_feeds:index")).content.decode()
    assert "other publishers" in listing.lower()


# ------------------------------------------------------ hole 2: links, text, dates, numbers


@pytest.mark.django_db
def test_script_urls_and_markup_from_a_partner_never_reach_the_page(
    newsroom, local_server, client
) -> None:
    record = _own(
        local_server,
        "skripta",
        claimReviewed='Tvrdnja <img src=x onerror="alert(1)" nastavak',
        headline="Naslov &lt;script&gt;alert(2)&lt;/script&gt;",
        author={"@type": "Organization", "name": "Partner", "url": "javascript:alert(3)"},
        reviewRating={
            "@type": "Rating",
            "alternateName": "False",
            "ratingValue": 1,
            "image": "data:image/svg+xml,<svg onload=alert(4)>",
        },
    )
    channel = _add_channel(_serve(local_server, [record]))
    report = _crawl(channel, client)
    assert report.new == 1, report.errors
    page = _page(record["url"])
    assert page.original_publisher_url == ""
    html = Client().get(page.url).content.decode()
    for bad in ("javascript:", "data:image", "<img src=x", "<script>alert(2)", "onload=alert"):
        assert bad not in html, bad
    assert "&lt;img src=x" in html  # the text is there, escaped


@pytest.mark.django_db
def test_oversized_texts_are_capped_with_a_warning(newsroom, local_server, client) -> None:
    record = _own(
        local_server,
        "dugo",
        claimReviewed="Vakcine " + "sadrže čipove " * 20_000,
        reviewBody="Objašnjenje " * 60_000,
        headline="Naslov " * 200,
        author={"@type": "Organization", "name": "P" * 5000},
        itemReviewed={
            "@type": "Claim",
            "appearance": [{"url": f"https://social.example/p/{n}"} for n in range(3000)],
        },
    )
    channel = _add_channel(_serve(local_server, [record]))
    report = _crawl(channel, client)
    assert report.new == 1, report.errors
    page = _page(record["url"])
    assert len(page.claim_reviewed) <= 5000
    assert len(page.summary) <= 20_000
    assert len(page.title) <= 255 and len(page.original_publisher) <= 255
    assert page.appearances.count() == 100
    assert any("claimReviewed" in w and "cut" in w for w in report.warnings), report.warnings
    assert any("reviewBody" in w and "cut" in w for w in report.warnings), report.warnings


@pytest.mark.django_db
def test_absurd_rating_numbers_do_not_break_the_import(newsroom, local_server, client) -> None:
    rating = {
        "@type": "Rating",
        "alternateName": "Sasvim izmišljeno",  # on none of our scales: the "imported" scale
        "ratingValue": 1e12,
        "bestRating": 1e15,
        "worstRating": -1e15,
    }
    record = _own(local_server, "brojevi", reviewRating=rating)
    channel = _add_channel(_serve(local_server, [record]))
    report = _crawl(channel, client)
    assert report.new == 1, report.errors
    page = _page(record["url"])
    assert page.rating.scale.key == "imported"
    assert abs(page.rating.best_rating) < 1000 and abs(page.rating.worst_rating) < 1000
    assert page.rating.worst_rating <= page.rating.rating_value <= page.rating.best_rating
    assert any("rating" in w.lower() and "1e+15" in w for w in report.warnings), report.warnings


@pytest.mark.django_db
def test_a_future_date_published_does_not_date_the_page_ahead(
    newsroom, local_server, client
) -> None:
    record = _own(local_server, "buducnost", datePublished="2999-01-01")
    channel = _add_channel(_serve(local_server, [record]))
    report = _crawl(channel, client)
    assert report.new == 1
    page = _page(record["url"])
    assert page.first_published_at <= timezone.now()
    assert any("2999-01-01" in w and "future" in w for w in report.warnings), report.warnings


# --------------------------------------------------- hole 3: duplicates, volume, nesting


@pytest.mark.django_db
def test_one_url_listed_twice_with_different_content_imports_neither(
    newsroom, local_server, client
) -> None:
    """Hostile: the same review URL twice, once False and once True. Whichever we took
    would be a guess, and an order swap between polls would flip the verdict."""
    first = _own(local_server, "dvaput")
    channel = _add_channel(_serve(local_server, [first]))
    assert _crawl(channel, client).new == 1
    twin = copy.deepcopy(first)
    twin["reviewRating"]["alternateName"] = "True"
    twin["reviewBody"] = "Vakcine sadrže čipove."
    _serve(local_server, [twin, first])
    report = _crawl(channel, client)
    assert any(first["url"] in e and "2 times with different content" in e for e in report.errors)
    assert (report.updated, report.withdrawn) == (0, 0)
    page = _page(first["url"])
    assert page.live and page.rating.verdict == "false" and not page.has_unpublished_changes
    assert page.summary == first["reviewBody"]

    # The same record twice, identical, is simply one record.
    _serve(local_server, [first, copy.deepcopy(first)])
    report = _crawl(channel, client)
    assert not report.errors and report.withdrawn == 0


@pytest.mark.django_db
def test_imports_per_poll_are_capped_and_the_rest_wait_without_being_withdrawn(
    newsroom, local_server, client, settings
) -> None:
    settings.FACTCHECK_PARTNER_MAX_RECORDS = 3
    records = [
        _own(local_server, f"provjera-{n}", claimReviewed=f"Tvrdnja broj {n} o vakcinama.")
        for n in range(8)
    ]
    channel = _add_channel(_serve(local_server, records))
    start = timezone.now()
    first = _crawl(channel, client, now=start)
    assert first.new == 3
    assert any("5 more" in w and "FACTCHECK_PARTNER_MAX_RECORDS" in w for w in first.warnings)
    second = _crawl(channel, client, now=start + timedelta(minutes=30))
    assert (second.new, second.withdrawn) == (3, 0)
    third = _crawl(channel, client, now=start + timedelta(hours=1))
    assert (third.new, third.withdrawn) == (2, 0)
    assert not any("FACTCHECK_PARTNER_MAX_RECORDS" in w for w in third.warnings)
    assert PartnerFactCheck.objects.filter(channel=channel, withdrawn_at=None).count() == 8
    assert all(_page(r["url"]).live for r in records)


@pytest.mark.django_db
def test_a_100k_record_feed_is_refused_or_bounded_and_withdraws_nothing(
    newsroom, local_server, client, settings
) -> None:
    """A 100,000-record DataFeed is over the client's response limit (5 MB): the poll
    fails with a clear error and withdraws nothing. The largest feed that fits
    (~40,000 short records) is read, but only FACTCHECK_PARTNER_MAX_RECORDS import."""
    settings.FACTCHECK_PARTNER_MAX_RECORDS = 2
    own = _own(local_server, "vakcine")
    channel = _add_channel(_serve(local_server, [own]))
    assert _crawl(channel, client).new == 1

    def minimal(n: int) -> dict:
        return {
            "url": f"{local_server.base}/p/{n}",
            "claimReviewed": f"T{n}",
            "reviewRating": {"alternateName": "False"},
        }

    _serve(local_server, [own] + [minimal(n) for n in range(100_000)])
    report = _crawl(channel, client)
    assert not report.ok and "exceeds" in " ".join(report.errors), report.errors
    assert _page(own["url"]).live

    _serve(local_server, [own] + [minimal(n) for n in range(40_000)])
    started = time.monotonic()
    report = _crawl(channel, client)
    elapsed = time.monotonic() - started
    assert report.new == 2 and report.withdrawn == 0, report.errors
    assert any("39998 more" in w.replace(",", "") for w in report.warnings), report.warnings
    assert elapsed < 60, f"a 40,000-record poll took {elapsed:.1f} s"


@pytest.mark.django_db
def test_a_deeply_nested_feed_fails_cleanly_and_withdraws_nothing(
    newsroom, local_server, client
) -> None:
    own = _own(local_server, "vakcine")
    channel = _add_channel(_serve(local_server, [own]))
    assert _crawl(channel, client).new == 1
    deep = '{"@type": "DataFeed", "dataFeedElement": ' + "[" * 50_000 + "]" * 50_000 + "}"
    local_server.route(FEED, Reply(body=deep, content_type=JSONLD))
    report = _crawl(channel, client)
    assert not report.ok and "nested" in " ".join(report.errors), report.errors
    assert _page(own["url"]).live
    assert PartnerFactCheck.objects.get(original_url=own["url"]).withdrawn_at is None


@pytest.mark.django_db
def test_the_google_api_key_goes_to_googles_host_only(
    newsroom, local_server, client, settings
) -> None:
    """Hostile: a "partner" hands the newsroom a URL that looks like Google's search API
    (``.../claims:search``) on its own server, to collect the newsroom's API key."""
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY = "secret-google-key"
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST = "factchecktools.googleapis.com"
    path = "/v1alpha1/claims:search"
    local_server.route(
        path + "?query=x&pageSize=100", Reply(body=json.dumps({"claims": []}), content_type=JSONLD)
    )
    out = StringIO()
    url = local_server.url(path + "?query=x")
    call_command("channels", "add", "claimreview", url, "--outlet", "Evil", stdout=out)
    channel = Channel.objects.get(url_or_handle=url)
    report = crawl_channel(channel, http=client)
    assert not report.ok
    channel.refresh_from_db()
    assert "FACTCHECK_GOOGLE_FACTCHECK_API_HOST" in channel.last_error
    assert all(r.headers.get("X-Goog-Api-Key") is None for r in local_server.requests)
    assert not any("claims:search" in r.path for r in local_server.requests)
