"""Claim matching: which earlier fact-checks does a post, a claim or an article repeat?

One module per step; :func:`match_text` (:mod:`search.matching.engine`) composes them
and :func:`search.match` calls it.

* :mod:`~search.matching.units`: validation and the units matched (sentences);
  :mod:`~search.matching.sentences` and :mod:`~search.matching.social` cut and clean them;
* :mod:`~search.matching.candidates`: candidates per channel (vector kNN, lexical BM25);
* fusion: :func:`search.fusion.rrf_fuse` (the one RRF);
* :mod:`~search.matching.scoring`: place/number agreement
  (:mod:`~search.matching.entities`, :mod:`~search.matching.gazetteer`), order,
  same-hoax groups, runner-up;
* :mod:`~search.matching.decision`: the calibrated :class:`MatchDecision`.

``backend`` and ``embedder`` are typed by :class:`MatchBackend` and
:class:`MatchEmbedder` (:mod:`~search.matching.protocols`).  ``docs/matching.md``
explains the decision and how it was fitted.
"""

from __future__ import annotations

from search.fusion import RRF_K, rrf_fuse
from search.matching.decision import CALIBRATION_PATH, MatchDecision
from search.matching.engine import LEXICAL_COSINE_DEPTH, METHODS, match_text
from search.matching.protocols import MatchBackend, MatchEmbedder
from search.matching.sentences import (
    SENTENCIZERS,
    _split_sentences_regex,
    spacy_installed,
    split_sentences,
)
from search.matching.social import clean_social_text
from search.matching.units import (
    MAX_LIMIT,
    MAX_SENTENCES,
    MAX_TEXT_CHARS,
    Units,
    max_sentences,
    max_text_chars,
    prepare_units,
    too_long_message,
)

__all__ = [
    "CALIBRATION_PATH",
    "LEXICAL_COSINE_DEPTH",
    "MAX_LIMIT",
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "METHODS",
    "RRF_K",
    "SENTENCIZERS",
    "MatchBackend",
    "MatchDecision",
    "MatchEmbedder",
    "Units",
    "_split_sentences_regex",
    "clean_social_text",
    "match_text",
    "max_sentences",
    "max_text_chars",
    "prepare_units",
    "rrf_fuse",
    "spacy_installed",
    "split_sentences",
    "too_long_message",
]
