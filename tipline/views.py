"""The webhook the messenger calls: secret first, then size, then JSON, then the update.

Answers: 403 without the right secret (or for an unknown or disabled bot), 413 for a
body over ``FACTCHECK_TIPLINE_MAX_BODY`` bytes, 400 for anything that is not JSON, and
200 for everything else, including updates with nothing to do and failures to reply
(otherwise Telegram re-sends the same update again and again).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import TelegramBot
from .telegram import TelegramTipline, update_id

logger = logging.getLogger(__name__)


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or ``None`` when it is larger than ``limit`` (read at most limit + 1)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.strip().isdigit() and int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = TelegramBot.objects.filter(pk=bot_id, enabled=True).first()
    backend = TelegramTipline(bot) if bot is not None else None
    if backend is None or not backend.verify(request.headers):
        return HttpResponse(status=403)
    body = _read_body(request, int(settings.FACTCHECK_TIPLINE_MAX_BODY))
    if body is None:
        return HttpResponse(status=413)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return HttpResponse(status=400)
    incoming = backend.parse(payload)
    if incoming is None or not services.claim_update(bot, update_id(payload)):
        return HttpResponse("ok")
    try:
        outcome = services.handle(bot, incoming, backend=backend)
    except Exception:  # logged without the message; Telegram must not re-send forever
        logger.exception("tipline: bot %s could not handle an update", bot.pk)
        return HttpResponse("ok")
    logger.info("tipline: bot %s: %s", bot.pk, outcome.action)
    return HttpResponse("ok")
