"""search.matching: RRF, sentence splitting, social-text cleaning and the fitted decision."""

from __future__ import annotations

import json
import time

import pytest

from search.matching import (
    CALIBRATION_PATH,
    MatchDecision,
    _split_sentences_regex,
    clean_social_text,
    rrf_fuse,
    split_sentences,
)

# --------------------------------------------------------------------------- RRF


def test_rrf_fuse_orders_by_summed_reciprocal_rank():
    lexical = ["a", "b", "c", "d"]
    vector = ["c", "a", "e"]
    fused = rrf_fuse([lexical, vector], k=60)
    ids = [doc for doc, _ in fused]
    assert ids == ["a", "c", "b", "e", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[-1][1] == pytest.approx(1 / 64)


def test_rrf_fuse_ties_duplicates_and_empty():
    # a and b tie exactly; a reached rank 1 first
    assert [d for d, _ in rrf_fuse([["a", "b"], ["b", "a"]])] == ["a", "b"]
    # a repeated id counts once, at its best rank
    assert rrf_fuse([["x", "x", "y"]]) == [("x", 1 / 61), ("y", 1 / 63)]
    assert rrf_fuse([]) == [] and rrf_fuse([[], []]) == []
    # a small k rewards the very top more
    assert rrf_fuse([["a", "b"], ["b", "c"], ["a"]], k=1)[0][0] == "a"
    with pytest.raises(ValueError):
        rrf_fuse([["a"]], k=0)


# --------------------------------------------------------------------------- social text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # emoji, flags and pictographs go
        ("Vakcine ubijaju 😡😡😡 🇷🇸", "Vakcine ubijaju"),
        # hashtags become words, CamelCase split; all-caps tags lowered
        ("#VakcinaUbija istina", "Vakcina Ubija istina"),
        ("#NE_VAKCINI #covid19 #5G", "ne vakcini covid19 5G"),
        # mentions, RT and URLs go; e-mail addresses stay
        ("RT @mupsrbije: Policija hapsi https://t.co/AbC123 www.x.rs/a?b=1", "Policija hapsi"),
        ("Pišite na info@faktograf.hr", "Pišite na info@faktograf.hr"),
        # ALL CAPS shouting lowered, sentences re-capitalised, acronyms kept
        (
            "HITNO!!! VAKCINE UBIJAJU DECU, WHO KRIJE ISTINU",
            "Hitno! Vakcine ubijaju decu, WHO krije istinu",
        ),
        (
            "ЕУ БАРА НОВО ЗНАМЕ, МАКЕДОНИЈА ЌЕ МЕНУВА СИМБОЛИ",
            "ЕУ бара ново знаме, македонија ќе менува симболи",
        ),
        # a shouted word inside normal text is lowered, short acronyms stay
        ("Ovo je SKANDAL, MUP ćuti", "Ovo je skandal, MUP ćuti"),
        # repeated punctuation and stretched letters collapse; numbers untouched
        ("Neeeeema šanse?!?!?! Pogledajte....", "Nema šanse? Pogledajte..."),
        ("Penzioneri dobijaju 1000 eura!!!!!", "Penzioneri dobijaju 1000 eura!"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("", ""),
    ],
)
def test_clean_social_text(raw: str, clean: str):
    assert clean_social_text(raw) == clean


# --------------------------------------------------------------------------- sentences


def test_split_sentences_keeps_dates_abbreviations_and_lines():
    text = (
        "Dana 14. ožujka 2025. u 9.30 sati dr. Petrović je rekao da cjepiva ubijaju! "
        "Je li to istina? Prof. Marić, npr. tvrdi drugo. Cijena je 100.000 eura.\n"
        "Naslov bez točke\nЕУ бара ново знаме. Македонија ќе менува симболи."
    )
    assert split_sentences(text, "hr") == [
        "Dana 14. ožujka 2025. u 9.30 sati dr. Petrović je rekao da cjepiva ubijaju!",
        "Je li to istina?",
        "Prof. Marić, npr. tvrdi drugo.",
        "Cijena je 100.000 eura.",
        "Naslov bez točke",
        "ЕУ бара ново знаме.",
        "Македонија ќе менува симболи.",
    ]
    assert split_sentences("", "sr") == [] and split_sentences("   \n ", None) == []
    # bs/cnr have no spaCy class; unknown codes fall back to the multilingual one
    assert split_sentences("Prvo. Drugo.", "bs") == ["Prvo.", "Drugo."]
    assert split_sentences("Prvo. Drugo.", "cnr") == ["Prvo.", "Drugo."]
    assert split_sentences("Prvo. Drugo.", "xx-unknown") == ["Prvo.", "Drugo."]


def test_split_sentences_regex_fallback():
    assert _split_sentences_regex("Dana 14. marta u Beogradu. Kraj... i još nešto! Novo?") == [
        "Dana 14. marta u Beogradu.",
        "Kraj... i još nešto!",
        "Novo?",
    ]


def test_split_sentences_on_a_3000_word_text():
    sentence = (
        "Gradsko vijeće je 3. travnja 2025. odlučilo da dr. Ivić vodi povjerenstvo za promet "
        "koje će do ljeta predložiti nove cijene parkiranja u centru"
    )  # 24 words
    text = " ".join(f"{sentence} broj {i}." for i in range(116))  # 26 * 116 = 3,016 words
    text += " Kraj teksta bez točke"
    assert len(text.split()) >= 3000
    started = time.perf_counter()
    sentences = split_sentences(text, "hr")
    assert time.perf_counter() - started < 5
    assert len(sentences) == 117
    assert sentences[0] == f"{sentence} broj 0."
    assert sentences[-1] == "Kraj teksta bez točke"


# --------------------------------------------------------------------------- decision


def test_calibration_file_says_where_its_numbers_came_from():
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    entry = data["models"][data["default_model"]]
    fitted = entry["fitted_on"]
    assert "balkan-claim-matching-dev" in fitted["dataset"]
    assert fitted["posts"] == {"positive": 45, "negative": 10}
    assert sum(fitted["distractors"].values()) >= 1000
    assert fitted["model_id"] == data["default_model"] and fitted["date"]
    assert 0.5 < entry["threshold"] < 1.0 and 0.0 < entry["margin"] < 0.5


def test_is_match_uses_the_margin_with_the_fitted_parameters():
    decision = MatchDecision.load()
    assert decision.rule == "threshold_margin"
    top = decision.threshold + 0.02
    assert decision.is_match(top, top - decision.margin - 0.01) is True  # clear winner
    assert decision.is_match(top, top - decision.margin / 2) is False  # same top, close runner-up
    assert decision.is_match(decision.threshold - 0.01, 0.0) is False  # score too low
    assert decision.is_match(top, None) is True  # nothing else to confuse it with
    assert decision.is_match(float("nan"), None) is False


def test_decision_for_an_uncalibrated_model_falls_back_to_the_default():
    default = MatchDecision.load()
    other = MatchDecision.load("test:hashing-char-ngrams")
    assert other.model_id == default.model_id
    assert (other.threshold, other.margin) == (default.threshold, default.margin)


def test_logistic_rule_uses_both_features():
    decision = MatchDecision(
        threshold=0.0, margin=0.0, rule="logistic", coef=(-60.0, 50.0, 200.0), cut=0.5
    )
    assert decision.is_match(0.95, 0.85) is True
    assert decision.is_match(0.95, 0.945) is False
    assert 0.0 < decision.probability(0.95, 0.945) < 0.5
