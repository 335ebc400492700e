"""Writes: every change to the newsroom's content goes through these functions.

Views, commands and tasks parse input and call a service; they never build pages
or set fields themselves. One concern per module:

* ``site``: home pages, fact-check indexes, plain pages, rating scales, topics;
* ``factchecks``: fact-check pages (idempotent upsert), Serbian script mirrors, authors;
* ``appearances``: where a debunked claim appeared, added to its fact-check as a revision;
* ``claimreview_import``: other newsrooms' ClaimReview records as pages;
* ``intake``: a sighting joins the claim it repeats, or opens one;
* ``joins``: which claim a text repeats (exact text, or the calibrated claim-to-claim
  decision over the backend's claim vectors);
* ``transitions``: the one helper every queue action runs in (lock, check, mutate,
  save, log) and the table of allowed transitions;
* ``queue``: the queue actions (confirm, reject, merge, assign, dismiss...);
* ``stats``: a claim's counters and priority;
* ``tips``: readers' tips and the erasure of tipsters' contacts.
* ``rows``, ``errors``: the claim row's lock/save/log primitives; the exceptions.

Import from here (``from claims import services`` or ``from claims.services import X``):
the names below are the package's surface.
"""

from __future__ import annotations

from .appearances import (
    MAX_URL_CHARS,
    AppearanceData,
    AppearanceOutcome,
    AppearanceUpdate,
    factcheck_add_appearances,
)
from .claimreview_import import (
    ImportReport,
    claimreview_import,
    claimreview_locale_for,
    claimreview_rating_for,
)
from .errors import ClaimActionError, ClaimConflictError, ClaimMergedError
from .factchecks import (
    SCRIPT_PAIRS,
    author_get_or_create,
    factcheck_sync_script_alias,
    factcheck_upsert,
)
from .intake import (
    MAX_CLAIM_CHARS,
    MAX_SIGHTING_TEXT,
    MIN_CLAIM_CHARS,
    SightingData,
    claim_add_sighting,
    claim_candidate_text,
    claim_create,
    claim_intake_item,
    claim_open_or_attach,
    claim_split_sighting,
    claim_suggest_matches,
)
from .joins import claim_find_join, claim_signature
from .queue import (
    claim_add_note,
    claim_assign,
    claim_confirm_match,
    claim_dismiss,
    claim_follow_factcheck,
    claim_locale_code,
    claim_mark_debunked,
    claim_merge,
    claim_reject_match,
    claim_reopen,
    claim_set_priority,
    claim_start_factcheck,
)
from .site import (
    FACTCHECK_INDEX_SLUG,
    IMPORTED_INDEX_SLUG,
    index_for,
    rating_scale_upsert,
    site_ensure_structure,
    standard_page_upsert,
    topic_upsert,
)
from .stats import claim_priority_components, claim_refresh_stats
from .tips import tip_erase_contact, tip_purge_contacts, tip_record_fetch, tip_submit
from .transitions import (
    CLAIM_LOG_ACTIONS,
    CLAIM_TRANSITIONS,
    ClaimChange,
    claim_transition,
)

__all__ = [
    "CLAIM_LOG_ACTIONS",
    "CLAIM_TRANSITIONS",
    "FACTCHECK_INDEX_SLUG",
    "IMPORTED_INDEX_SLUG",
    "MAX_CLAIM_CHARS",
    "MAX_SIGHTING_TEXT",
    "MAX_URL_CHARS",
    "MIN_CLAIM_CHARS",
    "SCRIPT_PAIRS",
    "AppearanceData",
    "AppearanceOutcome",
    "AppearanceUpdate",
    "ClaimActionError",
    "ClaimChange",
    "ClaimConflictError",
    "ClaimMergedError",
    "ImportReport",
    "SightingData",
    "author_get_or_create",
    "claim_add_note",
    "claim_add_sighting",
    "claim_assign",
    "claim_candidate_text",
    "claim_confirm_match",
    "claim_create",
    "claim_dismiss",
    "claim_find_join",
    "claim_follow_factcheck",
    "claim_intake_item",
    "claim_locale_code",
    "claim_mark_debunked",
    "claim_merge",
    "claim_open_or_attach",
    "claim_priority_components",
    "claim_refresh_stats",
    "claim_reject_match",
    "claim_reopen",
    "claim_set_priority",
    "claim_signature",
    "claim_split_sighting",
    "claim_start_factcheck",
    "claim_suggest_matches",
    "claim_transition",
    "claimreview_import",
    "claimreview_locale_for",
    "claimreview_rating_for",
    "factcheck_add_appearances",
    "factcheck_sync_script_alias",
    "factcheck_upsert",
    "index_for",
    "rating_scale_upsert",
    "site_ensure_structure",
    "standard_page_upsert",
    "tip_erase_contact",
    "tip_purge_contacts",
    "tip_record_fetch",
    "tip_submit",
    "topic_upsert",
]
