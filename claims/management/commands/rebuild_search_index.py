"""Rebuild the search index from the published fact-checks, with a progress bar
(redrawn on a terminal, one summary line otherwise: ``factcheck.progress``), then the
claim queue's vector index from the claims in the database (``claims.indexing``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

import search
from claims.indexing import (
    DEFAULT_BATCH_SIZE,
    DocumentBatchReport,
    claim_vectors_embed_missing,
    claim_vectors_rebuild,
    factcheck_search_rebuild,
)
from claims.selectors import factcheck_published_all
from factcheck.progress import command_progress


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every published original fact-check. The new index "
        "is built beside the live one and swapped in atomically, so searches keep working "
        "and a crash mid-build leaves the old index serving. Also restores a lost or "
        "corrupted index, and rebuilds the claim queue's vector index from the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Pages read, embedded and written per batch (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw a progress bar."
        )
        parser.add_argument(
            "--embed-claims",
            action="store_true",
            help="First embed the queue's claims that have no vector (those migration "
            "claims.0008 cleared outside its window, or whose embedding failed), so they "
            "enter the claim vector index too. Slow on a large queue.",
        )

    def handle(
        self,
        *args,
        batch_size: int,
        no_progress: bool,
        embed_claims: bool = False,
        verbosity: int = 1,
        **options,
    ):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        total = factcheck_published_all().count()
        report = DocumentBatchReport()
        started = time.monotonic()
        progress = command_progress(
            self.stderr,
            total=total,
            unit="page",
            desc="Indexing fact-checks",
            disable=no_progress or verbosity < 1,
        )
        try:
            with progress as bar:
                try:
                    count = factcheck_search_rebuild(
                        batch_size=batch_size, progress=bar.update, report=report
                    )
                except OSError:
                    # The index directory was deleted under this process's open backend:
                    # start from a fresh instance, which recreates it.
                    search.reset_backends()
                    bar.reset()
                    report = DocumentBatchReport()
                    count = factcheck_search_rebuild(
                        batch_size=batch_size, progress=bar.update, report=report
                    )
            embedded = failed = 0
            if embed_claims:
                embedded, failed = claim_vectors_embed_missing(batch_size=batch_size)
            claims = claim_vectors_rebuild(batch_size=batch_size)
        except Exception as exc:
            raise CommandError(
                f"rebuild failed, the previous index is still serving: {exc}"
            ) from exc
        elapsed = time.monotonic() - started
        backend = type(search.get_backend()).__name__
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} of {total} published fact-checks "
                f"({report.skipped} skipped, {report.embedded} embedded) "
                f"in {elapsed:.1f}s with {backend}; batches of {batch_size}."
            )
        )
        embedded_note = (
            f" ({embedded} claims embedded now, {failed} failed)" if embed_claims else ""
        )
        self.stdout.write(f"Indexed {claims} claim vectors for the claim queue{embedded_note}.")
