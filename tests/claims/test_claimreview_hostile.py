"""ClaimReview from another newsroom is untrusted input.

Its URLs (``url``, ``itemReviewed.appearance[].url``, ``author.url``, ``sameAs``, the
rating image) must be http(s): a bad one is dropped with a warning and the rest of the
record kept. A document nested absurdly deep, or absurdly large, is a clear error that
writes nothing, never a ``RecursionError`` traceback.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from claims import claimreview
from claims.claimreview import (
    Appearance,
    ClaimReviewError,
    ClaimReviewRecord,
    build_claimreview,
    extract_claimreview_from_html,
    parse_claimreview_json,
)

GOOD = "https://faktograf.example/provjera/1"

# Never an http(s) URL we may store or link, whatever the base URL.
HOSTILE = [
    "javascript:alert(document.cookie)//",
    "JAVASCRIPT:alert(1)",
    " java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "https://user:pass@evil.example/x",
    "https://trusted.example@evil.example/",
    "https://exa\tmple.example/x",
    "https://evil.example/" + "a" * 5000,
]


def _review(**overrides: Any) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": GOOD,
        "claimReviewed": "Cjepiva sadrže mikročipove",
        "datePublished": "2025-03-14",
        "author": {
            "@type": "Organization",
            "name": "Faktograf",
            "url": "https://faktograf.example/",
        },
        "reviewRating": {"@type": "Rating", "alternateName": "Netočno", "ratingValue": 1},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Viralni post"},
            "appearance": [{"@type": "CreativeWork", "url": "https://social.example/p/1"}],
        },
    }
    review.update(overrides)
    return review


def _parse(doc: Any):
    return parse_claimreview_json(json.dumps(doc), source_name="partner.json")


def _warnings(result) -> str:
    return "\n".join(str(w) for w in result.warnings)


# ------------------------------------------------------------------- parsing


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_review_url_skips_the_record(url: str) -> None:
    result = _parse(_review(url=url))
    assert result.records == []
    assert [e.message for e in result.errors][0].startswith("url is missing or unusable")


def test_hostile_review_url_falls_back_to_main_entity_with_a_warning() -> None:
    result = _parse(_review(url="https://u:p@evil.example/", mainEntityOfPage=GOOD))
    [record] = result.records
    assert record.url == GOOD
    assert "credentials" in _warnings(result)


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_appearance_is_dropped_with_a_warning_and_the_rest_kept(url: str) -> None:
    item = _review()["itemReviewed"]
    item["appearance"] = [{"url": url}, {"url": "https://social.example/p/2"}]
    item["firstAppearance"] = {"url": url}
    item["url"] = url
    result = _parse(_review(itemReviewed=item))
    [record] = result.records
    assert [a.url for a in record.appearances] == ["https://social.example/p/2"]
    assert record.first_appearance is None
    assert record.claim_reviewed == "Cjepiva sadrže mikročipove"  # the rest is kept
    assert "appearance dropped" in _warnings(result)
    assert "firstAppearance dropped" in _warnings(result)
    assert "itemReviewed.url dropped" in _warnings(result)


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_author_url_is_dropped_with_a_warning(url: str) -> None:
    result = _parse(_review(author={"@type": "Organization", "name": "Faktograf", "url": url}))
    [record] = result.records
    assert record.publisher_name == "Faktograf"
    assert record.publisher_url is None
    assert "author url dropped" in _warnings(result)


def test_same_as_is_checked_and_used_when_author_url_is_missing() -> None:
    author = {
        "@type": "Organization",
        "name": "Faktograf",
        "sameAs": [
            "javascript:alert(1)",
            "https://u:p@evil.example/",
            "https://faktograf.example/",
        ],
    }
    result = _parse(_review(author=author))
    [record] = result.records
    assert record.publisher_url == "https://faktograf.example/"
    assert _warnings(result).count("author sameAs dropped") == 2


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_rating_image_is_dropped_with_a_warning(url: str) -> None:
    rating = {"@type": "Rating", "alternateName": "Netočno", "image": url}
    result = _parse(_review(reviewRating=rating))
    [record] = result.records
    assert record.rating_image is None
    assert "reviewRating.image dropped" in _warnings(result)


def test_export_never_emits_a_hostile_url() -> None:
    record = ClaimReviewRecord(
        url=GOOD,
        claim_reviewed="x",
        alternate_name="False",
        publisher_name="Us",
        publisher_url="javascript:alert(1)",
        rating_image="data:image/svg+xml,<svg onload=alert(1)>",
        appearances=[Appearance("JAVASCRIPT:alert(1)"), Appearance("https://social.example/p/1")],
        first_appearance=Appearance("https://u:p@evil.example/"),
    )
    text = json.dumps(build_claimreview(record))
    for bad in ("javascript", "JAVASCRIPT", "data:", "u:p@"):
        assert bad not in text
    assert "https://social.example/p/1" in text


# ------------------------------------------------------- nesting and size limits


def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error() -> None:
    with pytest.raises(ClaimReviewError, match="nested"):
        parse_claimreview_json("[" * 20_000 + "]" * 20_000, source_name="deep.json")
    with pytest.raises(ClaimReviewError, match="nested"):
        parse_claimreview_json('{"a":' * 20_000 + "1" + "}" * 20_000, source_name="deep.json")


def test_nesting_json_loads_accepts_but_no_real_document_has_is_refused() -> None:
    # 600 levels: json.loads copes, but only our walkers' recursion stands between
    # such a document and a RecursionError. Real ClaimReview is under 10 levels deep.
    doc: Any = _review()
    for _ in range(300):
        doc = {"@type": "WebPage", "@graph": [doc]}
    with pytest.raises(ClaimReviewError, match="nested"):
        parse_claimreview_json(json.dumps(doc), source_name="graph.json")


def _html(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<!DOCTYPE html><html><head>{scripts}</head><body><p>x</p></body></html>"


def test_deeply_nested_jsonld_block_is_reported_and_other_blocks_read() -> None:
    deep = '{"@type": "WebPage", "x": ' + "[" * 20_000 + "]" * 20_000 + "}"
    result = extract_claimreview_from_html(
        _html(deep, json.dumps(_review())), source_name="page.html"
    )
    assert [r.url for r in result.records] == [GOOD]
    assert "script 1" in str(result.errors[0]) and "nested" in str(result.errors[0])


def test_huge_jsonld_block_is_reported_not_parsed() -> None:
    huge = json.dumps(_review(reviewBody="x" * 1_500_000))
    with pytest.raises(ClaimReviewError, match="larger"):
        extract_claimreview_from_html(_html(huge), source_name="page.html")


def test_huge_json_document_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(claimreview.limits, "MAX_JSON_CHARS", 10_000)
    doc = [_review(url=f"{GOOD}/{i}") for i in range(100)]
    with pytest.raises(ClaimReviewError, match="larger"):
        _parse(doc)


# ------------------------------------------------------------ the command


def _import(path, *extra):
    out, err = StringIO(), StringIO()
    call_command("import_claimreview", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _imported():
    from claims.models import FactCheckPage

    return FactCheckPage.objects.exclude(original_url="")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["[" * 20_000 + "]" * 20_000, '{"a":' * 20_000 + "1" + "}" * 20_000],
    ids=["arrays", "objects"],
)
def test_import_of_deeply_nested_json_is_a_clear_error_and_writes_nothing(
    newsroom, tmp_path, body
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_review()), encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text(body, encoding="utf-8")
    with pytest.raises(CommandError, match=r"deep\.json: .*nested"):
        _import(good, deep)
    assert _imported().count() == 0  # not even the good file before it


@pytest.mark.django_db
def test_import_of_an_html_page_with_only_a_deep_block_writes_nothing(newsroom, tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(_html('{"@type": "ClaimReview", "x": ' + "[" * 20_000), encoding="utf-8")
    with pytest.raises(CommandError, match="nested"):
        _import(page)
    assert _imported().count() == 0


@pytest.mark.django_db
def test_import_of_an_html_page_with_a_huge_block_writes_nothing(newsroom, tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(_html(json.dumps(_review(reviewBody="x" * 1_500_000))), encoding="utf-8")
    with pytest.raises(CommandError, match="larger"):
        _import(page)
    assert _imported().count() == 0


@pytest.mark.django_db
def test_import_drops_hostile_urls_keeps_the_record_and_reports_them(newsroom, tmp_path) -> None:
    from claims.models import ClaimAppearance

    item = _review()["itemReviewed"]
    item["appearance"] = [{"url": u} for u in HOSTILE] + [{"url": "https://social.example/p/9"}]
    doc = _review(
        author={"@type": "Organization", "name": "Faktograf", "url": "javascript:alert(1)"},
        itemReviewed=item,
    )
    path = tmp_path / "partner.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out, err = _import(path)
    assert "1 created" in out
    page = _imported().get()
    assert page.original_url == GOOD
    assert page.original_publisher == "Faktograf" and page.original_publisher_url == ""
    assert list(ClaimAppearance.objects.filter(page=page).values_list("url", flat=True)) == [
        "https://social.example/p/9"
    ]
    assert err.count("appearance dropped") == len(HOSTILE)
    assert "author url dropped" in err


@pytest.mark.django_db
def test_import_of_a_too_large_file_is_refused_before_reading(newsroom, tmp_path, monkeypatch):
    from ingest.management.commands import import_claimreview as command

    monkeypatch.setattr(command, "MAX_JSON_CHARS", 1_000)
    monkeypatch.setattr(claimreview.limits, "MAX_JSON_CHARS", 1_000)
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([_review(url=f"{GOOD}/{i}") for i in range(20)]), encoding="utf-8")
    with pytest.raises(CommandError, match=r"feed\.json: .*larger"):
        _import(path)
    assert _imported().count() == 0
