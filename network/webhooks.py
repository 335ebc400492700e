"""Webhooks: tell partners when a fact-check is published or updated.

* One :class:`~network.models.WebhookDelivery` per event and hook holds the JSON body,
  fixed when the event happens; the task worker sends it (``network.tasks``).
* Each attempt is a ``POST`` with ``Content-Type: application/json`` and
  ``X-Factcheck-Event``, ``X-Factcheck-Delivery``, ``X-Factcheck-Timestamp`` (Unix
  seconds) and ``X-Factcheck-Signature: sha256=<hex>``, the HMAC-SHA256, keyed with the
  hook's secret, of ``<timestamp>.<body>``: a receiver checks it with
  :func:`verify_signature` and refuses old timestamps, so a captured request cannot be
  replayed later.
* It goes through ingest's guarded transport: the address check (no loopback, private,
  link-local or metadata addresses, ports 80/443 only, checked again at connect time
  against DNS rebinding), one deadline for the whole exchange, no redirects followed,
  no proxy from the environment. A refused URL fails at once: it would be refused again.
* A 2xx answer is delivered. Anything else (another status, a network error, a timeout)
  is retried after ``FACTCHECK_WEBHOOK_BACKOFF_SECONDS`` doubling each time (capped at
  six hours) until ``FACTCHECK_WEBHOOK_MAX_ATTEMPTS``, then the delivery is failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from ingest.exceptions import IngestError
from ingest.http import user_agent
from ingest.http_guard import FETCH_DEADLINE, AddressGuard, GuardedTransport

from .models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Factcheck-Signature"
TIMESTAMP_HEADER = "X-Factcheck-Timestamp"
EVENT_HEADER = "X-Factcheck-Event"
DELIVERY_HEADER = "X-Factcheck-Delivery"
TIMEOUT = 10.0  # seconds per network operation
DEADLINE = 20.0  # seconds for the whole exchange: connect, send, the answer's headers
MAX_BACKOFF = timedelta(hours=6)


class DeliveryRefused(Exception):
    """The URL may not be reached (SSRF guard): retrying would not help."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """What a receiver runs: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")


def check_webhook_url(url: str) -> None:
    """Raise ``DeliveryRefused`` if the guard would refuse ``url`` (the admin form's check)."""
    guard = AddressGuard()
    try:
        parsed = guard.check_url(url)
        host = parsed.raw_host.decode("ascii", "replace")
        guard.resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except IngestError as exc:
        raise DeliveryRefused(str(exc)) from exc


def post_signed(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` through the guarded transport; the status code.

    Raises ``DeliveryRefused`` for a URL the guard refuses, ``httpx.HTTPError`` for a
    network failure or timeout."""
    guard = AddressGuard()
    try:
        parsed = guard.check_url(url)
    except IngestError as exc:
        raise DeliveryRefused(str(exc)) from exc
    token = FETCH_DEADLINE.set(time.monotonic() + DEADLINE)
    try:
        client = httpx.Client(
            transport=GuardedTransport(guard),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(TIMEOUT, connect=min(TIMEOUT, 5.0)),
            headers={"User-Agent": user_agent()},
        )
        # The answer's body is never read: only its status matters.
        with client, client.stream("POST", parsed, content=body, headers=headers) as response:
            return response.status_code
    except IngestError as exc:  # refused again at connect time (e.g. DNS rebinding)
        raise DeliveryRefused(str(exc)) from exc
    finally:
        FETCH_DEADLINE.reset(token)


# --------------------------------------------------------------------------- events


def factcheck_payload(page) -> dict:
    """The fact-check as ``/api/v1/factchecks/<id>/`` shows it."""
    from claims.api import FactCheckSerializer

    return dict(FactCheckSerializer(page).data)


def event_for(page) -> str:
    """``published`` on the first publication, ``updated`` on every later one."""
    first, last = page.first_published_at, page.last_published_at
    if first is None or last is None or first == last:
        return WebhookEvent.PUBLISHED
    return WebhookEvent.UPDATED


def deliveries_create(*, page, event: str) -> list[WebhookDelivery]:
    """One pending delivery per active hook that wants ``event``; the body is fixed now."""
    hooks = [hook for hook in Webhook.objects.filter(active=True) if hook.wants(event)]
    if not hooks:
        return []
    payload = {"event": event, "factcheck": factcheck_payload(page)}
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=hook, event=event, body=body) for hook in hooks]
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base ..."""
    base = float(settings.FACTCHECK_WEBHOOK_BACKOFF_SECONDS)
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver(
    delivery_id: int,
    *,
    now: Callable[[], datetime] = timezone.now,
    post: Callable[[str, bytes, dict[str, str]], int] = post_signed,
) -> WebhookDelivery | None:
    """Make one attempt at a pending, due delivery; record the outcome.

    Returns the delivery (``None`` if it is gone). A delivery not due yet, or no longer
    pending, is left alone: a duplicate or early task does nothing."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        started = now()
        if delivery.next_attempt_at and delivery.next_attempt_at > started:
            return delivery
        hook = delivery.webhook
        delivery.attempts += 1
        if not hook.active:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "the webhook was deactivated"
        else:
            _attempt(delivery, hook, started, post)
        delivery.save()
    return delivery


def _attempt(delivery: WebhookDelivery, hook: Webhook, started: datetime, post) -> None:
    body = delivery.body.encode("utf-8")
    timestamp = int(started.timestamp())
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(hook.secret, timestamp, body),
    }
    try:
        status = post(hook.url, body, headers)
    except DeliveryRefused as exc:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = f"refused: {exc}"[:500]
        delivery.next_attempt_at = None
        logger.warning("webhook %s: URL refused: %s", hook.pk, exc)
        return
    except (httpx.HTTPError, OSError) as exc:
        delivery.last_status_code = None
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        delivery.last_status_code = status
        if 200 <= status < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = started
            delivery.last_error = ""
            delivery.next_attempt_at = None
            return
        delivery.last_error = f"HTTP {status}"
    if delivery.attempts >= int(settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        logger.warning("webhook %s: delivery %s failed for good", hook.pk, delivery.pk)
    else:
        delivery.next_attempt_at = started + backoff(delivery.attempts)


def due_deliveries(*, now: datetime | None = None) -> list[int]:
    """Pending deliveries whose retry time has come (for a backend that cannot defer)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
