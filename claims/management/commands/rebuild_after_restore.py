"""After restoring a backup: check what came back, rebuild the search index, say what was reused.

What is backed up and what is rebuilt (``docs/deployment.md``, "Backups"): the database,
the media files and the embedding cache are backed up; the search index is not, because
it is derived from the other three. This command is the second half of a restore:

1. the database schema must be current (a dump from an older release needs ``migrate``
   first: refuse, rather than index a half-migrated database);
2. the database holds published fact-checks (an empty one is the wrong dump);
3. every image and document file the database names exists in the media storage;
   image *renditions* whose files are gone are dropped (a cache: Wagtail renders them
   again on first use; a stale row would serve a broken image for ever);
4. the embedding cache is there, so rebuilding does not embed every claim again (hours
   with the default model on a small machine);
5. ``rebuild_search_index`` runs, and the summary says how many vectors came from the
   cache and how many had to be embedded anew.

``--strict`` (for restore drills and CI) makes any finding of 2-4, or any vector that
had to be embedded again, a failure: a restore that passes it serves the same answers
without touching the model.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import search
from claims.indexing import DEFAULT_BATCH_SIZE
from claims.selectors import factcheck_published_all

#: Missing files named in a finding (the rest are counted).
EXAMPLES = 3


def pending_migrations() -> list[str]:
    """``app.migration`` names the database still lacks."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def missing_media() -> list[str]:
    """Names of image and document files the database refers to but storage lacks."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    missing: list[str] = []
    for model in (get_image_model(), get_document_model()):
        storage = model._meta.get_field("file").storage
        for name in model.objects.values_list("file", flat=True).iterator():
            if name and not storage.exists(name):
                missing.append(name)
    return missing


def renditions_drop_missing() -> int:
    """Delete image renditions whose files are gone; return how many."""
    from wagtail.images import get_image_model

    rendition_model = get_image_model().get_rendition_model()
    storage = rendition_model._meta.get_field("file").storage
    gone = [
        pk
        for pk, name in rendition_model.objects.values_list("pk", "file").iterator()
        if not name or not storage.exists(name)
    ]
    if gone:
        rendition_model.objects.filter(pk__in=gone).delete()
    return len(gone)


class Command(BaseCommand):
    help = (
        "Run after restoring the database, the media files and the embedding cache: checks "
        "the schema, the media files and the cache, then rebuilds the search index (which "
        "is never backed up) and reports how many vectors came from the embedding cache. "
        "--strict fails on any missing piece or re-embedded vector (restore drills)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail on missing media, a missing embedding cache or any re-embedded vector.",
        )

    def handle(self, *args, batch_size: int, no_progress: bool, strict: bool, **options):
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"the restored database lacks {len(pending)} migrations (first: {pending[0]}); "
                "run manage.py migrate, then this command again"
            )
        findings: list[str] = []
        published = factcheck_published_all().count()
        if published == 0:
            findings.append(
                "the restored database has no published fact-checks: was the right dump restored?"
            )
        missing = missing_media()
        if missing:
            examples = ", ".join(missing[:EXAMPLES])
            findings.append(
                f"{len(missing)} media files named by the database are missing from storage "
                f"(e.g. {examples}): restore the media backup"
            )
        dropped = renditions_drop_missing()
        if dropped:
            self.stdout.write(
                f"Dropped {dropped} image renditions without files; they are rendered again "
                "on first use."
            )
        cache_path = search.embedding_cache_path()
        if not cache_path.exists():
            findings.append(
                f"no embedding cache at {cache_path}: every fact-check is embedded again "
                "(restore the cache to skip that)"
            )
        cache = search.get_embedding_cache()
        self.stdout.write(f"Embedding cache: {cache.count()} vectors at {cache.path}")
        for finding in findings:
            self.stderr.write(self.style.WARNING(finding))

        hits, misses = cache.hits, cache.misses
        call_command(
            "rebuild_search_index",
            batch_size=batch_size,
            no_progress=no_progress,
            verbosity=options.get("verbosity", 1),
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
        from_cache, embedded = cache.hits - hits, cache.misses - misses
        backend = search.get_backend()
        backend.refresh()
        self.stdout.write(
            f"Search index: {backend.count()} documents; vectors: {from_cache} from the "
            f"embedding cache, {embedded} embedded anew."
        )
        if strict and embedded:
            findings.append(f"{embedded} vectors were not in the restored embedding cache")
        if strict and findings:
            raise CommandError("restore check failed: " + "; ".join(findings))
        self.stdout.write(self.style.SUCCESS("Restore complete: search answers from the backup."))
