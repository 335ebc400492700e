"""A site language without a compiled interface catalogue fails the start-up checks;
the committed catalogues are complete and up to date; compile_translations rebuilds them."""

from __future__ import annotations

import gettext
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from factcheck.checks import check_compiled_catalogues

REPO_LOCALE = Path(settings.BASE_DIR) / "factcheck" / "locale"


def _copy_po_files(target: Path, skip: tuple[str, ...] = ()) -> Path:
    for po in REPO_LOCALE.glob("*/LC_MESSAGES/django.po"):
        name = po.parent.parent.name
        if name in skip:
            continue
        dest = target / name / "LC_MESSAGES"
        dest.mkdir(parents=True)
        shutil.copy(po, dest / "django.po")
    return target


def test_committed_catalogues_cover_every_site_language() -> None:
    assert check_compiled_catalogues() == []


def test_committed_catalogues_are_up_to_date() -> None:
    """A .po edited without recompiling would ship an interface missing its new strings."""
    out = StringIO()
    call_command("compile_translations", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_missing_montenegrin_catalogue_is_an_error(settings, tmp_path) -> None:
    locale_dir = _copy_po_files(tmp_path / "locale")
    settings.LOCALE_PATHS = [locale_dir]
    call_command("compile_translations", stdout=StringIO())
    (locale_dir / "cnr" / "LC_MESSAGES" / "django.mo").unlink()
    errors = check_compiled_catalogues()
    assert [e.id for e in errors] == ["factcheck.E001"]
    assert "'cnr'" in errors[0].msg and "compile_translations" in errors[0].hint
    # The fix the hint names runs although the check fails (it runs no system checks).
    from factcheck.management.commands.compile_translations import Command

    assert not Command.requires_system_checks
    call_command("compile_translations", stdout=StringIO())
    assert check_compiled_catalogues() == []


def test_no_catalogues_at_all_names_every_language_but_english(settings, tmp_path) -> None:
    settings.LOCALE_PATHS = [tmp_path]
    codes = {e.msg.split("'")[1] for e in check_compiled_catalogues()}
    assert codes == {code for code, _ in settings.LANGUAGES} - {"en"}


def test_start_up_check_fails_without_the_catalogue(settings, tmp_path) -> None:
    settings.LOCALE_PATHS = [_copy_po_files(tmp_path / "locale", skip=("cnr",))]
    call_command("compile_translations", stdout=StringIO())
    with pytest.raises(SystemCheckError, match="factcheck.E001"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_compile_translations_builds_working_catalogues(settings, tmp_path) -> None:
    locale_dir = _copy_po_files(tmp_path / "locale")
    settings.LOCALE_PATHS = [locale_dir]
    with pytest.raises(CommandError, match="out of date"):
        call_command("compile_translations", "--check", stdout=StringIO())
    out = StringIO()
    call_command("compile_translations", stdout=out)
    assert f"Compiled {len(list(locale_dir.glob('*')))} translation" in out.getvalue()
    assert check_compiled_catalogues() == []
    with (locale_dir / "cnr" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        cnr = gettext.GNUTranslations(mo)
    assert cnr.gettext("Search") not in ("", "Search")
    # Unchanged sources: nothing is rewritten; --check passes.
    out = StringIO()
    call_command("compile_translations", stdout=out)
    assert "Compiled 0" in out.getvalue()
    call_command("compile_translations", "--check", stdout=StringIO())
    # An edited .po makes its catalogue stale, whatever the file times say.
    po = locale_dir / "hr" / "LC_MESSAGES" / "django.po"
    po.write_text(
        po.read_text(encoding="utf-8") + '\nmsgid "Zzz test"\nmsgstr "Zzz proba"\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="hr"):
        call_command("compile_translations", "--check", stdout=StringIO())
