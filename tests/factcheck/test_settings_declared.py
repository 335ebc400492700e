"""Every ``FACTCHECK_*`` setting is declared once, and every environment variable is documented.

Contract (issue 10): a setting the code reads is declared in ``factcheck/settings/base.py``
with its default (read from the environment through ``factcheck/settings/env.py`` where an
operator sets it), so ``getattr(settings, "FACTCHECK_X", default)`` — which hides a setting
and its default at the call site — is not allowed outside tests, bench and migrations, and
``settings.FACTCHECK_X`` must name a setting ``base.py`` defines. Every variable the settings
package reads from the environment is listed in ``.env.example``, and ``.env.example`` lists
nothing the settings do not read (apart from a few variables other programs read).

The checkers are plain functions over source text, unit-tested below on synthetic
violations so that a checker that can never fail is caught too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import factcheck.settings.base as base_settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "factcheck" / "settings"
SKIP_PARTS = {"tests", "bench", "migrations", ".venv", "node_modules", "static_collected", "var"}
SETTING_NAME = re.compile(r"^FACTCHECK_[A-Z0-9_]+$")
ENV_HELPERS = {"env_str", "env_bool", "env_list", "env_int", "env_float"}
# Listed in .env.example but read by other programs, not by the settings package.
EXTERNAL_ENV = {
    "DJANGO_SETTINGS_MODULE",  # manage.py, wsgi.py, asgi.py
    "WEB_CONCURRENCY",  # gunicorn (the image's CMD)
    "OMP_WAIT_POLICY",  # OpenMP (onnxruntime / torch threads)
    "FACTCHECK_ADMIN_USERNAME",  # manage.py ensure_admin (local demo only)
    "FACTCHECK_ADMIN_PASSWORD",
}


# --------------------------------------------------------------------------- checkers


def _is_settings(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "settings"


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def setting_violations(source: str, declared: set[str], *, filename: str = "<src>") -> list[str]:
    """Problems in one module: ``getattr(settings, "FACTCHECK_…")`` (any form), and
    ``settings.FACTCHECK_X`` or ``*_setting("FACTCHECK_X", …)`` naming an undeclared setting."""
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "getattr" and len(node.args) >= 2 and _is_settings(node.args[0]):
                key = node.args[1]
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    # A computed name (f"FACTCHECK_…{x}", a helper's argument) is allowed only
                    # without a default: an undeclared setting then fails loudly.
                    if len(node.args) > 2:
                        problems.append(
                            f"{filename}:{node.lineno}: getattr(settings, <dynamic>, …)"
                        )
                elif key.value.startswith("FACTCHECK_"):
                    problems.append(f"{filename}:{node.lineno}: getattr(settings, {key.value!r})")
            elif name.endswith("setting") and node.args:
                key = node.args[0]
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and SETTING_NAME.match(key.value)
                    and key.value not in declared
                ):
                    problems.append(f"{filename}:{node.lineno}: {key.value} is not declared")
        elif (
            isinstance(node, ast.Attribute)
            and _is_settings(node.value)
            and node.attr.startswith("FACTCHECK_")
            and node.attr not in declared
            and not isinstance(node.ctx, ast.Store | ast.Del)
        ):
            problems.append(f"{filename}:{node.lineno}: settings.{node.attr} is not declared")
    return problems


def source_files(root: Path = ROOT) -> Iterable[Path]:
    for path in sorted(root.rglob("*.py")):
        if not SKIP_PARTS.intersection(path.relative_to(root).parts):
            yield path


def declared_settings() -> set[str]:
    return {name for name in vars(base_settings) if SETTING_NAME.match(name)}


def env_reads(source: str) -> set[str]:
    """Variables a settings module reads: ``os.environ.get/[]``, ``os.getenv`` and the
    ``env_*`` helpers of ``env.py``, each with a literal name."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = _call_name(node)
            if (
                name in ENV_HELPERS
                or name == "getenv"
                or (
                    name == "get"
                    and isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Attribute)
                    and func.value.attr == "environ"
                )
            ):
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and (
            isinstance(node.value, ast.Attribute) and node.value.attr == "environ"
        ):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def env_example_names(text: str) -> set[str]:
    """Variable names assigned in a ``.env`` file (comments and blank lines ignored)."""
    names = set()
    for line in text.splitlines():
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if match and not line.lstrip().startswith("#"):
            names.add(match.group(1))
    return names


def env_mismatch(read: set[str], documented: set[str]) -> tuple[set[str], set[str]]:
    """(read but not documented, documented but read by nothing we know of)."""
    return read - documented, documented - read - EXTERNAL_ENV


def settings_env_reads() -> set[str]:
    names: set[str] = set()
    for path in sorted(SETTINGS_DIR.glob("*.py")):
        names |= env_reads(path.read_text(encoding="utf-8"))
    return names


# --------------------------------------------------------------------------- the tree


def test_no_hidden_or_undeclared_factcheck_settings():
    declared = declared_settings()
    problems = []
    for path in source_files():
        rel = str(path.relative_to(ROOT))
        problems += setting_violations(path.read_text(encoding="utf-8"), declared, filename=rel)
    assert problems == []


def test_env_example_lists_exactly_what_the_settings_read():
    documented = env_example_names((ROOT / ".env.example").read_text(encoding="utf-8"))
    undocumented, unread = env_mismatch(settings_env_reads(), documented)
    assert undocumented == set(), "read in factcheck/settings but missing from .env.example"
    assert unread == set(), ".env.example lists variables nothing reads"


# --------------------------------------------------------------------------- the checkers


def test_checker_flags_getattr_with_a_default():
    src = 'from django.conf import settings\nx = getattr(settings, "FACTCHECK_X", 3)\n'
    assert setting_violations(src, {"FACTCHECK_X"}) == ["<src>:2: getattr(settings, 'FACTCHECK_X')"]


def test_checker_flags_getattr_split_over_lines_and_dynamic_names():
    src = 'x = getattr(\n    settings, "FACTCHECK_Y"\n)\ny = getattr(settings, f"FACTCHECK_{n}", None)\n'
    src += 'z = getattr(settings, name, 0)\nok = getattr(settings, f"FACTCHECK_{n}")\n'
    problems = setting_violations(src, {"FACTCHECK_Y"})
    assert problems == [
        "<src>:1: getattr(settings, 'FACTCHECK_Y')",
        "<src>:4: getattr(settings, <dynamic>, …)",
        "<src>:5: getattr(settings, <dynamic>, …)",
    ]


def test_checker_flags_an_undeclared_attribute_and_helper_name():
    src = "a = settings.FACTCHECK_KNOWN\nb = settings.FACTCHECK_UNKNOWN\n"
    src += 'c = _setting("FACTCHECK_GHOST", 1)\n'
    problems = setting_violations(src, {"FACTCHECK_KNOWN"})
    assert problems == [
        "<src>:2: settings.FACTCHECK_UNKNOWN is not declared",
        "<src>:3: FACTCHECK_GHOST is not declared",
    ]


def test_checker_allows_declared_settings_and_other_getattrs():
    src = (
        "a = settings.FACTCHECK_KNOWN\n"
        'b = getattr(settings, "RQ_QUEUES", {})\n'
        'c = getattr(obj, "FACTCHECK_KNOWN", 1)\n'
        "settings.FACTCHECK_OVERRIDE = 1\n"
    )
    assert setting_violations(src, {"FACTCHECK_KNOWN"}) == []


def test_the_declared_set_is_read_from_base():
    declared = declared_settings()
    assert "FACTCHECK_FETCH_DEADLINE" in declared
    assert "FACTCHECK_NOT_A_SETTING" not in declared


def test_env_reads_finds_every_form():
    src = (
        "import os\n"
        'A = os.environ.get("A_VAR", "")\n'
        'B = os.environ["B_VAR"]\n'
        'C = os.getenv("C_VAR")\n'
        'D = env_int("D_VAR", 1)\n'
        'E = env.env_bool("E_VAR", False)\n'
        'G = env_float("G_VAR", 0.5)\n'
        'F = some_other("F_VAR")\n'
    )
    assert env_reads(src) == {"A_VAR", "B_VAR", "C_VAR", "D_VAR", "E_VAR", "G_VAR"}


def test_env_example_parser_and_mismatch_in_both_directions():
    text = "# COMMENTED=1\nA_VAR=1   # note\n\nB_VAR=\nexport C_VAR=x\n# D_VAR=2\n"
    assert env_example_names(text) == {"A_VAR", "B_VAR", "C_VAR"}
    undocumented, unread = env_mismatch({"A_VAR", "NEW_VAR"}, {"A_VAR", "STALE_VAR", *EXTERNAL_ENV})
    assert undocumented == {"NEW_VAR"}
    assert unread == {"STALE_VAR"}
