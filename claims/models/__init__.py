"""The claims app's models, one module per concept; import them from here.

* ``snippets``: rating scales, ratings, topics, countries, authors (reference data);
* ``pages``: home, standard, fact-check index and fact-check pages;
* ``queue``: the editors' claim queue (claims, sightings, match suggestions, notes, tips);
* ``site_settings``: the per-site newsroom settings (name, logo, ClaimReview author, badges).
"""

from .pages import (
    ClaimAppearance,
    Correction,
    FactCheckIndexPage,
    FactCheckPage,
    HomePage,
    StandardPage,
)
from .queue import (
    Claim,
    ClaimMatch,
    ClaimNote,
    ClaimSighting,
    ClaimStatus,
    JoinMethod,
    MatchState,
    SightingSource,
    Tip,
    TipStatus,
)
from .site_settings import NewsroomSettings, newsroom_settings_for
from .snippets import (
    Author,
    ClaimantType,
    Country,
    CountryName,
    Platform,
    Rating,
    RatingScale,
    Topic,
    Verdict,
)

__all__ = [
    "Author",
    "Claim",
    "ClaimAppearance",
    "ClaimMatch",
    "ClaimNote",
    "ClaimSighting",
    "ClaimStatus",
    "ClaimantType",
    "Correction",
    "Country",
    "CountryName",
    "FactCheckIndexPage",
    "FactCheckPage",
    "HomePage",
    "JoinMethod",
    "MatchState",
    "NewsroomSettings",
    "Platform",
    "Rating",
    "RatingScale",
    "SightingSource",
    "StandardPage",
    "Tip",
    "TipStatus",
    "Topic",
    "Verdict",
    "newsroom_settings_for",
]
