"""claimreview channels: follow a partner's DataFeed, pages, sitemap or Google's API.

Every fetch is a real HTTP request to the loopback test server through the guarded client.
The partner's fact-checks live on the partner's own site, the test server: the fixture
feed's ``https://partner.example`` URLs are served as ``http://127.0.0.1:PORT`` (a channel
imports only fact-checks on its own site; test_partner_hostile.py covers the others).
"""

from __future__ import annotations

import copy
import json
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from ingest_testserver import Reply
from wagtail.models import PageLogEntry

from claims.models import FactCheckPage
from ingest.models import PartnerFactCheck, PartnerFeed, PublishMode
from ingest.partners.sync import HELD_ACTION, WITHDRAWN_ACTION
from ingest.pipeline import crawl_channel
from sources.models import Channel, ChannelKind

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest" / "partners"
JSONLD = "application/ld+json; charset=utf-8"
FIXTURE_SITE = "https://partner.example"
# Set per test to the test server (the partner's own site) by ``_partner_site``.
SITE = FIXTURE_SITE
VACCINE = f"{SITE}/provjere/vakcine-mikrocipovi"
POWER = f"{SITE}/provjere/struja-poskupljenje"


@pytest.fixture(autouse=True)
def _partner_site(local_server, monkeypatch) -> None:
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "SITE", local_server.base)
    monkeypatch.setattr(module, "VACCINE", f"{local_server.base}/provjere/vakcine-mikrocipovi")
    monkeypatch.setattr(module, "POWER", f"{local_server.base}/provjere/struja-poskupljenje")


def _feed() -> dict:
    return json.loads((RES / "datafeed.json").read_text().replace(FIXTURE_SITE, SITE))


def _serve_feed(local_server, feed: dict, path: str = "/api/v1/claimreview.json") -> str:
    local_server.route(path, Reply(body=json.dumps(feed), content_type=JSONLD))
    return local_server.url(path)


def _add_channel(url: str) -> Channel:
    out = StringIO()
    call_command("channels", "add", "claimreview", url, "--outlet", "Partner", stdout=out)
    assert "added channel" in out.getvalue()
    return Channel.objects.get(kind=ChannelKind.CLAIMREVIEW, url_or_handle=url)


def _page(url: str) -> FactCheckPage:
    return FactCheckPage.objects.get(original_url=url, alias_of__isnull=True)


def _actions(page: FactCheckPage) -> list[str]:
    return list(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))


@pytest.mark.django_db
def test_datafeed_imports_once_keeping_url_and_publisher(newsroom, local_server, client) -> None:
    channel = _add_channel(_serve_feed(local_server, _feed()))
    report = crawl_channel(channel, http=client)
    assert report.ok, report.errors
    assert (report.seen, report.new) == (2, 2)
    page = _page(VACCINE)
    assert page.live
    assert page.original_publisher == "Partner Provjera"
    assert page.original_publisher_url == f"{SITE}/"
    assert page.locale.language_code == "hr"
    assert page.rating.verdict == "false"
    revisions = page.revisions.count()

    again = crawl_channel(channel, http=client)
    assert again.ok and again.new == 0 and again.updated == 0
    assert FactCheckPage.objects.filter(original_url__in=[VACCINE, POWER]).count() == 2
    assert _page(VACCINE).revisions.count() == revisions  # nothing re-saved
    assert PartnerFactCheck.objects.filter(channel=channel, withdrawn_at=None).count() == 2


@pytest.mark.django_db
def test_changed_record_updates_the_live_page(newsroom, local_server, client) -> None:
    feed = _feed()
    channel = _add_channel(_serve_feed(local_server, feed))
    crawl_channel(channel, http=client)
    changed = copy.deepcopy(feed)
    changed["dataFeedElement"][0]["reviewBody"] = "Dopuna: proizvođači su to potvrdili."
    _serve_feed(local_server, changed)
    report = crawl_channel(channel, http=client)
    assert report.updated == 1 and report.held == 0
    page = _page(VACCINE)
    assert page.summary == "Dopuna: proizvođači su to potvrdili."
    assert page.live and not page.has_unpublished_changes


@pytest.mark.django_db
def test_local_edit_is_never_overwritten_the_change_waits_as_draft(
    newsroom, local_server, client
) -> None:
    feed = _feed()
    channel = _add_channel(_serve_feed(local_server, feed))
    crawl_channel(channel, http=client)
    page = _page(VACCINE)
    page.summary = "Lokalna dopuna urednika."
    page.save_revision().publish()  # an editor's change here

    changed = copy.deepcopy(feed)
    changed["dataFeedElement"][0]["reviewBody"] = "Partnerova nova verzija."
    _serve_feed(local_server, changed)
    report = crawl_channel(channel, http=client)
    assert report.held == 1
    page = _page(VACCINE)
    assert page.live and page.summary == "Lokalna dopuna urednika."  # live stays the editor's
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().summary == "Partnerova nova verzija."
    assert HELD_ACTION in _actions(page)
    assert PartnerFactCheck.objects.get(original_url=VACCINE).held_for_review

    # A second partner change is held too: the live page is still the editor's.
    changed["dataFeedElement"][0]["reviewBody"] = "Partnerova treća verzija."
    _serve_feed(local_server, changed)
    assert crawl_channel(channel, http=client).held == 1
    assert _page(VACCINE).summary == "Lokalna dopuna urednika."


@pytest.mark.django_db
def test_record_gone_from_the_feed_is_withdrawn_with_a_note(newsroom, local_server, client) -> None:
    feed = _feed()
    channel = _add_channel(_serve_feed(local_server, feed))
    crawl_channel(channel, http=client)
    feed["dataFeedElement"] = feed["dataFeedElement"][1:]
    _serve_feed(local_server, feed)
    report = crawl_channel(channel, http=client)
    assert report.withdrawn == 1
    withdrawn = _page(VACCINE)
    assert not withdrawn.live
    assert WITHDRAWN_ACTION in _actions(withdrawn)
    assert _page(POWER).live
    state = PartnerFactCheck.objects.get(original_url=VACCINE)
    assert state.withdrawn_at is not None and "feed" in state.withdrawn_reason

    # The partner brings it back: published again.
    _serve_feed(local_server, _feed())
    assert crawl_channel(channel, http=client).ok
    assert _page(VACCINE).live


@pytest.mark.django_db
def test_feed_answering_410_withdraws_everything_and_500_withdraws_nothing(
    newsroom, local_server, client
) -> None:
    url = _serve_feed(local_server, _feed())
    channel = _add_channel(url)
    crawl_channel(channel, http=client, now=timezone.now() - timedelta(days=2))
    local_server.route("/api/v1/claimreview.json", Reply(status=500, body="oops"))
    client.max_retries = 0
    failed = crawl_channel(channel, http=client)
    assert not failed.ok
    assert _page(VACCINE).live and _page(POWER).live

    local_server.route("/api/v1/claimreview.json", Reply(status=410, body="gone"))
    report = crawl_channel(channel, http=client)
    assert report.ok and report.withdrawn == 2
    assert not _page(VACCINE).live and not _page(POWER).live


@pytest.mark.django_db
def test_empty_datafeed_withdraws_and_a_non_claimreview_document_does_not(
    newsroom, local_server, client
) -> None:
    channel = _add_channel(_serve_feed(local_server, _feed()))
    crawl_channel(channel, http=client, now=timezone.now() - timedelta(days=2))
    _serve_feed(local_server, {"@context": "https://schema.org", "@type": "WebPage"})
    assert not crawl_channel(channel, http=client).ok
    assert _page(VACCINE).live
    _serve_feed(local_server, {"@context": "https://schema.org", "@type": "DataFeed"})
    assert crawl_channel(channel, http=client).withdrawn == 2


@pytest.mark.django_db
def test_draft_channel_imports_unpublished_pages(newsroom, local_server, client) -> None:
    channel = _add_channel(_serve_feed(local_server, _feed()))
    PartnerFeed.objects.create(channel=channel, publish_mode=PublishMode.DRAFT)
    report = crawl_channel(channel, http=client)
    assert report.new == 2
    page = _page(VACCINE)
    assert not page.live and page.revisions.count() == 1
    out = StringIO()
    call_command("partners", "set", str(channel.pk), "--publish", stdout=out)
    assert PartnerFeed.objects.get(channel=channel).publish_mode == PublishMode.PUBLISH


def _html(base: str, slug: str, claim: str, headline: str) -> str:
    text = (RES / "page.html").read_text()
    for key, value in {
        "{base}": base,
        "{slug}": slug,
        "{claim}": claim,
        "{headline}": headline,
    }.items():
        text = text.replace(key, value)
    return text


@pytest.mark.django_db
def test_sitemap_pages_import_and_a_410_page_is_withdrawn(newsroom, local_server, client) -> None:
    base = local_server.base
    slugs = {"a": "Most preko Save se ruši sljedeći tjedan.", "b": "Benzin će koštati 5 eura."}
    for slug, claim in slugs.items():
        local_server.route(
            f"/provjere/{slug}", Reply(body=_html(base, slug, claim, f"Provjera {slug}"))
        )
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{base}/provjere/{slug}</loc></url>" for slug in slugs)
        + "</urlset>"
    )
    local_server.route("/sitemap.xml", Reply(body=sitemap, content_type="application/xml"))
    channel = _add_channel(local_server.url("/sitemap.xml"))
    report = crawl_channel(channel, http=client)
    assert report.ok and report.new == 2, report.errors
    assert _page(f"{base}/provjere/a").live

    local_server.route("/provjere/a", Reply(status=410, body="gone"))
    report = crawl_channel(channel, http=client)
    assert report.withdrawn == 1
    assert not _page(f"{base}/provjere/a").live
    assert _page(f"{base}/provjere/b").live


@pytest.mark.django_db
def test_google_fact_check_tools_uses_the_key_header_and_never_withdraws(
    newsroom, local_server, client, settings
) -> None:
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST = "127.0.0.1"  # the loopback fake
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY = "test-key-123"
    path = "/v1alpha1/claims:search"
    first = (RES / "google-claims-search.json").read_bytes()
    second = (RES / "google-claims-search-page2.json").read_bytes()
    url = local_server.url(path + "?query=voda&languageCode=sr")
    local_server.route(
        path + "?query=voda&languageCode=sr&pageSize=100",
        Reply(body=first, content_type=JSONLD),
    )
    local_server.route(
        path + "?query=voda&languageCode=sr&pageSize=100&pageToken=CAo",
        Reply(body=second, content_type=JSONLD),
    )
    channel = _add_channel(url)
    report = crawl_channel(channel, http=client)
    assert report.ok, report.errors
    assert report.new == 3
    page = _page("https://istinomer-partner.example/provera/voda-hlor")
    assert page.original_publisher == "Istinomer Partner"
    assert page.claimant == "Facebook post"
    api_requests = [r for r in local_server.requests if "claims:search" in r.path]
    assert len(api_requests) == 2
    for request in api_requests:
        assert request.headers.get("X-Goog-Api-Key") == "test-key-123"
        assert "test-key-123" not in request.path

    # A search result that drops out of the answer was not withdrawn by anyone.
    local_server.route(
        path + "?query=voda&languageCode=sr&pageSize=100",
        Reply(body=json.dumps({"claims": []}), content_type=JSONLD),
    )
    assert crawl_channel(channel, http=client).withdrawn == 0
    assert FactCheckPage.objects.get(pk=page.pk).live


@pytest.mark.django_db
def test_google_channel_without_a_key_fails_with_a_clear_note(
    newsroom, local_server, client, settings
) -> None:
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST = "127.0.0.1"  # the loopback fake
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY = ""
    channel = _add_channel(local_server.url("/v1alpha1/claims:search?query=x"))
    report = crawl_channel(channel, http=client)
    assert not report.ok
    channel.refresh_from_db()
    assert "FACTCHECK_GOOGLE_FACTCHECK_API_KEY" in channel.last_error
    assert not local_server.requests or all("claims" not in r.path for r in local_server.requests)


@pytest.mark.django_db
def test_a_partner_cannot_rewrite_or_withdraw_another_partners_fact_check(
    newsroom, local_server, client
) -> None:
    """Hostile: feed X lists feed Y's review URL with a new verdict and text."""
    trusted = _add_channel(_serve_feed(local_server, _feed(), "/trusted.json"))
    crawl_channel(trusted, http=client)
    forged = _feed()
    forged["dataFeedElement"] = forged["dataFeedElement"][:1]
    forged["dataFeedElement"][0]["reviewBody"] = "Forged: vaccines do contain chips."
    forged["dataFeedElement"][0]["reviewRating"]["alternateName"] = "True"
    hostile = _add_channel(_serve_feed(local_server, forged, "/hostile.json"))
    report = crawl_channel(hostile, http=client)
    assert report.errors and "another channel" in report.errors[0]
    page = _page(VACCINE)
    assert page.summary != "Forged: vaccines do contain chips."
    assert page.rating.verdict == "false"
    assert not page.has_unpublished_changes
    assert not PartnerFactCheck.objects.filter(channel=hostile).exists()

    _serve_feed(local_server, {"@type": "DataFeed", "dataFeedElement": []}, "/hostile.json")
    crawl_channel(hostile, http=client)
    assert _page(VACCINE).live


@pytest.mark.django_db
def test_google_paging_is_bounded(newsroom, local_server, client, settings) -> None:
    """Hostile: an API that always answers with another page token."""
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST = "127.0.0.1"  # the loopback fake
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY = "k"
    body = json.loads((RES / "google-claims-search.json").read_text())
    path = "/v1alpha1/claims:search"
    local_server.route(path, Reply(body=json.dumps(body), content_type=JSONLD))
    channel = _add_channel(local_server.url(path + "?query=voda"))
    report = crawl_channel(channel, http=client)
    assert report.ok
    assert len([r for r in local_server.requests if "claims:search" in r.path]) == 5


@pytest.mark.django_db
def test_admin_adds_a_partner_channel_and_sets_it_to_draft(newsroom) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    web = Client()
    web.force_login(get_user_model().objects.create_superuser("ed", "ed@example.com", "pw"))
    form = web.get(reverse("channels:add"))
    assert 'value="claimreview"' in form.content.decode()
    response = web.post(
        reverse("channels:add"),
        {
            "kind": "claimreview",
            "url_or_handle": "https://partner.example/api/v1/claimreview.json",
            "language": "",
            "poll_interval_minutes": 30,
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get(kind=ChannelKind.CLAIMREVIEW)
    response = web.post(
        reverse("partner_feeds:add"),
        {"channel": channel.pk, "publish_mode": "draft", "withdraw_missing": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PartnerFeed.objects.get(channel=channel).publish_mode == PublishMode.DRAFT
    listing = web.get(reverse("partner_feeds:index")).content.decode()
    assert "partner.example" in listing
    assert web.get(reverse("partner_factchecks:index")).status_code == 200


@pytest.mark.django_db
def test_api_key_header_is_not_sent_to_another_origin_on_redirect(
    newsroom, local_server, client, settings
) -> None:
    """Hostile: the API (or a hijacked endpoint) redirects to somebody else's host."""
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_HOST = "127.0.0.1"  # the loopback fake
    settings.FACTCHECK_GOOGLE_FACTCHECK_API_KEY = "secret-key"
    other = f"http://localhost:{local_server.port}/collect"
    local_server.route(
        "/v1alpha1/claims:search", Reply(status=302, headers={"Location": other}, body="")
    )
    local_server.route(
        "/collect",
        Reply(body=(RES / "google-claims-search-page2.json").read_bytes(), content_type=JSONLD),
    )
    channel = _add_channel(local_server.url("/v1alpha1/claims:search?query=x"))
    crawl_channel(channel, http=client)
    first = [r for r in local_server.requests if "claims:search" in r.path]
    moved = [r for r in local_server.requests if r.path.startswith("/collect")]
    assert first and first[0].headers.get("X-Goog-Api-Key") == "secret-key"
    assert moved, "the redirect was followed"
    assert all("X-Goog-Api-Key" not in r.headers for r in moved)


@pytest.mark.django_db
def test_a_blanked_feed_cannot_unpublish_a_partners_debunks_in_one_poll(
    newsroom, local_server, client, settings
) -> None:
    """A partner's CMS that breaks (or an attacker who controls its feed for an hour) and
    serves an empty or truncated DataFeed must not take every imported debunk off this
    site at once: a mass drop is withdrawn only once it has lasted the grace period."""
    settings.FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS = 24
    url = _serve_feed(local_server, _feed())
    channel = _add_channel(url)
    start = timezone.now()
    crawl_channel(channel, http=client, now=start)
    _serve_feed(local_server, {"@context": "https://schema.org", "@type": "DataFeed"})
    channel.refresh_from_db()
    report = crawl_channel(channel, http=client, now=start + timedelta(hours=1))
    assert report.ok and report.withdrawn == 0
    assert _page(VACCINE).live and _page(POWER).live
    assert any("2 of 2" in warning for warning in report.warnings), report.warnings
    # Still missing a day later: the partner meant it.
    channel.refresh_from_db()
    later = crawl_channel(channel, http=client, now=start + timedelta(hours=25))
    assert later.withdrawn == 2
    assert not _page(VACCINE).live and not _page(POWER).live


@pytest.mark.django_db
def test_one_withdrawal_among_many_is_not_a_mass_drop(
    newsroom, local_server, client, settings
) -> None:
    settings.FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS = 24
    feed = _feed()
    template = feed["dataFeedElement"][0]
    for n in range(3):  # five fact-checks in all
        extra = copy.deepcopy(template)
        extra["url"] = f"{SITE}/provjere/druga-{n}"
        extra["claimReviewed"] = f"{template['claimReviewed']} ({n})"
        feed["dataFeedElement"].append(extra)
    url = _serve_feed(local_server, feed)
    channel = _add_channel(url)
    assert crawl_channel(channel, http=client).new == 5
    feed["dataFeedElement"] = [e for e in feed["dataFeedElement"] if e["url"] != VACCINE]
    _serve_feed(local_server, feed)
    channel.refresh_from_db()
    assert crawl_channel(channel, http=client).withdrawn == 1
    assert not _page(VACCINE).live and _page(POWER).live
