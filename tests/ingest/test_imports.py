"""CSV / JSON import connector (Channel kind ``import``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_testserver import Reply

from ingest.imports.client import ImportClient
from ingest.imports.exceptions import ImportParseError, ImportSourceError
from ingest.imports.parser import parse_count, parse_import
from ingest.imports.types import ColumnMapping

RES = Path(__file__).resolve().parent.parent / "resources" / "ingest" / "imports"


def test_crowdtangle_style_csv_with_default_mapping() -> None:
    drafts, warnings = parse_import((RES / "crowdtangle.csv").read_bytes())
    assert [d.url for d in drafts] == [
        "https://www.facebook.com/portalistina/posts/1001",
        "https://www.facebook.com/portalvesti/posts/2002",
    ]
    first = drafts[0]
    assert first.platform == "facebook"
    assert first.author == "Portal Istina"
    assert first.text.startswith("Vlada je")
    assert first.published_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert first.engagement == {"likes": 1204, "shares": 15300, "comments": 88}
    assert drafts[1].author == "Портал Вести"
    assert drafts[1].engagement == {"likes": 12, "shares": 3}
    assert warnings == ["row 3: no http(s) URL, skipped"]
    assert b"Portal Istina" in first.raw


def test_semicolon_csv_and_epoch_seconds() -> None:
    (draft,), _ = parse_import((RES / "semicolon.csv").read_bytes())
    assert draft.url == "https://x.com/provjera/status/77"
    assert draft.external_id == "77"
    assert draft.author == "@provjera"
    assert draft.published_at == datetime.fromtimestamp(1764000000, UTC)
    assert draft.engagement == {"shares": 5}


def test_json_lines_with_milliseconds_and_suffixed_counts() -> None:
    drafts, _ = parse_import((RES / "posts.jsonl").read_bytes())
    assert [d.platform for d in drafts] == ["telegram", "telegram"]
    assert drafts[0].published_at == datetime.fromtimestamp(1764100000, UTC)
    assert drafts[0].engagement == {"views": 2100}
    assert drafts[1].published_at == datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_json_array_with_a_custom_mapping() -> None:
    mapping = ColumnMapping.from_dict(
        {
            "url": "permalinkUrl",
            "text": "caption",
            "author": "creator",
            "published_at": "postedAt",
            "engagement": {"likes": "likesTotal"},
            "platform": "tiktok",
        }
    )
    drafts, warnings = parse_import((RES / "custom.json").read_bytes(), mapping=mapping)
    assert len(drafts) == 1 and warnings == ["row 2: no http(s) URL, skipped"]
    assert drafts[0].platform == "tiktok"
    assert drafts[0].text == "Vakcine sadrže čipove"
    assert drafts[0].engagement == {"likes": 1_200_000}


@pytest.mark.parametrize("data", [b"", b"[1, 2]", b"[{", b'{"a": 1}\nnot json', b"\xff\xfe\x00"])
def test_bad_files_raise_the_connector_error(data: bytes) -> None:
    try:
        drafts, _ = parse_import(data)
    except ImportParseError:
        return
    assert drafts == []  # e.g. a one-column CSV without URLs: nothing, but no crash


@pytest.mark.parametrize(
    ("value", "expected"), [("15.3K", 15300), ("1,204", 1204), (7, 7), ("x", None), ("", None)]
)
def test_parse_count(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected


def test_client_reads_only_inside_the_import_folder(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes((RES / "crowdtangle.csv").read_bytes())
    client = ImportClient(base_dir=tmp_path)
    assert len(client.poll("a.csv").items) == 2
    with pytest.raises(ImportSourceError):
        client.poll("../../etc/passwd")
    with pytest.raises(ImportSourceError):
        client.poll("missing.csv")


def test_client_fetches_an_import_url_politely(client, local_server) -> None:
    local_server.route(
        "/export.jsonl",
        Reply(body=(RES / "posts.jsonl").read_bytes(), content_type="application/x-ndjson"),
    )
    poll = ImportClient(client).poll(local_server.url("/export.jsonl"))
    assert [d.external_id for d in poll.items] == ["t1", "t2"]


def test_named_mapping_from_settings(settings, tmp_path: Path) -> None:
    (tmp_path / "c.json").write_bytes((RES / "custom.json").read_bytes())
    settings.FACTCHECK_IMPORT_MAPPINGS = {
        "tiktok": {"url": "permalinkUrl", "text": "caption", "platform": "tiktok"}
    }
    poll = ImportClient(base_dir=tmp_path).poll("tiktok:c.json")
    assert [d.platform for d in poll.items] == ["tiktok"]


@pytest.mark.django_db
def test_import_channel_is_crawled_into_items(settings, tmp_path: Path, client) -> None:
    from ingest.pipeline import crawl_channel
    from sources.models import CapturedItem, Channel, ChannelKind

    settings.FACTCHECK_IMPORT_DIR = str(tmp_path)
    (tmp_path / "ct.csv").write_bytes((RES / "crowdtangle.csv").read_bytes())
    channel = Channel.objects.create(kind=ChannelKind.IMPORT, url_or_handle="ct.csv")
    report = crawl_channel(channel, http=client)
    assert report.ok and report.new == 2
    assert CapturedItem.objects.filter(platform="facebook").count() == 2
    again = crawl_channel(channel, http=client)
    assert again.new == 0  # idempotent
