"""Progress bars of management commands: redrawn in place on a terminal, one line in a log."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from factcheck.progress import command_progress


class TTY(StringIO):
    """A terminal, as far as tqdm and Django can tell."""

    def isatty(self) -> bool:
        return True


def test_not_a_terminal_gets_one_summary_line_however_many_updates():
    raw = StringIO()
    with command_progress(OutputWrapper(raw), total=500, desc="Indexing", unit="page") as bar:
        for _ in range(500):
            bar.update(1)
    lines = raw.getvalue().splitlines()
    assert len(lines) == 1, raw.getvalue()[:500]
    assert lines[0].startswith("Indexing: 500/500 pages in ")


def test_reset_restarts_the_count_and_an_error_still_reports_how_far_it_got():
    raw = StringIO()
    progress = command_progress(OutputWrapper(raw), total=10, desc="Indexing", unit="page")
    with pytest.raises(RuntimeError), progress as bar:
        bar.update(7)
        bar.reset()
        bar.update(3)
        raise RuntimeError("index gone")
    assert raw.getvalue().splitlines() == [raw.getvalue().strip()]
    assert raw.getvalue().startswith("Indexing: 3/10 pages")


def test_a_terminal_gets_one_line_redrawn_in_place():
    raw = TTY()
    with command_progress(OutputWrapper(raw), total=300, desc="Indexing", unit="page") as bar:
        bar.mininterval = 0  # redraw on every update, the worst case for a log
        bar.miniters = 1
        for _ in range(300):
            bar.update(1)
    out = raw.getvalue()
    assert out.count("\r") > 10  # redrawn many times...
    assert out.count("\n") == 1  # ...on one line, ended once when the bar closes
    assert "300/300" in out.rsplit("\r", 1)[-1]


def test_disabled_writes_nothing():
    raw = StringIO()
    with command_progress(OutputWrapper(raw), total=5, desc="x", disable=True) as bar:
        bar.update(5)
    assert raw.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("search_index")
def test_rebuild_search_index_in_ci_writes_one_progress_line(make_factcheck):
    for i in range(4):
        make_factcheck(locale="en", slug=f"page-{i}", claim_reviewed=f"Claim number {i} here")
    out, err = StringIO(), StringIO()  # not terminals: what a CI log is
    call_command("rebuild_search_index", "--batch-size", "1", stdout=out, stderr=err)
    assert "Indexed 4 of 4" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, err.getvalue()
    assert lines[0].startswith("Indexing fact-checks: 4/4 pages in ")
    assert "\r" not in err.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("search_index")
def test_reembed_in_ci_writes_one_line_per_pass(make_factcheck):
    for i in range(3):
        make_factcheck(locale="en", slug=f"page-{i}", claim_reviewed=f"Claim number {i} here")
    out, err = StringIO(), StringIO()
    call_command("reembed", "--batch-size", "1", stdout=out, stderr=err)
    assert "Re-embedded 3 fact-checks" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == 2, err.getvalue()
    assert lines[0].startswith("Embedding (") and "3/3 pages" in lines[0]
    assert lines[1].startswith("Rebuilding index: 3/3 pages")
