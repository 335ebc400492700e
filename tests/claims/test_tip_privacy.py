"""Tipsters' contact details: erased a set time after the claim is closed, or on request.

The tip form promises that contact details "are deleted once we no longer need them".
``FACTCHECK_TIP_CONTACT_RETENTION_DAYS`` after a claim is closed (published, already
debunked, dismissed, merged) its tips lose their contact, by a task and a command; tips
on open claims keep it. An editor can erase one on request from the claim page. Neither
leaves the contact anywhere: ``contact_erased_at`` and the audit log say when and why.
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from claims import services, tasks
from claims.models import Claim, ClaimStatus, Tip

pytestmark = pytest.mark.django_db

CONTACT = "tipster-private@example.net"


def _tip(text: str, contact: str = CONTACT) -> Tip:
    return services.tip_submit(text=text, contact=contact, language="hr")


def _close(claim: Claim, *, days_ago: float, status=ClaimStatus.DISMISSED) -> None:
    """Close the claim through the service, then move the closing back in time."""
    if status == ClaimStatus.DISMISSED:
        services.claim_dismiss(claim=claim, reason="satire")
    else:
        Claim.objects.filter(pk=claim.pk).update(status=status)
    Claim.objects.filter(pk=claim.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))


def _contact_anywhere_in_logs() -> bool:
    return any(
        CONTACT in json.dumps(entry.data, default=str) or CONTACT in (entry.label or "")
        for entry in ModelLogEntry.objects.all()
    )


@pytest.fixture
def tips(matcher, settings):
    settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS = 30
    old = _tip("Dismissed forty days ago: bread costs double")
    recent = _tip("Dismissed ten days ago: trains will be free in May")
    open_ = _tip("Still open, sent long ago: the river is poisoned")
    Tip.objects.filter(pk=open_.pk).update(created=timezone.now() - timedelta(days=400))
    Claim.objects.filter(pk=open_.claim_id).update(created=timezone.now() - timedelta(days=400))
    _close(old.claim, days_ago=40)
    _close(recent.claim, days_ago=10)
    return {"old": old, "recent": recent, "open": open_}


def _contacts(tips: dict[str, Tip]) -> dict[str, str]:
    return {name: Tip.objects.get(pk=tip.pk).contact for name, tip in tips.items()}


# --- Closing a claim starts the clock, reopening stops it ------------------------------


def test_closing_sets_closed_at_and_reopening_clears_it(matcher, editor):
    tip = _tip("A claim that is dismissed, then reopened")
    claim = Claim.objects.get(pk=tip.claim_id)
    assert claim.closed_at is None
    claim = services.claim_dismiss(claim=claim, reason="satire", user=editor)
    assert claim.closed_at is not None
    claim = services.claim_reopen(claim=claim, user=editor)
    assert claim.closed_at is None
    Claim.objects.filter(pk=claim.pk).update(created=timezone.now() - timedelta(days=90))
    assert services.tip_purge_contacts() == 0
    assert Tip.objects.get(pk=tip.pk).contact == CONTACT


# --- Retention: the command and the task -----------------------------------------------


def test_purge_command_erases_only_past_retention(tips):
    out = StringIO()
    call_command("purge_tip_contacts", "--dry-run", stdout=out)
    assert "1" in out.getvalue() and "would" in out.getvalue()
    assert _contacts(tips) == {"old": CONTACT, "recent": CONTACT, "open": CONTACT}

    out = StringIO()
    call_command("purge_tip_contacts", stdout=out)
    assert "erased 1" in out.getvalue()
    assert _contacts(tips) == {"old": "", "recent": CONTACT, "open": CONTACT}
    erased = Tip.objects.get(pk=tips["old"].pk)
    assert erased.contact_erased_at is not None
    assert Tip.objects.get(pk=tips["recent"].pk).contact_erased_at is None
    # The erasure is on the claim's record, with the reason and without the contact.
    entry = ModelLogEntry.objects.get(action="claims.erase_tip_contact")
    assert entry.object_id == str(tips["old"].claim_id)
    assert entry.data["reason"] == "retention" and entry.data["tips"] == [tips["old"].pk]
    assert not _contact_anywhere_in_logs()
    # Idempotent.
    call_command("purge_tip_contacts", stdout=StringIO())
    assert ModelLogEntry.objects.filter(action="claims.erase_tip_contact").count() == 1


def test_purge_task_follows_the_retention_setting(tips, settings):
    settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS = 5
    result = tasks.tip_contacts_purge.enqueue()
    assert result.return_value == 2
    assert _contacts(tips) == {"old": "", "recent": "", "open": CONTACT}


@pytest.mark.parametrize("enqueue", [False, True])
def test_the_crawl_loop_runs_the_purge_without_a_cron_job(tips, enqueue):
    """``crawl --loop`` is the scheduler: its first pass purges (then once a day)."""
    args = ["crawl", "--loop", "--max-passes", "2", "--interval", "0"]
    out = StringIO()
    call_command(*args, *(["--enqueue"] if enqueue else []), stdout=out)
    assert _contacts(tips) == {"old": "", "recent": CONTACT, "open": CONTACT}
    # Two passes, one purge: the second pass is within the day.
    assert out.getvalue().count("purge" if enqueue else "past retention") == 1


def test_a_single_crawl_pass_does_not_purge(tips):
    call_command("crawl", stdout=StringIO())
    assert _contacts(tips)["old"] == CONTACT


@pytest.mark.parametrize(
    "status", [ClaimStatus.PUBLISHED, ClaimStatus.ALREADY_DEBUNKED, ClaimStatus.MERGED]
)
def test_every_closed_status_counts(matcher, settings, status):
    settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS = 30
    tip = _tip("A claim that ends some other way than dismissal")
    _close(tip.claim, days_ago=31, status=status)
    assert services.tip_purge_contacts() == 1
    assert Tip.objects.get(pk=tip.pk).contact == ""


def test_open_statuses_keep_contacts(matcher, settings):
    settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS = 0
    for status in (
        ClaimStatus.NEW,
        ClaimStatus.TRIAGED,
        ClaimStatus.IN_PROGRESS,
        ClaimStatus.IN_REVIEW,
    ):
        tip = _tip(f"An open claim, status {status}")
        Claim.objects.filter(pk=tip.claim_id).update(
            status=status, closed_at=timezone.now() - timedelta(days=99)
        )
    assert services.tip_purge_contacts() == 0
    assert set(Tip.objects.values_list("contact", flat=True)) == {CONTACT}


def test_tip_whose_claim_was_deleted_is_purged_but_a_pending_fetch_is_not(matcher, settings):
    settings.FACTCHECK_TIP_CONTACT_RETENTION_DAYS = 30
    orphan = _tip("A claim an editor deleted from the queue")
    Claim.objects.filter(pk=orphan.claim_id).delete()
    pending = Tip.objects.create(url="https://news.example/a", contact=CONTACT)
    Tip.objects.update(created=timezone.now() - timedelta(days=31))
    assert services.tip_purge_contacts() == 1
    assert Tip.objects.get(pk=orphan.pk).contact == ""
    assert Tip.objects.get(pk=pending.pk).contact == CONTACT
    assert not _contact_anywhere_in_logs()


# --- Erasure on request: editors only, POST with CSRF, audit-logged ---------------------


def _erase_url(tip: Tip) -> str:
    return reverse("claims_admin:action", args=[tip.claim_id, "erase_contact"])


def test_editor_sees_and_erases_a_contact_on_request(client, editor, matcher):
    tip = _tip("A tipster who wrote back: please delete my address")
    client.force_login(editor)
    detail = client.get(reverse("claims_admin:detail", args=[tip.claim_id])).content.decode()
    assert CONTACT in detail and "data-erase-contact" in detail

    response = client.post(_erase_url(tip), {"tip": tip.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("claims_admin:detail", args=[tip.claim_id])
    tip.refresh_from_db()
    assert tip.contact == "" and tip.contact_erased_at is not None
    html = response.content.decode()
    assert CONTACT not in html and "Contact details erased on" in html
    entry = ModelLogEntry.objects.get(action="claims.erase_tip_contact")
    assert entry.user == editor and entry.data["reason"] == "request"
    assert not _contact_anywhere_in_logs()


def test_fact_checker_can_neither_see_nor_erase_a_contact(client, checker, matcher):
    tip = _tip("A claim a fact-checker is working on")
    client.force_login(checker)
    detail = client.get(reverse("claims_admin:detail", args=[tip.claim_id])).content.decode()
    assert CONTACT not in detail and "data-erase-contact" not in detail
    assert "visible to editors" in detail
    response = client.post(_erase_url(tip), {"tip": tip.pk})
    assert response.status_code in (302, 403)
    assert response.get("Location", "") != reverse("claims_admin:detail", args=[tip.claim_id])
    assert Tip.objects.get(pk=tip.pk).contact == CONTACT
    assert not ModelLogEntry.objects.filter(action="claims.erase_tip_contact").exists()


def test_erasing_needs_post_and_csrf(editor, matcher):
    tip = _tip("A claim for the CSRF check")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    assert browser.get(_erase_url(tip), {"tip": tip.pk}).status_code == 405
    assert browser.post(_erase_url(tip), {"tip": tip.pk}).status_code == 403
    assert Tip.objects.get(pk=tip.pk).contact == CONTACT


def test_a_tip_of_another_claim_cannot_be_erased_through_this_one(client, editor, matcher):
    mine = _tip("The claim whose page the editor is on")
    other = _tip("A completely different claim about electricity prices")
    assert mine.claim_id != other.claim_id
    client.force_login(editor)
    client.post(_erase_url(mine), {"tip": other.pk})  # a 404
    assert Tip.objects.get(pk=other.pk).contact == CONTACT
    assert not ModelLogEntry.objects.filter(action="claims.erase_tip_contact").exists()
