"""Editorial integrity: who can publish what a queue action changes, and how the staff API is kept.

* Confirming a match (one claim, or the "already debunked" bulk action) adds the claim's
  appearances to the fact-check. An editor's confirm publishes them; a fact-checker, who
  may not publish, submits a new revision to the review workflow and the claim waits
  "in review". Either way the revision is built on the page's latest revision, so a
  pending draft is carried forward, and the page row is locked so that two confirms at
  once keep both claims' appearances (PostgreSQL).
* ``/api/v1/claims/`` needs ``claims.view_claim``; failed Basic-auth attempts are
  throttled per client address and per username.
* ``import_claimreview --draft`` creates unpublished pages with a revision.
"""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from race_helpers import race
from wagtail.models import WorkflowState

from claims import services
from claims.models import Claim, ClaimStatus, FactCheckPage, MatchState

pytestmark = pytest.mark.django_db


def _claim(text: str, url: str) -> Claim:
    return services.claim_create(
        text=text,
        sighting=services.SightingData(source="manual", url=url, platform="tiktok"),
    )


def _latest(page) -> FactCheckPage:
    """The page as its latest revision has it (the draft an editor would open)."""
    return FactCheckPage.objects.get(pk=page.pk).get_latest_revision_as_object()


def _urls(page) -> set[str]:
    return {a.url for a in page.appearances.all()}


def _confirm(client, claim):
    claim.refresh_from_db()
    match = claim.matches.get()
    return client.post(
        reverse("claims_admin:action", args=[claim.pk, "confirm"]),
        {"match": match.pk, "version": claim.version},
        follow=True,
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _approve(page, editor) -> None:
    state = FactCheckPage.objects.get(pk=page.pk).current_workflow_state
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, editor, "approve")


# --- Confirm as a fact-checker / as an editor -------------------------------------------


def test_checker_confirm_submits_a_revision_for_review(
    client, checker, editor, matcher, make_factcheck
):
    page = make_factcheck()
    live_revision = page.live_revision_id
    matcher.suggest(page)
    claim = _claim("Vaccines contain microchips, the checker's claim", "https://tiktok.example/c/1")
    client.force_login(checker)
    response = _confirm(client, claim)

    # The fact-checker stays on the claim page and is told what happened.
    detail = reverse("claims_admin:detail", args=[claim.pk])
    assert response.redirect_chain[-1][0] == detail
    assert "submitted for review" in _messages(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW and claim.factcheck_id == page.pk
    assert claim.matches.get().state == MatchState.CONFIRMED
    assert claim.matches.get().decided_by == checker
    # Nothing was published: the live page is as it was; the new revision awaits an editor.
    page = FactCheckPage.objects.get(pk=page.pk)
    assert page.live_revision_id == live_revision
    assert "https://tiktok.example/c/1" not in _urls(page)
    assert "https://tiktok.example/c/1" in _urls(_latest(page))
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert page.current_workflow_state.requested_by == checker

    # The editor approves: the appearance goes live, the claim is already debunked.
    _approve(page, editor)
    page = FactCheckPage.objects.get(pk=page.pk)
    claim.refresh_from_db()
    assert "https://tiktok.example/c/1" in _urls(page)
    assert claim.status == ClaimStatus.ALREADY_DEBUNKED


def test_editor_confirm_publishes(client, editor, matcher, make_factcheck):
    page = make_factcheck()
    matcher.suggest(page)
    claim = _claim("Vaccines contain microchips, the editor's claim", "https://tiktok.example/e/1")
    client.force_login(editor)
    response = _confirm(client, claim)
    assert response.redirect_chain[-1][0] == reverse("claims_admin:detail", args=[claim.pk])
    assert "Match confirmed" in _messages(response)
    claim.refresh_from_db()
    page = FactCheckPage.objects.get(pk=page.pk)
    assert claim.status == ClaimStatus.ALREADY_DEBUNKED
    assert "https://tiktok.example/e/1" in _urls(page)
    assert not page.has_unpublished_changes and page.current_workflow_state is None


@pytest.mark.parametrize("role", ["checker", "editor"])
def test_bulk_already_debunked_by_role(request, client, role, matcher, make_factcheck):
    user = request.getfixturevalue(role)
    page = make_factcheck()
    matcher.results = []
    claims = [
        _claim("Claim one about 5G towers spreading illness", "https://x.example/bulk/1"),
        _claim("Claim two, entirely about the price of bread", "https://x.example/bulk/2"),
    ]
    client.force_login(user)
    url = reverse("wagtail_bulk_action", args=["claims", "claim", "mark_debunked_claims"])
    queue = reverse("claims_queue:list")
    response = client.post(
        f"{url}?next={queue}&id={claims[0].pk}&id={claims[1].pk}",
        {"factcheck": page.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == queue
    assert "permission" not in _messages(response).lower()
    page = FactCheckPage.objects.get(pk=page.pk)
    statuses = set(
        Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("status", flat=True)
    )
    wanted = {"https://x.example/bulk/1", "https://x.example/bulk/2"}
    if role == "editor":
        assert statuses == {ClaimStatus.ALREADY_DEBUNKED}
        assert wanted <= _urls(page)
    else:
        assert statuses == {ClaimStatus.IN_REVIEW}
        assert "in review" in _messages(response)
        assert not wanted & _urls(page)
        assert wanted <= _urls(_latest(page))
        assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


# --- A pending draft is built on, never overwritten --------------------------------------


def _edit_draft(page, user, title="Vaccines do not contain microchips (edited draft)"):
    draft = FactCheckPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.title = title
    draft.save_revision(user=user)


@pytest.mark.parametrize("role", ["checker", "editor"])
def test_confirm_keeps_a_pending_draft(request, client, role, editor, matcher, make_factcheck):
    user = request.getfixturevalue(role)
    page = make_factcheck()
    _edit_draft(page, editor)
    matcher.suggest(page)
    claim = _claim(
        "Vaccines contain microchips, with a draft pending", "https://tiktok.example/d/1"
    )
    client.force_login(user)
    _confirm(client, claim)

    latest = _latest(page)
    assert latest.title == "Vaccines do not contain microchips (edited draft)"
    assert "https://tiktok.example/d/1" in _urls(latest)
    live = FactCheckPage.objects.get(pk=page.pk)
    if role == "editor":
        # Published: the live page got the appearance, but not the unreviewed title.
        assert "https://tiktok.example/d/1" in _urls(live)
        assert live.title == "Vaccines do not contain microchips"
        assert live.has_unpublished_changes
    else:
        assert "https://tiktok.example/d/1" not in _urls(live)
        assert live.title == "Vaccines do not contain microchips"


# --- Two confirms at once keep both appearances (PostgreSQL) ----------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL: set DATABASE_URL=postgres://... to run",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_confirms_keep_every_appearance(newsroom, matcher, make_factcheck):
    page = make_factcheck()
    matcher.suggest(page)
    for round_ in range(4):
        claims = [
            _claim(
                f"Vaccine microchips, round {round_} claim {i}",
                f"https://race.example/{round_}/{i}",
            )
            for i in range(3)
        ]
        matches = [c.matches.get() for c in claims]
        results = race(*(lambda m=m: services.claim_confirm_match(match=m) for m in matches))
        assert not [r for r in results if isinstance(r, Exception)], results
        live = FactCheckPage.objects.get(pk=page.pk)
        wanted = {f"https://race.example/{round_}/{i}" for i in range(3)}
        assert wanted <= _urls(live), (round_, _urls(live))
        assert wanted <= _urls(_latest(live))


# --- The staff API ----------------------------------------------------------------------


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_claims_api_needs_view_claim_not_is_staff(client, django_user_model, matcher, clean_cache):
    _claim("A claim in the queue, for the API", "https://x.example/api/1")
    staff = django_user_model.objects.create_user("staffonly", password="pw", is_staff=True)
    checker = django_user_model.objects.create_user("apichecker", password="pw")
    checker.groups.add(Group.objects.get(name="Fact-checkers"))
    assert (
        client.get("/api/v1/claims/", HTTP_AUTHORIZATION=_basic("staffonly", "pw")).status_code
        == 403
    )
    client.force_login(staff)
    assert client.get("/api/v1/claims/").status_code == 403
    client.logout()
    response = client.get("/api/v1/claims/", HTTP_AUTHORIZATION=_basic("apichecker", "pw"))
    assert response.status_code == 200 and response.json()["count"] == 1
    assert staff.pk  # the staff flag alone grants nothing


@pytest.fixture
def auth_limits(settings, clean_cache):
    settings.FACTCHECK_API_AUTH_FAILURE_LIMIT = 5
    settings.FACTCHECK_API_AUTH_FAILURE_WINDOW = 600
    return 5


def test_basic_auth_failures_are_throttled_even_with_rotating_usernames(
    client, editor, auth_limits, matcher
):
    ip = "198.51.100.7"
    for i in range(auth_limits):
        response = client.get(
            "/api/v1/claims/",
            HTTP_AUTHORIZATION=_basic(f"guess{i}", "wrong"),
            REMOTE_ADDR=ip,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
        assert response.status_code == 401, i
    # Locked out: a new username, a forged X-Forwarded-For, even the right password.
    for auth, xff in ((_basic("guess-new", "wrong"), "203.0.113.99"), (_basic("editor", "pw"), "")):
        response = client.get(
            "/api/v1/claims/", HTTP_AUTHORIZATION=auth, REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=xff
        )
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
    # Another client is not affected.
    other = client.get(
        "/api/v1/claims/", HTTP_AUTHORIZATION=_basic("editor", "pw"), REMOTE_ADDR="198.51.100.8"
    )
    assert other.status_code == 200


def test_basic_auth_failures_on_one_username_are_throttled_across_addresses(
    client, editor, auth_limits, matcher
):
    for i in range(auth_limits):
        response = client.get(
            "/api/v1/claims/", HTTP_AUTHORIZATION=_basic("editor", f"guess{i}"),
            REMOTE_ADDR=f"198.51.100.{10 + i}",
        )  # fmt: skip
        assert response.status_code == 401, i
    response = client.get(
        "/api/v1/claims/", HTTP_AUTHORIZATION=_basic("editor", "pw"), REMOTE_ADDR="198.51.100.99"
    )
    assert response.status_code == 429
    # Malformed Basic headers count too, and do not reveal anything.
    for _ in range(auth_limits):
        client.get("/api/v1/claims/", HTTP_AUTHORIZATION="Basic !!!", REMOTE_ADDR="192.0.2.5")
    bad = client.get(
        "/api/v1/claims/", HTTP_AUTHORIZATION=_basic("x", "y"), REMOTE_ADDR="192.0.2.5"
    )
    assert bad.status_code == 429


# --- Imports as drafts ------------------------------------------------------------------


def test_import_claimreview_draft_creates_unpublished_pages(client, newsroom, editor, resources):
    source = resources / "claimreview" / "datafeed-direct.json"
    out = StringIO()
    call_command("import_claimreview", str(source), "--draft", stdout=out, stderr=StringIO())
    assert "2 created" in out.getvalue()
    pages = FactCheckPage.objects.exclude(original_url="").filter(alias_of__isnull=True)
    assert pages.count() == 2
    for page in pages:
        assert not page.live and page.latest_revision_id is not None
        assert page.get_parent().specific.is_imported
    # Not on the public site or API ...
    assert client.get("/api/v1/factchecks/").json()["count"] == 0
    feed = client.get("/api/v1/claimreview.json").json()
    assert not feed["dataFeedElement"]
    page = pages.first()
    assert client.get(page.get_url() or f"/hr/imported/{page.slug}/").status_code == 404
    # ... but an editor finds and opens them in the admin.
    client.force_login(editor)
    listing = client.get(reverse("wagtailadmin_explore", args=[page.get_parent().pk]))
    assert page.title in listing.content.decode()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    # Importing the same drafts again changes nothing.
    revisions = sum(p.revisions.count() for p in pages)
    out = StringIO()
    call_command("import_claimreview", str(source), "--draft", stdout=out, stderr=StringIO())
    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert sum(p.revisions.count() for p in pages) == revisions
