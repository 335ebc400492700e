"""Matching across languages: same-hoax groups, place/number/month agreement, passages.

The end-to-end tests index real documents in the embedded backend and match with the
deterministic hashing embedder (it folds scripts, so ``Нове 5G антене`` and
``Nove 5G antene`` embed alike) and the shipped calibration.
"""

from __future__ import annotations

import pytest

from search.backends import load_backend
from search.embeddings import HashingEmbedder
from search.matching import MatchDecision, match_text
from search.matching.candidates import Candidate
from search.matching.entities import Entities, entities, months, numbers, places
from search.matching.scoring import (
    NUMBER_AGREE,
    NUMBER_CONFLICT,
    PLACE_AGREE,
    PLACE_CONFLICT,
    PLACE_EXTRA,
    agreement,
    apply_agreement,
    group_candidates,
)
from search.types import SearchDocument, passage_text, passages

# ----------------------------------------------------------------------- places


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Sarajevski aerodrom zatvara se", "sarajevo"),
        ("Аеродромот во Сараево се затвора", "sarajevo"),
        ("Aerodrom Sarajevo zatvoren", "sarajevo"),
        ("Snimak medveda u centru Niša", "nis"),
        ("Снимак приказује медведа како шета центром Ниша", "nis"),
        ("Apoteke u Nišu rade i nedeljom", "nis"),
        ("Video of a bear walking through the centre of Nis", "nis"),
        ("Studenti u Albaniji plaćaće duplo veće školarine", "AL"),
        ("Studentët në Shqipëri do të paguajnë", "AL"),
        ("Албанија воведува нови такси", "AL"),
        ("Albanija uvodi nove takse", "AL"),
        ("Maqedonia e Veriut do të ndryshojë flamurin", "MK"),
        ("Северна Македонија ќе го смени знамето", "MK"),
        ("Vlada Crne Gore prodala je plažu", "ME"),
        ("Влада Црне Горе продала плажу Јаз", "jaz"),
        ("Od 1. aprila u Novom Sadu", "novi sad"),
        ("Tërmeti në Durrës u shkaktua", "durres"),
    ],
)
def test_places_are_found_across_scripts_languages_and_cases(text: str, place: str) -> None:
    assert place in places(text)


def test_a_city_brings_its_country_and_organisations_are_places_too() -> None:
    assert places("Zagreb uvodi naplatu") == {"zagreb", "HR"}
    assert places("po zahtevu EU") == {"EU"}
    assert places("me kërkesë të BE-së") == {"EU"}


@pytest.mark.parametrize(
    "text",
    [
        "Oni nisu došli na posao",  # "nisu" (are not), not "Nišu"
        "To be or not to be",  # "be" is the Albanian EU only in capitals
        "Bara je pored puta",  # "bara" (a pond) is not the town of Bar
        "Manastir je obnovljen",  # a monastery, not Bitola
    ],
)
def test_common_words_are_not_places(text: str) -> None:
    assert places(text) == frozenset()


# ----------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text",
    ["1.000 €", "1000 eura", "хиљаду евра", "1,000 euros", "1 000 EUR", "илјада евра", "njëmijë"],
)
def test_one_thousand_in_every_format_and_script(text: str) -> None:
    assert numbers(text) == {1000.0}


def test_numbers_multipliers_decimals_and_names() -> None:
    assert numbers("2 miliona dinara") == {2_000_000.0}
    assert numbers("rast od 2,5 posto") == {2.5}
    assert numbers("Nove 5G antene") == frozenset()  # a name, not a number
    assert numbers("od 20 evra na dan, ne 5") == {20.0, 5.0}


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("kazne od marta", 3),
        ("od 1. ožujka", 3),
        ("од март", 3),
        ("Umirovljenici će u prosincu", 12),
        ("penzioneri u decembru", 12),
        ("payment in December", 12),
        ("nga dhjetori", 12),
    ],
)
def test_months_across_languages(text: str, month: int) -> None:
    assert months(text) == {month}


# ----------------------------------------------------------------------- agreement


def test_agreement_lifts_a_shared_place_and_lowers_another_city() -> None:
    post = entities("Video of a bear walking through the centre of Niš")
    same = entities("Снимак приказује медведа како шета центром Ниша")
    other = entities("Snimak prikazuje vuka kako šeta centrom Nikšića")
    assert agreement(post, same) == pytest.approx(PLACE_AGREE)
    assert agreement(post, other) == pytest.approx(-PLACE_CONFLICT)
    # Two cities of one country are still two hoaxes.
    assert agreement(entities("centar Zagreba"), entities("centar Splita")) < 0


def test_agreement_on_amounts_and_months_and_silence_is_neutral() -> None:
    post = entities("Penzići, u prosincu stiže 1000 eura!")
    assert agreement(post, entities("u prosincu 1.000 €")) == pytest.approx(2 * NUMBER_AGREE)
    assert agreement(post, entities("u studenom 500 eura")) == pytest.approx(-2 * NUMBER_CONFLICT)
    assert agreement(post, entities("Vlada dijeli novac umirovljenicima")) == 0.0
    assert agreement(Entities(), entities("Internet će biti isključen u Ohridu")) == (
        pytest.approx(-PLACE_EXTRA)
    )


def test_apply_agreement_reads_the_candidates_passages() -> None:
    candidates = {
        "nis": Candidate("nis", {"title": "Medved u Nišu? Ne", "claim_reviewed": ""}),
        "niksic": Candidate("niksic", {"claim_reviewed": "Vuk u centru Nikšića"}),
    }
    apply_agreement("Medved šeta centrom Niša", candidates, ["nis", "niksic"])
    assert candidates["nis"].agreement > 0 > candidates["niksic"].agreement


def test_a_shared_place_orders_but_never_makes_a_match() -> None:
    """Same city, other claim ("new 5G antennas in Sarajevo" against the 5G-virus hoax):
    the shared place lifts the order score, not the decision score; a conflict lowers
    both, and a shared amount lifts both."""
    cand = {
        "same-city": Candidate("same-city", {"claim_reviewed": "5G antene u Sarajevu"}),
        "other-city": Candidate("other-city", {"claim_reviewed": "5G antene u Tuzli"}),
    }
    for c in cand.values():
        c.cosines = {0: 0.90}
    apply_agreement("Nove 5G antene u Sarajevu", cand, list(cand))
    assert cand["same-city"].score > 0.90 and cand["same-city"].decision_score == 0.90
    assert cand["other-city"].decision_score == cand["other-city"].score < 0.90
    amount = {"a": Candidate("a", {"claim_reviewed": "isplata od 1000 eura"}, cosines={0: 0.9})}
    apply_agreement("stiže 1.000 €", amount, ["a"])
    assert amount["a"].decision_score == pytest.approx(0.90 + NUMBER_AGREE)


# ----------------------------------------------------------------------- groups


def test_translations_collapse_into_one_group_shown_in_the_readers_language() -> None:
    candidates = {
        "sr": Candidate("sr", {"group": "tk1", "language": "sr"}, cosines={0: 0.95}),
        "other": Candidate("other", {"language": "hr"}, cosines={0: 0.90}),
        "hr": Candidate("hr", {"group": "tk1", "language": "hr"}, cosines={0: 0.94}),
        "mk": Candidate("mk", {"group": "tk1", "language": "mk"}, cosines={0: 0.93}),
    }
    order = ["sr", "other", "hr", "mk"]

    groups = group_candidates(order, candidates, reader_language="mk")
    assert [g.ids for g in groups] == [["sr", "hr", "mk"], ["other"]]
    assert groups[0].best == "sr" and groups[0].shown == "mk"
    assert group_candidates(order, candidates, reader_language="sq")[0].shown == "sr"
    assert group_candidates(order, candidates, reader_language="sr-latn")[0].shown == "sr"
    assert len(group_candidates(order, candidates, grouped=False)) == 4


HOAX = {
    "5g-sr": ("sr", "Нове 5G антене у Нишу шире вирус и изазивају масовна обољења"),
    "5g-hr": ("hr", "Nove 5G antene u Nišu šire virus i izazivaju masovna oboljenja"),
    "5g-mk": ("mk", "Новите 5G антени во Ниш шират вирус и предизвикуваат масовни заболувања"),
}
OTHERS = {
    "coke": ("bs", "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"),
    "bear": ("sr", "Снимак приказује медведа како шета центром Ниша"),
    "wifi": ("hr", "Wi-Fi ruter izaziva rak mozga kod djece"),
}


@pytest.fixture
def hoax_index(settings, tmp_path):
    """The 5G hoax debunked in sr, hr and mk (one translation group) among others."""
    settings.FACTCHECK_VAR_DIR = tmp_path
    embedder = HashingEmbedder()
    items = {**HOAX, **OTHERS}
    vectors = embedder.embed_passages([claim for _, claim in items.values()])
    backend = load_backend("embedded", {"PATH": str(tmp_path / "index")})
    backend.rebuild(
        SearchDocument(
            id=doc_id,
            claim_reviewed=claim,
            language=lang,
            group="tk-5g" if doc_id in HOAX else "",
            vector=[float(x) for x in vec],
        )
        for (doc_id, (lang, claim)), vec in zip(items.items(), vectors, strict=True)
    )
    return backend, embedder


POST = "Nove 5G antene u Nišu šire virus i izazivaju masovna oboljenja!!! Podelite"


def test_the_same_hoax_in_three_languages_is_one_confident_match(hoax_index) -> None:
    backend, embedder = hoax_index
    decision = MatchDecision.load()

    results = match_text(POST, backend=backend, embedder=embedder, decision=decision)

    assert results[0].id in HOAX and results[0].is_match
    assert sorted([results[0].id, *results[0].fields["same_hoax"]]) == sorted(HOAX)
    assert not {r.id for r in results[1:]} & set(HOAX)  # shown once


def test_without_groups_the_translations_collapse_the_margin(hoax_index) -> None:
    """The 'before': the runner-up is a translation of the top, so nothing fires."""
    backend, embedder = hoax_index

    results = match_text(POST, backend=backend, embedder=embedder, groups=False)

    assert {r.id for r in results[:2]} <= set(HOAX)
    assert not results[0].is_match


def test_the_group_is_shown_in_the_readers_language(hoax_index) -> None:
    backend, embedder = hoax_index
    best = match_text(POST, backend=backend, embedder=embedder)[0]

    for reader in ("mk", "sr", "hr"):
        shown = match_text(POST, backend=backend, embedder=embedder, reader_language=reader)[0]
        assert shown.id == f"5g-{reader}" and shown.fields["language"] == reader
        assert shown.score == best.score and shown.is_match


# ----------------------------------------------------------------------- passages


def test_passages_are_claim_headline_summary_without_blanks_or_repeats() -> None:
    doc = SearchDocument(
        id="1", title="  Ne, vakcine nemaju čip ", claim_reviewed="Vakcine sadrže čip",
        summary="vakcine sadrže čip",
    )  # fmt: skip
    assert passages(doc) == ["Vakcine sadrže čip", "Ne, vakcine nemaju čip"]
    assert passages(doc.stored_fields()) == passages(doc)
    assert passage_text(doc) == "Vakcine sadrže čip"
    assert passages({"summary": "Samo sažetak"}) == ["Samo sažetak"]
    assert passage_text({"title": " ", "claim_reviewed": None}) == ""


def test_the_group_is_a_stored_field() -> None:
    assert SearchDocument(id="1", group="tk").stored_fields()["group"] == "tk"
