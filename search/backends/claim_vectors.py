"""The embedded engine's claim vectors: an exact numpy index that is cheap to append to.

The claim queue writes one claim at a time, often (every new claim, merge, split), and
may hold 100,000 claims (150 MB of float32). Rewriting the whole matrix per write, as
the fact-check vectors do, would cost that much I/O per claim, so the claims are a small
log-structured store in ``<index root>/claims/``::

    STATE               {"base": {"name", "rows"} | null, "deltas": [{"name", "rows"}, ...]}
                        (replaced atomically; names the live segments)
    seg-<v>.npz         one immutable segment: ``ids`` (int64), ``vectors`` (float32,
                        unit rows) and ``deleted`` (int64); an id is in one of the two

* A write adds one small *delta* segment. Deltas are merged from the newest end while the
  older is at most twice the newer (so there are O(log n) of them and each row is
  rewritten O(log n) times), and folded into a new *base* when they hold more than half
  as many rows as the base (or more than :data:`MAX_DELTAS` segments).
* A reader applies the segments it has not seen, in order, to its in-memory matrix (a
  deleted row is marked dead, an upserted one overwritten or appended). A merged delta
  holds the last operation of every key in the run it replaces, and every merge ends at
  the newest segment, so applying it over any earlier reader state gives the same result
  as applying the run. A new base means a full reload.
* Segments are written to a temporary name and renamed; ``STATE`` is replaced with
  ``os.replace``; files of the previous state are kept one round for readers that just
  read it (the existing vectors' rule). Writers hold the engine's write lock.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from search.types import VECTOR_DIMS

#: Deltas folded into the base when there are more than this many.
MAX_DELTAS = 24
#: Deltas are folded into the base once they hold more than ``base rows // 2`` rows, but
#: never before this many (a small queue keeps a few deltas instead of rewriting its base).
MIN_COMPACT_ROWS = 2048

Ops = dict[int, np.ndarray | None]


class ClaimVectorStore:
    """Segments on disk and the exact matrix in memory; callers hold the locks."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "claims"
        self._stamp: tuple[int, int, int] | None = None
        self._state: dict[str, Any] = {"base": None, "deltas": []}
        self._base: str | None = None
        self._applied: set[str] = set()
        self._matrix = np.zeros((0, VECTOR_DIMS), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._rows = 0
        self._row_of: dict[int, int] = {}

    # --- reading ------------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any]:
        try:
            return json.loads((self.dir / "STATE").read_text())
        except FileNotFoundError:
            return {"base": None, "deltas": []}

    def refresh(self) -> None:
        """Apply what other processes wrote since the last call (a stat when nothing did)."""
        try:
            st = (self.dir / "STATE").stat()
            stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp is not None and stamp == self._stamp:
            return
        for attempt in range(3):
            state = self._read_state()
            try:
                self._apply_state(state)
                break
            except FileNotFoundError:
                # A writer replaced STATE and removed a segment between our reads.
                if attempt == 2:
                    raise
                self._base = None
        self._stamp = stamp

    def _apply_state(self, state: dict[str, Any]) -> None:
        base = state["base"]["name"] if state["base"] else None
        if base != self._base:
            self._reset()
            if base is not None:
                self._apply(self._load(base))
            self._base = base
        for delta in state["deltas"]:
            if delta["name"] not in self._applied:
                self._apply(self._load(delta["name"]))
                self._applied.add(delta["name"])
        self._applied &= {d["name"] for d in state["deltas"]}
        self._state = state

    def _reset(self) -> None:
        self._matrix = np.zeros((0, VECTOR_DIMS), dtype=np.float32)
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._rows = 0
        self._row_of = {}
        self._applied = set()
        self._base = None

    def _load(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with np.load(self.dir / f"{name}.npz") as data:
            return data["ids"], data["vectors"], data["deleted"]

    def _apply(self, segment: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        ids, vectors, deleted = segment
        for key in deleted.tolist():
            row = self._row_of.pop(key, None)
            if row is not None:
                self._alive[row] = False
        fresh: list[int] = []
        for i, key in enumerate(ids.tolist()):
            row = self._row_of.get(key)
            if row is None:
                fresh.append(i)
            else:
                self._matrix[row] = vectors[i]
                self._alive[row] = True
        if fresh:
            self._grow(self._rows + len(fresh))
            rows = slice(self._rows, self._rows + len(fresh))
            self._matrix[rows] = vectors[fresh]
            self._keys[rows] = ids[fresh]
            self._alive[rows] = True
            for offset, i in enumerate(fresh):
                self._row_of[int(ids[i])] = self._rows + offset
            self._rows += len(fresh)

    def _grow(self, needed: int) -> None:
        capacity = self._matrix.shape[0]
        if needed <= capacity:
            return
        capacity = max(needed, capacity * 2, 1024)
        matrix = np.zeros((capacity, VECTOR_DIMS), dtype=np.float32)
        keys = np.zeros(capacity, dtype=np.int64)
        alive = np.zeros(capacity, dtype=bool)
        matrix[: self._rows] = self._matrix[: self._rows]
        keys[: self._rows] = self._keys[: self._rows]
        alive[: self._rows] = self._alive[: self._rows]
        self._matrix, self._keys, self._alive = matrix, keys, alive

    def count(self) -> int:
        return len(self._row_of)

    def nearest(self, query: np.ndarray, k: int, exclude: Iterable[int]) -> list[tuple[int, float]]:
        if k < 1 or not self._row_of:
            return []
        scores = self._matrix[: self._rows] @ query
        scores[~self._alive[: self._rows]] = -np.inf
        for key in exclude:
            row = self._row_of.get(int(key))
            if row is not None:
                scores[row] = -np.inf
        k = min(k, self._rows)
        kth = np.partition(-scores, k - 1)[k - 1]
        # Every row at least as near as the k-th (ties included), best first and equal
        # cosines by key: the answer does not depend on the order the claims were written.
        rows = np.flatnonzero(-scores <= kth).tolist()
        order = sorted(rows, key=lambda r: (-float(scores[r]), int(self._keys[r])))[:k]
        return [(int(self._keys[r]), float(scores[r])) for r in order if np.isfinite(scores[r])]

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, unit vectors) of every live claim, for a new base."""
        rows = np.flatnonzero(self._alive[: self._rows])
        return self._keys[rows].copy(), self._matrix[rows].copy()

    # --- writing (the caller holds the write lock and has called refresh) ----------------

    def _segment_name(self) -> str:
        return f"seg-{time.time_ns()}-{os.getpid()}"

    def _write_segment(self, ids: np.ndarray, vectors: np.ndarray, deleted: np.ndarray) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        name = self._segment_name()
        tmp = self.dir / f".{name}.tmp.npz"
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                ids=ids.astype(np.int64, copy=False),
                vectors=vectors.astype(np.float32, copy=False).reshape(-1, VECTOR_DIMS),
                deleted=deleted.astype(np.int64, copy=False),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.dir / f"{name}.npz")
        return name

    def _write_ops(self, ops: Ops) -> tuple[str, int]:
        upserts = [(key, v) for key, v in ops.items() if v is not None]
        ids = np.array([key for key, _v in upserts], dtype=np.int64)
        vectors = (
            np.stack([v for _key, v in upserts])
            if upserts
            else np.zeros((0, VECTOR_DIMS), np.float32)
        )
        deleted = np.array([key for key, v in ops.items() if v is None], dtype=np.int64)
        return self._write_segment(ids, vectors, deleted), len(ops)

    def _ops_of(self, name: str) -> Ops:
        ids, vectors, deleted = self._load(name)
        ops: Ops = {int(key): None for key in deleted.tolist()}
        for i, key in enumerate(ids.tolist()):
            ops[int(key)] = vectors[i]
        return ops

    def _publish(self, state: dict[str, Any]) -> None:
        try:
            previous = self._read_state()
        except ValueError:  # an unreadable STATE: what a rebuild replaces
            previous = {"base": None, "deltas": []}
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".STATE.{os.getpid()}.tmp"
        with open(tmp, "w") as handle:
            handle.write(json.dumps(state))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.dir / "STATE")
        keep = {s["name"] for st in (state, previous) for s in _segments(st)}
        for path in self.dir.glob("seg-*.npz"):
            if path.name[: -len(".npz")] not in keep:
                path.unlink(missing_ok=True)
        for path in self.dir.glob(".seg-*.tmp.npz"):  # left by a writer that died
            if path.stat().st_mtime < time.time() - 3600:
                path.unlink(missing_ok=True)
        self.refresh()

    def write(self, ops: Ops) -> None:
        """Apply upserts (a unit vector) and deletes (``None``) as one new delta."""
        if not ops:
            return
        state = self._read_state()
        self._apply_state(state)
        deltas = list(state["deltas"])
        name, rows = self._write_ops(ops)
        deltas.append({"name": name, "rows": rows})
        while len(deltas) >= 2 and deltas[-2]["rows"] <= 2 * deltas[-1]["rows"]:
            older, newer = deltas[-2], deltas[-1]
            merged = self._ops_of(older["name"])
            merged.update(self._ops_of(newer["name"]))
            name, rows = self._write_ops(merged)
            deltas[-2:] = [{"name": name, "rows": rows}]
        base_rows = state["base"]["rows"] if state["base"] else 0
        pending = sum(d["rows"] for d in deltas)
        if len(deltas) > MAX_DELTAS or pending > max(MIN_COMPACT_ROWS, base_rows // 2):
            self._publish({"base": state["base"], "deltas": deltas})
            keys, vectors = self.snapshot()
            self.replace(keys, vectors)
            return
        self._publish({"base": state["base"], "deltas": deltas})

    def replace(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Make ``keys``/``vectors`` (unique keys) the whole store, as a new base."""
        name = self._write_segment(keys, vectors, np.zeros(0, dtype=np.int64))
        self._publish({"base": {"name": name, "rows": int(len(keys))}, "deltas": []})

    def clear(self) -> None:
        # An empty base, not "no base": a new base name is what tells readers to reset.
        self.replace(np.zeros(0, dtype=np.int64), np.zeros((0, VECTOR_DIMS), np.float32))


def _segments(state: dict[str, Any]) -> list[dict[str, Any]]:
    return ([state["base"]] if state.get("base") else []) + list(state.get("deltas", []))


def unique_last(keys: list[int], vectors: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Keys and rows with a repeated key reduced to its last row (the rebuild's input)."""
    last = {key: i for i, key in enumerate(keys)}
    order = sorted(last.values())
    ids = np.array([keys[i] for i in order], dtype=np.int64)
    matrix = (
        np.stack([vectors[i] for i in order]) if order else np.zeros((0, VECTOR_DIMS), np.float32)
    )
    return ids, matrix
