"""Re-embed every published fact-check with the configured model and swap the index."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

import search
from claims.indexing import (
    DEFAULT_BATCH_SIZE,
    DocumentBatchReport,
    factcheck_documents,
    factcheck_search_rebuild,
)
from claims.selectors import factcheck_published_all
from factcheck.progress import command_progress


class Command(BaseCommand):
    help = (
        "Re-embed every published fact-check with the configured embedder "
        "(FACTCHECK_EMBEDDER) and rebuild the search index with the new vectors. Run it "
        "after changing the model: vectors from two models must never be compared, so "
        "the new index is swapped in at once, never mixed. Unchanged texts are served "
        "from the embedding cache."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--prune-cache",
            action="store_true",
            help="Afterwards, delete cached vectors of every other model.",
        )

    def handle(self, *args, batch_size: int, no_progress: bool, prune_cache: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        embedder = search.get_embedder()
        cache = search.get_embedding_cache()
        hits_before, misses_before = getattr(cache, "hits", 0), getattr(cache, "misses", 0)
        total = factcheck_published_all().count()
        disable = no_progress or options.get("verbosity", 1) < 1
        started = time.monotonic()
        # Pass 1 fills the embedding cache with the new model's vectors (the slow part,
        # with its own progress bar); pass 2 rebuilds the index from the cache.
        with command_progress(
            self.stderr,
            total=total,
            unit="page",
            desc=f"Embedding ({embedder.model_id})",
            disable=disable,
        ) as bar:
            embedded = sum(
                1
                for _doc in factcheck_documents(
                    factcheck_published_all().iterator(chunk_size=batch_size),
                    batch_size=batch_size,
                    on_batch=bar.update,
                )
            )
        report = DocumentBatchReport()
        with command_progress(
            self.stderr, total=total, unit="page", desc="Rebuilding index", disable=disable
        ) as bar:
            count = factcheck_search_rebuild(
                batch_size=batch_size, progress=bar.update, report=report
            )
        pruned = ""
        if prune_cache:
            removed = cache.prune([embedder.model_id])
            pruned = f"; removed {removed} cached vectors of other models"
        hits = getattr(cache, "hits", 0) - hits_before
        misses = getattr(cache, "misses", 0) - misses_before
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-embedded {embedded} fact-checks with {embedder.model_id} "
                f"v{embedder.version} (claims as passages); index rebuilt with {count} documents in {time.monotonic() - started:.1f}s "
                f"(cache hits {hits}, misses {misses}){pruned}."
            )
        )
