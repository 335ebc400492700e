"""The queue's outlet, channel and assignee filters: an id plus an autocomplete endpoint,
never a <select> of every outlet, channel or staff user (issue 12)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimSighting, SightingSource
from claims.selectors.queue import QUEUE_CHOOSER_LIMIT, QUEUE_CHOOSER_MAX_QUERY
from sources.models import Channel, Outlet

pytestmark = pytest.mark.django_db

LIST = "claims_queue:list"


def chooser(kind: str) -> str:
    return reverse("claims_queue:chooser", args=[kind])


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def many(django_user_model):
    """300 outlets with a channel each and 30 staff users: the old filter form listed them
    all in three <select>s."""
    outlets = Outlet.objects.bulk_create(Outlet(name=f"Outlet {i:03d}") for i in range(300))
    channels = Channel.objects.bulk_create(
        Channel(outlet=o, kind="feed", url_or_handle=f"https://o{o.pk}.example/feed")
        for o in outlets
    )
    staff = [
        django_user_model.objects.create_user(
            f"staffer{i:02d}", is_staff=True, first_name=f"Ana{i:02d}", last_name="Kovač"
        )
        for i in range(30)
    ]
    return outlets, channels, staff


def _claim_seen_on(text: str, channel: Channel, **fields) -> Claim:
    now = timezone.now()
    claim = Claim.objects.create(text=text, last_seen=now, first_seen=now, **fields)
    ClaimSighting.objects.create(
        claim=claim,
        source=SightingSource.MANUAL,
        url=f"https://x.example/{claim.pk}",
        outlet=channel.outlet,
        channel=channel,
        platform="web",
    )
    return claim


def _rows(html: str) -> int:
    return html.count('data-object-id="')


def test_the_list_renders_no_select_of_outlets_channels_or_staff(admin_client, many):
    response = admin_client.get(reverse(LIST))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("outlet", "channel", "assignee"):
        assert not re.search(rf'<select[^>]*name="{name}"', html), name
        # the id input and its autocomplete endpoint instead
        assert re.search(rf'<input[^>]*name="{name}"', html), name
        assert f'data-chooser-url="{chooser(name)}"' in html
    assert "Outlet 150" not in html and "o1.example" not in html and "staffer15" not in html
    # what is left are the short fixed lists (country, platform, has a suggested match)
    assert html.count("<option") < 60
    assert "factcheck/queue-chooser.js" in html


def test_filtering_by_the_chosen_outlet_channel_and_assignee_gives_the_right_rows(
    admin_client, many
):
    outlets, channels, staff = many
    mine = _claim_seen_on("Claim seen on outlet seven", channels[7], assignee=staff[3])
    other = _claim_seen_on("Claim seen on outlet eight", channels[8])
    url = reverse(LIST)

    html = admin_client.get(url, {"outlet": outlets[7].pk}).content.decode()
    assert mine.text in html and other.text not in html
    # the filter shows the chosen outlet's name, not only its id
    assert re.search(r"data-claim-chooser-label>\s*Outlet 007\s*<", html)

    html = admin_client.get(url, {"channel": channels[8].pk}).content.decode()
    assert other.text in html and mine.text not in html
    assert f"Outlet 008 · {channels[8]}" in html and f"o{outlets[8].pk}.example/feed" in html

    html = admin_client.get(url, {"assignee": staff[3].pk}).content.decode()
    assert mine.text in html and other.text not in html
    assert "Ana03 Kovač (staffer03)" in html

    html = admin_client.get(url, {"outlet": outlets[9].pk}).content.decode()
    assert mine.text not in html and other.text not in html


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "-1",
        "1e3",
        "0x10",
        "1;DROP TABLE claims_claim",
        "9" * 19,
        "9" * 30,
        "٣",
        " ",
        "%00",
        "1\x00",
        "2147483648",
    ],  # fmt: skip
)
def test_a_hostile_id_is_a_form_error_not_a_500(admin_client, many, value):
    outlets, channels, staff = many
    a = _claim_seen_on("Claim on outlet one", channels[1])
    b = _claim_seen_on("Claim on outlet two", channels[2])
    url = reverse(LIST)
    for name in ("outlet", "channel", "assignee"):
        response = admin_client.get(url, {name: value})
        assert response.status_code == 200, (name, value)
        html = response.content.decode()
        # the list is shown unfiltered (an invalid filter is ignored) ...
        assert a.text in html and b.text in html
        if value.strip():
            # ... and the filter says what is wrong
            assert "Select a valid choice" in html, (name, value)
    assert Claim.objects.count() == 2  # and nothing happened to the table


def test_an_id_that_names_nothing_is_refused(admin_client, many, django_user_model):
    _claim_seen_on("Some claim", many[1][0])
    missing = Outlet.objects.order_by("-pk").first().pk + 1000
    html = admin_client.get(reverse(LIST), {"outlet": missing}).content.decode()
    assert "Select a valid choice" in html and "Some claim" in html
    html = admin_client.get(reverse(LIST), {"assignee": many[2][0].pk}).content.decode()
    assert "Select a valid choice" not in html
    # a reader (not staff) or a former staff member is no assignee choice
    reader = django_user_model.objects.create_user("reader")
    gone = django_user_model.objects.create_user("gone", is_staff=True, is_active=False)
    for user in (reader, gone):
        html = admin_client.get(reverse(LIST), {"assignee": user.pk}).content.decode()
        assert "Select a valid choice" in html and "Some claim" in html


def test_the_endpoint_searches_names_and_ids_with_bounded_results(admin_client, many):
    outlets, channels, staff = many
    data = admin_client.get(chooser("outlet"), {"q": "outlet 01"}).json()
    labels = [r["label"] for r in data["results"]]
    assert labels == [f"Outlet 01{i}" for i in range(10)]
    assert {r["id"] for r in data["results"]} == {o.pk for o in outlets[10:20]}

    # every outlet matches "outlet": at most QUEUE_CHOOSER_LIMIT, first by name
    data = admin_client.get(chooser("outlet"), {"q": "Outlet"}).json()
    assert len(data["results"]) == QUEUE_CHOOSER_LIMIT == 20
    assert data["results"][0]["label"] == "Outlet 000"
    assert len(admin_client.get(chooser("outlet")).json()["results"]) == QUEUE_CHOOSER_LIMIT

    # an id finds its row
    data = admin_client.get(chooser("outlet"), {"q": str(outlets[123].pk)}).json()
    assert outlets[123].pk in {r["id"] for r in data["results"]}

    # channels by their outlet's name or their address; staff by name or username
    data = admin_client.get(chooser("channel"), {"q": "Outlet 042"}).json()
    assert [r["id"] for r in data["results"]] == [channels[42].pk]
    data = admin_client.get(chooser("channel"), {"q": f"o{outlets[5].pk}.example"}).json()
    assert [r["id"] for r in data["results"]] == [channels[5].pk]
    data = admin_client.get(chooser("assignee"), {"q": "ana07"}).json()
    assert data["results"] == [{"id": staff[7].pk, "label": "Ana07 Kovač (staffer07)"}]


def test_the_endpoint_lists_only_active_staff(admin_client, django_user_model):
    django_user_model.objects.create_user("reader1", first_name="Zora")
    django_user_model.objects.create_user(
        "gone1", first_name="Zora", is_staff=True, is_active=False
    )
    kept = django_user_model.objects.create_user("zora", is_staff=True)
    data = admin_client.get(chooser("assignee"), {"q": "zora"}).json()
    assert [r["id"] for r in data["results"]] == [kept.pk]


def test_the_search_text_is_literal(admin_client, many):
    percent = Outlet.objects.create(name="100% Istina")
    under = Outlet.objects.create(name="Vijesti_BA")
    assert [r["id"] for r in admin_client.get(chooser("outlet"), {"q": "%"}).json()["results"]] == [
        percent.pk
    ]
    assert [r["id"] for r in admin_client.get(chooser("outlet"), {"q": "_"}).json()["results"]] == [
        under.pk
    ]
    for hostile in ("' OR 1=1 --", "\x00", "a\x00b", "<script>alert(1)</script>", "\\"):
        response = admin_client.get(chooser("outlet"), {"q": hostile})
        assert response.status_code == 200, hostile
        assert response.json()["results"] == [] or hostile == "\x00"


def test_a_long_query_is_refused(admin_client, many):
    ok = admin_client.get(chooser("outlet"), {"q": "x" * QUEUE_CHOOSER_MAX_QUERY})
    assert ok.status_code == 200 and ok.json()["results"] == []
    response = admin_client.get(chooser("outlet"), {"q": "x" * (QUEUE_CHOOSER_MAX_QUERY + 1)})
    assert response.status_code == 400
    assert response.json()["max_length"] == QUEUE_CHOOSER_MAX_QUERY
    assert admin_client.get(chooser("outlet"), {"q": "x" * 100_000}).status_code == 400


def test_an_unknown_chooser_is_404(admin_client):
    assert admin_client.get(chooser("outlet").replace("outlet", "user")).status_code == 404
    assert admin_client.get(chooser("outlet").replace("outlet", "tip")).status_code == 404


def test_the_endpoint_needs_the_queue_permission(client, django_user_model, many):
    url = chooser("outlet")
    # not logged in: the admin's login page, no data
    response = client.get(url, {"q": "Outlet"})
    assert response.status_code == 302 and "Outlet 0" not in response.content.decode()
    # an admin user with no claim permission: 403, as the list itself refuses them
    group = Group.objects.create(name="Readers' desk")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    other = django_user_model.objects.create_user("desk", is_staff=True)
    other.groups.add(group)
    client.force_login(other)
    assert client.get(reverse(LIST)).status_code in (302, 403)
    for kind in ("outlet", "channel", "assignee"):
        response = client.get(chooser(kind), {"q": "Outlet"})
        assert response.status_code == 403, kind
        assert "results" not in response.json()


def test_fact_checkers_may_search(client, checker, many):
    client.force_login(checker)
    response = client.get(chooser("outlet"), {"q": "Outlet 299"})
    assert response.status_code == 200
    assert [r["label"] for r in response.json()["results"]] == ["Outlet 299"]
