"""Webhooks against a real receiver on loopback: signed, retried with backoff, guarded."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from network import webhooks
from network.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from network.viewsets import WebhookForm
from network.webhooks import (
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    deliver,
    verify_signature,
)


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    seen: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            state.seen.append((dict(self.headers.items()), self.rfile.read(length)))
            status = state.statuses[min(len(state.seen), len(state.statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/factcheck"
    yield state
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _hook(url: str, **fields) -> Webhook:
    return Webhook.objects.create(name="Partner", url=url, **fields)


def test_publish_and_update_are_sent_signed(receiver, make_factcheck, search_index) -> None:
    hook = _hook(receiver.url)
    assert len(hook.secret) >= 40

    page = make_factcheck()
    page.title = "Vaccines still do not contain microchips"
    page.save_revision().publish()

    assert [h[EVENT_HEADER] for h, _body in receiver.seen] == [
        WebhookEvent.PUBLISHED,
        WebhookEvent.UPDATED,
    ]
    for headers, body in receiver.seen:
        assert headers["Content-Type"] == "application/json"
        assert verify_signature(
            hook.secret,
            timestamp=headers[TIMESTAMP_HEADER],
            body=body,
            signature=headers[SIGNATURE_HEADER],
        )
        assert not verify_signature(
            "another-secret",
            timestamp=headers[TIMESTAMP_HEADER],
            body=body,
            signature=headers[SIGNATURE_HEADER],
        )
        assert not verify_signature(
            hook.secret,
            timestamp=headers[TIMESTAMP_HEADER],
            body=body.replace(b"microchips", b"microchipz"),
            signature=headers[SIGNATURE_HEADER],
        )
    published = json.loads(receiver.seen[0][1])
    updated = json.loads(receiver.seen[1][1])
    assert published["factcheck"]["id"] == page.pk
    assert published["factcheck"]["claim_reviewed"] == page.claim_reviewed
    assert updated["factcheck"]["title"] == "Vaccines still do not contain microchips"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_an_old_timestamp_does_not_verify() -> None:
    body = b'{"event": "factcheck.published"}'
    signature = webhooks.sign("s3cret", 1_700_000_000, body)

    assert verify_signature(
        "s3cret", timestamp="1700000000", body=body, signature=signature, now=1_700_000_100
    )
    assert not verify_signature(
        "s3cret", timestamp="1700000000", body=body, signature=signature, now=1_700_001_000
    )
    assert not verify_signature("s3cret", timestamp="soon", body=body, signature=signature)


def test_hooks_get_only_the_events_they_asked_for(receiver, make_factcheck, search_index) -> None:
    _hook(receiver.url, send_published=False)
    _hook(receiver.url, active=False)

    page = make_factcheck()
    page.save_revision().publish()

    assert [h[EVENT_HEADER] for h, _body in receiver.seen] == [WebhookEvent.UPDATED]


def test_failing_receiver_is_retried_with_backoff_then_failed(db, receiver, settings) -> None:
    settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS = 3
    settings.FACTCHECK_WEBHOOK_BACKOFF_SECONDS = 60
    receiver.statuses = [500]
    clock = Clock()
    start = clock.now
    delivery = WebhookDelivery.objects.create(
        webhook=_hook(receiver.url), event=WebhookEvent.PUBLISHED, body='{"x": 1}'
    )

    delivery = deliver(delivery.pk, now=clock)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == start + timedelta(seconds=60)

    clock.now = start + timedelta(seconds=59)  # not due: nothing is sent
    deliver(delivery.pk, now=clock)
    assert len(receiver.seen) == 1

    clock.now = start + timedelta(seconds=60)
    delivery = deliver(delivery.pk, now=clock)
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=120)  # doubled

    clock.now += timedelta(seconds=120)
    delivery = deliver(delivery.pk, now=clock)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.last_error == "HTTP 500"
    assert len(receiver.seen) == 3

    clock.now += timedelta(days=1)
    deliver(delivery.pk, now=clock)  # failed for good: never sent again
    assert len(receiver.seen) == 3


def test_a_receiver_that_recovers_gets_the_delivery(db, receiver) -> None:
    receiver.statuses = [503, 200]
    clock = Clock()
    delivery = WebhookDelivery.objects.create(
        webhook=_hook(receiver.url), event=WebhookEvent.UPDATED, body='{"x": 2}'
    )

    deliver(delivery.pk, now=clock)
    clock.now += timedelta(minutes=1)
    delivery = deliver(delivery.pk, now=clock)

    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
        "delivered",
        2,
        clock.now,
    )
    assert receiver.seen[0][1] == receiver.seen[1][1] == b'{"x": 2}'


def test_retry_is_enqueued_with_backoff_on_the_database_worker(db, receiver, settings) -> None:
    from django_tasks_db.models import DBTaskResult

    from network.tasks import webhook_deliver

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.statuses = [500]
    delivery = WebhookDelivery.objects.create(
        webhook=_hook(receiver.url), event=WebhookEvent.PUBLISHED, body="{}"
    )

    assert webhook_deliver.call(delivery.pk) == DeliveryStatus.PENDING

    delivery.refresh_from_db()
    queued = DBTaskResult.objects.get(task_path="network.tasks.webhook_deliver")
    assert queued.args_kwargs["args"] == [delivery.pk]
    assert queued.run_after == delivery.next_attempt_at


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://2130706433/hook",
        "http://metadata.google.internal/hook",
        "ftp://partner.example/hook",
    ],
)
def test_private_network_urls_are_refused_when_registered(db, url) -> None:
    form = WebhookForm(
        data={"name": "x", "url": url, "send_published": "on", "send_updated": "on", "active": "on"}
    )

    assert not form.is_valid()
    assert "url" in form.errors


def test_loopback_is_refused_unless_allow_listed(db, settings, receiver) -> None:
    data = {"name": "x", "url": receiver.url, "active": "on"}
    assert WebhookForm(data=data).is_valid()  # tests allow-list 127.0.0.1

    settings.FACTCHECK_FETCH_ALLOW_HOSTS = []
    assert not WebhookForm(data=data).is_valid()


def test_a_private_url_stored_anyway_fails_at_once_without_a_request(db, settings, receiver):
    settings.FACTCHECK_FETCH_ALLOW_HOSTS = []  # the receiver on loopback is now private too
    delivery = WebhookDelivery.objects.create(
        webhook=_hook(receiver.url), event=WebhookEvent.PUBLISHED, body="{}"
    )

    delivery = deliver(delivery.pk, now=Clock())

    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error.startswith("refused:")
    assert receiver.seen == []
