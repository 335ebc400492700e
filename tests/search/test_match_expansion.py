"""Cross-language query expansion of the lexical channel (``search.matching.expansion``):
a debunk in another language that shares no word with the post reaches the lexical
candidates only through the vector channel's hits, counts less than a direct hit, and
the expansion is bounded and safe on hostile text."""

from __future__ import annotations

from typing import Any

import pytest

from search.backends import load_backend
from search.embeddings import HashingEmbedder
from search.matching import match_text
from search.matching.candidates import Candidate, lexical_candidates, vector_candidates
from search.matching.expansion import (
    EXPANSION_HITS,
    EXPANSION_WEIGHT,
    MAX_TERMS,
    MAX_TERMS_PER_HIT,
    expand_lexical,
    expansion_queries,
    expansion_terms,
)
from search.types import Hit, SearchDocument, SearchResults

POST = "Vlada od proljeća oporezuje sunčane ploče na krovovima."
GOLD = "The government will tax rooftop solar panels on houses from March."
LOOKALIKE = "Vlada od proljeća oporezuje bazene u dvorištima."


class RecordingBackend:
    """A fake backend: lexical hits per query, every query recorded."""

    def __init__(self, hits: list[Hit] | None = None) -> None:
        self.hits = list(hits or [])
        self.queries: list[tuple[str, str | None]] = []

    def knn(self, vector, *, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]:
        return []

    def search(self, query, *, language=None, filters=None, limit: int = 10) -> SearchResults:
        self.queries.append((query, language))
        return SearchResults(hits=list(self.hits))


@pytest.fixture
def tiny_index(tmp_path):
    embedder = HashingEmbedder()
    docs = [
        ("gold", GOLD, "en"),
        ("lookalike", LOOKALIKE, "sr-latn"),
        ("other-en", "A celebrity died after a vaccine shot, says a viral post.", "en"),
        ("other-sq", "Qeveria do t'u japë 1000 euro pensionistëve.", "sq"),
    ]
    vectors = embedder.embed_passages([text for _, text, _ in docs])
    backend = load_backend("embedded", {"PATH": str(tmp_path / "index")})
    backend.rebuild(
        SearchDocument(id=i, claim_reviewed=text, language=lang, vector=[float(x) for x in vec])
        for (i, text, lang), vec in zip(docs, vectors, strict=True)
    )
    return backend, embedder


def _candidates(backend, embedder, text: str, language: str):
    candidates: dict[str, Candidate] = {}
    queries = embedder.embed_queries([text])
    vector_order = vector_candidates(backend, queries, candidates, filters=None)
    lexical_order = lexical_candidates(backend, [text], candidates, language=language, filters=None)
    return candidates, vector_order, lexical_order


def test_a_foreign_debunk_joins_the_lexical_candidates_only_through_expansion(tiny_index):
    backend, embedder = tiny_index
    candidates, vector_order, lexical_order = _candidates(backend, embedder, POST, "sr-latn")
    assert "gold" in vector_order  # the vector channel finds it...
    assert "gold" not in lexical_order  # ...BM25 cannot: no shared word

    expanded = expand_lexical(
        backend, vector_order, candidates, lexical_order, family="hbs", filters=None
    )

    assert "gold" in expanded
    # A hit found only through expansion counts less than the best direct hit.
    assert lexical_order[0] == "lookalike" and candidates["lookalike"].lexical == 1.0
    assert 0 < candidates["gold"].lexical <= EXPANSION_WEIGHT
    assert expanded.index("gold") > expanded.index("lookalike")


def test_match_text_switch(tiny_index):
    backend, embedder = tiny_index

    def gold_lexical_rank(**options):
        results = match_text(
            POST, limit=5, language="sr-latn", backend=backend, embedder=embedder, **options
        )
        gold = next(r for r in results if r.id == "gold")
        return gold.fields["lexical_rank"], gold.fields["lexical_score"]

    assert gold_lexical_rank() == (None, None)  # off by default
    assert gold_lexical_rank(expansion=False) == (None, None)
    rank, score = gold_lexical_rank(expansion=True)
    assert rank is not None and 0 < score <= EXPANSION_WEIGHT


def test_same_language_hits_and_an_unknown_post_language_expand_nothing(tiny_index):
    backend, embedder = tiny_index
    candidates, vector_order, lexical_order = _candidates(backend, embedder, GOLD, "en")
    queries = expansion_queries(vector_order, candidates, "en")
    assert "en" not in queries  # only other languages lend words
    assert expansion_queries(vector_order, candidates, None) == {}
    counting = RecordingBackend()
    before = {d: c.lexical for d, c in candidates.items()}
    assert expand_lexical(
        counting, vector_order, candidates, lexical_order, family=None, filters=None
    ) == list(lexical_order)
    assert counting.queries == [] and {d: c.lexical for d, c in candidates.items()} == before


def test_expansion_terms_are_content_words_and_bounded():
    assert expansion_terms(GOLD, "en")[:4] == ["government", "tax", "rooftop", "solar"]
    huge = " ".join(f"word{i}" for i in range(200_000))
    assert len(expansion_terms(huge, "en")) == MAX_TERMS_PER_HIT
    assert expansion_terms("i u na je da se", "sr-latn") == []  # only stop words
    assert expansion_terms("🔥🔥 😂 !!! ... ??", "en") == []
    assert expansion_terms("", "en") == [] and expansion_terms(GOLD, "en", 0) == []
    assert expansion_terms("\x00\ud800 ꙮ ‮", None) == expansion_terms("\x00\ud800 ꙮ ‮", None)


def test_the_expansion_query_is_bounded_and_hostile_hits_add_nothing():
    long_claim = " ".join(f"claimword{i}" for i in range(5000))
    candidates = {
        f"d{i}": Candidate(f"d{i}", {"claim_reviewed": long_claim, "language": lang})
        for i, lang in enumerate(["en", "sq", "mk", "de", "en", "sq"])
    }
    queries = expansion_queries(list(candidates), candidates, "hbs")
    assert len(queries) <= EXPANSION_HITS
    assert sum(len(q.split()) for q in queries.values()) <= MAX_TERMS
    assert set(queries) == {"en", "sq", "mk"}  # the best three foreign hits only

    hostile = {
        "emoji": Candidate("emoji", {"claim_reviewed": "🔥🔥🔥 😂😂", "language": "en"}),
        "stops": Candidate("stops", {"claim_reviewed": "the of and to is", "language": "en"}),
        "empty": Candidate("empty", {"claim_reviewed": "", "language": "mk"}),
        "nolang": Candidate("nolang", {"claim_reviewed": "solar tax"}),
        "direct": Candidate("direct", {"language": "sr"}, lexical=1.0),
    }
    backend = RecordingBackend([Hit("x", 3.0)])
    order = expand_lexical(backend, list(hostile), hostile, ["direct"], family="hbs", filters=None)
    assert order == ["direct"] and backend.queries == [] and "x" not in hostile


def test_expansion_evidence_never_lowers_a_direct_hit():
    candidates = {
        "foreign": Candidate("foreign", {"claim_reviewed": "solar panel tax", "language": "en"}),
        "both": Candidate("both", {"language": "sr"}, lexical=0.9),
    }
    backend = RecordingBackend([Hit("both", 10.0), Hit("foreign", 5.0), Hit("new", 1.0)])
    order = expand_lexical(
        backend, ["foreign"], candidates, ["both"], family="hbs", filters=None, weight=0.5
    )
    assert backend.queries == [("solar panel tax", "en")]
    assert candidates["both"].lexical == 0.9  # max(direct 0.9, expansion 0.5)
    assert candidates["foreign"].lexical == pytest.approx(0.25)
    assert candidates["new"].lexical == pytest.approx(0.05)
    assert order == ["both", "foreign", "new"]
