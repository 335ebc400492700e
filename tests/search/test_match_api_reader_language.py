"""/api/v1/match/ shows a same-hoax group in the reader's language (``reader_language``
or the request's Accept-Language), and refuses a malformed language code."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

URL = "/api/v1/match/"
BS = "Coca-Cola je priznala da njeni proizvodi sadrže alkohol"
HR = "Coca-Cola je priznala da njezini proizvodi sadrže alkohol"


@pytest.fixture
def group_index(settings, tmp_path):
    """One hoax debunked in Bosnian (id 7) and Croatian (id 8): one same-hoax group."""
    import search
    from search.backends import reset_search_backends
    from search.embeddings import get_embedder
    from search.types import SearchDocument

    settings.FACTCHECK_VAR_DIR = tmp_path
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    vectors = get_embedder("test").embed_passages([BS, HR])
    search.index_documents(
        SearchDocument(
            id=doc_id, claim_reviewed=claim, language=language, group="coca-cola",
            rating_verdict="false", rating_label="Netačno", url=f"/{language}/{doc_id}/",
            vector=list(vector),
        )
        for (doc_id, claim, language), vector in zip(
            [("7", BS, "bs"), ("8", HR, "hr")], vectors, strict=True
        )
    )  # fmt: skip
    yield
    reset_search_backends()


@pytest.mark.usefixtures("group_index")
def test_reader_language_picks_the_version_shown() -> None:
    client = APIClient()
    for language, expected in (("hr", "8"), ("bs", "7"), ("HR", "8")):
        response = client.get(URL, {"text": BS, "reader_language": language})
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        assert len(results) == 1  # the two translations are one result
        assert results[0]["id"] == expected
        assert results[0]["language"] == {"7": "bs", "8": "hr"}[expected]
    response = client.post(URL, {"text": BS, "reader_language": "hr"}, format="json")
    assert response.status_code == 200 and response.json()["results"][0]["id"] == "8"


@pytest.mark.usefixtures("group_index")
def test_accept_language_is_the_default_reader_language() -> None:
    client = APIClient()
    response = client.get(URL, {"text": BS}, HTTP_ACCEPT_LANGUAGE="hr-HR,hr;q=0.9,en;q=0.5")
    assert response.json()["results"][0]["id"] == "8"
    response = client.get(URL, {"text": BS}, HTTP_ACCEPT_LANGUAGE="bs")
    assert response.json()["results"][0]["id"] == "7"
    # The explicit parameter wins over the header.
    response = client.get(URL, {"text": BS, "reader_language": "bs"}, HTTP_ACCEPT_LANGUAGE="hr")
    assert response.json()["results"][0]["id"] == "7"


@pytest.mark.usefixtures("group_index")
def test_reader_language_reaches_search_match(monkeypatch) -> None:
    import search

    seen: list[str | None] = []
    real = search.match

    def spy(text, **kwargs):
        seen.append(kwargs.get("reader_language"))
        return real(text, **kwargs)

    monkeypatch.setattr(search, "match", spy)
    client = APIClient()
    client.get(URL, {"text": BS, "reader_language": "sr-latn"})
    client.get(URL, {"text": BS})  # no header, no parameter: the best-scoring version
    assert seen == ["sr-latn", None]


@pytest.mark.usefixtures("group_index")
@pytest.mark.parametrize("value", ["h", "hr_HR!", "<script>", "x" * 17, "hr-verylongsubtag"])
def test_a_malformed_reader_language_is_400(value) -> None:
    response = APIClient().get(URL, {"text": BS, "reader_language": value})
    assert response.status_code == 400, response.content
    assert "reader_language" in response.json()["detail"]
