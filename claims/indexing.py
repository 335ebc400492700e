"""Fact-check pages as the search index sees them, and keeping the index true.

``claims`` calls ``search`` (never the other way round): this module turns a published
:class:`~claims.models.FactCheckPage` into a :class:`search.types.SearchDocument` and
hands it to ``search.index_documents`` / ``search.delete_documents`` / ``search.rebuild``.
Tasks (``claims.tasks``) and management commands call these functions.

What is indexed: live, public, *original* fact-checks. Serbian pages are mirrored
between the ``sr`` and ``sr-latn`` sites as Wagtail aliases; an alias is a rendering of
its original, not a second fact-check, so it is never indexed (search normalisation
already makes the Cyrillic original findable in Latin, with or without diacritics).

The claim queue's vectors (``Claim.vector``) go to the backend's separate claim vector
index (``search.index_claims``), which only ``claims.services.claim_find_join`` reads:
every claim that is not merged and has a vector. ``claim_vectors_sync`` re-reads the
claims it is given, so it is right whenever it runs; the services call it at once when a
claim is created or split off (the next item may repeat it) and after the commit when
one is merged or deleted (a rolled-back merge must not take a live claim out).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.html import strip_tags
from wagtail.models import Page

import search
from search import SearchDocument

from .models import Claim, ClaimStatus, FactCheckIndexPage, FactCheckPage, Rating

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n{3,}")


def _plain(text: str) -> str:
    """Rich text or plain text to readable plain text (tags dropped, entities decoded)."""
    text = html.unescape(strip_tags(text or ""))
    text = _SPACE.sub(" ", text)
    return _LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def factcheck_body_text(page: FactCheckPage) -> str:
    """The body's StreamField blocks as plain text, one block per paragraph.

    Each block contributes what Wagtail itself considers searchable (rich text without
    markup, quotes and their attribution, evidence titles and descriptions, image alt
    text and captions); links, embeds and images themselves contribute nothing.
    """
    body = page.body
    if not body:
        return ""
    parts: list[str] = []
    for child in body:
        try:
            content = child.block.get_searchable_content(child.value)
        except Exception:  # a block type from an old revision must not stop indexing
            logger.exception("could not read body block %r of page %s", child.block_type, page.pk)
            continue
        text = _plain("\n".join(str(item) for item in content if item))
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def document_has_text(doc: SearchDocument) -> bool:
    """A title alone is not a fact-check: a reader needs a claim, a summary or a body."""
    return bool(doc.claim_reviewed or doc.summary or doc.body.strip())


def factcheck_is_indexable(page: Page) -> bool:
    """Live, public, an original (not a script alias) fact-check page."""
    return (
        isinstance(page, FactCheckPage)
        and page.live
        and page.alias_of_id is None
        and not page.get_view_restrictions().exists()
    )


def factcheck_path(page: FactCheckPage) -> str:
    """The page's path on its site (``/sr/fact-checks/slug/``), without scheme and host."""
    parts = page.get_url_parts()
    if parts is None:
        return page.url or ""
    return parts[2]


def factcheck_origin(page: FactCheckPage) -> str:
    """``partner`` for a partner's debunk (under an imported index, or naming its original
    publisher), else ``own``: the search page's "our / partners' debunks" filter."""
    if page.original_publisher:
        return "partner"
    imported = FactCheckIndexPage.objects.filter(is_imported=True).values_list("path", flat=True)
    return "partner" if any(page.path.startswith(path) for path in imported) else "own"


class _RatingLabels:
    """The rating in each page's locale, looked up once per (rating, locale) in a batch."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], Rating] = {}

    def __call__(self, page: FactCheckPage) -> Rating | None:
        if page.rating_id is None:
            return None
        key = (page.rating_id, page.locale_id)
        if key not in self._cache:
            self._cache[key] = page.display_rating
        return self._cache[key]


def factcheck_document(
    page: FactCheckPage,
    *,
    vector: Sequence[float] | None = None,
    rating_for: Callable[[FactCheckPage], Rating | None] | None = None,
) -> SearchDocument:
    """One fact-check as a search document (without computing its embedding)."""
    rating = (rating_for or _RatingLabels())(page)
    published = page.first_published_at or page.last_published_at
    return SearchDocument(
        id=str(page.pk),
        title=page.title or "",
        claim_reviewed=(page.claim_reviewed or "").strip(),
        claimant=page.claimant or "",
        summary=(page.summary or "").strip(),
        body=factcheck_body_text(page),
        language=page.locale.language_code,
        rating_verdict=rating.verdict if rating else "other",
        rating_label=rating.label if rating else "",
        countries=sorted(c.code for c in page.countries.all()),
        topics=sorted(t.key for t in page.topics.all()),
        url=factcheck_path(page),
        published=published.date() if published else None,
        vector=list(map(float, vector)) if vector is not None else None,
        origin=factcheck_origin(page),
        # Translations share the Wagtail translation_key: one same-hoax group, so the
        # matcher shows a hoax debunked in sr, hr and mk once, as one confident match.
        group=str(page.translation_key),
    )


@dataclass
class DocumentBatchReport:
    documents: int = 0
    skipped: int = 0
    embedded: int = 0


def factcheck_documents(
    pages: Iterable[FactCheckPage],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    embed: bool = True,
    report: DocumentBatchReport | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Iterator[SearchDocument]:
    """Search documents for ``pages``, embedded a batch at a time.

    Pages that are not indexable are skipped silently; pages without text are skipped
    with a warning naming them. ``on_batch`` is called with the number of pages read
    after each batch (for progress bars).
    """
    report = report if report is not None else DocumentBatchReport()
    rating_for = _RatingLabels()
    batch: list[FactCheckPage] = []

    def flush() -> Iterator[SearchDocument]:
        docs = []
        for page in batch:
            if not factcheck_is_indexable(page):
                report.skipped += 1
                continue
            doc = factcheck_document(page, rating_for=rating_for)
            if not document_has_text(doc):
                _warn_no_text(page)
                report.skipped += 1
                continue
            docs.append(doc)
        if embed and docs:
            texts = [search.passage_text(d) for d in docs]
            vectors = search.embed_passages(texts)
            for doc, vector in zip(docs, vectors, strict=True):
                doc.vector = [float(x) for x in vector]
            # Headlines and summaries: the matcher scores a candidate by its best passage
            # and reads them from the embedding cache filled here.
            others = [text for doc in docs for text in search.passages(doc)[1:]]
            if others:
                search.embed_passages(others)
            report.embedded += len(docs)
        report.documents += len(docs)
        if on_batch is not None:
            on_batch(len(batch))
        yield from docs

    for page in pages:
        batch.append(page)
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _warn_no_text(page: FactCheckPage) -> None:
    logger.warning(
        "fact-check %r (page %s, %s) has no claim, summary or body text; not indexed",
        page.title,
        page.pk,
        page.locale.language_code,
    )


def factcheck_index(*, page_id: int) -> str:
    """Bring the index in line with one page: index it, or remove it if it should not be there.

    Returns what happened (``indexed``, ``removed``, ``skipped-no-text``), for task results.
    Idempotent, and safe to run in any order with other events for the same page, because
    it reads the page's current state rather than trusting the event that enqueued it.
    """
    page = Page.objects.filter(pk=page_id).select_related("locale").first()
    page = page.specific if page is not None else None
    if page is None or not factcheck_is_indexable(page):
        search.delete_documents([str(page_id)])
        return "removed"
    docs = list(factcheck_documents([page], batch_size=1))
    if not docs:  # no text: the warning is logged; an old version must not linger
        search.delete_documents([str(page_id)])
        return "skipped-no-text"
    search.index_documents(docs)
    return "indexed"


def factcheck_unindex(*, page_id: int) -> None:
    """Remove one fact-check from the index (unpublished or deleted)."""
    search.delete_documents([str(page_id)])


def factcheck_ids_below(*, page_id: int) -> list[int]:
    """The page itself (if a fact-check) and every fact-check below it: a move or a
    slug change of an index page changes all their URLs."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return []
    return list(
        FactCheckPage.objects.filter(path__startswith=page.path, alias_of__isnull=True).values_list(
            "pk", flat=True
        )
    )


def factcheck_index_many(*, page_ids: Iterable[int], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Re-index several pages in batches (moves, rating label changes); returns the count."""
    ids = [int(i) for i in page_ids]
    written = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        pages = list(
            FactCheckPage.objects.filter(pk__in=chunk)
            .select_related("locale", "rating")
            .prefetch_related("topics", "countries")
        )
        docs = list(factcheck_documents(pages, batch_size=batch_size))
        indexed = {d.id for d in docs}
        gone = [str(i) for i in chunk if str(i) not in indexed]
        if gone:
            search.delete_documents(gone)
        written += search.index_documents(docs)
    return written


def factcheck_search_rebuild(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    report: DocumentBatchReport | None = None,
) -> int:
    """Rebuild the whole index from the published originals and swap it in atomically.

    ``progress`` is called with the number of pages read after each batch.
    """
    from .selectors import factcheck_published_all

    pages = factcheck_published_all().iterator(chunk_size=batch_size)
    docs = factcheck_documents(pages, batch_size=batch_size, report=report, on_batch=progress)
    return search.rebuild(docs, batch_size=batch_size)


# --- the claim queue's vectors ---------------------------------------------------------


def _indexable_claims():  # -> QuerySet[Claim]
    return Claim.objects.exclude(status=ClaimStatus.MERGED).exclude(vector=b"")


def claim_vectors_sync(*, claim_ids: Iterable[int]) -> int:
    """Bring the claim vector index in line with these claims as the database has them
    now: index those that are not merged and have a vector, remove the rest (merged,
    deleted, no vector). Idempotent; returns how many were indexed."""
    ids = {int(i) for i in claim_ids}
    if not ids:
        return 0
    rows = dict(_indexable_claims().filter(pk__in=ids).values_list("pk", "vector"))
    gone = ids - rows.keys()
    written = search.index_claims((pk, bytes(vector)) for pk, vector in rows.items()) if rows else 0
    if gone:
        search.delete_claims(sorted(gone))
    return written


def claim_vectors_update(*, claim_ids: Iterable[int]) -> None:
    """:func:`claim_vectors_sync` that never raises: an unreachable index must not stop
    the queue (the claim is then found by its exact text until ``manage.py
    rebuild_search_index`` restores the index)."""
    ids = sorted({int(i) for i in claim_ids})
    try:
        claim_vectors_sync(claim_ids=ids)
    except Exception:  # noqa: BLE001 - logged; the rebuild restores the index
        logger.exception(
            "could not update the claim vector index for claims %s; "
            "manage.py rebuild_search_index restores it",
            ids,
        )


def claim_vectors_update_on_commit(*, claim_ids: Iterable[int]) -> None:
    """:func:`claim_vectors_update` once the current transaction commits (never, if it
    rolls back); at once outside a transaction."""
    ids = sorted({int(i) for i in claim_ids})
    transaction.on_commit(lambda: claim_vectors_update(claim_ids=ids))


def claim_vectors_embed_missing(*, batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[int, int]:
    """Embed the claims that have no vector (not merged): those migration 0008 cleared
    outside its window, or whose embedding failed at intake. Returns (embedded, failed);
    a claim the embedder fails on keeps no vector and is found by its exact text only."""
    embedded = failed = 0
    missing = (
        Claim.objects.exclude(status=ClaimStatus.MERGED)
        .filter(vector=b"")
        .exclude(text="")
        .order_by("pk")
        .values_list("pk", "text")
    )
    for pk, text in missing.iterator(chunk_size=batch_size):
        try:
            vector = search.claim_vector(text)
        except Exception:  # noqa: BLE001 - counted and reported; the claim is unchanged
            logger.exception("could not embed claim %s", pk)
            failed += 1
            continue
        Claim.objects.filter(pk=pk, vector=b"").update(vector=vector)
        embedded += bool(vector)
    return embedded, failed


def claim_vectors_rebuild(
    *, batch_size: int = DEFAULT_BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild the claim vector index from the database and swap it in atomically; returns
    how many claims it holds. ``progress`` gets the running count of claims read."""
    rows = (
        _indexable_claims()
        .order_by("pk")
        .values_list("pk", "vector")
        .iterator(chunk_size=batch_size)
    )
    items = ((pk, bytes(vector)) for pk, vector in rows)
    return search.rebuild_claims(items, batch_size=batch_size, progress=progress)


def search_publishers(ids: list[str]) -> dict[str, dict[str, str]]:
    """Who published each fact-check (registered with ``search`` for the match API): the
    partner newsroom for an imported one, else this newsroom's ClaimReview author."""
    from django.conf import settings

    from .models import newsroom_settings_for

    pks = [int(i) for i in ids if str(i).isdigit()]
    if not pks:
        return {}
    rows = FactCheckPage.objects.filter(pk__in=pks).values_list(
        "pk", "original_publisher", "original_publisher_url"
    )
    site_url = settings.FACTCHECK_SITE_URL.rstrip("/") + "/"
    newsroom = newsroom_settings_for()
    if newsroom is None:
        own = {"name": settings.FACTCHECK_NEWSROOM_NAME, "url": site_url}
    else:
        name, url = newsroom.claimreview_author(site_url=site_url)
        own = {"name": name, "url": url}
    return {
        str(pk): {"name": publisher, "url": publisher_url or ""} if publisher else own
        for pk, publisher, publisher_url in rows
    }


def search_facet_labels(*, language: str) -> dict[str, dict[str, str]]:
    """Human labels for facet values, in the reader's language (registered with
    ``search.views`` so the search page can label facets without importing ``claims``)."""
    from django.utils import translation
    from wagtail.models import Locale

    from .models import Country, Topic, Verdict

    with translation.override(language):
        verdicts = {value: str(label) for value, label in Verdict.choices}
    locale = Locale.objects.filter(language_code=language).first()
    topics = {t.key: t.name for t in Topic.objects.filter(locale__language_code="en")}
    if locale is not None:
        topics.update({t.key: t.name for t in Topic.objects.filter(locale=locale)})
    countries = {c.code: c.name for c in Country.objects.all()}
    return {"rating_verdict": verdicts, "countries": countries, "topics": topics}
