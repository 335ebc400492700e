"""Keeping the search index true: publish, unpublish, delete, move, rebuild."""

from __future__ import annotations

import logging
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

import search
from search.backends import reset_search_backends

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

CYRILLIC = {
    "title": "Вакцине не садрже микрочипове",
    "claim_reviewed": "Вакцине против грипа садрже микрочипове којима власт прати грађане",
    "summary": "Нетачно. Ниједна вакцина не садржи микрочип.",
    "claimant": "Вајбер порука",
}


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def test_publishing_indexes_the_factcheck_with_its_fields(make_factcheck):
    page = make_factcheck(locale="en", topic_keys=["health"], country_codes=["rs"])
    found = search.query("microchips vaccines")
    assert ids(found) == [str(page.pk)]
    fields = found.hits[0].fields
    assert fields["claim_reviewed"] == "COVID-19 vaccines contain microchips that track people"
    assert fields["rating_verdict"] == "false" and fields["rating_label"] == "False"
    assert fields["language"] == "en"
    assert fields["url"] == "/en/fact-checks/vaccines-microchips/"
    assert fields["topics"] == ["health"] and fields["countries"] == ["RS"]
    assert fields["published"] is not None
    assert "<mark>" in found.hits[0].highlight
    # The claim's passage embedding is stored for matching.
    assert search.knn(_claim_vector(fields["claim_reviewed"]), k=1)[0].id == str(page.pk)


def _claim_vector(text: str):
    from search.embeddings import embed_cached

    return embed_cached([text], "passage")[0]


def test_rating_label_is_in_the_pages_locale(make_factcheck):
    page = make_factcheck(
        locale="hr",
        slug="cjepiva-mikrocipovi",
        title="Cjepiva ne sadrže mikročipove",
        claim_reviewed="Cjepiva protiv gripe sadrže mikročipove",
    )
    hit = search.query("cjepivo mikročip").hits[0]
    assert hit.id == str(page.pk)
    assert hit.fields["rating_label"] == "Netočno" and hit.fields["rating_verdict"] == "false"


def test_body_streamfield_is_indexed_as_plain_text(make_factcheck):
    body = [
        {"type": "paragraph", "value": "<p>Stručnjaci iz <b>Instituta Torlak</b> &amp; drugi.</p>"},
        {
            "type": "quote",
            "value": {"text": "Igla je preuska za čip.", "attribution": "Dr Petrović"},
        },
    ]
    page = make_factcheck(locale="hr", slug="body-text", body=body)
    from claims.indexing import factcheck_body_text

    text = factcheck_body_text(page)
    assert "Instituta Torlak & drugi." in text and "<b>" not in text
    assert "Igla je preuska za čip." in text and "Dr Petrović" in text
    assert ids(search.query("torlak")) == [str(page.pk)]


def test_unpublishing_and_deleting_remove_it(make_factcheck):
    first = make_factcheck(locale="en", slug="first")
    second = make_factcheck(locale="en", slug="second")
    assert sorted(ids(search.query("microchips"))) == sorted([str(first.pk), str(second.pk)])
    first.unpublish()
    assert ids(search.query("microchips")) == [str(second.pk)]
    second.delete()
    assert ids(search.query("microchips")) == []
    assert search.get_backend().count() == 0


def test_republishing_after_unpublish_indexes_again(make_factcheck):
    page = make_factcheck(locale="en")
    page.unpublish()
    assert ids(search.query("microchips")) == []
    page.save_revision().publish()
    assert ids(search.query("microchips")) == [str(page.pk)]


def test_moving_updates_the_url(make_factcheck):
    from claims.services import index_for

    page = make_factcheck(locale="en", slug="moved")
    assert search.query("microchips").hits[0].fields["url"] == "/en/fact-checks/moved/"
    target = index_for(locale_code="en", imported=True)
    page.move(target, pos="last-child")
    url = search.query("microchips").hits[0].fields["url"]
    assert url == f"{target.url}moved/" and url != "/en/fact-checks/moved/"


def test_rating_label_change_reaches_the_index(make_factcheck):
    from claims.models import Rating

    page = make_factcheck(locale="en")
    rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="en")
    rating.label = "Wrong"
    rating.save()
    hit = search.query("microchips").hits[0]
    assert hit.id == str(page.pk) and hit.fields["rating_label"] == "Wrong"


@pytest.mark.parametrize(
    "query",
    ["vakcine mikrocipovi", "vakcine mikročipove", "вакцине микрочипови", "VAKCINE MIKROČIPOVI"],
)
def test_cyrillic_factcheck_found_by_latin_and_diacritic_less_queries(make_factcheck, query):
    page = make_factcheck(locale="sr", slug="vakcine-mikrocipovi", **CYRILLIC)
    assert ids(search.query(query)) == [str(page.pk)]


def test_latin_factcheck_found_by_cyrillic_query(make_factcheck):
    page = make_factcheck(
        locale="sr-latn",
        slug="vakcine-cipovi-latinica",
        title="Vakcine ne sadrže mikročipove",
        claim_reviewed="Vakcine protiv gripa sadrže mikročipove kojima vlast prati građane",
        summary="Netačno.",
    )
    assert ids(search.query("вакцине микрочипови")) == [str(page.pk)]


def test_the_sr_latn_alias_is_not_indexed_twice(make_factcheck):
    from claims.models import FactCheckPage

    page = make_factcheck(locale="sr", slug="vakcine-mikrocipovi", **CYRILLIC)
    alias = FactCheckPage.objects.get(alias_of=page)
    assert alias.locale.language_code == "sr-latn"
    found = search.query("vakcine mikrocipovi")
    assert found.total == 1 and ids(found) == [str(page.pk)]
    assert search.get_backend().count() == 1
    # Republishing the original updates its alias (page_published with alias=True): still one.
    page.title = "Вакцине не садрже микрочипове (ажурирано)"
    page.save_revision().publish()
    assert search.get_backend().count() == 1
    assert search.query("ажурирано").hits[0].id == str(page.pk)


def test_factcheck_without_text_is_not_indexed_and_named_in_a_warning(make_factcheck, caplog):
    caplog.set_level(logging.WARNING, logger="claims.indexing")
    page = make_factcheck(
        locale="en", slug="empty-shell", title="Nothing here yet", claim_reviewed=" ", summary=" "
    )
    assert ids(search.query("nothing here yet")) == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "Nothing here yet" in r.getMessage() and str(page.pk) in r.getMessage() for r in warnings
    )


def test_rebuild_restores_a_cleared_index_and_prints_a_summary(make_factcheck):
    make_factcheck(locale="en", slug="one")
    make_factcheck(locale="sr", slug="vakcine-mikrocipovi", **CYRILLIC)
    search.get_backend().clear()
    assert search.get_backend().count() == 0
    out, err = StringIO(), StringIO()
    call_command("rebuild_search_index", "--batch-size", "1", stdout=out, stderr=err)
    assert search.get_backend().count() == 2  # the sr-latn alias is not a third document
    assert len(search.query("vakcine mikrocipovi").hits) == 1
    assert len(search.query("microchips track people").hits) == 1
    summary = out.getvalue()
    assert "Indexed 2 of 2 published fact-checks" in summary and "batches of 1" in summary
    assert "2/2" in err.getvalue()  # the progress bar reached the end


def test_rebuild_restores_a_deleted_index_directory(make_factcheck, search_index):
    page = make_factcheck(locale="en")
    shutil.rmtree(search_index)
    call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
    assert ids(search.query("microchips")) == [str(page.pk)]


def _garble(search_index: Path) -> None:
    for path in search_index.glob("gen-*/index/*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage{" * 10)


def test_rebuild_restores_a_garbled_index_in_a_running_process(make_factcheck, search_index):
    page = make_factcheck(locale="en")
    search.get_backend()  # a worker that already has the index open
    _garble(search_index)
    with pytest.raises(Exception):  # noqa: B017  (the engine's own corruption error)
        search.query("microchips")
    call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
    assert ids(search.query("microchips")) == [str(page.pk)]


def test_rebuild_restores_a_garbled_index_from_a_fresh_process(make_factcheck, search_index):
    page = make_factcheck(locale="en")
    _garble(search_index)
    reset_search_backends()  # what `manage.py rebuild_search_index` sees: a new process
    call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
    assert ids(search.query("microchips")) == [str(page.pk)]


def test_reembed_rebuilds_with_vectors(make_factcheck):
    page = make_factcheck(locale="en")
    search.get_backend().clear()
    out = StringIO()
    call_command("reembed", "--no-progress", stdout=out)
    assert "Re-embedded 1 fact-checks" in out.getvalue()
    assert search.knn(_claim_vector(page.claim_reviewed), k=1)[0].id == str(page.pk)
