"""Every queue action goes through one transition helper: lock, check, mutate, save, log.

Parametrised over the actions (services) and over ``claims.actions.CLAIM_ACTIONS`` (the
claim page and the bulk actions): each one refuses a stale ``expected_version`` without
changing anything, and otherwise bumps ``version`` by exactly one and writes exactly one
audit-log entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from claims import services
from claims.actions import CLAIM_ACTIONS
from claims.models import Claim, ClaimNote, ClaimStatus, MatchState, SightingSource
from claims.viewsets import BULK_ACTIONS

pytestmark = pytest.mark.django_db


def _entries(claim: Claim) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(claim)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def _claim(text: str, url: str = "https://social.example/t/1") -> Claim:
    return services.claim_create(
        text=text, sighting=services.SightingData(source=SightingSource.MANUAL, url=url)
    )


@dataclass
class Scene:
    claim: Claim
    other: Any = None  # the match, the target claim or the fact-check the action needs


@dataclass
class Case:
    log_action: str
    setup: Callable[[Any, Any], Scene]
    act: Callable[..., Any]

    def __str__(self) -> str:  # the test id
        return self.log_action


def _with_match(matcher, make_factcheck) -> Scene:
    page = make_factcheck()
    matcher.suggest(page, score=0.92)
    claim = _claim("COVID-19 vaccines contain microchips that track people")
    return Scene(claim, claim.matches.get())


def _plain(matcher, make_factcheck) -> Scene:
    return Scene(_claim("The dinar will be abolished next month, a post says"))


def _dismissed(matcher, make_factcheck) -> Scene:
    scene = _plain(matcher, make_factcheck)
    services.claim_dismiss(claim=scene.claim, reason="satire")
    return scene


def _two(matcher, make_factcheck) -> Scene:
    scene = _plain(matcher, make_factcheck)
    return Scene(
        scene.claim, _claim("Serbia drops the dinar for the euro in June", "https://b.x/2")
    )


def _with_factcheck(matcher, make_factcheck) -> Scene:
    return Scene(_plain(matcher, make_factcheck).claim, make_factcheck())


SIGHTING = services.SightingData(source=SightingSource.MANUAL, url="https://other.example/9")


def _joined(matcher, make_factcheck) -> Scene:
    """A claim with a second appearance, which the split action takes off it."""
    claim = _plain(matcher, make_factcheck).claim
    services.claim_add_sighting(claim=claim, sighting=services.SightingData(
        source=SightingSource.MANUAL, url="https://other.example/9",
        claim_text="Dinar se ukida od sledećeg meseca", language="sr-latn"))  # fmt: skip
    return Scene(claim, claim.sightings.get(url="https://other.example/9"))


CASES = [
    Case("claims.confirm_match", _with_match,
         lambda s, user, v: services.claim_confirm_match(match=s.other, user=user, expected_version=v)),
    Case("claims.reject_match", _with_match,
         lambda s, user, v: services.claim_reject_match(match=s.other, user=user, expected_version=v)),
    Case("claims.confirm_match", _with_factcheck,
         lambda s, user, v: services.claim_mark_debunked(
             claim=s.claim, factcheck=s.other, user=user, expected_version=v)),
    Case("claims.merge", _two,
         lambda s, user, v: services.claim_merge(
             source=s.claim, target=s.other, user=user, expected_version=v)),
    Case("claims.assign", _plain,
         lambda s, user, v: services.claim_assign(
             claim=s.claim, assignee=user, user=user, expected_version=v)),
    Case("claims.set_priority", _plain,
         lambda s, user, v: services.claim_set_priority(
             claim=s.claim, priority=500, user=user, expected_version=v)),
    Case("claims.dismiss", _plain,
         lambda s, user, v: services.claim_dismiss(
             claim=s.claim, reason="satire", user=user, expected_version=v)),
    Case("claims.reopen", _dismissed,
         lambda s, user, v: services.claim_reopen(claim=s.claim, user=user, expected_version=v)),
    Case("claims.add_note", _plain,
         lambda s, user, v: services.claim_add_note(
             claim=s.claim, text="Ask the tipster", user=user, expected_version=v)),
    Case("claims.start_factcheck", _plain,
         lambda s, user, v: services.claim_start_factcheck(
             claim=s.claim, user=user, locale_code="en", expected_version=v)),
    Case("claims.add_sighting", _plain,
         lambda s, user, v: services.claim_add_sighting(
             claim=s.claim, sighting=SIGHTING, user=user, expected_version=v)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c}-{c.setup.__name__}" for c in CASES])
def test_stale_version_is_refused_and_changes_nothing(case, matcher, make_factcheck, editor):
    scene = case.setup(matcher, make_factcheck)
    claim = Claim.objects.get(pk=scene.claim.pk)
    before = (claim.version, claim.status, claim.assignee_id, claim.priority, _entries(claim))
    notes, matches = ClaimNote.objects.count(), list(claim.matches.values_list("state", flat=True))

    with pytest.raises(services.ClaimConflictError, match="Another editor changed"):
        case.act(scene, editor, claim.version - 1)

    claim.refresh_from_db()
    assert (claim.version, claim.status, claim.assignee_id, claim.priority, _entries(claim)) == (
        before
    )
    assert ClaimNote.objects.count() == notes
    assert list(claim.matches.values_list("state", flat=True)) == matches
    assert claim.sightings.count() == 1


@pytest.mark.parametrize("case", CASES, ids=[f"{c}-{c.setup.__name__}" for c in CASES])
def test_current_version_bumps_once_and_logs_exactly_one_entry(
    case, matcher, make_factcheck, editor
):
    scene = case.setup(matcher, make_factcheck)
    claim = Claim.objects.get(pk=scene.claim.pk)
    version, entries = claim.version, _entries(claim)

    case.act(scene, editor, claim.version)

    claim.refresh_from_db()
    assert claim.version == version + 1
    assert _entries(claim) == [*entries, case.log_action]
    assert ModelLogEntry.objects.for_instance(claim).latest("pk").user == editor
    if case.log_action == "claims.merge":
        target = Claim.objects.get(pk=scene.other.pk)
        assert claim.status == ClaimStatus.MERGED and claim.merged_into_id == target.pk
        assert _entries(target)[-1] == "claims.absorb"
        assert _entries(target).count("claims.absorb") == 1


def test_a_merged_claim_is_refused_before_its_version_is_compared(matcher, editor):
    a = _claim("The dinar will be abolished next month, a post says")
    b = _claim("Serbia drops the dinar for the euro in June", "https://b.x/2")
    services.claim_merge(source=a, target=b, user=editor)
    a.refresh_from_db()
    with pytest.raises(services.ClaimMergedError):
        services.claim_dismiss(claim=a, reason="dup", user=editor, expected_version=a.version)
    with pytest.raises(services.ClaimMergedError):
        services.claim_dismiss(claim=a, reason="dup", user=editor, expected_version=0)


def test_an_action_with_nothing_to_do_neither_bumps_nor_logs(matcher, editor):
    claim = _claim("The dinar will be abolished next month, a post says")
    version, entries = claim.version, _entries(claim)
    # No new suggestion: the transition is cancelled, so nothing is saved or logged.
    assert services.claim_suggest_matches(claim=claim) == []
    claim.refresh_from_db()
    assert (claim.version, _entries(claim)) == (version, entries)


def test_a_failing_action_rolls_back_its_lock_and_changes(matcher, make_factcheck, editor):
    scene = _with_match(matcher, make_factcheck)
    services.claim_confirm_match(match=scene.other, user=editor)
    claim = Claim.objects.get(pk=scene.claim.pk)
    version, entries = claim.version, _entries(claim)
    with pytest.raises(services.ClaimActionError, match="already confirmed"):
        services.claim_reject_match(match=scene.other, user=editor, expected_version=version)
    claim.refresh_from_db()
    assert (claim.version, _entries(claim)) == (version, entries)
    assert scene.other.__class__.objects.get(pk=scene.other.pk).state == MatchState.CONFIRMED


# --- The action table drives the claim page and the bulk actions ---------------------


def test_the_table_names_real_transitions_and_the_bulk_actions_come_from_it():
    for action in CLAIM_ACTIONS.values():
        if action.transition is not None:
            assert action.transition in services.CLAIM_TRANSITIONS, action.name
            assert action.statuses == services.CLAIM_TRANSITIONS[action.transition]
    bulk = {cls.action_type: cls for cls in BULK_ACTIONS}
    assert set(bulk) == {a.bulk_type for a in CLAIM_ACTIONS.values() if a.bulk_type}
    for action in CLAIM_ACTIONS.values():
        if action.bulk_type:
            cls = bulk[action.bulk_type]
            assert cls.form_class is action.bulk_form and cls.display_name == action.label


#: Claim-page actions that change the claim, with the POST data each needs.
PAGE_CASES = {
    "confirm": (_with_match, lambda s: {"match": s.other.pk}),
    "reject": (_with_match, lambda s: {"match": s.other.pk}),
    "merge": (_two, lambda s: {"target": s.other.pk}),
    "assign": (_plain, lambda s: {"assignee": ""}),
    "priority": (_plain, lambda s: {"priority": "12"}),
    "dismiss": (_plain, lambda s: {"reason": "satire"}),
    "reopen": (_dismissed, lambda s: {}),
    "note": (_plain, lambda s: {"text": "Call the outlet"}),
    "start": (_plain, lambda s: {"locale": "en"}),
    "split": (_joined, lambda s: {"sighting": s.other.pk}),
}


def test_every_page_action_that_changes_a_claim_is_covered():
    assert set(PAGE_CASES) == {
        name for name, a in CLAIM_ACTIONS.items() if a.on_page and a.transition is not None
    }


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_claim_page_action_with_a_stale_version_is_a_message(
    name, client, editor, matcher, make_factcheck
):
    setup, post = PAGE_CASES[name]
    scene = setup(matcher, make_factcheck)
    claim = Claim.objects.get(pk=scene.claim.pk)
    version, entries = claim.version, _entries(claim)
    client.force_login(editor)
    url = reverse("claims_admin:action", args=[claim.pk, name])

    response = client.post(url, {**post(scene), "version": version - 1}, follow=True)

    assert response.status_code == 200
    assert "Another editor changed claim" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.version, _entries(claim)) == (version, entries)

    client.post(url, {**post(scene), "version": version})
    claim.refresh_from_db()
    assert claim.version == version + 1 and len(_entries(claim)) == len(entries) + 1


def test_an_unknown_or_bulk_only_action_is_not_run_from_the_claim_page(
    client, editor, matcher, make_factcheck
):
    scene = _with_factcheck(matcher, make_factcheck)
    client.force_login(editor)
    for name in ("mark_debunked", "explode"):
        url = reverse("claims_admin:action", args=[scene.claim.pk, name])
        response = client.post(url, {"factcheck": scene.other.pk}, follow=True)
        assert "Unknown action." in response.content.decode()
    assert Claim.objects.get(pk=scene.claim.pk).status == ClaimStatus.NEW
