"""The match engine's steps, each on its own: candidates per channel, scoring, decision pool.

``search.matching.match_text`` composes these; fakes stand in for the backend and the
embedder through the engine's protocols (``MatchBackend``, ``MatchEmbedder``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from search.embeddings import HashingEmbedder
from search.matching.candidates import (
    LEXICAL_DEPTH,
    LEXICAL_DEPTH_LONG,
    Candidate,
    fill_passage_cosines,
    lexical_candidates,
    vector_candidates,
)
from search.matching.scoring import (
    LEXICAL_WEIGHT,
    Group,
    group_candidates,
    rerank,
    runner_up_score,
)
from search.types import Hit, SearchResults


class FakeBackend:
    def __init__(self, knn: list[list[Hit]] | None = None, lexical: list[list[Hit]] | None = None):
        self._knn = list(knn or [])
        self._lexical = list(lexical or [])
        self.limits: list[int] = []

    def knn(self, vector, *, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]:
        return self._knn.pop(0)

    def search(self, query, *, language=None, filters=None, limit: int = 10) -> SearchResults:
        self.limits.append(limit)
        return SearchResults(hits=self._lexical.pop(0))


def test_vector_candidates_keep_cosine_per_unit_and_order_by_best() -> None:
    backend = FakeBackend(knn=[[Hit("a", 0.5), Hit("b", 0.4)], [Hit("b", 0.9)]])
    candidates: dict[str, Candidate] = {}

    order = vector_candidates(backend, [[1.0], [0.0]], candidates, filters=None)

    assert order == ["b", "a"]
    assert candidates["b"].cosines == {0: 0.4, 1: 0.9} and candidates["b"].cosine == 0.9
    assert candidates["a"].cosines == {0: 0.5}


def test_lexical_candidates_normalise_bm25_and_drop_the_body() -> None:
    backend = FakeBackend(
        lexical=[[Hit("a", 4.0, fields={"body": "long", "title": "A"})], [Hit("b", 8.0)]]
    )
    candidates: dict[str, Candidate] = {}

    order = lexical_candidates(backend, ["one", "two"], candidates, language=None, filters=None)

    assert order == ["b", "a"]
    assert candidates["a"].lexical == 0.5 and candidates["b"].lexical == 1.0
    assert candidates["a"].fields == {"title": "A"}
    assert backend.limits == [LEXICAL_DEPTH] * 2
    long_text = FakeBackend(lexical=[[] for _ in range(6)])
    lexical_candidates(long_text, ["u"] * 6, {}, language=None, filters=None)
    assert long_text.limits == [LEXICAL_DEPTH_LONG] * 6


def test_rerank_orders_by_cosine_plus_lexical_bonus_ties_keep_rrf_order() -> None:
    candidates = {
        "a": Candidate("a", {}, cosines={0: 0.80}, lexical=0.0),
        "b": Candidate("b", {}, cosines={0: 0.80 - LEXICAL_WEIGHT / 2}, lexical=1.0),
        "c": Candidate("c", {}, lexical=1.0),  # no cosine: last
        "d": Candidate("d", {}, cosines={0: 0.80}, lexical=0.0),
    }

    assert rerank(["c", "d", "a", "b"], candidates) == ["b", "d", "a", "c"]


def test_runner_up_is_the_best_other_cosine_including_the_vector_best() -> None:
    candidates = {
        "top": Candidate("top", {}, cosines={0: 0.9}),
        "pool": Candidate("pool", {}, cosines={0: 0.5}),
        "vec": Candidate("vec", {}, cosines={0: 0.7}),
        "none": Candidate("none", {}),
    }

    def groups(*ids: str) -> list[Group]:
        return group_candidates(ids, candidates)

    top = groups("top")[0]
    assert runner_up_score(top, groups("top", "pool", "none"), ["vec"], candidates) == 0.7
    assert runner_up_score(top, groups("top", "pool"), ["top"], candidates) == 0.5
    assert runner_up_score(top, [top], [], candidates) is None


def test_fill_passage_cosines_embeds_the_passage_text(settings, tmp_path) -> None:
    settings.FACTCHECK_VAR_DIR = tmp_path
    embedder = HashingEmbedder()
    claim = "Vlada je zabranila prodaju vitamina D"
    query = embedder.embed_queries([claim])
    candidates = {
        "claim": Candidate("claim", {"claim_reviewed": claim}),
        "summary": Candidate("summary", {"summary": claim}),
        "empty": Candidate("empty", {}),
    }

    fill_passage_cosines(["claim", "summary", "empty"], candidates, query, embedder=embedder)

    assert candidates["claim"].cosine == pytest.approx(1.0, abs=1e-5)
    assert candidates["summary"].cosine == pytest.approx(1.0, abs=1e-5)
    assert candidates["empty"].cosines == {}
    assert isinstance(query, np.ndarray)
