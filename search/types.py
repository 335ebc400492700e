"""Plain data passed between the search backends and the rest of the platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Normalised verdicts every rating scale maps to (see ``claims`` rating scales).
VERDICTS = (
    "true",
    "mostly-true",
    "mixed",
    "mostly-false",
    "false",
    "misleading",
    "unproven",
    "satire",
    "other",
)

#: Fields a caller may filter on and ask facet counts for.
FACET_FIELDS = ("rating_verdict", "language", "countries", "topics", "origin")

#: ``SearchDocument.origin``: the newsroom's own debunk, or a partner's (imported) one.
ORIGINS = ("own", "partner")

VECTOR_DIMS = 384


@dataclass(slots=True)
class SearchDocument:
    """One published fact-check, as the search index sees it.

    ``language`` is a locale code (``sr``, ``sr-latn``, ``hr``, ``bs``, ``cnr``, ``mk``,
    ``sq``, ``en``...): it picks the analysis pipeline. ``vector`` is the 384-dim
    passage embedding, or ``None`` when the document has not been embedded.
    ``origin`` is ``own`` (the newsroom's debunk) or ``partner`` (imported from a
    partner: a fact-check under an imported index, or with an original publisher).
    """

    id: str
    title: str = ""
    claim_reviewed: str = ""
    claimant: str = ""
    summary: str = ""
    body: str = ""
    language: str = ""
    rating_verdict: str = "other"
    rating_label: str = ""
    countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    url: str = ""
    published: date | None = None
    vector: list[float] | None = None
    #: The same-hoax group: every translation of a fact-check shares one (the page's
    #: Wagtail ``translation_key``); the matcher collapses a group into one result.
    group: str = ""
    origin: str = "own"

    def stored_fields(self) -> dict[str, Any]:
        """The fields a hit carries back (everything but the vector), JSON-friendly."""
        return {
            "id": self.id,
            "title": self.title,
            "claim_reviewed": self.claim_reviewed,
            "claimant": self.claimant,
            "summary": self.summary,
            "language": self.language,
            "rating_verdict": self.rating_verdict,
            "rating_label": self.rating_label,
            "countries": list(self.countries),
            "topics": list(self.topics),
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "origin": self.origin or "own",
            "group": self.group,
        }


def passages(doc: SearchDocument | Mapping[str, Any]) -> list[str]:
    """The texts a fact-check is matched by, best first: its claim, its headline and its
    summary (stripped; empty ones and repeats left out).

    The one definition of "what a fact-check says", used by the indexer (which embeds
    every passage, so the cache holds them) and by the match engine (which scores a
    candidate by its passages and reads its places and numbers from them).  ``doc`` is a
    :class:`SearchDocument` or a hit's stored fields.  Other languages' versions of a
    fact-check are documents of their own, joined by :attr:`SearchDocument.group`.
    """
    parts: tuple[Any, ...]
    if isinstance(doc, SearchDocument):
        parts = (doc.claim_reviewed, doc.title, doc.summary)
    else:
        parts = (doc.get("claim_reviewed"), doc.get("title"), doc.get("summary"))
    out: list[str] = []
    seen: set[str] = set()
    for part in parts:
        text = part.strip() if isinstance(part, str) else ""
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def passage_text(doc: SearchDocument | Mapping[str, Any]) -> str:
    """The text a fact-check's stored vector is embedded from: the first of
    :func:`passages` (its claim, else its title, else its summary); ``""`` for none.

    The indexer embeds this text for the stored vector, and the match engine embeds it
    again for a candidate only the lexical channel found, so both cosines are on the same
    scale (the match threshold was fitted on claims as passages: ``docs/matching.md``).
    """
    found = passages(doc)
    return found[0] if found else ""


@dataclass(slots=True)
class Hit:
    """One result: the document id, its score, a ``<mark>``-ed snippet, stored fields."""

    id: str
    score: float
    highlight: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SearchResults:
    """A page of hits, the total number of matches, and facet counts per field."""

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(slots=True)
class MatchResult:
    """One earlier fact-check that a text may repeat (see :func:`search.match`).

    ``score`` is the cosine (query: sentence vs passage: fact-check claim) of the input
    sentence nearest this fact-check: the calibrated scale ``is_match`` is decided on.
    ``is_match`` uses the score *and* its margin over the runner-up; only the first result
    can be ``True``.  ``matched_sentence`` is that nearest sentence (cleaned of
    social-media noise).  ``method`` says which channel found it: ``"hybrid"`` (both),
    ``"vector"`` or ``"lexical"``.  ``fields`` are the hit's stored fields
    (``claim_reviewed``, ``rating_label``, ``rating_verdict``, ``url``, ``language``,
    ``title``...) plus ``lexical_rank`` / ``vector_rank`` / ``lexical_score`` evidence.
    """

    id: str
    score: float
    is_match: bool
    matched_sentence: str
    method: str
    fields: dict[str, Any] = field(default_factory=dict)
