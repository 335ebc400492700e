"""Sentence splitting: the regex by default, spaCy only when installed and chosen."""

from __future__ import annotations

import builtins
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from search.checks import check_sentencizer
from search.matching import sentences as matching
from search.matching import split_sentences

TEXT = (
    "Dana 14. ožujka 2025. u 9.30 sati dr. Petrović je rekao da cjepiva ubijaju! "
    "Je li to istina? Prof. Marić, npr. tvrdi drugo. Cijena je 100.000 eura.\n"
    "Naslov bez točke\nЕУ бара ново знаме. Македонија ќе менува симболи."
)
EXPECTED = [
    "Dana 14. ožujka 2025. u 9.30 sati dr. Petrović je rekao da cjepiva ubijaju!",
    "Je li to istina?",
    "Prof. Marić, npr. tvrdi drugo.",
    "Cijena je 100.000 eura.",
    "Naslov bez točke",
    "ЕУ бара ново знаме.",
    "Македонија ќе менува симболи.",
]


@pytest.fixture
def no_spacy(monkeypatch):
    """spaCy is not installed (the default install since it became an extra)."""
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("No module named 'spacy'")
        return real_import(name, *args, **kwargs)

    matching._sentencizer.cache_clear()
    matching._warn_spacy_missing.cache_clear()
    monkeypatch.setattr(builtins, "__import__", fake_import)
    yield
    matching._sentencizer.cache_clear()
    matching._warn_spacy_missing.cache_clear()


def test_the_default_is_the_regex_and_never_loads_spacy(settings, monkeypatch):
    settings.FACTCHECK_SENTENCIZER = ""  # set empty in the environment: still the regex
    monkeypatch.setattr(
        matching, "_sentencizer", lambda lang: pytest.fail("spaCy loaded by default")
    )
    assert split_sentences(TEXT, "hr") == EXPECTED


def test_the_setting_declares_regex():
    from django.conf import settings

    assert settings.FACTCHECK_SENTENCIZER == "regex"


def test_spacy_chosen_and_installed_is_used(settings, monkeypatch):
    pytest.importorskip("spacy")
    settings.FACTCHECK_SENTENCIZER = "spacy"
    calls = []
    real = matching._sentencizer

    def spy(lang):
        calls.append(lang)
        return real(lang)

    monkeypatch.setattr(matching, "_sentencizer", spy)
    assert split_sentences(TEXT, "hr") == EXPECTED
    assert split_sentences("Prvo. Drugo.", "bs") == ["Prvo.", "Drugo."]
    assert calls == ["hr", "hr"]  # bs has no spaCy class: the hr one
    assert real("hr") is not None  # a real spaCy pipeline did the splitting


def test_spacy_chosen_but_missing_warns_once_and_splits_with_the_regex(settings, no_spacy, caplog):
    settings.FACTCHECK_SENTENCIZER = "spacy"
    with caplog.at_level(logging.WARNING, logger="search.matching"):
        assert split_sentences(TEXT, "hr") == EXPECTED
        assert split_sentences(TEXT, "sr") == EXPECTED
    warnings = [r for r in caplog.records if "spaCy is not installed" in r.getMessage()]
    assert len(warnings) == 1


def test_an_unknown_setting_is_a_configuration_error_not_bad_input(settings):
    settings.FACTCHECK_SENTENCIZER = "nltk"
    # not ValueError: the match API answers ValueError with 400, as if the text were bad
    with pytest.raises(ImproperlyConfigured, match="FACTCHECK_SENTENCIZER"):
        split_sentences("Prvo. Drugo.")
    assert [m.id for m in check_sentencizer()] == ["search.E001"]


def test_an_unknown_argument_is_a_value_error():
    with pytest.raises(ValueError, match="unknown sentencizer 'punkt'"):
        split_sentences("Prvo. Drugo.", sentencizer="punkt")


def test_the_check_warns_when_spacy_is_chosen_but_missing(settings, monkeypatch):
    settings.FACTCHECK_SENTENCIZER = "spacy"
    monkeypatch.setattr("search.checks.spacy_installed", lambda: False)
    assert [m.id for m in check_sentencizer()] == ["search.W001"]
    monkeypatch.setattr("search.checks.spacy_installed", lambda: True)
    assert check_sentencizer() == []
    settings.FACTCHECK_SENTENCIZER = "regex"
    monkeypatch.setattr("search.checks.spacy_installed", lambda: False)
    assert check_sentencizer() == []  # the default needs nothing


def test_the_check_runs_with_manage_py_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.FACTCHECK_SENTENCIZER = "nltk"
    with pytest.raises(SystemCheckError, match="search.E001"):
        call_command("check")


def test_the_argument_overrides_the_setting(settings, no_spacy):
    settings.FACTCHECK_SENTENCIZER = "nltk"  # would raise if it were read
    assert split_sentences("Prvo. Drugo.", sentencizer="regex") == ["Prvo.", "Drugo."]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # closing quotes and brackets stay with their sentence
        ("On je rekao: „Vakcine ubijaju.” Niko nije reagovao.",
         ["On je rekao: „Vakcine ubijaju.”", "Niko nije reagovao."]),
        ("(Ovo je test.) Drugi red.", ["(Ovo je test.)", "Drugi red."]),
        # ordinal dates, titles, soft abbreviations, initials before a capital
        ("Od 1. januara 2026. god. porez raste. Kaže ul. Kralja Petra.",
         ["Od 1. januara 2026. god. porez raste.", "Kaže ul. Kralja Petra."]),
        ("Premijer A. Vučić je rekao.", ["Premijer A.", "Vučić je rekao."]),
        # an ellipsis before a lowercase word does not end the sentence
        ("Čekajte… i gledajte. Kraj.", ["Čekajte… i gledajte.", "Kraj."]),
        # Albanian and Macedonian
        ("Qeveria vendos taksë. Nga janari p.sh. rritet.",
         ["Qeveria vendos taksë.", "Nga janari p.sh. rritet."]),
        ("Владата воведува данок. Од јануари!", ["Владата воведува данок.", "Од јануари!"]),
        # no whitespace after the stop: one sentence (URLs, decimals, version numbers)
        ("Vidi faktograf.hr/abc za 3.5 posto.", ["Vidi faktograf.hr/abc za 3.5 posto."]),
    ],
)  # fmt: skip
def test_regex_splits_in_the_region(text, sentences):
    assert split_sentences(text, "sr-latn", sentencizer="regex") == sentences
