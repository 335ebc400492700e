"""The ingest pipeline: poll -> normalise -> dedupe -> language/script -> store -> hand_off.

Guarantees:

* **Idempotent.** The same item twice is one ``CapturedItem``: a second sighting
  (same canonical URL, or same folded text under another URL) appends to
  ``seen_urls`` and refreshes engagement. Near-duplicates (MinHash >= 0.5 on
  Cyrillic->Latin folded text, e.g. an agency text republished with a new
  intro) are stored as their own item with ``near_duplicate_of`` set.
* **Resumable.** Each item is stored in its own transaction; channel counters are
  saved after every batch; the channel's ETag/Last-Modified are saved only after
  the whole poll, so a crash mid-run refetches next time and the items already
  stored are recognised, not duplicated.
* **Nothing stored unsanitised.** ``html_excerpt`` passes nh3 (cut before, never
  after, sanitising); text is plain. Every stored URL (``canonical_url``,
  ``seen_urls``, ``image_url``) passes the http(s) rule of ``sources.urls``: a draft
  whose URL does not is refused with a ``ConnectorError`` (the connectors already drop
  such entries with a warning, so this is the last line, not the first).
* **A crawl pass goes on.** Whatever one channel's poll raises is recorded on that
  channel (failure count, error, exponential backoff) and the pass moves to the next
  channel. A host whose robots.txt ``Crawl-delay`` is above the fetcher's cap is
  polled no sooner than that delay (at most daily) instead of blocking a worker.

Channels of kind ``claimreview`` (partner newsrooms) are not items for the claim queue:
``ingest.partners`` imports their fact-checks as pages instead.

``hand_off(item)`` passes each new item to the claim queue (candidate claim ->
embed -> ``search.match()`` -> ``claims.services.claim_intake_item``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ingest.articles.client import ArticleClient
from ingest.connectors import poll_channel
from ingest.exceptions import ConnectorError, IngestError
from ingest.http import CrawlDelayWatch, PoliteClient, get_client
from ingest.text import (
    band_keys,
    content_hash,
    minhash,
    minhash_similarity,
    sanitize_html,
    words,
)
from ingest.types import ItemDraft
from ingest.urls import canonicalize_url
from search import detect_language
from sources import services as source_services
from sources.models import CapturedItem, CapturedItemBand, Channel, ChannelKind, Outlet
from sources.urls import UnsafeURLError, check_http_url, safe_http_url

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
MIN_WORDS_FOR_HASH = 8
NEAR_DUPLICATE_THRESHOLD = 0.5
MAX_TEXT = 200_000
MAX_SEEN_URLS = 50
MAX_URL_COLUMN = 1000  # CapturedItem.canonical_url / image_url


def hand_off(item: CapturedItem) -> None:
    """Hand a newly stored item to the claim queue (``claims.services.claim_intake_item``).

    Called once per *new* item, after its transaction committed; near-duplicates are
    handed off too (``item.near_duplicate_of`` tells them apart, and intake puts them on
    the original's claim). Intake attaches the item to the claim it repeats (same item,
    same folded text, or a close embedding) or opens a new claim with ``search.match()``
    suggestions. A failure here is logged and never undoes the stored item: the item is
    safe, and re-running intake for it is idempotent.
    """
    from claims.services import claim_intake_item

    try:
        claim_intake_item(item=item)
    except Exception:  # noqa: BLE001 - the queue must not break ingest
        logger.exception("claim intake failed for item %s", item.pk)


# ------------------------------------------------------------------ storage


@dataclass
class StoreOutcome:
    item: CapturedItem
    created: bool
    reason: str  # 'new', 'same-url', 'same-text'


def _hints(draft: ItemDraft, channel: Channel | None, outlet: Outlet | None) -> list[str]:
    hints: list[str] = []
    if channel is not None and channel.language:
        hints.append(channel.language)
    if outlet is not None and outlet.languages:
        hints.extend(str(code) for code in outlet.languages)
    if draft.language:
        hints.append(draft.language)
    return hints


def _merge_sighting(item: CapturedItem, urls: Iterable[str], engagement: dict) -> None:
    changed = False
    seen = list(item.seen_urls or [])
    for url in urls:
        if url and url not in seen and len(seen) < MAX_SEEN_URLS:
            seen.append(url)
            changed = True
    if changed:
        item.seen_urls = seen
    if engagement and engagement != {k: item.engagement.get(k) for k in engagement}:
        item.engagement = {**item.engagement, **engagement}
        changed = True
    if changed:
        item.save(update_fields=["seen_urls", "engagement"])


def _normalised_published(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value > now + timedelta(hours=1):
        return None  # never in the future
    return value


def find_near_duplicate(signature: Sequence[int]) -> CapturedItem | None:
    """The best earlier item sharing an LSH band whose estimated Jaccard >= threshold."""
    keys = band_keys(signature)
    if not keys:
        return None
    query = Q()
    for band, key in enumerate(keys):
        query |= Q(band=band, key=key)
    candidate_ids = set(
        CapturedItemBand.objects.filter(query).values_list("item_id", flat=True)[:200]
    )
    best, best_score = None, 0.0
    for candidate in CapturedItem.objects.filter(id__in=candidate_ids).only(
        "id", "minhash", "near_duplicate_of"
    ):
        score = minhash_similarity(signature, candidate.minhash)
        if score >= NEAR_DUPLICATE_THRESHOLD and score > best_score:
            best, best_score = candidate, score
    if best is not None and best.near_duplicate_of_id:
        return CapturedItem.objects.get(id=best.near_duplicate_of_id)  # point at the original
    return best


def store_item(
    draft: ItemDraft,
    *,
    channel: Channel | None = None,
    outlet: Outlet | None = None,
    now: datetime | None = None,
) -> StoreOutcome:
    """Normalise, dedupe, detect language/script and store one draft in its own transaction."""
    now = now or timezone.now()
    outlet = outlet or (channel.outlet if channel is not None else None)
    try:
        url = check_http_url(draft.url)
        canonical = check_http_url(canonicalize_url(url), max_length=MAX_URL_COLUMN)
    except UnsafeURLError as exc:
        raise ConnectorError(f"refused to store an unusable URL: {exc}") from exc
    sightings = [url, canonical]
    text = draft.text.strip()[:MAX_TEXT]
    title = " ".join(draft.title.split())[:1000]
    with transaction.atomic():
        existing = CapturedItem.objects.select_for_update().filter(canonical_url=canonical).first()
        if existing is not None:
            _merge_sighting(existing, sightings, draft.engagement)
            return StoreOutcome(existing, False, "same-url")
        digest = content_hash(f"{title}\n{text}") if text else ""
        if digest and len(words(text)) >= MIN_WORDS_FOR_HASH:
            same = CapturedItem.objects.select_for_update().filter(content_hash=digest).first()
            if same is not None:
                _merge_sighting(same, sightings, draft.engagement)
                return StoreOutcome(same, False, "same-text")
        signature = minhash(text) if len(words(text)) >= MIN_WORDS_FOR_HASH else []
        guess = detect_language(text or title, hints=_hints(draft, channel, outlet))
        item = CapturedItem(
            canonical_url=canonical,
            seen_urls=[u for u in dict.fromkeys(sightings) if u],
            platform=draft.platform,
            external_id=draft.external_id[:200],
            author=" ".join(draft.author.split())[:300],
            published_at=_normalised_published(draft.published_at, now),
            captured_at=now,
            title=title,
            text=text,
            image_url=safe_http_url(draft.image, max_length=MAX_URL_COLUMN),
            html_excerpt=sanitize_html(draft.html),
            engagement=draft.engagement,
            language=guess.language,
            script=guess.script,
            content_hash=digest,
            minhash=signature,
            near_duplicate_of=find_near_duplicate(signature),
            channel=channel,
            outlet=outlet,
        )
        item.set_raw(draft.raw, draft.raw_content_type)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # Another worker stored the same URL a moment ago: that is a sighting.
            existing = CapturedItem.objects.get(canonical_url=canonical)
            _merge_sighting(existing, sightings, draft.engagement)
            return StoreOutcome(existing, False, "same-url")
        CapturedItemBand.objects.bulk_create(
            CapturedItemBand(item=item, band=band, key=key)
            for band, key in enumerate(band_keys(signature))
        )
    hand_off(item)
    return StoreOutcome(item, True, "new")


# ------------------------------------------------------------------- crawl


@dataclass
class CrawlReport:
    channel_id: int
    ok: bool = True
    not_modified: bool = False
    seen: int = 0
    new: int = 0
    articles_fetched: int = 0
    updated: int = 0  # partner (claimreview) channels: changed fact-checks
    held: int = 0  # ... changes held as drafts because the page was edited here
    withdrawn: int = 0  # ... fact-checks the partner withdrew
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _enrich_with_article(draft: ItemDraft, articles: ArticleClient) -> ItemDraft:
    """Full text for a feed/sitemap entry; the entry's own metadata fills the gaps."""
    page = articles.fetch_draft(draft.url, date_hint=draft.published_at)
    page.platform = draft.platform
    page.title = page.title or draft.title
    page.author = page.author or draft.author
    page.published_at = page.published_at or draft.published_at
    page.language = page.language or draft.language
    page.external_id = draft.external_id
    page.engagement = {**draft.engagement, **page.engagement}
    if draft.url != page.url:
        page.engagement.setdefault("listed_url", draft.url)
    return page


def crawl_channel(
    channel: Channel,
    *,
    http: PoliteClient | None = None,
    now: datetime | None = None,
    max_articles: int | None = None,
) -> CrawlReport:
    """Poll one channel and store what it yields. Never raises for connector errors:
    they are recorded on the channel (with exponential backoff) and in the report."""
    now = now or timezone.now()
    report = CrawlReport(channel_id=channel.pk)
    own_client = http is None
    http = http or get_client()
    if max_articles is None:
        max_articles = int(settings.FACTCHECK_INGEST_MAX_ARTICLES_PER_POLL)
    # Every host this poll touches: a robots.txt Crawl-delay longer than the poll
    # interval pushes the next poll back ("poll rarely").
    politeness = http.crawl_delay_watch()
    try:
        if channel.kind == ChannelKind.CLAIMREVIEW:
            from ingest.partners.crawl import crawl_partner

            return crawl_partner(
                channel,
                http=http,
                now=now,
                report=report,
                min_interval=lambda: _crawl_delay(politeness),
            )
        try:
            poll = poll_channel(channel, http=http)
        except Exception as exc:  # noqa: BLE001 - a broken connector must not stop the pass
            return record_poll_failure(
                channel, exc, now=now, report=report, min_interval=_crawl_delay(politeness)
            )
        report.warnings.extend(poll.warnings)
        if poll.not_modified:
            report.not_modified = True
            source_services.channel_record_success(
                channel=channel,
                now=now,
                etag=poll.etag,
                last_modified=poll.last_modified,
                min_interval=_crawl_delay(politeness),
            )
            return report
        articles = ArticleClient(http)
        for start in range(0, len(poll.items), BATCH_SIZE):
            batch_seen = batch_new = 0
            for draft in poll.items[start : start + BATCH_SIZE]:
                batch_seen += 1
                try:
                    if draft.needs_article_fetch:
                        known = CapturedItem.objects.filter(
                            canonical_url=canonicalize_url(draft.url)
                        ).exists()
                        if not known and report.articles_fetched < max_articles:
                            report.articles_fetched += 1
                            try:
                                draft = _enrich_with_article(draft, articles)
                            except IngestError as exc:
                                # Keep the entry's own text: better than losing the item.
                                report.warnings.append(f"article {draft.url}: {exc}")
                    outcome = store_item(draft, channel=channel, now=now)
                    batch_new += int(outcome.created)
                except IngestError as exc:
                    report.errors.append(f"{draft.url}: {exc}")
                except Exception as exc:  # noqa: BLE001 - one bad item must not stop the channel
                    logger.exception("storing %s failed", draft.url)
                    report.errors.append(f"{draft.url}: {type(exc).__name__}: {exc}")
            report.seen += batch_seen
            report.new += batch_new
            source_services.channel_record_progress(channel=channel, seen=batch_seen, new=batch_new)
        source_services.channel_record_success(
            channel=channel,
            now=now,
            etag=poll.etag,
            last_modified=poll.last_modified,
            failures=report.errors,
            min_interval=_crawl_delay(politeness),
        )
        return report
    finally:
        politeness.close()
        if own_client:
            http.close()


def record_poll_failure(
    channel: Channel,
    exc: Exception,
    *,
    now: datetime,
    report: CrawlReport,
    min_interval: timedelta | None,
) -> CrawlReport:
    """A poll that failed: the error in the report and on the channel (with backoff);
    anything but an ``IngestError`` is a crash and is logged with its traceback."""
    error = str(exc) if isinstance(exc, IngestError) else f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, IngestError):
        logger.exception("channel %s: poll crashed", channel.pk)
    report.ok = False
    report.errors.append(error)
    source_services.channel_record_failure(
        channel=channel, now=now, error=error, min_interval=min_interval
    )
    logger.warning("channel %s failed: %s", channel.pk, error)
    return report


def _crawl_delay(watch: CrawlDelayWatch) -> timedelta | None:
    return timedelta(seconds=watch.seconds) if watch.seconds > 0 else None


def _record_crash(channel: Channel, now: datetime, exc: Exception) -> CrawlReport:
    """A poll that failed outside the connector (e.g. the database): record what we can."""
    error = f"{type(exc).__name__}: {exc}"
    logger.exception("channel %s: crawl failed", channel.pk)
    try:
        source_services.channel_record_failure(channel=channel, now=now, error=error)
    except Exception:  # noqa: BLE001 - the pass goes on even if this cannot be saved
        logger.exception("channel %s: could not record the failure", channel.pk)
    return CrawlReport(channel_id=channel.pk, ok=False, errors=[error])


def crawl_due(
    *, now: datetime | None = None, http: PoliteClient | None = None
) -> list[CrawlReport]:
    """One pass over every due channel, sharing one polite client (and robots cache).

    Never raises for a channel: a failing one is recorded and the next one runs."""
    from sources.selectors import channels_due

    now = now or timezone.now()
    own_client = http is None
    http = http or get_client()
    try:
        reports = []
        for channel in channels_due(now=now):
            try:
                reports.append(crawl_channel(channel, http=http, now=now))
            except Exception as exc:  # noqa: BLE001 - one channel must not stop the pass
                reports.append(_record_crash(channel, now, exc))
        return reports
    finally:
        if own_client:
            http.close()
