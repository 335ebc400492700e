"""Fixtures for the claim queue: a deterministic stand-in for ``search.match``."""

from __future__ import annotations

import pytest

import search
from search.types import MatchResult


class FakeMatcher:
    """Returns the configured results for every text (and records the calls)."""

    def __init__(self) -> None:
        self.results: list[MatchResult] = []
        self.calls: list[str] = []
        self.reader_languages: list[str | None] = []

    def __call__(self, text, *, limit=5, language=None, filters=None, reader_language=None):
        self.calls.append(text)
        self.reader_languages.append(reader_language)
        return list(self.results)[:limit]

    def suggest(self, page, *, score: float = 0.91, is_match: bool = True) -> None:
        self.results = [
            MatchResult(
                id=str(page.pk),
                score=score,
                is_match=is_match,
                matched_sentence=page.claim_reviewed,
                method="hybrid",
                fields={"claim_reviewed": page.claim_reviewed, "url": page.url},
            )
        ]


@pytest.fixture
def matcher(monkeypatch) -> FakeMatcher:
    fake = FakeMatcher()
    monkeypatch.setattr(search, "match", fake, raising=False)
    return fake


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def checker(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "checker", "checker@example.org", "pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Fact-checkers"))
    return user
