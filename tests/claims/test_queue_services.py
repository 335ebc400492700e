"""Service-level tests for every claim transition, including the illegal ones."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import ModelLogEntry

from claims import services
from claims.models import (
    Claim,
    ClaimMatch,
    ClaimStatus,
    FactCheckPage,
    MatchState,
    SightingSource,
)

pytestmark = pytest.mark.django_db

VACCINE = "COVID-19 vaccines contain microchips that track people"


def sighting(url="https://social.example/p/9", **kw):
    return services.SightingData(source=SightingSource.MANUAL, url=url, **kw)


def actions(claim):
    return list(
        ModelLogEntry.objects.for_instance(claim)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def test_create_records_sighting_suggestions_priority_and_log(matcher, make_factcheck):
    page = make_factcheck()
    matcher.suggest(page, score=0.93)
    claim = services.claim_create(text=VACCINE, language="en", sighting=sighting())
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEW
    assert claim.sighting_count == 1 and claim.has_suggested_match
    match = claim.matches.get()
    assert (match.factcheck_id, match.method, match.is_match) == (page.pk, "hybrid", True)
    assert set(claim.priority_components) == {
        "appearances",
        "spread",
        "engagement",
        "recency",
        "match",
    }
    assert claim.priority == pytest.approx(sum(claim.priority_components.values()), abs=0.2)
    assert actions(claim) == ["claims.create", "claims.suggest"]


def test_empty_claim_is_refused(matcher):
    with pytest.raises(services.ClaimActionError):
        services.claim_create(text="   ")


def test_same_claim_in_other_script_attaches_instead_of_opening(matcher):
    first, created = services.claim_open_or_attach(
        text="Вучић је рекао да вакцине садрже микрочипове",
        language="sr",
        sighting=sighting("https://a.example/1"),
    )
    second, created_again = services.claim_open_or_attach(
        text="Vučić je rekao da vakcine sadrže mikročipove",
        language="sr-latn",
        sighting=sighting("https://b.example/2"),
    )
    assert created and not created_again
    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.sighting_count == 2
    assert Claim.objects.count() == 1


def test_unrelated_claim_opens_new_entry(matcher):
    services.claim_open_or_attach(text=VACCINE, sighting=sighting())
    _claim, created = services.claim_open_or_attach(
        text="The euro will replace the dinar in Serbia next month",
        sighting=sighting("https://c.example"),
    )
    assert created and Claim.objects.count() == 2


def test_confirm_match_debunks_and_publishes_appearance(matcher, make_factcheck, editor):
    page = make_factcheck()
    matcher.suggest(page)
    claim = services.claim_create(
        text=VACCINE, sighting=sighting("https://tiktok.example/v/1", platform="tiktok")
    )
    revisions = page.revisions.count()
    services.claim_confirm_match(match=claim.matches.get(), user=editor)
    claim.refresh_from_db()
    page = FactCheckPage.objects.get(pk=page.pk)
    assert claim.status == ClaimStatus.ALREADY_DEBUNKED and claim.factcheck_id == page.pk
    assert "https://tiktok.example/v/1" in {a.url for a in page.appearances.all()}
    assert page.revisions.count() == revisions + 1 and page.live
    from claims.selectors import factcheck_claimreview

    review = factcheck_claimreview(page, base_url="https://x.example")
    assert "https://tiktok.example/v/1" in json.dumps(review)
    assert claim.matches.get().state == MatchState.CONFIRMED
    assert "claims.confirm_match" in actions(claim)
    # Illegal now: confirming again, dismissing, starting a fact-check.
    with pytest.raises(services.ClaimActionError):
        services.claim_confirm_match(match=claim.matches.get(), user=editor)
    with pytest.raises(services.ClaimActionError):
        services.claim_dismiss(claim=claim, reason="dup", user=editor)
    with pytest.raises(services.ClaimActionError):
        services.claim_start_factcheck(claim=claim, user=editor)


def test_reject_match_is_recorded_and_exported(matcher, make_factcheck, editor, tmp_path):
    page = make_factcheck()
    matcher.suggest(page, score=0.71, is_match=True)
    claim = services.claim_create(text="Vaccines change your DNA forever", sighting=sighting())
    match = services.claim_reject_match(match=claim.matches.get(), user=editor)
    claim.refresh_from_db()
    assert match.state == MatchState.REJECTED and match.decided_by == editor
    assert not claim.has_suggested_match and claim.priority_components["match"] == 0
    with pytest.raises(services.ClaimActionError):
        services.claim_reject_match(match=match, user=editor)
    out = tmp_path / "decisions.jsonl"
    call_command("export_match_decisions", str(out), stdout=StringIO())
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [rows[0]] and rows[0]["decision"] == "rejected"
    assert rows[0]["claim_text"] == "Vaccines change your DNA forever"
    assert rows[0]["factcheck_claim_reviewed"] == page.claim_reviewed
    assert rows[0]["score"] == pytest.approx(0.71) and rows[0]["method"] == "hybrid"


def test_merge_moves_everything_and_blocks_later_actions(matcher, editor):
    a = services.claim_create(text=VACCINE, sighting=sighting("https://a.example"))
    b = services.claim_create(
        text="Microchips are injected with the covid jab", sighting=sighting("https://b.example")
    )
    services.claim_add_note(claim=a, text="seen on 3 Viber groups", user=editor)
    target = services.claim_merge(source=a, target=b, user=editor)
    a.refresh_from_db()
    assert a.status == ClaimStatus.MERGED and a.merged_into_id == b.pk
    assert target.sighting_count == 2 and target.notes.count() == 1
    assert "claims.merge" in actions(a) and "claims.absorb" in actions(b)
    with pytest.raises(services.ClaimMergedError, match="merged into claim"):
        services.claim_assign(claim=a, assignee=editor, user=editor)
    with pytest.raises(services.ClaimActionError):
        services.claim_merge(source=b, target=a, user=editor)
    with pytest.raises(services.ClaimActionError):
        services.claim_merge(source=b, target=b, user=editor)
    # A sighting for the merged claim goes to the claim it was merged into.
    services.claim_add_sighting(claim=a, sighting=sighting("https://c.example"))
    b.refresh_from_db()
    assert b.sighting_count == 3


def test_assign_triages_and_emails(matcher, editor, checker, django_capture_on_commit_callbacks):
    claim = services.claim_create(text=VACCINE, sighting=sighting())
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.claim_assign(claim=claim, assignee=checker, user=editor)
    assert claim.status == ClaimStatus.TRIAGED and claim.assignee == checker
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["checker@example.org"]
    assert f"/claim-queue/{claim.pk}/" in mail.outbox[0].body


def test_stale_version_is_a_conflict(matcher, editor):
    claim = services.claim_create(text=VACCINE, sighting=sighting())
    stale = claim.version
    services.claim_set_priority(claim=claim, priority=99, user=editor)
    with pytest.raises(services.ClaimConflictError):
        services.claim_dismiss(claim=claim, reason="x", user=editor, expected_version=stale)


def test_priority_override_and_dismiss_reopen(matcher, editor):
    claim = services.claim_create(text=VACCINE, sighting=sighting())
    claim = services.claim_set_priority(claim=claim, priority=99.5, user=editor)
    assert claim.priority == 99.5
    claim = services.claim_set_priority(claim=claim, priority=None, user=editor)
    assert claim.priority == pytest.approx(sum(claim.priority_components.values()), abs=0.2)
    with pytest.raises(services.ClaimActionError, match="reason"):
        services.claim_dismiss(claim=claim, reason=" ", user=editor)
    claim = services.claim_dismiss(claim=claim, reason="satire site", user=editor)
    assert claim.status == ClaimStatus.DISMISSED and claim.dismiss_reason == "satire site"
    with pytest.raises(services.ClaimActionError):
        services.claim_start_factcheck(claim=claim, user=editor)
    claim = services.claim_reopen(claim=claim, user=editor)
    assert claim.status == ClaimStatus.TRIAGED
    with pytest.raises(services.ClaimActionError):
        services.claim_reopen(claim=claim, user=editor)
    with pytest.raises(services.ClaimActionError):
        services.claim_add_note(claim=claim, text="", user=editor)


def test_start_factcheck_creates_linked_draft_and_follows_publication(matcher, newsroom, editor):
    claim = services.claim_create(
        text="Вакцине садрже микрочипове",
        language="sr",
        claimant="Viral Telegram post",
        sighting=sighting("https://t.me/x/1", platform="telegram"),
    )
    page = services.claim_start_factcheck(claim=claim, user=editor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS and claim.factcheck_id == page.pk
    assert page.locale.language_code == "sr" and not page.live
    assert page.get_parent().specific == services.index_for(locale_code="sr")
    assert page.claim_reviewed == claim.text and page.claimant == "Viral Telegram post"
    assert [a.url for a in page.appearances.all()] == ["https://t.me/x/1"]
    with pytest.raises(services.ClaimActionError):
        services.claim_start_factcheck(claim=claim, user=editor)
    # The fact-checker writes the verdict; publishing it publishes the claim.
    from claims.models import Rating

    page = FactCheckPage.objects.get(pk=page.pk)
    page.rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="sr")
    page.summary = "Нетачно."
    page.save_revision(user=editor).publish(user=editor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert "claims.follow_factcheck" in actions(claim)


def test_matcher_failure_keeps_the_claim(monkeypatch):
    import search

    def broken(*args, **kwargs):
        raise RuntimeError("index missing")

    monkeypatch.setattr(search, "match", broken, raising=False)
    claim = services.claim_create(text=VACCINE, sighting=sighting())
    assert Claim.objects.filter(pk=claim.pk).exists() and not ClaimMatch.objects.exists()
