"""The dependency direction between the apps, enforced on every import (docs/architecture.md).

* ``sources`` <- ``claims`` <- ``ingest``: ``ingest`` may import ``claims`` and
  ``sources``; ``claims`` may import ``sources``; ``sources`` imports neither.
* Every app reaches ``search`` only through ``search/__init__.py``: ``import search`` or
  ``from search import <name in search.__all__>``, never ``search.<module>``.
* ``search`` imports none of ``claims``, ``ingest``, ``sources`` (stricter than "not at
  module level": there is no exception today; ``claims`` hands ``search`` what it needs,
  e.g. facet labels through ``search.register_facet_labels``).

Every ``import`` in every module of the apps is checked, function-local ones and
``TYPE_CHECKING`` ones included; tests, benchmarks and migrations are not app code.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("claims", "factcheck", "ingest", "network", "search", "sources", "tipline")
SKIPPED_PARTS = frozenset({"migrations", "tests", "bench", "__pycache__"})

#: app -> the apps it must not import.
FORBIDDEN = {
    "sources": {"claims", "ingest", "network", "tipline"},
    "claims": {"ingest", "network", "tipline"},
    "search": {"claims", "ingest", "network", "sources", "tipline"},
    # the tipline sits on top: it uses claims, ingest's HTTP client and search
    "ingest": {"network", "tipline"},
    # the partner network (keys, webhooks, embeds) also sits on top of claims and ingest
    "network": {"tipline"},
}

#: (module, imported module) pairs that break a rule on purpose, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("factcheck.urls", "search.views"): "the site's URLconf mounts search's page view, "
    "as it mounts search.api.urls (by dotted path) in factcheck.api_urls",
}


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str, list[str]]]:
    """``(line, imported module, imported names)`` for every import in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, target] if target else base)
            found.append((node.lineno, target, [alias.name for alias in node.names]))
    return found


def search_public_names(root: Path) -> set[str]:
    """``search.__all__``, read from the source (no import, no Django)."""
    tree = ast.parse((root / "search" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def import_violations(root: Path, apps: tuple[str, ...] = APPS) -> list[str]:
    """Each import under ``root`` that breaks a rule, as ``path:line: module imports X (why)``."""
    public = search_public_names(root)
    violations = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if SKIPPED_PARTS & set(path.relative_to(root).parts):
                continue
            module = _module_name(root, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            where = path.relative_to(root).as_posix()
            for line, target, names in _imports(tree, module, path.name == "__init__.py"):
                top = target.split(".")[0]
                problems = []  # (what is imported, which rule it breaks)
                if top in FORBIDDEN.get(app, ()):
                    problems.append((target, f"{app} must not import {top}"))
                if top == "search" and app != "search":
                    if target != "search":
                        problems.append((target, "reach search only through search/__init__.py"))
                    else:
                        problems.extend(
                            (f"search.{name}", "not in search.__all__")
                            for name in names
                            if name not in public
                        )
                for imported, problem in problems:
                    if (module, imported) not in ALLOWED:
                        violations.append(
                            f"{where}:{line}: {module} imports {imported} ({problem})"
                        )
    return violations


def test_the_apps_import_in_the_allowed_direction_only() -> None:
    violations = import_violations(ROOT)

    assert not violations, "Imports against docs/architecture.md:\n" + "\n".join(violations)


def test_search_public_surface_is_what_it_exports() -> None:
    import search

    public = search_public_names(ROOT)
    assert public == set(search.__all__)
    assert all(hasattr(search, name) for name in public)


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_checker_reports_each_bad_import_of_a_synthetic_tree(tmp_path: Path) -> None:
    _write(tmp_path, "search/__init__.py", '__all__ = ["fold"]\n\ndef fold(t):\n    return t\n')
    _write(tmp_path, "search/inner.py", "def f():\n    from claims.models import Claim\n")
    _write(tmp_path, "sources/models.py", "import claims.models\n")
    _write(tmp_path, "claims/__init__.py", "")
    _write(tmp_path, "claims/services.py", "def f():\n    from ingest.pipeline import store\n")
    _write(tmp_path, "claims/views.py", "from search.matcher import match_text\n")
    _write(tmp_path, "claims/fine.py", "import search\nfrom search import fold\nimport sources\n")
    _write(tmp_path, "factcheck/urls.py", "from search import views\n")  # in ALLOWED
    _write(tmp_path, "claims/sub/helpers.py", "from search import matcher\nfrom .. import views\n")
    _write(tmp_path, "claims/migrations/0001.py", "import ingest\n")  # not app code
    _write(tmp_path, "ingest/pipeline.py", "import claims\nfrom sources import models\n")

    violations = import_violations(tmp_path)

    assert violations == [
        "claims/services.py:2: claims.services imports ingest.pipeline "
        "(claims must not import ingest)",
        "claims/sub/helpers.py:1: claims.sub.helpers imports search.matcher "
        "(not in search.__all__)",
        "claims/views.py:1: claims.views imports search.matcher "
        "(reach search only through search/__init__.py)",
        "search/inner.py:2: search.inner imports claims.models (search must not import claims)",
        "sources/models.py:1: sources.models imports claims.models "
        "(sources must not import claims)",
    ]


def test_checker_resolves_relative_imports(tmp_path: Path) -> None:
    _write(tmp_path, "search/__init__.py", "__all__ = []\n")
    _write(tmp_path, "sources/__init__.py", "from ..claims import models\n")
    _write(tmp_path, "sources/sub/x.py", "from ...ingest import pipeline\nfrom . import y\n")

    assert import_violations(tmp_path, apps=("sources",)) == [
        "sources/__init__.py:1: sources imports claims (sources must not import claims)",
        "sources/sub/x.py:1: sources.sub.x imports ingest (sources must not import ingest)",
    ]


#: No app module grows past this many lines (docs/architecture.md): split it by concern.
MAX_MODULE_LINES = 800


def test_no_app_module_is_longer_than_the_limit() -> None:
    too_long = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"split these by concern: {too_long}"
