"""The pipeline: dedupe, language/script, sanitising, resumability, crawl command, backoff."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from ingest_testserver import Reply

from ingest import pipeline
from ingest.pipeline import crawl_channel, crawl_due, store_item
from ingest.text import fold, minhash, minhash_similarity
from ingest.types import ItemDraft
from ingest.urls import canonicalize_url
from search import detect_language, detect_script
from sources.models import CapturedItem, Channel, Outlet

pytestmark = pytest.mark.django_db

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest"
NOW = datetime(2025, 3, 15, 12, tzinfo=UTC)

WIRE = (
    "Vlada je danas usvojila izmjene zakona o javnom zdravstvu kojima se uvodi obavezno "
    "izvještavanje o nuspojavama svih cjepiva te nova pravila za nabavu lijekova u bolnicama "
    "širom zemlje, a ministar je najavio da će prve promjene biti vidljive već za mjesec dana."
)


# ------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://WWW.Portal.RS:80/Vesti/?utm_source=fb&utm_medium=x&id=5#comments",
            "http://www.portal.rs/Vesti/?id=5",
        ),
        ("https://portal.ba/a?b=2&a=1&fbclid=xyz", "https://portal.ba/a?a=1&b=2"),
        ("https://portal.mk:443/vest", "https://portal.mk/vest"),
        (
            "http://127.0.0.1:8000/index.php?option=com_content&id=3",
            "http://127.0.0.1:8000/index.php?id=3&option=com_content",
        ),
        ("http://[2001:DB8::1]:8080/a?utm_campaign=x", "http://[2001:db8::1]:8080/a"),
        ("https://xn--e1afmkfd.xn--90a3ac/вести", "https://xn--e1afmkfd.xn--90a3ac/вести"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


@pytest.mark.parametrize(
    ("a", "b"),
    [("Вучић", "vucic"), ("Ђоковић", "djokovic"), ("Шешељ", "seselj"), ("ЌЕРКА", "kjerka")],
)
def test_fold_meets_latin(a: str, b: str) -> None:
    assert fold(a) == b


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Вакцине садрже", "cyrillic"),
        ("Vakcine sadrže", "latin"),
        ("Vakcine садрже", "mixed"),
        ("123 !!", ""),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_minhash_cyrillic_latin_copies_meet() -> None:
    cyr = "Влада је данас усвојила измене закона о јавном здравству којима се уводи обавезно извештавање"
    lat = "Vlada je danas usvojila izmene zakona o javnom zdravstvu kojima se uvodi obavezno izveštavanje"
    assert minhash_similarity(minhash(cyr), minhash(lat)) == 1.0
    assert (
        minhash_similarity(
            minhash(cyr), minhash("Potpuno drugačiji tekst o fudbalu i utakmici sinoć u Beogradu")
        )
        < 0.2
    )


@pytest.mark.parametrize(
    ("text", "hints", "language"),
    [
        (
            "Vakcine protiv korone sadrže mikročipove koji prate građane širom Srbije",
            ["sr-latn"],
            "sr",
        ),
        (
            "Cjepivo protiv korone sadrži mikročipove kojima se prate građani diljem zemlje",
            ["hr"],
            "hr",
        ),
        ("Vakcine protiv korone sadrže mikročipove koji prate građane širom Srbije", [], "hbs"),
        ("Вакцините против ковид содржат микрочипови кои ги следат граѓаните", [], "mk"),
        ("Vaksinat kundër koronës përmbajnë mikroçipa që ndjekin qytetarët", ["sr"], "sq"),
        ("The vaccine does not contain microchips, health officials said on Friday", ["hr"], "en"),
        ("xq zz", [], "und"),
        ("", [], "und"),
    ],
)
def test_detect_language(text: str, hints: list[str], language: str) -> None:
    assert detect_language(text, hints=hints).language == language


# ----------------------------------------------------------------- storage


def test_same_item_twice_is_one_item() -> None:
    draft = ItemDraft(
        url="https://portal.hr/v/1?utm_source=fb", platform="feed", title="Naslov", text=WIRE
    )
    first = store_item(draft, now=NOW)
    again = store_item(
        ItemDraft(
            url="https://portal.hr/v/1#komentari", platform="feed", title="Naslov", text=WIRE
        ),
        now=NOW,
    )
    assert first.created and not again.created and again.reason == "same-url"
    assert CapturedItem.objects.count() == 1
    item = CapturedItem.objects.get()
    assert item.canonical_url == "https://portal.hr/v/1"
    assert "https://portal.hr/v/1?utm_source=fb" in item.seen_urls
    assert "https://portal.hr/v/1#komentari" in item.seen_urls


def test_same_text_under_other_url_and_script_is_a_sighting() -> None:
    store_item(
        ItemDraft(
            url="https://a.rs/1",
            platform="feed",
            text="Влада је данас усвојила измене закона о јавном здравству и нова правила",
        ),
        now=NOW,
    )
    outcome = store_item(
        ItemDraft(
            url="https://b.rs/2",
            platform="feed",
            text="Vlada je danas usvojila izmene zakona o javnom zdravstvu i nova pravila",
        ),
        now=NOW,
    )
    assert outcome.reason == "same-text" and not outcome.created
    assert "https://b.rs/2" in CapturedItem.objects.get().seen_urls


def test_near_duplicate_is_linked() -> None:
    original = store_item(
        ItemDraft(url="https://agencija.ba/1", platform="feed", text=WIRE), now=NOW
    ).item
    republished = "BEOGRAD – Prenosimo: " + WIRE.replace("mjesec dana", "nekoliko sedmica")
    copy = store_item(
        ItemDraft(url="https://portal.ba/2", platform="feed", text=republished), now=NOW
    )
    assert copy.created
    assert copy.item.near_duplicate_of == original
    unrelated = store_item(
        ItemDraft(
            url="https://portal.ba/3",
            platform="feed",
            text="Sinoć je u Sarajevu održan koncert na kojem je nastupilo više od dvadeset izvođača iz cijele regije",
        ),
        now=NOW,
    )
    assert unrelated.item.near_duplicate_of is None


def test_stored_fields_sanitised_and_archived() -> None:
    outlet = Outlet.objects.create(name="Istinomer", languages=["sr"])
    channel = Channel.objects.create(
        kind="feed", url_or_handle="https://istinomer.rs/feed", outlet=outlet
    )
    raw = (RES / "articles/hostile.html").read_bytes()
    draft = ItemDraft(
        url="https://istinomer.rs/vest",
        platform="feed",
        title="Злонамерна  страна",
        text="Овај чланак садржи злонамерни код који не сме да прође кроз наш систем.",
        html='<p onmouseover="steal()">Текст<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x()">л</a></p>',
        raw=raw,
        raw_content_type="text/html; charset=utf-8",
        published_at=NOW + timedelta(days=30),
    )
    item = store_item(draft, channel=channel, now=NOW).item
    assert "<script" not in item.html_excerpt and "onerror" not in item.html_excerpt
    assert "onmouseover" not in item.html_excerpt and "javascript:" not in item.html_excerpt
    assert item.html_excerpt.startswith("<p>Текст")
    assert zlib.decompress(bytes(item.archived_raw)) == raw and item.raw_bytes == raw
    assert len(item.archived_raw) < len(raw)
    assert item.archived_content_type.startswith("text/html")
    assert item.published_at is None  # future dates are dropped
    assert (item.language, item.script) == ("sr", "cyrillic")
    assert item.outlet == outlet and item.title == "Злонамерна страна"


def test_unknown_language_is_und() -> None:
    item = store_item(
        ItemDraft(url="https://x.example/1", platform="telegram", text="🙂🙂 !!! 12345"), now=NOW
    ).item
    assert item.language == "und" and item.script == ""


def test_hand_off_called_once_per_new_item(monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(pipeline, "hand_off", lambda item: calls.append(item.pk))
    draft = ItemDraft(url="https://portal.hr/v/9", platform="feed", text=WIRE)
    store_item(draft, now=NOW)
    store_item(draft, now=NOW)
    assert len(calls) == 1


# ------------------------------------------------------------------- crawl


@pytest.fixture
def feed_channel(local_server) -> Channel:
    outlet = Outlet.objects.create(name="Portal Vijesti", languages=["hr"])
    local_server.route(
        "/feeds/rss.xml",
        Reply(
            body=(RES / "feeds/rss.xml").read_bytes(),
            content_type="application/rss+xml",
            headers={"ETag": '"v1"'},
        ),
    )
    local_server.route(
        "/vijesti/cjepivo-mikrocipovi", Reply(body=(RES / "articles/hr-article.html").read_bytes())
    )
    local_server.route(
        "/vijesti/poplave", Reply(body=(RES / "articles/copyright-footer.html").read_bytes())
    )
    return Channel.objects.create(
        kind="feed", url_or_handle=local_server.url("/feeds/rss.xml"), outlet=outlet
    )


def test_crawl_feed_fetches_articles_and_saves_state(
    feed_channel: Channel, client, local_server
) -> None:
    report = crawl_channel(feed_channel, http=client, now=NOW)
    assert report.ok and report.new == 2 and report.articles_fetched == 2, report
    feed_channel.refresh_from_db()
    assert (
        feed_channel.etag == '"v1"' and feed_channel.items_new == 2 and feed_channel.items_seen == 2
    )
    assert feed_channel.next_poll_at == NOW + timedelta(minutes=30)
    assert feed_channel.status == "ok"
    article = CapturedItem.objects.get(title="Cjepivo ne sadrži mikročipove")
    # rel=canonical of the page wins; the feed's tracking URL is a sighting.
    assert article.canonical_url == "http://127.0.0.1/vijesti/cjepivo-mikrocipovi?id=7"
    assert "igla kojom se cjepivo daje" in article.text
    assert article.language == "hr" and article.author == "Ana Horvat"
    assert article.archived_raw and article.image_url.endswith("/img/cjepivo.jpg")
    # Second pass: the server answers 304 to our If-None-Match.
    local_server.route("/feeds/rss.xml", Reply(304))
    again = crawl_channel(feed_channel, http=client, now=NOW + timedelta(hours=1))
    assert again.not_modified and CapturedItem.objects.count() == 2
    assert local_server.hits("/feeds/rss.xml")[-1].headers["If-None-Match"] == '"v1"'


def test_article_cap_keeps_feed_text(feed_channel: Channel, client) -> None:
    report = crawl_channel(feed_channel, http=client, now=NOW, max_articles=0)
    assert report.new == 2 and report.articles_fetched == 0
    item = CapturedItem.objects.get(canonical_url__contains="cjepivo")
    assert "mikročipove je netočna" in item.text and "<script" not in item.html_excerpt


def test_crash_mid_run_resumes_without_duplicates(
    feed_channel: Channel, client, monkeypatch
) -> None:
    real_store = pipeline.store_item
    calls = {"n": 0}

    def crashing_store(draft, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process dies mid-run
        return real_store(draft, **kwargs)

    monkeypatch.setattr(pipeline, "store_item", crashing_store)
    with pytest.raises(KeyboardInterrupt):
        crawl_channel(feed_channel, http=client, now=NOW)
    assert CapturedItem.objects.count() == 1  # the first item was committed
    feed_channel.refresh_from_db()
    assert feed_channel.etag == ""  # poll state not advanced: next run refetches
    monkeypatch.setattr(pipeline, "store_item", real_store)
    report = crawl_channel(feed_channel, http=client, now=NOW)
    assert report.new == 1 and CapturedItem.objects.count() == 2


def test_failures_back_off_exponentially(client, local_server) -> None:
    channel = Channel.objects.create(
        kind="feed", url_or_handle=local_server.url("/gone.xml"), poll_interval_minutes=10
    )
    for failures, minutes in [(1, 20), (2, 40), (3, 80)]:
        report = crawl_channel(channel, http=client, now=NOW)
        channel.refresh_from_db()
        assert not report.ok and channel.consecutive_failures == failures
        assert channel.next_poll_at == NOW + timedelta(minutes=minutes)
    assert channel.status == "failing" and "404" in channel.last_error
    for _ in range(10):
        crawl_channel(channel, http=client, now=NOW)
    channel.refresh_from_db()
    assert channel.next_poll_at == NOW + timedelta(hours=24)  # capped


def test_private_network_channel_fails_safely(client) -> None:
    channel = Channel.objects.create(
        kind="feed", url_or_handle="http://169.254.169.254/latest/meta-data/"
    )
    report = crawl_channel(channel, http=client, now=NOW)
    channel.refresh_from_db()
    assert not report.ok and "non-public" in channel.last_error
    assert CapturedItem.objects.count() == 0


def test_malformed_feed_stores_what_was_salvaged(client, local_server) -> None:
    local_server.route(
        "/bad.xml",
        Reply(body=(RES / "feeds/malformed.xml").read_bytes(), content_type="application/xml"),
    )
    channel = Channel.objects.create(kind="feed", url_or_handle=local_server.url("/bad.xml"))
    report = crawl_channel(channel, http=client, now=NOW, max_articles=0)
    assert report.ok and report.new == 3
    assert any("malformed" in w for w in report.warnings)


def test_social_channels_through_pipeline(client, local_server, settings) -> None:
    settings.FACTCHECK_TELEGRAM_BASE_URL = local_server.base
    settings.FACTCHECK_BLUESKY_APPVIEW = local_server.base
    local_server.route("/s/provjera", Reply(body=(RES / "telegram/s-provjera.html").read_bytes()))
    local_server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        Reply(
            body=(RES / "bluesky/author-feed.json").read_bytes(), content_type="application/json"
        ),
    )
    local_server.route(
        "/api/v1/timelines/tag/provjera",
        Reply(
            body=(RES / "mastodon/tag-provjera.json").read_bytes(), content_type="application/json"
        ),
    )
    Channel.objects.create(kind="telegram", url_or_handle="@provjera", language="sr")
    Channel.objects.create(kind="bluesky", url_or_handle="istinomer.bsky.social", language="sr")
    Channel.objects.create(kind="mastodon", url_or_handle=local_server.url("/tags/provjera"))
    Channel.objects.create(kind="import", url_or_handle="crowdtangle-2024.csv")
    reports = crawl_due(http=client, now=NOW)
    assert len(reports) == 3 and all(r.ok for r in reports), reports
    assert CapturedItem.objects.filter(platform="telegram").count() == 2
    assert CapturedItem.objects.filter(platform="bluesky").count() == 2
    assert CapturedItem.objects.filter(platform="mastodon").count() == 2
    post = CapturedItem.objects.get(external_id="provjera/101")
    assert (
        post.engagement == {"views": 15300} and post.script == "cyrillic" and post.language == "sr"
    )
    hostile = CapturedItem.objects.get(external_id="provjera/102")
    assert "<script" not in hostile.html_excerpt and "onerror" not in hostile.html_excerpt
    assert crawl_due(http=client, now=NOW) == []  # nothing due until the interval passes


def test_crawl_command_one_pass_and_loop(feed_channel: Channel) -> None:
    out = StringIO()
    call_command("crawl", stdout=out)
    assert f"channel {feed_channel.pk}: 2 seen, 2 new" in out.getvalue()
    out = StringIO()
    call_command("crawl", "--loop", "--max-passes", "2", "--interval", "0", stdout=out)
    assert out.getvalue().count("crawled 0 channel(s)") == 2  # not due again yet
    out = StringIO()
    call_command("crawl", "--channel", str(feed_channel.pk), stdout=out)
    assert (
        f"channel {feed_channel.pk}: not modified" in out.getvalue()
        or "2 seen, 0 new" in out.getvalue()
    )


def test_crawl_command_enqueue_runs_tasks(feed_channel: Channel) -> None:
    out = StringIO()
    call_command("crawl", "--enqueue", stdout=out)  # immediate backend in tests
    assert "enqueued 1" in out.getvalue()
    assert CapturedItem.objects.count() == 2


def test_poll_channel_task_missing_channel() -> None:
    from ingest.tasks import poll_channel_task

    result = poll_channel_task.enqueue(999999)
    assert result.return_value["ok"] is False
