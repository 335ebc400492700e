"""One owner per rule: language detection, the passage text, RRF, the verdict list.

Each rule is defined once in ``search`` and used by every caller; these tests pin the
contracts so a second, diverging copy cannot come back unnoticed.
"""

from __future__ import annotations

import pytest

import search
from claims.models import Verdict
from claims.services import claimreview_locale_for
from search import language as language_module
from search.backends import base as backend_base
from search.backends import reset_search_backends
from search.fusion import RRF_K, rrf_fuse
from search.normalize import HBS_LANGUAGES
from search.types import Hit, SearchDocument

# ----------------------------------------------------------------------- language


@pytest.fixture
def detector(monkeypatch):
    """Replace the model's guess, so the rules around it are what is tested."""
    guess = {"value": ("und", 0.0)}
    monkeypatch.setattr(language_module, "_detect", lambda sample: guess["value"])

    def set_guess(code: str, score: float) -> None:
        guess["value"] = (code, score)

    return set_guess


LONG_LATIN = "Vlada je danas objavila nove mjere za građane i privredu u cijeloj zemlji"


def test_guess_below_the_confidence_floor_is_undetermined(detector) -> None:
    detector("hr", language_module.MIN_CONFIDENCE - 0.01)
    assert search.detect_language(LONG_LATIN).language == "und"
    detector("en", language_module.MIN_CONFIDENCE)
    assert search.detect_language(LONG_LATIN).language == "en"


def test_undetermined_text_takes_the_hint(detector) -> None:
    detector("xx", 0.1)
    guess = search.detect_language(LONG_LATIN, hints=["sq"])
    assert (guess.language, guess.script, guess.confidence) == ("sq", "latin", 0.1)


def test_cyrillic_letters_override_the_model(detector) -> None:
    detector("mk", 0.9)
    assert search.detect_language("Ђоковић је победио у финалу турнира у Београду").language == (
        "hbs"  # Serbian letters make it hbs; no hint names the variety
    )
    detector("sr", 0.9)
    assert search.detect_language("Ѓорѓе ќе биде во Скопје утре навечер", hints=[]).language == (
        "mk"
    )


def test_hbs_variety_comes_from_hints_never_from_the_model(detector) -> None:
    detector("hr", 0.99)
    assert search.detect_language(LONG_LATIN).language == "hbs"
    assert search.detect_language(LONG_LATIN, hints=["sr-Latn", "hr"]).language == "sr"
    assert search.detect_language(LONG_LATIN, hints=["sh", "bs"]).language == "bs"


def test_one_hbs_set() -> None:
    assert language_module.HBS is HBS_LANGUAGES
    assert not hasattr(__import__("ingest.text").text, "HBS")
    assert not hasattr(__import__("ingest.text").text, "detect_language")


@pytest.mark.parametrize(
    ("language", "script", "locale"),
    [
        ("sr", "cyrillic", "sr"),
        ("sr", "latin", "sr-latn"),
        ("hbs", "cyrillic", "sr"),
        ("hbs", "latin", None),
        ("hr", "latin", "hr"),
        ("mk", "cyrillic", "mk"),
        ("und", "latin", None),
    ],
)
def test_site_locale(language: str, script: str, locale: str | None) -> None:
    assert search.site_locale(search.LanguageGuess(language, script, 0.9)) == locale


class _Record:
    claim_reviewed = LONG_LATIN
    review_body = headline = ""
    in_language = ""
    source_position = "record 1"


@pytest.mark.parametrize(("code", "locale"), [("hr", "en"), ("mk", "mk"), ("en", "en")])
def test_import_and_crawl_share_the_rule(detector, settings, code: str, locale: str) -> None:
    """An undeclared ClaimReview gets the crawler's language: a Latin hbs text names no
    variety, so it goes to the default locale (``en``) rather than the model's guess."""
    settings.LANGUAGE_CODE = "en"
    detector(code, 0.9)
    assert claimreview_locale_for(_Record()) == locale


# ----------------------------------------------------------------------- passage


def test_passage_text_is_claim_else_title_else_summary() -> None:
    doc = SearchDocument(id="1", title=" T ", claim_reviewed="", summary="S")
    assert search.passage_text(doc) == "T"
    assert search.passage_text(doc.stored_fields()) == "T"
    doc = SearchDocument(id="2", summary="  Only a summary  ")
    assert (
        search.passage_text(doc) == search.passage_text(doc.stored_fields()) == ("Only a summary")
    )
    assert search.passage_text(SearchDocument(id="3", claim_reviewed="C", title="T")) == "C"


def test_summary_only_factcheck_is_matched(settings, tmp_path) -> None:
    """Found by the lexical channel only (no stored vector), its cosine comes from the same
    passage text the indexer embeds: here the summary."""
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_SEARCH_BACKEND = "embedded"
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    summary = "Ministarstvo zdravlja nije zabranilo prodaju vitamina D u apotekama"
    other = "Grad Zagreb uvodi naplatu ulaska automobilom u centar od 20 eura dnevno"
    try:
        search.index_documents(
            [
                SearchDocument(id="summary-only", summary=summary, language="hr"),
                SearchDocument(
                    id="other",
                    claim_reviewed=other,
                    language="hr",
                    vector=list(search.get_embedder("test").embed_passages([other])[0]),
                ),
            ]
        )
        results = search.match(summary)
    finally:
        reset_search_backends()
    assert results[0].id == "summary-only"
    assert results[0].score == pytest.approx(1.0, abs=1e-3)
    assert results[0].is_match


# ----------------------------------------------------------------------- RRF


def test_rrf_is_defined_once() -> None:
    from search import matching
    from search.matching import engine

    assert backend_base.RRF_K is RRF_K and engine.RRF_K is RRF_K
    assert matching.rrf_fuse is rrf_fuse and engine.rrf_fuse is rrf_fuse


def test_backend_hybrid_fuses_like_rrf_fuse_ties_included() -> None:
    # "b" (lexical 1) and "a" (vector 1) tie; rrf_fuse breaks ties by best rank, then by
    # first appearance (lexical first), never by id.
    lexical = [Hit("b", 9.0, "<mark>b</mark>"), Hit("c", 5.0), Hit("b", 1.0)]
    vector = [Hit("a", 0.9), Hit("c", 0.8)]

    fused = backend_base.reciprocal_rank_fusion(lexical, vector, k=10)

    expected = rrf_fuse([[h.id for h in lexical], [h.id for h in vector]])
    assert [(h.id, h.score) for h in fused] == expected
    assert [h.id for h in fused] == ["c", "b", "a"]
    assert fused[0].fields == {"lexical_rank": 2, "vector_rank": 2, "cosine": 0.8}
    assert fused[1].fields == {"lexical_rank": 1} and fused[1].highlight == "<mark>b</mark>"


# ----------------------------------------------------------------------- verdicts


def test_search_verdicts_are_the_claims_verdicts() -> None:
    assert list(search.VERDICTS) == list(Verdict.values)
