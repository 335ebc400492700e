"""The queue list shows each claim's best stored suggestion, whether or not ``is_match`` fired."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimMatch, MatchState

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def _claims(n: int, start: int = 0) -> list[Claim]:
    now = timezone.now()
    return Claim.objects.bulk_create(
        Claim(
            text=f"Queue claim {i:04d} about 5G", priority=1000 - i, last_seen=now, first_seen=now
        )
        for i in range(start, start + n)
    )


def _row(html: str, text: str) -> str:
    start = html.index(text)
    return html[start : html.index("</tr>", start)]


def test_best_suggestion_is_shown_and_marked(admin_client, make_factcheck):
    fivegee = make_factcheck(
        slug="5g", title="5G antennas do not spread viruses", claim_reviewed="5G spreads viruses"
    )
    chips = make_factcheck(slug="chips", title="<b>No microchips</b>", verdict_key="true")
    likely, possible, rejected_only, bare = _claims(4)
    # The three translations of one hoax: none fired, as in the demo queue.
    ClaimMatch.objects.create(claim=possible, factcheck=fivegee, score=0.903, is_match=False)
    ClaimMatch.objects.create(claim=possible, factcheck=chips, score=0.612, is_match=False)
    ClaimMatch.objects.create(claim=likely, factcheck=chips, score=0.947, is_match=True)
    ClaimMatch.objects.create(claim=likely, factcheck=fivegee, score=0.951, is_match=False)
    ClaimMatch.objects.create(
        claim=rejected_only, factcheck=chips, score=0.99, is_match=True, state=MatchState.REJECTED
    )
    html = admin_client.get(reverse("claims_queue:list")).content.decode()

    row = _row(html, possible.text)
    assert "5G antennas do not spread viruses" in row and "0.90" in row
    assert "possible" in row and "likely match" not in row
    assert fivegee.rating.label in row

    row = _row(html, likely.text)
    # is_match wins over a higher score that did not fire; the title is escaped.
    assert "&lt;b&gt;No microchips&lt;/b&gt;" in row and "0.95" in row
    assert "likely match" in row and "<b>No microchips" not in row

    for claim in (rejected_only, bare):
        row = _row(html, claim.text)
        assert "—" in row and "likely match" not in row and "possible" not in row


def test_suggestions_do_not_add_queries_per_row(
    admin_client, make_factcheck, django_assert_max_num_queries
):
    page = make_factcheck()
    url = reverse("claims_queue:list")

    def with_matches(claims):
        ClaimMatch.objects.bulk_create(
            ClaimMatch(claim=c, factcheck=page, score=0.8, is_match=bool(c.pk % 2)) for c in claims
        )

    with_matches(_claims(3))
    admin_client.get(url)  # warm caches (permissions, site)
    with django_assert_max_num_queries(40) as small:
        html = admin_client.get(url).content.decode()
    assert html.count("Vaccines do not contain microchips") == 3
    with_matches(_claims(60, start=3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = admin_client.get(url).content.decode()
    assert html.count("Vaccines do not contain microchips") == 50  # one page
