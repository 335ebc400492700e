"""Outlets and channels: models, services, the channels command and the Wagtail admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from sources import services
from sources.models import CapturedItem, Channel, Outlet
from sources.selectors import channels_due

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 15, 12, tzinfo=UTC)


def test_outlet_get_or_create_with_defaults() -> None:
    outlet, created = Outlet.objects.get_or_create(
        name="Raskrikavanje",
        defaults={
            "homepage": "https://www.raskrikavanje.rs",
            "country": "RS",
            "languages": ["sr", "sr-latn"],
        },
    )
    again, created_again = Outlet.objects.get_or_create(
        name="Raskrikavanje", defaults={"country": "BA"}
    )
    assert created and not created_again and again.pk == outlet.pk and again.country == "RS"


def test_outlet_languages_accept_comma_list() -> None:
    outlet = Outlet.objects.create(name="Faktograf", languages="hr, en")
    outlet.refresh_from_db()
    assert outlet.languages == ["hr", "en"]


def test_channel_language_hint_falls_back_to_outlet() -> None:
    outlet = Outlet.objects.create(name="Istinomjer", languages=["bs"])
    channel = Channel.objects.create(
        kind="feed", url_or_handle="https://istinomjer.ba/feed", outlet=outlet
    )
    assert channel.language_hint == "bs"
    channel.language = "hr"
    assert channel.language_hint == "hr"


def test_captured_item_raw_roundtrip() -> None:
    item = CapturedItem(canonical_url="https://x.example/a", platform="article")
    item.set_raw(b"<html>" * 1000, "text/html")
    item.save()
    item.refresh_from_db()
    assert item.raw_bytes == b"<html>" * 1000 and len(bytes(item.archived_raw)) < 200


@pytest.mark.parametrize(
    ("enabled", "failures", "status"),
    [(True, 0, "ok"), (True, 2, "failing"), (False, 0, "paused"), (False, 3, "paused")],
)
def test_channel_status(enabled: bool, failures: int, status: str) -> None:
    assert (
        Channel(
            kind="feed", url_or_handle="x", enabled=enabled, consecutive_failures=failures
        ).status
        == status
    )


def test_channel_create_validates() -> None:
    with pytest.raises(ValidationError):
        services.channel_create(kind="feed", url_or_handle="javascript:alert(1)")
    with pytest.raises(ValidationError):
        services.channel_create(kind="myspace", url_or_handle="x")
    services.channel_create(kind="telegram", url_or_handle="@provjera")
    with pytest.raises(ValidationError, match="already exists"):
        services.channel_create(kind="telegram", url_or_handle="@provjera")


def test_channels_due_and_backoff() -> None:
    due = Channel.objects.create(kind="feed", url_or_handle="https://a.example/feed")
    later = Channel.objects.create(
        kind="feed", url_or_handle="https://b.example/feed", next_poll_at=NOW + timedelta(minutes=5)
    )
    Channel.objects.create(kind="feed", url_or_handle="https://c.example/feed", enabled=False)
    Channel.objects.create(kind="import", url_or_handle="export.csv")
    assert list(channels_due(now=NOW)) == [due]
    services.channel_record_failure(channel=due, now=NOW, error="boom")
    assert due.next_poll_at == NOW + timedelta(minutes=60)
    assert list(channels_due(now=NOW + timedelta(minutes=10))) == [later]
    services.channel_record_success(channel=due, now=NOW, etag='"x"')
    assert due.consecutive_failures == 0 and due.last_error == "" and due.etag == '"x"'


def test_a_poll_with_failed_items_is_a_success_whose_note_counts_them() -> None:
    channel = Channel.objects.create(
        kind="claimreview", url_or_handle="https://partner.example/feed.json"
    )
    services.channel_record_success(
        channel=channel, now=NOW, failures=["a: bad rating", "b: no url"], noun="fact-check"
    )
    channel.refresh_from_db()
    assert channel.consecutive_failures == 0
    assert channel.last_error == "2 fact-check(s) failed; first: a: bad rating"


def test_pause_resume_poll_now() -> None:
    channel = Channel.objects.create(
        kind="feed",
        url_or_handle="https://a.example/feed",
        consecutive_failures=4,
        next_poll_at=NOW + timedelta(days=1),
    )
    services.channel_pause(channel=channel)
    assert channel.status == "paused" and not channels_due(now=NOW).exists()
    services.channel_resume(channel=channel)
    assert channel.status == "ok" and channels_due().filter(pk=channel.pk).exists()
    channel.next_poll_at = timezone.now() + timedelta(days=1)
    channel.save()
    services.channel_request_poll(channel=channel)
    assert channels_due().filter(pk=channel.pk).exists()


def test_channels_command_add_and_list() -> None:
    out = StringIO()
    call_command(
        "channels",
        "add",
        "feed",
        "https://faktograf.hr/feed/",
        "--outlet",
        "Faktograf",
        "--language",
        "hr",
        stdout=out,
    )
    assert "added channel" in out.getvalue()
    channel = Channel.objects.get()
    assert channel.outlet.name == "Faktograf" and channel.language == "hr"
    call_command("channels", "add", "telegram", "@provjera", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("channels", "add", "telegram", "@provjera")
    with pytest.raises(CommandError):
        call_command("channels", "add", "feed", "file:///etc/passwd")
    out = StringIO()
    call_command("channels", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "Faktograf" in out.getvalue() and "ok" in lines[0]


# ------------------------------------------------------------------- admin


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def test_admin_channel_index_shows_health(admin_client) -> None:
    Channel.objects.create(kind="feed", url_or_handle="https://ok.example/feed")
    Channel.objects.create(
        kind="feed",
        url_or_handle="https://bad.example/feed",
        consecutive_failures=3,
        last_error="HTTP 500",
    )
    Channel.objects.create(kind="telegram", url_or_handle="@paused", enabled=False)
    response = admin_client.get(reverse("channels:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("OK", "Failing", "Paused", "HTTP 500", "Poll now"):
        assert label in html


def test_admin_pause_and_poll_now_actions(admin_client) -> None:
    channel = Channel.objects.create(
        kind="feed",
        url_or_handle="https://ok.example/feed",
        next_poll_at=timezone.now() + timedelta(days=1),
    )
    confirm = admin_client.get(reverse("channels:pause", args=[channel.pk]))
    assert confirm.status_code == 200
    channel.refresh_from_db()
    assert channel.enabled  # GET only asks for confirmation
    assert admin_client.post(reverse("channels:pause", args=[channel.pk])).status_code == 302
    channel.refresh_from_db()
    assert not channel.enabled
    admin_client.post(reverse("channels:resume", args=[channel.pk]))
    channel.refresh_from_db()
    assert channel.enabled
    channel.next_poll_at = timezone.now() + timedelta(days=1)
    channel.save()
    admin_client.post(reverse("channels:poll_now", args=[channel.pk]))
    channel.refresh_from_db()
    assert channel.next_poll_at <= timezone.now()


def test_admin_actions_need_permission(client) -> None:
    user = get_user_model().objects.create_user("reader", "r@example.com", "pw")
    client.force_login(user)
    channel = Channel.objects.create(kind="feed", url_or_handle="https://ok.example/feed")
    response = client.post(reverse("channels:pause", args=[channel.pk]))
    assert response.status_code in (302, 403)
    channel.refresh_from_db()
    assert channel.enabled
