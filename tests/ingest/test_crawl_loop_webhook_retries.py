"""``crawl --loop`` also sends due webhook retries when the task backend cannot defer them."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from network.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()
    server.server_close()


def _pending(url: str, *, due_in: timedelta) -> WebhookDelivery:
    hook = Webhook.objects.create(name="Partner", url=url)
    return WebhookDelivery.objects.create(
        webhook=hook,
        event=WebhookEvent.UPDATED,
        body='{"event": "factcheck.updated"}',
        attempts=1,
        next_attempt_at=timezone.now() + due_in,
    )


def _crawl_loop() -> str:
    out = StringIO()
    call_command("crawl", "--loop", "--max-passes", "1", "--interval", "0", stdout=out)
    return out.getvalue()


def test_loop_sends_due_retries_with_the_immediate_backend(receiver) -> None:
    url, bodies = receiver
    due = _pending(url, due_in=-timedelta(minutes=1))
    later = _pending(url, due_in=timedelta(hours=1))

    output = _crawl_loop()

    assert "1 webhook delivery attempted" in output
    assert bodies == [b'{"event": "factcheck.updated"}']
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert (later.status, later.attempts) == (DeliveryStatus.PENDING, 1)


def test_one_pass_without_loop_leaves_retries_alone(receiver) -> None:
    url, bodies = receiver
    due = _pending(url, due_in=-timedelta(minutes=1))

    call_command("crawl", stdout=StringIO())

    assert bodies == []
    due.refresh_from_db()
    assert due.status == DeliveryStatus.PENDING


def test_a_backend_that_defers_keeps_its_own_retries(receiver, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url, bodies = receiver
    due = _pending(url, due_in=-timedelta(minutes=1))

    output = _crawl_loop()

    assert "webhook" not in output
    assert bodies == []
    due.refresh_from_db()
    assert due.status == DeliveryStatus.PENDING
