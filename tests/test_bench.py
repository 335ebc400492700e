"""The benchmarks' layout: shared code in bench/common.py, no benchmark imports another.

The benchmarks themselves run on purpose (``make bench``) on datasets outside the
repository; these tests need none of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bench import common

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
SHARED_MODULES = {"__init__", "common"}
BENCHMARKS = sorted(p for p in BENCH.glob("*.py") if p.stem not in SHARED_MODULES)


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "bench":
                names.update(f"bench.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_no_benchmark_imports_another(path: Path):
    others = {p.stem for p in BENCHMARKS if p != path}
    imported = _imported_modules(path)
    # ``import match`` (bench/ on sys.path) or ``from bench import match`` both count
    wrong = {m for m in imported if m in others or m.removeprefix("bench.") in others}
    wrong = {m for m in wrong if not m.startswith(("search", "ingest"))}  # the apps
    assert not wrong, f"{path.name} imports {sorted(wrong)}; shared code goes in bench/common.py"


@pytest.mark.parametrize(
    "name", ["calibrate", "claim_queue", "embeddings", "ingest", "match", "search"]
)
def test_each_benchmark_starts_from_the_command_line(name: str):
    """``--help`` imports the script the way ``make bench`` runs it (bench/ first on
    sys.path, where search.py and ingest.py would shadow the apps)."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout and "--" in proc.stdout


def test_the_matching_corpus_is_deterministic_and_keeps_dev_claims_out():
    first, again = common.generate(13), common.generate(13)
    assert first == again
    assert len(first) == 531  # the corpus docs/benchmarks.md and calibration.json describe
    assert len({item["claim"] for item in first}) == len(first)
    assert {item["language"] for item in first} == {"hbs-Latn", "sr-Cyrl", "mk", "sq"}
    for item in first:
        words = set(item["claim"].replace(",", " ").split())
        for excluded in common.EXCLUDE:
            if all(" " not in value for value in excluded):
                assert not excluded <= words, (item, excluded)
    assert common.generate(14) != first
    assert len(common.generate(13, stress=True)) > len(first)


def test_serbian_cyrillic_of_the_generated_claims_leaves_acronyms_and_numbers():
    assert common.to_serbian_cyrillic("Vlada Srbije uvodi PDV od 20 eura") == (
        "Влада Србије уводи PDV од 20 еура"
    )


def test_tweet_footer_is_dropped():
    text = "Vaccines cause autism pic.twitter.com/x — Jane Doe (@jdoe) March 3, 2020"
    assert common.strip_tweet_footer(text) == "Vaccines cause autism pic.twitter.com/x"
