"""Compile the interface translations with Babel (pure Python: no GNU gettext needed).

The compiled ``.mo`` files are committed next to their ``.po`` files, so a deployment
never depends on running this; run it after editing a ``.po``. A catalogue is rewritten
only when its compiled bytes differ (file times say nothing after a git checkout), and
``--check`` only reports the stale ones and fails, for CI.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_po(po_path: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (fuzzy entries left out)."""
    try:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name.replace("-", "_"))
    except Exception as exc:  # Babel raises several types for a broken file
        raise CommandError(f"{po_path}: {exc}") from exc
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def po_files() -> list[Path]:
    return [
        po_path
        for base in settings.LOCALE_PATHS
        for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po"))
    ]


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po under LOCALE_PATHS into .mo files."
    # It is the fix for factcheck.E001 (a missing catalogue), so that check must not stop it.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if a .mo file is missing or differs from its .po.",
        )

    def handle(self, *args, check=False, **options):
        stale = []
        for po_path in po_files():
            mo_path = po_path.with_suffix(".mo")
            data = compile_po(po_path)
            if mo_path.is_file() and mo_path.read_bytes() == data:
                continue
            stale.append(mo_path)
            if not check:
                mo_path.write_bytes(data)
        if check:
            if stale:
                raise CommandError(
                    "out of date: "
                    + ", ".join(str(p) for p in stale)
                    + " (run manage.py compile_translations)"
                )
            self.stdout.write("Every translation catalogue is up to date.")
            return
        self.stdout.write(f"Compiled {len(stale)} translation catalogue(s).")
