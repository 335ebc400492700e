"""The indexer gives translations of a fact-check one same-hoax group, and search.match()
shows that hoax once, in the reader's language (a real CMS page, a real index)."""

from __future__ import annotations

import pytest

import search
from claims.indexing import factcheck_document
from claims.models import FactCheckPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

CLAIM_SR = "Нове 5G антене у Нишу шире вирус и изазивају масовна обољења"
CLAIM_HR = "Nove 5G antene u Nišu šire virus i izazivaju masovna oboljenja"


def test_translations_share_the_group_and_match_once(make_factcheck, settings):
    settings.FACTCHECK_EMBEDDER = "test"
    sr = make_factcheck(locale="sr", slug="5g-nis", claim_reviewed=CLAIM_SR, title="5G")
    hr = make_factcheck(locale="hr", slug="5g-nis", claim_reviewed=CLAIM_HR, title="5G")
    FactCheckPage.objects.filter(pk=hr.pk).update(translation_key=sr.translation_key)
    hr.refresh_from_db()
    hr.save_revision().publish()  # re-indexed as a translation of the sr page

    assert factcheck_document(sr).group == factcheck_document(hr).group == str(sr.translation_key)
    other = make_factcheck(locale="hr", slug="other")  # its own group
    assert factcheck_document(other).group != factcheck_document(sr).group

    results = search.match(CLAIM_HR, reader_language="hr")
    assert results[0].id == str(hr.pk) and results[0].is_match
    assert results[0].fields["same_hoax"] == [str(sr.pk)]
    assert str(sr.pk) not in [r.id for r in results]
    assert search.match(CLAIM_HR, reader_language="sr")[0].id == str(sr.pk)
