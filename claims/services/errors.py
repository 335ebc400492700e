"""What a service raises when an action cannot happen; the message is for editors."""

from __future__ import annotations


class ClaimActionError(Exception):
    """An action that cannot happen to the claim as it is now; the message is for editors."""


class ClaimMergedError(ClaimActionError):
    """The claim was merged into another one (possibly a moment ago, by another editor)."""


class ClaimConflictError(ClaimActionError):
    """The claim changed since the editor loaded it (``expected_version`` is stale)."""
