"""Progress reporting for management commands: a redrawn bar on a terminal, one line in a log.

Contract: ``command_progress(stream, total=..., desc=..., unit=...)`` is a context manager
yielding an object with ``update(n)`` and ``reset()``.

* When the stream underneath is a terminal, a tqdm bar is drawn on it and redrawn in
  place (one line on screen, left showing the final count).
* Otherwise (CI, a pipe, a file, ``call_command(stderr=StringIO())``) nothing is written
  while the work runs, and one summary line is written at the end:
  ``Indexing fact-checks: 120/120 pages in 3.4s``.
* ``disable=True`` (``--no-progress``, ``-v 0``) writes nothing at all.

Why: a command's ``self.stderr`` is Django's ``OutputWrapper``, which appends a newline to
every ``write`` that lacks one. tqdm redraws by writing ``"\\r" + bar`` many times a
second, so a bar handed the wrapper prints one new line per redraw: hundreds of lines in
a CI log. tqdm is therefore given the wrapper's underlying stream, and only when it is a
TTY.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from tqdm import tqdm

__all__ = ["Progress", "command_progress"]


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def reset(self, total: int | None = None) -> object: ...


def _raw(stream: IO[str]) -> IO[str]:
    """The stream under Django's ``OutputWrapper`` (or the stream itself)."""
    return getattr(stream, "_out", stream)


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class _Summary:
    """Counts silently; ``close()`` writes one line."""

    def __init__(self, stream: IO[str], *, total: int | None, desc: str, unit: str) -> None:
        self.stream, self.total, self.desc, self.unit = stream, total, desc, unit
        self.n = 0
        self.started = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.n += n

    def reset(self, total: int | None = None) -> None:
        self.n = 0
        if total is not None:
            self.total = total

    def close(self) -> None:
        done = f"{self.n}/{self.total}" if self.total is not None else str(self.n)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"{self.desc}: {done} {self.unit}s in {elapsed:.1f}s\n")
        if hasattr(self.stream, "flush"):
            self.stream.flush()


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass


@contextmanager
def command_progress(
    stream: IO[str],
    *,
    total: int | None,
    desc: str,
    unit: str = "item",
    disable: bool = False,
) -> Iterator[Progress]:
    """Report progress of ``total`` units of work on ``stream`` (a command's ``self.stderr``)."""
    if disable:
        yield _Silent()
        return
    raw = _raw(stream)
    if _is_tty(raw):
        with tqdm(total=total, desc=desc, unit=unit, file=raw, dynamic_ncols=True) as bar:
            yield bar
        return
    summary = _Summary(raw, total=total, desc=desc, unit=unit)
    try:
        yield summary
    finally:
        summary.close()
