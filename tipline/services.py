"""The tipline conversation, messenger-independent (it talks to ``backends.Tipline``).

* ``/start`` (with the privacy note), ``/help``: in the app's language, else English.
* A text or a link: matched against published debunks (``search.match``, calibrated
  ``is_match``); a match is answered at once with verdict, title and link in the
  message's language and script. Otherwise the bot asks for consent; "yes" hands the
  message to the claim queue (``claims.services.tip_submit``), "no" drops it.
* When a fact-check of that claim is published, the sender is told (``notify_claim``).
* ``/stop`` deletes the sender (chat number, language, waiting message, tip links).
* Rate limit per sender: ``FACTCHECK_TIPLINE_RATE_LIMIT`` updates per
  ``FACTCHECK_TIPLINE_RATE_WINDOW`` seconds; the first one over gets one polite answer.

Nothing here logs message content: log lines name the bot, the action and error types.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Page

import search
from claims.services import ClaimActionError, tip_submit

from . import messages
from .backends import Incoming, Tipline, TiplineSendError
from .models import TelegramBot, TiplineSender, TiplineTip

logger = logging.getLogger(__name__)

#: A waiting message older than this is not handed in on a late "yes".
PENDING_TTL = timedelta(hours=24)
#: Claim statuses that mean "a fact-check of it is out" (claims.models.ClaimStatus).
ANSWERED_STATUSES = ("published", "already_debunked")


def backend_for(bot: TelegramBot) -> Tipline:
    from .telegram import TelegramTipline

    return TelegramTipline(bot)


# --- Connecting a bot -------------------------------------------------------------------


def webhook_url(bot: TelegramBot) -> str:
    path = reverse("tipline:telegram_webhook", args=[bot.pk])
    return settings.FACTCHECK_SITE_URL.rstrip("/") + path


def bot_connect(bot: TelegramBot, *, backend: Tipline | None = None) -> bool:
    """Point the bot's webhook here (``setWebhook`` with the secret); record the outcome."""
    try:
        (backend or backend_for(bot)).connect(webhook_url(bot))
    except TiplineSendError as exc:
        bot.last_error = str(exc)[:500]
        bot.save(update_fields=["last_error"])
        logger.warning("tipline: bot %s could not be connected (%s)", bot.pk, exc)
        return False
    bot.connected_at, bot.last_error = timezone.now(), ""
    bot.save(update_fields=["connected_at", "last_error"])
    return True


# --- Rate limit -------------------------------------------------------------------------


def _sender_key(bot: TelegramBot, chat_id: int) -> str:
    raw = f"{settings.SECRET_KEY}:tipline:{bot.pk}:{chat_id}".encode()
    return "tipline:rate:" + hashlib.sha256(raw).hexdigest()[:32]


def rate_count(bot: TelegramBot, chat_id: int) -> int:
    """Count one update from this sender in the current window; returns the count."""
    key = _sender_key(bot, chat_id)
    window = max(int(settings.FACTCHECK_TIPLINE_RATE_WINDOW), 1)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


# --- Handling an update -----------------------------------------------------------------


@dataclass
class Outcome:
    """What handling one update did (for tests and the log): ``action`` and a reply count."""

    action: str
    replies: int = 0


def claim_update(bot: TelegramBot, update_id: int | None) -> bool:
    """True the first time an update id is seen (Telegram may deliver one twice)."""
    if update_id is None:
        return True
    return bool(
        TelegramBot.objects.filter(pk=bot.pk, last_update_id__lt=update_id).update(
            last_update_id=update_id
        )
    )


def handle(
    bot: TelegramBot,
    incoming: Incoming,
    *,
    backend: Tipline | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> Outcome:
    backend = backend or backend_for(bot)
    count = rate_count(bot, incoming.chat_id)
    limit = max(int(settings.FACTCHECK_TIPLINE_RATE_LIMIT), 1)
    if count > limit:
        if count == limit + 1:  # one polite answer, then silence until the window ends
            _reply(backend, incoming, locale_for_app(incoming), messages.rate_limited_text)
            return Outcome("rate_limited", 1)
        return Outcome("rate_limited")
    backend.acknowledge(incoming)
    if incoming.kind == "command":
        return _command(bot, backend, incoming)
    if incoming.kind == "consent":
        return _consent(bot, backend, incoming, consent=bool(incoming.consent), now=now())
    if incoming.kind == "unsupported":
        _reply(backend, incoming, locale_for_app(incoming), messages.unsupported_text)
        return Outcome("unsupported", 1)
    return _message(bot, backend, incoming, now=now())


def locale_for_app(incoming: Incoming) -> str:
    return messages.locale_for_app(incoming.language_code)


def _reply(
    backend: Tipline,
    incoming: Incoming,
    locale: str,
    text: Callable[[], str],
    *,
    ask_consent: bool = False,
) -> bool:
    with translation.override(locale):
        try:
            backend.send(incoming.chat_id, text(), ask_consent=ask_consent)
        except TiplineSendError as exc:
            logger.warning("tipline: reply not sent (%s)", exc)
            return False
    return True


def _command(bot: TelegramBot, backend: Tipline, incoming: Incoming) -> Outcome:
    locale = locale_for_app(incoming)
    command = incoming.command
    if command in ("yes", "no"):
        return _consent(bot, backend, incoming, consent=command == "yes", now=timezone.now())
    if command == "stop":
        sender_erase(bot, incoming.chat_id)
        _reply(backend, incoming, locale, messages.stopped_text)
        return Outcome("stopped", 1)
    text = messages.start_text if command == "start" else messages.help_text
    _reply(backend, incoming, locale, text)
    return Outcome(command, 1)


def _message(bot: TelegramBot, backend: Tipline, incoming: Incoming, *, now: datetime) -> Outcome:
    locale = messages.locale_for_text(incoming.text, incoming.language_code)
    found = _find_debunk(incoming.text)
    if found is not None:
        with translation.override(locale):
            parts = factcheck_parts(found, locale)
        if parts is not None:
            _reply(backend, incoming, locale, lambda: messages.found_text(**parts))
            return Outcome("matched", 1)
    TiplineSender.objects.update_or_create(
        bot=bot,
        chat_id=incoming.chat_id,
        defaults={
            "locale": locale,
            "pending_text": incoming.text,
            "pending_url": incoming.url,
            "pending_locale": locale,
            "pending_since": now,
        },
    )
    _reply(backend, incoming, locale, messages.ask_consent_text, ask_consent=True)
    return Outcome("asked_consent", 1)


def _find_debunk(text: str) -> int | None:
    """The page id of the published fact-check ``text`` repeats, by the calibrated decision."""
    if not text.strip():
        return None
    try:
        results = search.match(text, limit=3)
    except ValueError:  # empty after cleaning, too long: nothing to match
        return None
    except Exception:  # the index is down: the sender still gets the consent question
        logger.exception("tipline: matching failed")
        return None
    best = results[0] if results else None
    if best is None or not best.is_match:
        return None
    try:
        return int(best.id)
    except (TypeError, ValueError):
        return None


def factcheck_parts(page_id: int, locale: str) -> dict[str, str] | None:
    """Verdict (translated), title and absolute link of a live fact-check, in ``locale``'s
    script: the Serbian page in the reader's script when its script mirror exists."""
    page = Page.objects.live().filter(pk=page_id).first()
    if page is None:
        return None
    page = page.specific
    original_id = page.alias_of_id or page.pk
    if page.locale.language_code != locale:
        mirror = (
            Page.objects.live().filter(locale__language_code=locale).filter(pk=original_id).first()
        ) or (
            Page.objects.live()
            .filter(locale__language_code=locale, alias_of_id=original_id)
            .first()
        )
        if mirror is not None:
            page = mirror.specific
    title = page.title
    if messages.is_latin_locale(locale):
        title = search.to_latin(title, page.locale.language_code)
    rating = getattr(page, "rating", None)
    verdict = messages.verdict_label(getattr(rating, "verdict", "") or "")
    return {"verdict": verdict, "title": title, "url": page.get_full_url() or ""}


def _consent(
    bot: TelegramBot, backend: Tipline, incoming: Incoming, *, consent: bool, now: datetime
) -> Outcome:
    with transaction.atomic():
        sender = (
            TiplineSender.objects.select_for_update()
            .filter(bot=bot, chat_id=incoming.chat_id)
            .first()
        )
        pending = sender is not None and (sender.pending_text or sender.pending_url)
        if sender is None or not pending or now - sender.pending_since > PENDING_TTL:
            if sender is not None and pending:
                _clear_pending(sender)
            _reply(backend, incoming, locale_for_app(incoming), messages.nothing_pending_text)
            return Outcome("nothing_pending", 1)
        locale = sender.pending_locale or sender.locale or locale_for_app(incoming)
        if not consent:
            _clear_pending(sender)
            _reply(backend, incoming, locale, messages.tip_declined_text)
            return Outcome("declined", 1)
        try:
            tip = tip_submit(text=sender.pending_text, url=sender.pending_url, language=locale)
        except ClaimActionError:
            _clear_pending(sender)
            _reply(backend, incoming, locale, messages.unsupported_text)
            return Outcome("refused", 1)
        TiplineTip.objects.create(sender=sender, tip=tip, locale=locale)
        _clear_pending(sender)
    _reply(backend, incoming, locale, messages.tip_saved_text)
    return Outcome("tip_saved", 1)


def _clear_pending(sender: TiplineSender) -> None:
    sender.pending_text = sender.pending_url = sender.pending_locale = ""
    sender.pending_since = None
    sender.save(update_fields=["pending_text", "pending_url", "pending_locale", "pending_since"])


def sender_erase(bot: TelegramBot, chat_id: int) -> int:
    """``/stop``: delete the sender and their tip links. Returns how many senders went."""
    deleted, _by_model = TiplineSender.objects.filter(bot=bot, chat_id=chat_id).delete()
    if deleted:
        logger.info("tipline: bot %s erased a sender on request", bot.pk)
    return 1 if deleted else 0


# --- Telling senders a fact-check is out ------------------------------------------------


def claim_has_waiting_senders(claim_id: int) -> bool:
    return TiplineTip.objects.filter(tip__claim_id=claim_id, notified_at__isnull=True).exists()


def notify_claim(claim_id: int) -> int:
    """Tell every sender whose tip became this claim that its fact-check is published.

    Each sender is told once; one that could not be reached is tried again on the claim's
    next change. Returns how many were told.
    """
    told = 0
    links = (
        TiplineTip.objects.filter(tip__claim_id=claim_id, notified_at__isnull=True)
        .select_related("sender__bot", "tip__claim")
        .order_by("pk")
    )
    for link in links:
        claim = link.tip.claim
        if claim is None or claim.status not in ANSWERED_STATUSES or not claim.factcheck_id:
            continue
        locale = link.locale or link.sender.locale or settings.LANGUAGE_CODE
        with translation.override(locale):
            parts = factcheck_parts(claim.factcheck_id, locale)
            if parts is None or not link.sender.bot.enabled:
                continue
            updated = TiplineTip.objects.filter(pk=link.pk, notified_at__isnull=True).update(
                notified_at=timezone.now()
            )
            if not updated:
                continue  # another worker told them
            try:
                backend_for(link.sender.bot).send(
                    link.sender.chat_id, messages.published_text(**parts)
                )
            except TiplineSendError as exc:
                TiplineTip.objects.filter(pk=link.pk).update(notified_at=None)
                logger.warning("tipline: publication notice not sent (%s)", exc)
                continue
        told += 1
    return told
