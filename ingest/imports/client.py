"""Read an import file (a path in the import folder or an http(s) URL) and parse it.

The channel's ``url_or_handle`` is the file: ``https://...`` is fetched through the
polite client; anything else is a file name under ``settings.FACTCHECK_IMPORT_DIR``
(default ``<FACTCHECK_VAR_DIR>/imports``); paths outside that folder are refused.
The column mapping is ``settings.FACTCHECK_IMPORT_MAPPINGS[<name>]`` when the
target is written ``name:file`` and a known export layout otherwise.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from ingest.http import PoliteClient
from ingest.types import ChannelPoll

from .exceptions import ImportSourceError
from .parser import parse_import
from .types import ColumnMapping

MAX_BYTES = 50 * 1024 * 1024
ACCEPT = ("text/*", "application/json", "application/x-ndjson", "application/jsonl", "+json")


def import_dir() -> Path:
    configured = settings.FACTCHECK_IMPORT_DIR
    if configured:
        return Path(configured)
    return Path(settings.FACTCHECK_VAR_DIR) / "imports"


def split_target(target: str) -> tuple[ColumnMapping, str]:
    mappings = settings.FACTCHECK_IMPORT_MAPPINGS or {}
    name, sep, rest = target.partition(":")
    if sep and name in mappings:
        return ColumnMapping.from_dict(mappings[name]), rest
    return ColumnMapping(), target


class ImportClient:
    def __init__(self, http: PoliteClient | None = None, *, base_dir: Path | None = None) -> None:
        self.http = http
        self.base_dir = base_dir or import_dir()

    def read(self, location: str) -> tuple[bytes, str]:
        if location.startswith(("http://", "https://")):
            if self.http is None:
                raise ImportSourceError("an import URL needs an HTTP client")
            result = self.http.get(location, accept=ACCEPT, max_bytes=MAX_BYTES)
            return result.content, result.url
        base = self.base_dir.resolve()
        path = (base / location).resolve()
        if not path.is_relative_to(base):
            raise ImportSourceError(f"import file {location!r} is outside {base}")
        if not path.is_file():
            raise ImportSourceError(f"import file {location!r} not found in {base}")
        if path.stat().st_size > MAX_BYTES:
            raise ImportSourceError(f"import file {location!r} is larger than {MAX_BYTES} bytes")
        return path.read_bytes(), str(path)

    def poll(self, target: str, *, mapping: ColumnMapping | None = None) -> ChannelPoll:
        named, location = split_target(target)
        data, _ = self.read(location)
        drafts, warnings = parse_import(data, mapping=mapping or named)
        return ChannelPoll(items=drafts, warnings=warnings)
