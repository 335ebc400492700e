"""ClaimReview import/export (``claims.claimreview``): pure functions, no database.

Fixtures in ``tests/resources/claimreview/`` copy the quirks of real publishers'
markup (AFP, Africa Check, Newtral, Aos Fatos, Data Commons feed, ...) with
invented Balkan content.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import claims.claimreview as claimreview_module
from claims.claimreview import (
    Appearance,
    ClaimReviewRecord,
    ClaimReviewSyntaxError,
    NotClaimReviewError,
    ParseResult,
    build_claimreview,
    build_datafeed,
    extract_claimreview_from_html,
    parse_claimreview_json,
    validate_claimreview,
)

FIXTURES = Path(__file__).resolve().parents[1] / "resources" / "claimreview"
JSON_FIXTURES = sorted(
    p.name
    for p in FIXTURES.glob("*.json")
    if p.name not in {"malformed.json", "not-claimreview.json"}
)


def parse(name: str, **kwargs: Any) -> ParseResult:
    return parse_claimreview_json((FIXTURES / name).read_bytes(), source_name=name, **kwargs)


def parse_html(name: str, **kwargs: Any) -> ParseResult:
    return extract_claimreview_from_html(
        (FIXTURES / name).read_text(encoding="utf-8"), source_name=name, **kwargs
    )


def messages(issues: list) -> list[str]:
    return [str(issue) for issue in issues]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ------------------------------------------------------------------ document shapes


@pytest.mark.parametrize(
    ("name", "positions"),
    [
        ("single-object-http.json", ["record 1"]),
        ("list-https.json", ["record 1", "record 2"]),
        ("datafeed-direct.json", ["record 1", "record 2"]),
        ("datafeed-items.json", ["record 1", "record 2 (item 1)", "record 2 (item 2)"]),
        ("graph-mixed.json", ["record 1 (@graph item 8)"]),
        ("no-context-type-key.json", ["record 1"]),
        ("type-list.json", ["record 1"]),
    ],
)
def test_document_shapes_are_all_read(name: str, positions: list[str]) -> None:
    result = parse(name)

    assert [r.source_position for r in result.records] == positions
    assert result.errors == []
    assert result.source_name == name


def test_single_object_with_http_context_and_string_ratings() -> None:
    [record] = parse("single-object-http.json").records

    assert record == ClaimReviewRecord(
        url="https://proverivac.example/provera/plate-u-prosveti-porasle-40-odsto",
        claim_reviewed="Plate u prosveti su od januara porasle za 40 odsto.",
        alternate_name="Neistina",
        claimant="Korisnici društvenih mreža",
        claimant_type="Organization",
        claim_date=d("2024-03-11"),
        rating_value=1.0,
        best_rating=5.0,
        worst_rating=1.0,
        publisher_name="Proverivač",
        date_published=d("2024-03-14"),
    )
    assert record.in_language is None  # the caller detects the language


def test_graph_skips_webpage_organization_and_breadcrumbs_silently() -> None:
    result = parse("graph-mixed.json")
    [record] = result.records

    assert result.warnings == []
    assert record.claim_reviewed == "Вакцините против грип содржат микрочипови за следење."
    assert record.alternate_name == "Невистина"
    assert record.rating_value is None
    assert (
        record.rating_image == "https://vistina.example//wp-content/uploads/2020/07/nevistina.svg"
    )
    assert (record.claimant, record.claimant_type) == ("Горан Трајковски", "Person")
    assert (record.publisher_name, record.publisher_url) == (
        "Вистина МК",
        "https://vistina.example/",
    )


def test_google_datafeed_items_wrapping_one_or_more_reviews() -> None:
    records = parse("datafeed-items.json").records

    assert [r.alternate_name for r in records] == ["E pavërtetë", "Gjysmë e vërtetë", "E vërtetë"]
    assert records[0].appearances == [
        Appearance("https://www.facebook.com/photo.php?fbid=389949600000&set=a.1551709500&type=3")
    ]
    assert records[2].claim_reviewed == "Paga minimale në Shqipëri është 40.000 lekë."


def test_type_key_without_at_and_without_context() -> None:
    result = parse("no-context-type-key.json")
    [record] = result.records

    assert result.warnings == []
    assert (record.claimant, record.claimant_type) == ("Ivana Kovač", "Person")
    assert record.rating_value == 1.0


def test_type_list_person_author_falls_back_to_publisher_organisation() -> None:
    result = parse("type-list.json")
    [record] = result.records

    assert (record.publisher_name, record.publisher_url) == ("Faktet.al", "https://faktet.example/")
    assert record.url == "https://faktet.example/lajme/video-i-manipuluar-per-ujin-e-pijshem/"
    assert record.review_body == "Analizat e laboratorit nuk tregojnë plumb mbi kufirin e lejuar."
    assert (record.best_rating, record.worst_rating) == (5.0, None)
    assert messages(result.warnings) == [
        "record 1: url: 'faktet.example/lajme/video-i-manipuluar-per-ujin-e-pijshem/' "
        "has no scheme; assumed https"
    ]


def test_list_valued_claim_reviewed_is_joined_and_warned_about() -> None:
    result = parse("claimreviewed-list.json")
    joined, single = result.records

    assert joined.claim_reviewed == (
        "Penzije će od septembra biti umanjene za 10 posto / Cijena struje raste za 30 posto"
    )
    assert single.claim_reviewed == "Most u Višegradu zatvoren je za saobraćaj"
    assert "record 1: claimReviewed is a list of 2; joined with ' / '" in messages(result.warnings)
    assert not any(
        "claimReviewed" in w for w in messages(result.warnings) if w.startswith("record 2")
    )


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("position", "value", "best", "worst", "label", "warning"),
    [
        ("record 1", 4.0, 5.0, 1.0, "Uglavnom istina", None),  # "4"
        ("record 2", 4.0, 5.0, 1.0, "Uglavnom istina", None),  # "4.0"
        ("record 3", 4.0, 5.0, 1.0, "Uglavnom istina", None),  # 4
        ("record 4", None, None, None, "Kratke noge", None),  # "" is simply absent
        ("record 5", None, 5.0, 1.0, "Neistina", "ratingValue 'Neistina' is not a number"),
        ("record 6", 7.0, 5.0, 1.0, "Istina", "ratingValue 7 is outside worstRating..bestRating"),
        ("record 7", 2.5, 5.0, 0.0, "Poluistina", None),  # "2,5"
        ("record 8", 3.0, 5.0, 1.0, "", "alternateName is missing"),
    ],
)
def test_rating_values(
    position: str,
    value: float | None,
    best: float | None,
    worst: float | None,
    label: str,
    warning: str | None,
) -> None:
    result = parse("rating-values.json")
    record = next(r for r in result.records if r.source_position == position)
    record_warnings = [w.message for w in result.warnings if w.position == position]

    assert (record.rating_value, record.best_rating, record.worst_rating) == (value, best, worst)
    assert record.alternate_name == label
    if warning is None:
        assert not any("rating" in w.lower() for w in record_warnings)
    else:
        assert any(warning in w for w in record_warnings), record_warnings


@pytest.mark.parametrize(
    ("position", "claimant", "claimant_type", "publisher"),
    [
        ("record 1", "Марко Петровић", "Person", ("Proverivač", None)),  # strings
        (
            "record 2",
            "Министарство финансија",
            "Organization",
            ("Proverivač", "https://proverivac.example/"),
        ),
        (
            "record 3",
            "Ana Jovanović, Marko Petrović",
            "Person",
            ("Proverivač", "https://proverivac.example/"),
        ),
        ("record 4", "Dragan Nikolić, gradonačelnik Niša", "Organization", ("Proverivač", None)),
        ("record 5", "", "", ("Proverivač", None)),  # author object without a name
    ],
)
def test_author_as_string_object_or_list(
    position: str, claimant: str, claimant_type: str, publisher: tuple[str, str | None]
) -> None:
    records = {r.source_position: r for r in parse("author-shapes.json").records}
    record = records[position]

    assert (record.claimant, record.claimant_type) == (claimant, claimant_type)
    assert (record.publisher_name, record.publisher_url) == publisher


@pytest.mark.parametrize(
    ("position", "appearances", "first"),
    [
        ("record 1", [Appearance("https://x.com/primjer/status/1760000000000000001")], None),
        (
            "record 2",
            [
                Appearance(
                    "https://www.index.example/vijesti/clanak/12345",
                    d("2024-02-27"),
                    "Šokantno: vlak ukinut",
                )
            ],
            None,
        ),
        (
            "record 3",  # mixed list, duplicate dropped
            [
                Appearance("https://www.facebook.com/groups/1/posts/2"),
                Appearance("https://t.me/kanal/345"),
            ],
            Appearance("https://t.me/kanal/300", d("2024-02-20")),
        ),
        ("record 4", [], Appearance("https://archive.example/wip/AbC12")),
        (
            "record 5",  # CreativeWork itemReviewed: its url is where the claim appeared
            [
                Appearance(
                    "https://www.facebook.com/photo.php?fbid=1334206990098622&set=a.134474800071853&type=3",
                    d("2024-02-25"),
                )
            ],
            None,
        ),
    ],
)
def test_appearance_as_string_object_or_list_and_first_appearance(
    position: str, appearances: list[Appearance], first: Appearance | None
) -> None:
    records = {r.source_position: r for r in parse("appearance-shapes.json").records}

    assert records[position].appearances == appearances
    assert records[position].first_appearance == first


@pytest.mark.parametrize(
    ("position", "expected", "warning"),
    [
        ("record 1", d("2024-03-14"), None),  # 2024-03-14
        ("record 2", d("2024-03-14"), None),  # 2024-03-14T09:30:00+01:00
        ("record 3", d("2024-03-14"), None),  # 14.03.2024.
        ("record 4", d("2024-03-14"), None),  # 14. 3. 2024
        ("record 5", d("2024-03-14"), None),  # 2024-03-14 20:02
        ("record 6", d("2024-03-14"), None),  # 2024-03-14T13:32:06.838Z
        ("record 7", d("2024-03-14"), None),  # 2024-3-14
        ("record 8", d("2024-03-14"), None),  # 2024-03-14T14:00:00+0200
        ("record 9", None, "datePublished is missing"),
        ("record 10", None, "datePublished is missing"),
        ("record 11", None, "datePublished 'juče' is not a date"),
        ("record 12", None, "datePublished '2024-02-30' is not a date"),
    ],
)
def test_date_shapes(position: str, expected: dt.date | None, warning: str | None) -> None:
    result = parse("date-shapes.json")
    record = next(r for r in result.records if r.source_position == position)
    date_warnings = [
        w.message
        for w in result.warnings
        if w.position == position and "datePublished" in w.message
    ]

    assert record.date_published == expected
    if warning is None:
        assert date_warnings == []
    else:
        assert len(date_warnings) == 1 and warning in date_warnings[0]


def test_html_entities_and_whitespace_noise_are_cleaned() -> None:
    latin, cyrillic = parse("entities.json").records

    assert latin.claim_reviewed == (
        "Ministar je izjavio: “Plate rastu 20%” & penzije su duplo veće 'nego prošle godine'"
    )
    assert latin.headline == "Da li su plate zaista porasle?"
    assert latin.review_body == "Podaci Zavoda za statistiku pokazuju rast od 8 %."
    assert latin.alternate_name == "Uglavnom neistina"
    assert latin.publisher_name == "Proveri & Potvrdi"
    assert latin.claimant == "Ministar finansija"
    assert latin.url == "https://proverivac.example/provera/plate-i-penzije?id=77&lang=sr"
    assert cyrillic.claim_reviewed == '„Србија ће ући у ЕУ 2026.“ – "сигурно"'
    assert cyrillic.claimant == "Ivana Kovač"  # decomposed č is NFC-normalised
    assert len(cyrillic.claimant) == len("Ivana Kovač")


@pytest.mark.parametrize(
    ("position", "language"),
    [("record 1", "sr-Cyrl"), ("record 2", "sq"), ("record 3", "sr-Latn-RS"), ("record 4", None)],
)
def test_in_language_is_normalised_or_left_none(position: str, language: str | None) -> None:
    records = {r.source_position: r for r in parse("language.json").records}

    assert records[position].in_language == language


@pytest.mark.parametrize(
    ("position", "url", "warning"),
    [
        ("record 1", "https://proverivac.example/provera/relativni-url/", "resolved against"),
        ("record 2", "https://proverivac.example/provera/bez-seme", "has no scheme"),
        ("record 3", "https://proverivac.example/provera/protokol-relativan", "scheme-relative"),
        ("record 4", "https://proverivac.example/provera/glavni-entitet", "used mainEntityOfPage"),
    ],
)
def test_url_repairs_are_warned_about(position: str, url: str, warning: str) -> None:
    result = parse("url-shapes.json")
    record = next(r for r in result.records if r.source_position == position)

    assert record.url == url
    assert any(warning in w.message for w in result.warnings if w.position == position)


def test_relative_url_without_base_is_an_error_and_base_url_resolves_it() -> None:
    without_base = parse("url-shapes.json")
    with_base = parse("url-shapes.json", base_url="https://proverivac.example/")

    assert messages(without_base.errors) == [
        "record 5: url is missing or unusable: relative '/provera/bez-baze/' "
        "with no base URL to resolve it against"
    ]
    assert with_base.errors == []
    assert with_base.records[-1].url == "https://proverivac.example/provera/bez-baze/"


# ------------------------------------------------------------------ whole-source failures


def test_malformed_json_names_the_file_line_and_column() -> None:
    with pytest.raises(ClaimReviewSyntaxError) as caught:
        parse("malformed.json")

    assert (
        str(caught.value)
        == "malformed.json: invalid JSON at line 6, column 3: Expecting ',' delimiter"
    )
    assert (caught.value.line, caught.value.column) == (6, 3)


def test_non_utf8_bytes_are_a_syntax_error_with_position() -> None:
    data = '{\n  "claimReviewed": "Šta"\n}'.encode("cp1250")

    with pytest.raises(ClaimReviewSyntaxError, match=r"legacy\.json: .*line 2, column 21"):
        parse_claimreview_json(data, source_name="legacy.json")


def test_valid_json_without_claimreview_names_the_file() -> None:
    with pytest.raises(NotClaimReviewError, match=r"^not-claimreview\.json: no ClaimReview found"):
        parse("not-claimreview.json")


# ------------------------------------------------------------------ bad records


def test_one_bad_record_is_reported_by_number_and_the_rest_are_parsed() -> None:
    result = parse("one-bad-record.json")

    assert [r.source_position for r in result.records] == ["record 1", "record 2", "record 4"]
    assert messages(result.errors) == ["record 3: claimReviewed is missing or empty"]
    assert all(issue.severity == "error" for issue in result.errors)


@pytest.mark.parametrize(
    ("position", "reason"),
    [
        ("record 2", "claimReviewed is missing or empty"),
        ("record 3", "claimReviewed is missing or empty"),  # whitespace only
        ("record 4", "url is missing or unusable"),
        ("record 5", "reviewRating is missing"),
        ("record 6", "reviewRating has neither alternateName nor a numeric ratingValue"),
    ],
)
def test_bad_record_reasons(position: str, reason: str) -> None:
    result = parse("bad-records.json")

    assert [r.source_position for r in result.records] == ["record 1", "record 7"]
    assert any(e.position == position and e.message.startswith(reason) for e in result.errors)
    assert not any(w.position == position for w in result.warnings)  # skipped: no noise


# ------------------------------------------------------------------ HTML pages


def test_html_page_with_article_and_claimreview_blocks() -> None:
    result = parse_html("page-two-blocks.html")
    [record] = result.records

    assert record.source_position == "script 2, record 1 (@graph item 1)"
    assert record.claim_reviewed == "Струја ће од октобра поскупети 50 одсто."
    assert record.alternate_name == "Неточно"
    assert record.date_published == d("2024-09-02")
    assert record.headline == "Није тачно да ће струја поскупети 50 одсто"
    assert record.appearances == [
        Appearance(
            "https://www.facebook.com/permalink.php?story_fbid=151574190637838&id=100073557732047",
            d("2024-08-30"),
        )
    ]
    assert result.errors == []


def test_html_malformed_block_is_reported_and_the_next_block_read() -> None:
    result = parse_html("page-malformed-block.html")

    assert [r.url for r in result.records] == ["https://cinjenica.example/provjera/cjepivo-dnk"]
    assert result.records[0].source_position == "script 2, record 1"
    assert messages(result.errors) == [
        "script 1 (line 6): invalid JSON at line 12, column 1: "
        "Expecting property name enclosed in double quotes"
    ]


def test_html_without_claimreview_raises() -> None:
    with pytest.raises(NotClaimReviewError, match=r"page-no-claimreview\.html"):
        parse_html("page-no-claimreview.html")


def test_html_whose_only_block_is_malformed_raises_with_page_position() -> None:
    with pytest.raises(
        ClaimReviewSyntaxError, match=r"page-only-malformed\.html: .*line 7, column 110"
    ):
        parse_html("page-only-malformed.html")


# ------------------------------------------------------------------ building and round trips


FULL_RECORD = ClaimReviewRecord(
    url="https://proverivac.example/provera/penzije-2025",
    claim_reviewed="„Пензије ће од јануара бити веће за 30 одсто“ & раст < 5 % 'није' тачан",
    alternate_name="Неточно",
    claimant="Марко Петровић",
    claimant_type="Person",
    claim_date=d("2024-11-28"),
    appearances=[
        Appearance(
            "https://www.facebook.com/permalink.php?story_fbid=1&id=2", d("2024-11-28"), "Објава"
        ),
        Appearance("https://t.me/vesti/9"),
    ],
    first_appearance=Appearance("https://x.com/primer/status/1", d("2024-11-27")),
    rating_value=1.0,
    best_rating=5.0,
    worst_rating=1.0,
    rating_image="https://proverivac.example/img/netacno.svg",
    publisher_name="Провери",
    publisher_url="https://proverivac.example/",
    date_published=d("2024-12-02"),
    in_language="sr-Cyrl",
    headline="Пензије неће бити веће за 30 одсто",
    review_body="Закон о буџету предвиђа раст од 8,5 одсто, 'не' 30.",
)

MINIMAL_RECORD = ClaimReviewRecord(
    url="https://faktet.example/x", claim_reviewed="Shkollat mbyllen", alternate_name="E pavërtetë"
)


@pytest.mark.parametrize(
    "record",
    [
        FULL_RECORD,
        MINIMAL_RECORD,
        replace(MINIMAL_RECORD, rating_value=2.5, best_rating=5.0, worst_rating=0.0),
        replace(
            FULL_RECORD,
            claimant="Vlada Srbije",
            claimant_type="Organization",
            in_language="sr-Latn",
        ),
    ],
    ids=["full-cyrillic", "minimal", "fractional", "organisation"],
)
def test_round_trip_build_then_parse(record: ClaimReviewRecord) -> None:
    built = build_claimreview(record)
    [parsed] = parse_claimreview_json(json.dumps(built), source_name="rt.json").records

    assert parsed == record


def test_text_with_entities_is_stored_unescaped_and_round_trips() -> None:
    [parsed] = parse_claimreview_json(
        json.dumps(
            build_claimreview(
                replace(MINIMAL_RECORD, claim_reviewed="&#8222;Da&#8220; &amp;amp; ne")
            )
        ),
        source_name="rt.json",
    ).records

    assert parsed.claim_reviewed == "„Da“ & ne"
    [again] = parse_claimreview_json(
        json.dumps(build_claimreview(parsed)), source_name="rt"
    ).records
    assert again == parsed


@pytest.mark.parametrize("name", JSON_FIXTURES)
def test_every_fixture_record_survives_build_and_parse(name: str) -> None:
    """Includes the entity, Cyrillic, repaired-URL and partial-rating fixtures."""
    for record in parse(name).records:
        built = build_claimreview(record)
        [again] = parse_claimreview_json(json.dumps(built), source_name="rt.json").records
        assert again == record, record.source_position


def _walk_values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in [value, *_walk_values(value)]]
    if isinstance(node, list):
        return [v for value in node for v in [value, *_walk_values(value)]]
    return []


def test_build_emits_google_shape_and_omits_unknowns() -> None:
    full = build_claimreview(FULL_RECORD)
    minimal = build_claimreview(MINIMAL_RECORD)

    assert full["@context"] == "https://schema.org"
    assert full["author"] == {
        "@type": "Organization",
        "name": "Провери",
        "url": "https://proverivac.example/",
    }
    assert full["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Неточно",
        "image": "https://proverivac.example/img/netacno.svg",
    }
    assert full["itemReviewed"]["author"] == {"@type": "Person", "name": "Марко Петровић"}
    assert full["itemReviewed"]["appearance"][0] == {
        "@type": "CreativeWork",
        "url": "https://www.facebook.com/permalink.php?story_fbid=1&id=2",
        "datePublished": "2024-11-28",
        "headline": "Објава",
    }
    assert full["itemReviewed"]["firstAppearance"] == {
        "@type": "CreativeWork",
        "url": "https://x.com/primer/status/1",
        "datePublished": "2024-11-27",
    }
    assert (full["datePublished"], full["inLanguage"]) == ("2024-12-02", "sr-Cyrl")
    assert minimal == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://faktet.example/x",
        "claimReviewed": "Shkollat mbyllen",
        "reviewRating": {"@type": "Rating", "alternateName": "E pavërtetë"},
    }
    assert None not in _walk_values(full) and "" not in _walk_values(full)


def test_build_accepts_a_mapping() -> None:
    built = build_claimreview(
        {
            "id": 17,  # unknown keys (a model's values()) are ignored
            "url": "https://cinjenica.example/p/17",
            "claim_reviewed": "Tisuću liječnika otišlo je iz Hrvatske.",
            "alternate_name": "Tri kvarta fakta",
            "rating_value": "4",
            "best_rating": 5,
            "worst_rating": 1,
            "date_published": "2024-10-05",
            "claim_date": dt.datetime(2024, 10, 1, 9, 30),
            "appearances": [
                "https://t.me/kanal/1",
                {"url": "https://x.com/a/status/2", "date": "2024-10-02"},
            ],
            "in_language": "hr",
            "publisher_name": "Činjenica.hr",
        }
    )

    assert built["reviewRating"]["ratingValue"] == 4
    assert built["itemReviewed"] == {
        "@type": "Claim",
        "datePublished": "2024-10-01",
        "appearance": [
            {"@type": "CreativeWork", "url": "https://t.me/kanal/1"},
            {
                "@type": "CreativeWork",
                "url": "https://x.com/a/status/2",
                "datePublished": "2024-10-02",
            },
        ],
    }
    assert built["author"] == {"@type": "Organization", "name": "Činjenica.hr"}


def test_build_datafeed_shape() -> None:
    feed = build_datafeed(
        [build_claimreview(FULL_RECORD), MINIMAL_RECORD],
        name="Provjere",
        url="https://proverivac.example/feed.json",
        date_modified=dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.UTC),
    )

    assert {k: v for k, v in feed.items() if k != "dataFeedElement"} == {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": "Provjere",
        "url": "https://proverivac.example/feed.json",
        "dateModified": "2024-12-31T23:00:00+00:00",
    }
    first, second = feed["dataFeedElement"]
    assert first["@type"] == "DataFeedItem"
    assert first["dateCreated"] == "2024-12-02"
    assert first["url"] == FULL_RECORD.url
    assert [item["@type"] for item in first["item"]] == ["ClaimReview"]
    assert "@context" not in first["item"][0]
    assert "dateCreated" not in second  # unknown: omitted, not null
    reparsed = parse_claimreview_json(json.dumps(feed), source_name="feed.json")
    assert reparsed.records == [FULL_RECORD, MINIMAL_RECORD]


# ------------------------------------------------------------------ validation


def test_validate_accepts_a_complete_review() -> None:
    assert validate_claimreview(build_claimreview(FULL_RECORD)) == []


def _valid() -> dict[str, Any]:
    return build_claimreview(FULL_RECORD)


def _without(path: str) -> dict[str, Any]:
    obj = _valid()
    *parents, last = path.split(".")
    node = obj
    for key in parents:
        node = node[key]
    del node[last]
    return obj


def _with(path: str, value: Any) -> dict[str, Any]:
    obj = _valid()
    *parents, last = path.split(".")
    node = obj
    for key in parents:
        node = node[key]
    node[last] = value
    return obj


@pytest.mark.parametrize(
    ("obj", "problem"),
    [
        (_without("claimReviewed"), "required: claimReviewed"),
        (_without("url"), "required: url"),
        (_without("reviewRating"), "required: reviewRating"),
        (_without("reviewRating.alternateName"), "required: reviewRating.alternateName"),
        (_without("author"), "required: author"),
        (_with("@type", "Review"), "required: @type must be ClaimReview"),
        (_without("datePublished"), "recommended: datePublished"),
        (_without("itemReviewed"), "recommended: itemReviewed"),
        (_without("itemReviewed.author"), "recommended: itemReviewed.author"),
        (_without("reviewRating.ratingValue"), "recommended: reviewRating.ratingValue"),
        (_without("author.url"), "recommended: author.url"),
        (
            _with("reviewRating.ratingValue", 7),
            "invalid: reviewRating.ratingValue 7 is outside 1..5",
        ),
        (
            _with("reviewRating.worstRating", 6),
            "invalid: reviewRating.worstRating 6 > bestRating 5",
        ),
        (_with("reviewRating.ratingValue", "jedan"), "invalid: reviewRating.ratingValue 'jedan'"),
        (_with("url", "/provera/x"), "invalid: url '/provera/x'"),
        (_with("datePublished", "14.03.2024."), "invalid: datePublished '14.03.2024.'"),
        (_with("@context", "https://example.org/vocab"), "invalid: @context"),
    ],
)
def test_validate_reports_missing_and_inconsistent_fields(
    obj: dict[str, Any], problem: str
) -> None:
    problems = validate_claimreview(obj)

    assert any(p.startswith(problem) for p in problems), problems


def test_validate_recommends_appearance_or_first_appearance() -> None:
    obj = _without("itemReviewed.appearance")
    assert validate_claimreview(obj) == []  # firstAppearance is enough
    del obj["itemReviewed"]["firstAppearance"]
    assert validate_claimreview(obj) == [
        "recommended: itemReviewed.appearance or itemReviewed.firstAppearance"
    ]


# ------------------------------------------------------------------ the 40-record feed


def test_datafeed_40_in_seven_languages() -> None:
    result = parse("datafeed-40.json")

    assert len(result.records) == 40
    assert result.errors == [] and result.warnings == []
    assert [r.source_position for r in result.records] == [f"record {n}" for n in range(1, 41)]
    assert Counter(r.in_language for r in result.records) == {
        "en": 6,
        "sr-Cyrl": 6,
        "sr-Latn": 6,
        "hr": 6,
        "bs": 6,
        "mk": 5,
        "sq": 5,
    }
    labels = {r.alternate_name for r in result.records}
    assert {"Neistina", "Lažna vijest", "Неточно", "E pavërtetë", "Ni F od fakta"} <= labels
    assert len({r.rating_value for r in result.records}) == 5
    assert len({r.url for r in result.records}) == 40


def test_datafeed_40_items_validate_cleanly() -> None:
    feed = json.loads((FIXTURES / "datafeed-40.json").read_text(encoding="utf-8"))

    assert feed["@type"] == "DataFeed"
    for element in feed["dataFeedElement"]:
        [review] = element["item"]
        assert validate_claimreview(review) == [], element["url"]


def test_datafeed_fixture_is_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("make_datafeed", FIXTURES / "make_datafeed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.render() == (FIXTURES / "datafeed-40.json").read_text(encoding="utf-8")


def test_module_is_pure_python_without_django_models() -> None:
    package = Path(claimreview_module.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 1  # the package's modules, not only its __init__
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for module in modules
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    assert not {
        name for name in imported if name.startswith(("django", "claims.models", "wagtail"))
    }
