"""Write a consistent copy of what cannot be rebuilt: database (SQLite), media, embedding cache.

``docs/deployment.md`` ("Backups") is the procedure; this command is its SQLite and
files half, safe to run while the site serves:

* the SQLite database and the embedding cache are copied with SQLite's online backup
  API (what ``sqlite3 db ".backup"`` does). A plain ``cp`` of a WAL-mode database that
  is being written can miss the last transactions or copy a torn page;
* PostgreSQL is backed up with ``pg_dump`` (the command says so and skips it: the
  database server, its credentials and its dump format are the operator's);
* ``MEDIA_ROOT`` (original images, documents, renditions) is copied as files;
* the search index is *not* copied: ``manage.py rebuild_after_restore`` rebuilds it
  from the database and the embedding cache.

``DEST/MANIFEST.json`` records what was written and the counts a restore should see
again.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

import search


def sqlite_backup(source: sqlite3.Connection, target: Path) -> None:
    """Copy a live SQLite database to ``target`` with the online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(target)) as dest:
        source.backup(dest)


class Command(BaseCommand):
    help = (
        "Back up what cannot be rebuilt into a new directory: the SQLite database (online "
        "backup; for PostgreSQL use pg_dump), the media files and the embedding cache. The "
        "search index is rebuilt after a restore (manage.py rebuild_after_restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="A directory that does not exist yet (or is empty).")

    def handle(self, *args, dest: str, **options):
        target = Path(dest).expanduser().resolve()
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise CommandError(f"{target} exists and is not an empty directory")
        target.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, object] = {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "embedder": search.get_embedder().model_id,
        }

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            sqlite_backup(connection.connection, target / "db.sqlite3")
            manifest["database_file"] = "db.sqlite3"
            self.stdout.write(f"Database: {target / 'db.sqlite3'}")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Database: {connection.vendor} is not copied by this command; back it up "
                    "with pg_dump --format=custom (docs/deployment.md, Backups)."
                )
            )

        from claims.selectors import factcheck_published_all

        manifest["published_factchecks"] = factcheck_published_all().count()

        cache = search.embedding_cache_path()
        if cache.exists():
            with closing(sqlite3.connect(cache, timeout=30)) as source:
                sqlite_backup(source, target / "embeddings" / "cache.sqlite3")
            with closing(sqlite3.connect(target / "embeddings" / "cache.sqlite3")) as copy:
                vectors = copy.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            manifest["embedding_vectors"] = vectors
            self.stdout.write(f"Embedding cache: {vectors} vectors")
        else:
            manifest["embedding_vectors"] = 0
            self.stdout.write(self.style.WARNING(f"Embedding cache: none at {cache}"))

        media = Path(settings.MEDIA_ROOT)
        files = 0
        if media.is_dir():
            shutil.copytree(media, target / "media", symlinks=False)
            files = sum(1 for p in (target / "media").rglob("*") if p.is_file())
        manifest["media_files"] = files
        self.stdout.write(f"Media: {files} files")

        (target / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
