"""The data ClaimReview reading and writing share: records, issues, errors.

Plain dataclasses and exceptions, no behaviour beyond ``ParseResult.extend``:
``parse``/``html`` produce them, ``build`` consumes them, callers (the import
command, ``claims.services``, ``claims.selectors``) pass them around. A record is
the flattened fact-check the newsroom imports and exports; ``source_position``
says where it was read and is not compared, so ``parse(build(record)) == record``.
Only a source that cannot be read *at all* raises (a ``ClaimReviewError``);
problems with single records are ``ParseIssue`` entries in the ``ParseResult``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


# --------------------------------------------------------------------------- errors


class ClaimReviewError(ValueError):
    """The source as a whole cannot be read as ClaimReview."""


class ClaimReviewSyntaxError(ClaimReviewError):
    """The source is not valid JSON (or not UTF-8); names the source, line and column."""

    def __init__(self, source_name: str, line: int, column: int, reason: str) -> None:
        self.source_name = source_name
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{source_name}: invalid JSON at line {line}, column {column}: {reason}")


class ClaimReviewLimitError(ClaimReviewError):
    """The source (or a script block) is larger or nested deeper than we read."""

    def __init__(self, source_name: str, reason: str) -> None:
        self.source_name = source_name
        self.reason = reason
        super().__init__(f"{source_name}: {reason}")


class NotClaimReviewError(ClaimReviewError):
    """The source is valid JSON (or HTML) but holds no ClaimReview."""

    def __init__(self, source_name: str, detail: str = "") -> None:
        self.source_name = source_name
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{source_name}: no ClaimReview found{suffix}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Appearance:
    """A place where the claim was seen (``appearance`` / ``firstAppearance``)."""

    url: str
    date: dt.date | None = None
    headline: str | None = None


@dataclass(kw_only=True)
class ClaimReviewRecord:
    """One fact-check, flattened to what the newsroom imports and exports.

    ``claimant`` is the claim's author (``itemReviewed.author``); ``publisher_*``
    is the fact-checking organisation (the review's ``author``, or its
    ``publisher`` when the author is a person). ``claimant_type`` is
    ``"Person"`` or ``"Organization"``, ``""`` when there is no claimant.
    ``source_position`` says where the record was read and is not compared.
    """

    url: str
    claim_reviewed: str
    alternate_name: str = ""
    claimant: str = ""
    claimant_type: str = ""
    claim_date: dt.date | None = None
    appearances: list[Appearance] = field(default_factory=list)
    first_appearance: Appearance | None = None
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    rating_image: str | None = None
    publisher_name: str = ""
    publisher_url: str | None = None
    date_published: dt.date | None = None
    in_language: str | None = None
    headline: str | None = None
    review_body: str | None = None
    source_position: str = field(default="", compare=False)


@dataclass(frozen=True)
class ParseIssue:
    """A problem with one record (or one script block): where, what, how bad."""

    position: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


@dataclass
class ParseResult:
    """Records read from one source; ``errors`` were skipped, ``warnings`` were kept."""

    records: list[ClaimReviewRecord] = field(default_factory=list)
    errors: list[ParseIssue] = field(default_factory=list)
    warnings: list[ParseIssue] = field(default_factory=list)
    source_name: str = ""

    def extend(self, other: ParseResult) -> None:
        self.records.extend(other.records)
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)
