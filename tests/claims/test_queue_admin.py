"""The queue in the Wagtail admin: list, filters, bounded queries, claim page, bulk actions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimSighting, ClaimStatus, SightingSource

pytestmark = pytest.mark.django_db


def _bulk_claims(n: int, **fields) -> list[Claim]:
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        Claim(text=f"Claim number {i} about vaccines", priority=i, language="sr",
              priority_components={"appearances": i}, last_seen=now, first_seen=now, **fields)
        for i in range(n)
    )  # fmt: skip
    ClaimSighting.objects.bulk_create(
        ClaimSighting(claim=c, source=SightingSource.MANUAL, url=f"https://x.example/{c.pk}",
                      platform="facebook" if c.pk % 2 else "telegram")
        for c in claims
    )  # fmt: skip
    return claims


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def test_queue_lists_by_priority_with_components(admin_client):
    _bulk_claims(3)
    response = admin_client.get(reverse("claims_queue:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Claim number 2") < html.index("Claim number 0")
    assert "appearances 2" in html


def test_queue_filters(admin_client, editor):
    claims = _bulk_claims(4)
    Claim.objects.filter(pk=claims[0].pk).update(
        status=ClaimStatus.DISMISSED, assignee=editor, has_suggested_match=True
    )
    url = reverse("claims_queue:list")
    html = admin_client.get(url, {"status": "dismissed"}).content.decode()
    assert "Claim number 0" in html and "Claim number 1" not in html
    html = admin_client.get(url, {"platform": "telegram"}).content.decode()
    shown = {c.pk for c in claims if f"Claim number {claims.index(c)} " in html}
    assert shown == {c.pk for c in claims if c.pk % 2 == 0}
    html = admin_client.get(url, {"has_suggested_match": "true"}).content.decode()
    assert "Claim number 0" in html and "Claim number 3" not in html
    html = admin_client.get(url, {"assignee": editor.pk}).content.decode()
    assert "Claim number 0" in html and "Claim number 2" not in html
    day = timezone.now().date().isoformat()
    assert admin_client.get(url, {"last_seen_from": day, "language": "sr"}).status_code == 200


def test_queue_query_count_is_bounded(admin_client, django_assert_max_num_queries, editor):
    _bulk_claims(5, assignee=editor)
    url = reverse("claims_queue:list")
    admin_client.get(url)  # warm caches (permissions, site)
    with django_assert_max_num_queries(25) as small:
        admin_client.get(url)
    _bulk_claims(120, assignee=editor)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_claim_page_and_actions(admin_client, matcher, make_factcheck, editor):
    page = make_factcheck()
    matcher.suggest(page)
    claim = services.claim_create(
        text="Vaccines contain microchips, says a viral post",
        sighting=services.SightingData(source="manual", url="https://fb.example/1", platform="facebook",
                                       text="<script>alert(1)</script> archived text"),
    )  # fmt: skip
    detail = reverse("claims_admin:detail", args=[claim.pk])
    html = admin_client.get(detail).content.decode()
    assert "Suggested fact-checks" in html and page.title in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    match = claim.matches.get()
    response = admin_client.post(
        reverse("claims_admin:action", args=[claim.pk, "reject"]), {"match": match.pk}, follow=True
    )
    assert "Match rejected" in response.content.decode()
    response = admin_client.post(
        reverse("claims_admin:action", args=[claim.pk, "start"]), {"locale": "en"}
    )
    claim.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[claim.factcheck_id])
    assert claim.status == ClaimStatus.IN_PROGRESS


def test_acting_on_a_merged_claim_is_a_message_not_an_error(admin_client, matcher, editor):
    a = services.claim_create(text="The dinar will be abolished next month")
    b = services.claim_create(text="Serbia drops the dinar for the euro in June")
    services.claim_merge(source=a, target=b, user=editor)
    response = admin_client.post(
        reverse("claims_admin:action", args=[a.pk, "dismiss"]), {"reason": "dup"}, follow=True
    )
    assert response.status_code == 200
    assert f"merged into claim #{b.pk}" in response.content.decode()


def test_bulk_actions(admin_client, matcher, make_factcheck, editor, checker):
    page = make_factcheck()
    claims = _bulk_claims(3)
    url = reverse("wagtail_bulk_action", args=["claims", "claim", "assign_claims"])
    ids = "&".join(f"id={c.pk}" for c in claims[:2])
    response = admin_client.post(f"{url}?{ids}", {"assignee": checker.pk})
    assert response.status_code == 302
    assert set(Claim.objects.filter(assignee=checker).values_list("pk", flat=True)) == {
        c.pk for c in claims[:2]
    }
    url = reverse("wagtail_bulk_action", args=["claims", "claim", "dismiss_claims"])
    admin_client.post(f"{url}?id={claims[0].pk}", {"reason": "satire"})
    assert Claim.objects.get(pk=claims[0].pk).dismiss_reason == "satire"
    url = reverse("wagtail_bulk_action", args=["claims", "claim", "mark_debunked_claims"])
    admin_client.post(f"{url}?id={claims[1].pk}&id={claims[2].pk}", {"factcheck": page.pk})
    assert set(Claim.objects.filter(status=ClaimStatus.ALREADY_DEBUNKED, factcheck=page)
               .values_list("pk", flat=True)) == {claims[1].pk, claims[2].pk}  # fmt: skip


def test_home_panels(admin_client, matcher, editor):
    claim = services.claim_create(
        text="A claim that arrived this morning", sighting=services.SightingData(source="manual")
    )
    services.claim_assign(claim=claim, assignee=editor, user=editor)
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    for kind in ("status", "today", "spreading", "mine", "impact"):
        assert f'data-claims-panel="{kind}"' in html
    assert "A claim that arrived this morning" in html


def test_manual_entry(admin_client, matcher):
    response = admin_client.post(
        reverse("claims_admin:add"),
        {"text": "A new claim typed in by an editor", "url": "https://x.example/a", "platform": "web",
         "language": "hr", "claimant": ""},
    )  # fmt: skip
    claim = Claim.objects.get()
    assert response["Location"] == reverse("claims_admin:detail", args=[claim.pk])
    assert claim.language == "hr" and claim.sightings.get().source == "manual"
    assert admin_client.get(reverse("claims_queue:add")).status_code == 302
    assert admin_client.get(reverse("claims_queue:edit", args=[claim.pk])).status_code == 302


def test_anonymous_and_unprivileged_are_refused(client, django_user_model, matcher):
    claim = services.claim_create(text="A claim nobody outside may see")
    assert client.get(reverse("claims_admin:detail", args=[claim.pk])).status_code == 302
    django_user_model.objects.create_user("reader", "r@example.org", "pw")
    client.login(username="reader", password="pw")
    assert client.get(reverse("claims_admin:detail", args=[claim.pk])).status_code in (302, 403)
