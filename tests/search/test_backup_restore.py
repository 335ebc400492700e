"""Back up, lose everything, restore, rebuild: search and match answer as before, from the cache.

The procedure of ``docs/deployment.md`` ("Backups") on SQLite: ``manage.py backup_data``
writes the database (online backup), the media files and the embedding cache; the
machine is then wiped (database flushed, var dir gone); the restore copies the files
back (the database through SQLite's backup API, because the test database lives in
memory: the same bytes ``cp db.sqlite3`` would put in place) and runs
``manage.py rebuild_after_restore``. The search index is never in the backup.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import search
from search.backends import reset_search_backends
from search.embeddings import HashingEmbedder

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # PostgreSQL is backed up with pg_dump (docs/deployment.md); this is the file procedure.
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup procedure"),
]

POST = "Vakcine protiv gripa sadrže mikročipove kojima vlast prati građane, kaže poruka"


def use_var_dir(settings, var: Path) -> None:
    """Point the process at a var dir, as a fresh ``FACTCHECK_VAR_DIR`` would."""
    settings.FACTCHECK_VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    settings.FACTCHECK_SEARCH_PARAMS = {"PATH": str(var / "search")}
    reset_search_backends()


@pytest.fixture
def passage_embeds(monkeypatch) -> list[str]:
    """Every text the model is asked to embed as a passage (what indexing embeds)."""
    seen: list[str] = []
    real = HashingEmbedder._embed

    def spy(self, texts, kind):
        if kind == "passage":
            seen.extend(texts)
        return real(self, texts, kind)

    monkeypatch.setattr(HashingEmbedder, "_embed", spy)
    return seen


def answers() -> dict[str, object]:
    """What a reader and the matcher get: the comparison before and after."""
    return {
        "search": [hit.id for hit in search.query("vakcine mikročipovi").hits],
        "search_cyrillic": [hit.id for hit in search.query("гласачки листићи").hits],
        "match": [(m.id, round(m.score, 6), m.is_match) for m in search.match(POST)],
    }


def png_bytes() -> bytes:
    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.new("RGB", (12, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def backup(settings, tmp_path, make_factcheck, passage_embeds) -> dict[str, object]:
    """A newsroom with content on var dir 1, its answers, and a backup of it."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    use_var_dir(settings, tmp_path / "var1")
    make_factcheck(
        locale="sr-latn",
        slug="vakcine-mikrocipovi",
        title="Vakcine ne sadrže mikročipove",
        claim_reviewed="Vakcine protiv gripa sadrže mikročipove kojima vlast prati građane",
    )
    make_factcheck(
        locale="sr",
        slug="glasacki-listici",
        title="Гласачки листићи нису штампани унапред",
        claim_reviewed="Гласачки листићи су одштампани са већ заокруженим кандидатом",
    )
    make_factcheck(locale="en", slug="vaccines-microchips")
    image = get_image_model().objects.create(
        title="Chart", file=ImageFile(BytesIO(png_bytes()), name="chart.png")
    )
    image.get_rendition("fill-6x6")
    before = answers()
    assert before["search"] and before["search_cyrillic"] and before["match"][0][2] is True
    embedded_before = len(passage_embeds)
    assert embedded_before >= 3  # publishing embedded each claim once

    out = StringIO()
    call_command("backup_data", str(tmp_path / "backup"), stdout=out)
    passage_embeds.clear()
    return {
        "answers": before,
        "dir": tmp_path / "backup",
        "image_file": image.file.name,
        "output": out.getvalue(),
    }


def wipe(settings, tmp_path: Path) -> Path:
    """Lose the machine: the database is emptied and a new, empty var dir is in use.

    Emptied, not re-populated: no post_migrate content types, which would take new ids
    in this process's ContentType cache, while the restore brings back the old ones."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    shutil.rmtree(tmp_path / "var1")
    var = tmp_path / "var2"
    use_var_dir(settings, var)
    assert search.get_backend().count() == 0
    assert not search.query("vakcine").hits
    return var


def restore_database(backup_dir: Path) -> None:
    """``cp backup/db.sqlite3 var/db.sqlite3``, into the in-memory test database."""
    connection.ensure_connection()
    with closing(sqlite3.connect(backup_dir / "db.sqlite3")) as source:
        source.backup(connection.connection)


def test_backup_holds_database_media_and_cache_but_no_index(backup) -> None:
    backup_dir = backup["dir"]
    manifest = json.loads((backup_dir / "MANIFEST.json").read_text())
    assert manifest["database"] == "sqlite" and manifest["published_factchecks"] == 3
    assert manifest["embedding_vectors"] >= 3 and manifest["media_files"] >= 2
    assert (backup_dir / "media" / backup["image_file"]).is_file()
    assert (backup_dir / "embeddings" / "cache.sqlite3").is_file()
    assert not (backup_dir / "search").exists()
    with closing(sqlite3.connect(backup_dir / "db.sqlite3")) as db:
        assert db.execute("SELECT COUNT(*) FROM claims_factcheckpage").fetchone()[0] >= 3
    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("backup_data", str(backup_dir), stdout=StringIO())


def test_restore_and_rebuild_answers_as_before_without_embedding(
    backup, settings, tmp_path, passage_embeds
) -> None:
    var = wipe(settings, tmp_path)
    backup_dir = backup["dir"]
    restore_database(backup_dir)
    shutil.copytree(backup_dir / "media", var / "media")
    (var / "embeddings").mkdir(parents=True)
    shutil.copy(backup_dir / "embeddings" / "cache.sqlite3", var / "embeddings" / "cache.sqlite3")

    out, err = StringIO(), StringIO()
    call_command("rebuild_after_restore", "--strict", "--no-progress", stdout=out, stderr=err)

    report = out.getvalue()
    # Every passage of every fact-check (claim, headline, summary) comes from the cache.
    vectors = json.loads((backup_dir / "MANIFEST.json").read_text())["embedding_vectors"]
    assert vectors > 3
    expected = (
        f"Search index: 3 documents; vectors: {vectors} from the embedding cache, 0 embedded anew"
    )
    assert expected in report, report
    assert passage_embeds == []  # the model never saw a claim again
    assert err.getvalue() == ""  # no finding: media and cache were complete
    assert answers() == backup["answers"]
    assert (var / "media" / backup["image_file"]).is_file()


def test_incomplete_restore_is_reported_and_strict_fails(
    backup, settings, tmp_path, passage_embeds
) -> None:
    wipe(settings, tmp_path)
    restore_database(backup["dir"])  # the database only: no media, no embedding cache

    with pytest.raises(CommandError) as failed:
        call_command("rebuild_after_restore", "--strict", "--no-progress", stdout=StringIO())
    message = str(failed.value)
    assert backup["image_file"] in message and "media" in message
    vectors = json.loads((backup["dir"] / "MANIFEST.json").read_text())["embedding_vectors"]
    assert "no embedding cache" in message and f"{vectors} vectors" in message

    # Without --strict the same restore still ends with a working index (re-embedded),
    # and the renditions whose files are gone were dropped so Wagtail renders them again.
    from wagtail.images import get_image_model

    out, err = StringIO(), StringIO()
    call_command("rebuild_after_restore", "--no-progress", stdout=out, stderr=err)
    # the strict run re-embedded every passage into a new cache; this one reuses it
    assert f"vectors: {vectors} from the embedding cache, 0 embedded anew" in out.getvalue()
    assert "media files named by the database are missing" in err.getvalue()
    assert get_image_model().get_rendition_model().objects.count() == 0
    assert answers() == backup["answers"]
    assert len(passage_embeds) == vectors  # embedded once, by the strict run, then cached


def test_restore_of_an_older_schema_asks_for_migrate_first(backup, settings, tmp_path) -> None:
    from django.db.migrations.loader import MigrationLoader

    wipe(settings, tmp_path)
    restore_database(backup["dir"])
    # A dump from the release before the newest claims migration.
    (app, name) = max(n for n in MigrationLoader(connection).graph.leaf_nodes() if n[0] == "claims")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
    with pytest.raises(CommandError, match=rf"first: {app}\.{name}.*run manage.py migrate"):
        call_command("rebuild_after_restore", "--no-progress", stdout=StringIO())
