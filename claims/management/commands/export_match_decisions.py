"""Write editors' match decisions as JSON Lines: calibration data for the matcher.

Each line is one confirmed or rejected suggestion: the claim text, the fact-check's
claim, the matcher's score/method/is_match, the decision and when it was made.
``search/calibration.json`` can be refitted from these (see docs/claim-queue.md).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from claims.selectors import claim_match_decisions


class Command(BaseCommand):
    help = "Export confirmed/rejected claim matches as JSONL (calibration data)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("output", nargs="?", default="-", help="File path, or - for stdout")
        parser.add_argument("--since", help="Only decisions on or after this date (YYYY-MM-DD)")

    def handle(self, *args, output: str, since: str | None = None, **options) -> None:
        rows = claim_match_decisions(since=since)
        stream = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        count = 0
        try:
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if stream is not sys.stdout:
                stream.close()
        self.stderr.write(f"{count} decision(s) exported")
