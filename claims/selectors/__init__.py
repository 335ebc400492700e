"""Reads: what the public site, the API and the newsroom list. Callers use these, never
build querysets.

Import from the package (``from claims.selectors import ...`` or
``from claims import selectors``); the modules are its inner layout by concern:

- ``pages``: published fact-checks for the site, feeds and API, the index filters,
  and the ClaimReview output of a page and of the whole DataFeed.
- ``queue``: the claim queue, a claim's detail and history, the dashboard lists,
  the match decisions export.
- ``track_record``: how often an outlet carried claims we rated false (for the admin,
  and the public pages at ``/<lang>/track-record/``, which count published debunks only).

Writes are in ``claims.services``.
"""

from __future__ import annotations

from .pages import (
    factcheck_claimreview,
    factcheck_claimreview_datafeed,
    factcheck_claimreview_json,
    factcheck_claimreview_record,
    factcheck_filter_options,
    factcheck_list,
    factcheck_list_latest,
    factcheck_published_all,
    rating_for,
)
from .queue import (
    claim_detail,
    claim_history,
    claim_list_for_assignee,
    claim_list_new_today,
    claim_list_spreading,
    claim_match_decisions,
    claim_queue,
    claim_queue_counts,
    factcheck_list_matched_again,
)
from .track_record import (
    TRACK_RECORD_VERDICTS,
    outlet_track_record,
    outlet_track_record_summary,
    public_track_record_outlet,
    public_track_record_summary,
)

__all__ = [
    "TRACK_RECORD_VERDICTS",
    "claim_detail",
    "claim_history",
    "claim_list_for_assignee",
    "claim_list_new_today",
    "claim_list_spreading",
    "claim_match_decisions",
    "claim_queue",
    "claim_queue_counts",
    "factcheck_claimreview",
    "factcheck_claimreview_datafeed",
    "factcheck_claimreview_json",
    "factcheck_claimreview_record",
    "factcheck_filter_options",
    "factcheck_list",
    "factcheck_list_latest",
    "factcheck_list_matched_again",
    "factcheck_published_all",
    "outlet_track_record",
    "outlet_track_record_summary",
    "public_track_record_outlet",
    "public_track_record_summary",
    "rating_for",
]
