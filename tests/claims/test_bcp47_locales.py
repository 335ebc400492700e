"""ClaimReview ``inLanguage`` as publishers write it -> the site locale it lands in.

The table covers every tag named in issue 12, in several casings, against Cyrillic and
Latin text; the import test runs real records through ``import_claimreview``.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from claims.claimreview import site_locale_for_tag
from claims.claimreview.locales import parse_tag
from claims.models import FactCheckPage
from claims.services import claimreview_locale_for
from search import language as language_module

CYRILLIC = "Влада је рекла да ће плате порасти за десет одсто до краја године."
LATIN = "Vlada je rekla da će plate porasti za deset odsto do kraja godine."
ALBANIAN = "Qeveria tha se pagat do të rriten me dhjetë për qind deri në fund të vitit."
ENGLISH = "The government said that wages would rise by ten percent by the end of the year."
MACEDONIAN = "Владата рече дека платите ќе пораснат за десет отсто до крајот на годината."

# (inLanguage, text, expected locale)
TABLE = [
    # Serbian without a script subtag: the text's script decides.
    ("sr", CYRILLIC, "sr"),
    ("sr", LATIN, "sr-latn"),
    ("SR", CYRILLIC, "sr"),
    ("sr-RS", CYRILLIC, "sr"),
    ("sr-RS", LATIN, "sr-latn"),
    ("sr-rs", LATIN, "sr-latn"),
    ("sr_RS", CYRILLIC, "sr"),
    # With a script subtag.
    ("sr-Cyrl-RS", CYRILLIC, "sr"),
    ("SR-CYRL-RS", CYRILLIC, "sr"),
    ("sr-Latn-RS", LATIN, "sr-latn"),
    ("sr-latn-rs", LATIN, "sr-latn"),
    ("SR-latn-rs", LATIN, "sr-latn"),
    ("sr_cyrl", CYRILLIC, "sr"),
    ("sr-Cyrl", CYRILLIC, "sr"),
    ("sr-Latn", LATIN, "sr-latn"),
    ("sr_RS@latin", LATIN, "sr-latn"),
    # Montenegro.
    ("sr-ME", LATIN, "cnr"),
    ("sr-me", CYRILLIC, "cnr"),
    ("sr-Latn-ME", LATIN, "cnr"),
    ("cnr", LATIN, "cnr"),
    ("CNR", LATIN, "cnr"),
    ("cnr-ME", LATIN, "cnr"),
    ("cnr-Latn-ME", LATIN, "cnr"),
    # The region's other languages, any region or script subtag.
    ("bs-Latn-BA", LATIN, "bs"),
    ("BS-LATN-BA", LATIN, "bs"),
    ("bs", LATIN, "bs"),
    ("hr-HR", LATIN, "hr"),
    ("hr-hr", LATIN, "hr"),
    ("HR", LATIN, "hr"),
    ("mk-MK", MACEDONIAN, "mk"),
    ("MK-mk", MACEDONIAN, "mk"),
    ("sq-AL", ALBANIAN, "sq"),
    ("sq-XK", ALBANIAN, "sq"),
    ("sq-xk", ALBANIAN, "sq"),
    ("en-GB", ENGLISH, "en"),
    ("en-gb", ENGLISH, "en"),
    ("EN-US", ENGLISH, "en"),
]


@pytest.mark.parametrize(("tag", "text", "expected"), TABLE)
def test_tag_maps_to_site_locale(tag: str, text: str, expected: str) -> None:
    assert site_locale_for_tag(tag, text_script=_script(text)) == expected


@pytest.mark.parametrize(("tag", "text", "expected"), TABLE)
def test_import_rule_puts_the_record_in_that_locale(tag, text, expected, db) -> None:
    assert claimreview_locale_for(_Record(text, tag)) == expected


@pytest.mark.parametrize("tag", [None, "", "  ", "und", "UND", "und-Latn", "mul", "zxx", "sh"])
def test_no_language_means_detect(tag) -> None:
    assert site_locale_for_tag(tag, text_script="latin") is None


def test_tag_script_decides_when_the_text_has_none() -> None:
    assert site_locale_for_tag("sr-Cyrl", text_script="") == "sr"
    assert site_locale_for_tag("sr-Cyrl-RS", text_script="mixed") == "sr"
    assert site_locale_for_tag("sr-Latn", text_script="mixed") == "sr-latn"
    assert site_locale_for_tag("sr", text_script="") == "sr-latn"


def test_text_script_wins_over_a_wrong_script_subtag() -> None:
    """Cyrillic text tagged Latin is filed where Cyrillic is served, and vice versa."""
    assert site_locale_for_tag("sr-Latn-RS", text_script="cyrillic") == "sr"
    assert site_locale_for_tag("sr-Cyrl", text_script="latin") == "sr-latn"


def test_other_languages_come_back_as_their_primary_subtag() -> None:
    assert site_locale_for_tag("de-AT") == "de"
    assert site_locale_for_tag("sl-SI") == "sl"


def test_parse_tag_reads_subtags_in_any_order_of_case() -> None:
    assert parse_tag("SR-latn-rs") == ("sr", "latn", "rs")
    assert parse_tag("sr_RS@latin") == ("sr", "latn", "rs")
    assert parse_tag("es-419") == ("es", "", "419")
    assert parse_tag(" sq-XK ") == ("sq", "", "xk")


@pytest.mark.parametrize(("tag", "guess", "expected"), [("und", "mk", "mk"), (None, "sq", "sq")])
def test_undetermined_record_is_detected(monkeypatch, settings, tag, guess, expected) -> None:
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(language_module, "_detect", lambda sample: (guess, 0.95))
    text = MACEDONIAN if guess == "mk" else ALBANIAN
    assert claimreview_locale_for(_Record(text, tag)) == expected


def test_unpublished_language_goes_to_default_with_a_warning(settings) -> None:
    from claims.services import ImportReport

    settings.LANGUAGE_CODE = "en"
    report = ImportReport()
    assert claimreview_locale_for(_Record(LATIN, "sl-SI"), report=report) == "en"
    assert "'sl-SI' is not published on this site" in report.warnings[0]


def test_import_summary_reports_each_records_locale(newsroom, tmp_path) -> None:
    records = [
        ("sr", CYRILLIC, "https://istinomer.example/a/1", "Нетачно"),
        ("sr", LATIN, "https://istinomer.example/a/2", "Netačno"),
        ("sr-ME", LATIN, "https://raskrinkavanje.example/me/3", "Lažno"),
        ("hr-HR", LATIN, "https://faktograf.example/4", "Netočno"),
        ("sq-XK", ALBANIAN, "https://hibrid.example/5", "E rreme"),
        ("mk-MK", MACEDONIAN, "https://vistinomer.example/6", "Невистина"),
        ("EN-gb", ENGLISH, "https://fullfact.example/7", "False"),
    ]
    feed = [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": url,
            "claimReviewed": text,
            "datePublished": "2024-05-01",
            "inLanguage": tag,
            "author": {"@type": "Organization", "name": "Newsroom"},
            "reviewRating": {"@type": "Rating", "alternateName": label},
        }
        for tag, text, url, label in records
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_claimreview", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    for url, expected in zip(
        [r[2] for r in records], ["sr", "sr-latn", "cnr", "hr", "sq", "mk", "en"], strict=True
    ):
        assert f"{url} -> {expected}" in text
        page = FactCheckPage.objects.get(original_url=url, alias_of__isnull=True)
        assert page.locale.language_code == expected
    assert "by locale: cnr 1, en 1, hr 1, mk 1, sq 1, sr 1, sr-latn 1" in text


def _script(text: str) -> str:
    import search

    return search.detect_script(text)


class _Record:
    def __init__(self, text: str, tag: str | None) -> None:
        self.claim_reviewed = text
        self.review_body = self.headline = ""
        self.in_language = tag
        self.source_position = "record 1"
