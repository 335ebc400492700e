"""Bounded bodies for ``ingest.http``: one deadline per fetch and decompression with a cap.

* ``FetchBudget``: the time left to one ``get()``, on the injectable clock and the wall
  clock; a wait that would end past it is not started.
* ``BoundedDecoder``: at most one ``Content-Encoding`` layer (gzip or deflate, the only
  ones we advertise), decoded in steps that stop at ``limit`` bytes. A 400 MB
  ``gzip, gzip`` bomb used to take 928 MB of memory before the cap fired; stacked or
  unrequested encodings (``br``, ``zstd``) are refused.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .exceptions import FetchDeadlineError, FetchError, ResponseTooLargeError

# Encodings we decode (and advertise), and the ones we know but never asked for.
ACCEPT_ENCODING = "gzip, deflate"
KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress", "x-compress"})
DECODE_STEP = 256 * 1024  # most bytes one decompress call may produce


@dataclass
class FetchBudget:
    """The time left to one ``get()``, on the injectable clock and on the wall clock."""

    seconds: float
    clock: Callable[[], float]
    clock_end: float
    wall_end: float

    @classmethod
    def start(cls, seconds: float, clock: Callable[[], float]) -> FetchBudget:
        return cls(seconds, clock, clock() + seconds, time.monotonic() + seconds)

    def left(self) -> float:
        return min(self.clock_end - self.clock(), self.wall_end - time.monotonic())

    def error(self, url: object, doing: str) -> FetchDeadlineError:
        return FetchDeadlineError(
            f"fetch took longer than its {self.seconds:g} s deadline ({doing})", url=str(url)
        )

    def check(self, url: object, doing: str) -> None:
        if self.left() <= 0:
            raise self.error(url, doing)


class BoundedDecoder:
    """Decodes at most one content coding, never producing more than ``limit`` bytes.

    zlib's ``max_length`` bounds every step, so a bomb costs at most ``limit`` plus
    one step of memory however well it compresses. Gzip members that follow one
    another are decoded in turn; other bytes after the end of the stream are ignored.
    """

    def __init__(self, coding: str, *, limit: int, url: str) -> None:
        self.coding = coding  # "", "gzip" or "deflate"
        self.limit = limit
        self.url = url
        self.total = 0
        self._pending = b""  # deflate: bytes held until the zlib header can be sniffed
        self._done = False
        self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if coding == "gzip" else None

    @classmethod
    def for_header(cls, header: str, *, limit: int, url: str) -> BoundedDecoder:
        tokens = [t.strip().lower() for t in header.split(",") if t.strip()]
        codings = [t for t in tokens if t in KNOWN_CODINGS]
        if len(codings) > 1:
            raise FetchError(
                f"stacked Content-Encoding {header!r} refused: at most one layer is decoded",
                url=url,
            )
        coding = codings[0] if codings else ""
        if coding == "x-gzip":
            coding = "gzip"
        if coding not in ("", "gzip", "deflate"):
            raise FetchError(
                f"Content-Encoding {coding!r} was not asked for (we accept {ACCEPT_ENCODING})",
                url=url,
            )
        return cls(coding, limit=limit, url=url)

    def feed(self, data: bytes) -> list[bytes]:
        if not self.coding:
            self._count(len(data))
            return [data] if data else []
        if self._z is None:
            self._pending += data
            if len(self._pending) < 2:
                return []
            data, self._pending = self._pending, b""
            zlib_header = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        return self._drain(data)

    def flush(self) -> list[bytes]:
        if self.coding == "deflate" and self._z is None:
            if not self._pending:
                return []
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            data, self._pending = self._pending, b""
            return self._drain(data)
        if not self.coding:
            return []
        out = self._drain(b"")
        if not self._done:
            tail = self._z.flush()
            self._count(len(tail))
            if tail:
                out.append(tail)
        return out

    def _count(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise ResponseTooLargeError(
                f"response exceeds the {self.limit}-byte limit once decoded; stopped decoding",
                url=self.url,
            )

    def _drain(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        while not self._done:
            if self._z.eof:
                data = self._z.unused_data + data
                if not data:
                    break
                if self.coding == "gzip" and data.startswith(b"\x1f\x8b"):
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)  # the next member
                    continue
                self._done = True  # trailing bytes after the stream: ignored
                break
            if not data:
                break
            step = min(DECODE_STEP, self.limit - self.total + 1)
            try:
                piece = self._z.decompress(data, step)
            except zlib.error as exc:
                raise FetchError(
                    f"could not decode the {self.coding} body: {exc}", url=self.url
                ) from exc
            self._count(len(piece))
            if piece:
                out.append(piece)
            data = self._z.unconsumed_tail
        return out
