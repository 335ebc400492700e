"""Import other newsrooms' ClaimReview (a file or a URL) as fact-check pages.

Published by default; ``--draft`` creates them unpublished, for an editor to review.

It lives in ``ingest`` because it may fetch a URL, and only ingest fetches: the URL
goes through the same polite, SSRF-guarded client as every crawler.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.claimreview import (
    MAX_JSON_CHARS,
    ClaimReviewError,
    ParseResult,
    extract_claimreview_from_html,
    parse_claimreview_json,
)
from claims.services import ImportReport, claimreview_import, claimreview_locale_for


def _read_source(source: str) -> tuple[bytes, str, str | None]:
    """The bytes of a file or URL, its content type, and the base URL for relative links."""
    if source.startswith(("http://", "https://")):
        from ingest.exceptions import FetchError
        from ingest.http import PoliteClient

        try:
            with PoliteClient() as client:
                result = client.get(
                    source,
                    accept=[
                        "application/ld+json",
                        "application/json",
                        "text/html",
                        "application/xhtml+xml",
                        "text/plain",
                    ],
                )
        except FetchError as exc:
            raise CommandError(f"{source}: could not fetch: {exc}") from exc
        if result.status >= 400:
            raise CommandError(f"{source}: the server answered HTTP {result.status}")
        return result.content, result.content_type, result.url
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"{source}: no such file")
    if path.stat().st_size > 4 * MAX_JSON_CHARS:  # UTF-8: at most 4 bytes a character
        raise CommandError(
            f"{source}: {path.stat().st_size:,} bytes is larger than we read "
            f"({MAX_JSON_CHARS:,} characters)"
        )
    suffix = path.suffix.lower()
    return (
        path.read_bytes(),
        "text/html" if suffix in (".html", ".htm") else "application/json",
        None,
    )


def parse_source(
    data: bytes, *, content_type: str, source_name: str, base_url: str | None
) -> ParseResult:
    if "html" in content_type:
        text = data.decode("utf-8", errors="replace")
        return extract_claimreview_from_html(text, source_name=source_name, base_url=base_url)
    return parse_claimreview_json(data, source_name=source_name, base_url=base_url)


class Command(BaseCommand):
    help = (
        "Import schema.org ClaimReview JSON-LD (one object, a list, a DataFeed or a @graph; "
        "or an HTML page carrying it) from a file or URL. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="+", help="Path or http(s) URL")
        parser.add_argument("--dry-run", action="store_true", help="Parse and report only.")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Create pages unpublished (with a revision) for an editor to review and publish; "
            "changes to live pages are saved as drafts. Default: publish.",
        )

    def handle(self, *args, source, dry_run=False, draft=False, **options):
        parsed: list[ParseResult] = []
        # Read and parse every source before writing anything: a broken file imports nothing.
        for item in source:
            data, content_type, base_url = _read_source(item)
            try:
                parsed.append(
                    parse_source(
                        data, content_type=content_type, source_name=item, base_url=base_url
                    )
                )
            except ClaimReviewError as exc:
                raise CommandError(str(exc)) from exc
        report = ImportReport()
        for result in parsed:
            report.errors.extend(f"{result.source_name}: {e}" for e in result.errors)
            report.warnings.extend(f"{result.source_name}: {w}" for w in result.warnings)
        records = [record for result in parsed for record in result.records]
        # Where each record goes (the same rule the import applies), for the summary.
        locales = [claimreview_locale_for(record) for record in records]
        if not dry_run:
            claimreview_import(records=records, report=report, publish=not draft)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"skipped: {error}"))
        for record, code in zip(records, locales, strict=True):
            self.stdout.write(f"{record.source_position}: {record.url} -> {code}")
        by_locale = Counter(locales)
        verb = "would import" if dry_run else "imported"
        if draft:
            verb += " as drafts"
        self.stdout.write(
            f"{verb} {len(records)} ClaimReview(s): {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged; "
            f"{len(report.errors)} skipped, {len(report.warnings)} warning(s)."
        )
        if by_locale:
            self.stdout.write(
                "by locale: " + ", ".join(f"{code} {n}" for code, n in sorted(by_locale.items()))
            )
        if records == [] and report.errors:
            raise CommandError("no record could be imported")
