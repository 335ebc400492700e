"""The Telegram backend: webhook updates in, Bot API calls out through the guarded transport.

Outgoing calls go to ``FACTCHECK_TELEGRAM_API_BASE`` (``https://api.telegram.org``; tests
point it at a fake Bot API on loopback) through ``ingest.http``'s address guard and
guarded transport: the same checks as every other fetch (public addresses only unless
allow-listed, ports 80/443), no redirects followed, bounded response. The token is part
of the Bot API's URLs, so no error message or log line ever carries a URL.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings

from ingest.exceptions import IngestError
from ingest.http import AddressGuard, GuardedTransport, user_agent

from .backends import Incoming, Tipline, TiplineSendError
from .models import TelegramBot

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 5000  # Telegram's own limits: 4,096 for a message, 1,024 for a caption
COMMANDS = frozenset({"start", "help", "stop", "yes", "no"})
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_MAX_ID = 2**53  # Telegram ids fit in 52 bits; anything else is not from Telegram
_TOKEN_IN_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


class RedactBotToken(logging.Filter):
    """httpx logs every request's URL at INFO; a Bot API URL holds the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot<token>", message), ()
        return True


logging.getLogger("httpx").addFilter(RedactBotToken())


class BotApi:
    """Calls Bot API methods with JSON bodies; raises ``TiplineSendError`` on any failure."""

    def __init__(self, token: str, *, base: str | None = None) -> None:
        self.token = token
        self.base = (base or settings.FACTCHECK_TELEGRAM_API_BASE).rstrip("/")

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        url = f"{self.base}/bot{self.token}/{method}"
        guard = AddressGuard()
        try:
            guard.check_url(url)
            with (
                httpx.Client(
                    transport=GuardedTransport(guard),
                    timeout=httpx.Timeout(10.0, connect=5.0),
                    headers={"User-Agent": user_agent()},
                    follow_redirects=False,
                ) as client,
                client.stream("POST", url, json=dict(params)) as response,
            ):
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise TiplineSendError(f"{method}: response too large")
                status = response.status_code
        except (httpx.HTTPError, IngestError) as exc:
            # Never str(exc): httpx puts the URL, and so the token, in its messages.
            raise TiplineSendError(f"{method}: {type(exc).__name__}") from None
        try:
            answer = json.loads(body)
        except (ValueError, RecursionError):
            raise TiplineSendError(f"{method}: HTTP {status}, not JSON") from None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            description = answer.get("description") if isinstance(answer, dict) else ""
            raise TiplineSendError(f"{method}: HTTP {status}: {str(description)[:200]}")
        return answer.get("result")


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < _MAX_ID:
        return value
    return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    return value[:limit] if isinstance(value, str) else ""


def update_id(payload: Any) -> int | None:
    return _int(_dict(payload).get("update_id"))


def _first_url(message: dict, text: str) -> str:
    entities = message.get("entities") or message.get("caption_entities") or []
    for entity in entities if isinstance(entities, list) else []:
        entity = _dict(entity)
        if entity.get("type") == "text_link":
            url = _str(entity.get("url"), 1000)
            if url.lower().startswith(("http://", "https://")):
                return url
    found = _URL.search(text)
    return found.group(0).rstrip(".,;:!?)»”")[:1000] if found else ""


class TelegramTipline(Tipline):
    name = "telegram"

    def __init__(self, bot: TelegramBot) -> None:
        self.bot = bot
        self.api = BotApi(bot.token)

    def verify(self, headers: Mapping[str, str]) -> bool:
        given = (headers.get(SECRET_HEADER) or "").encode("utf-8", "replace")
        expected = (self.bot.webhook_secret or "").encode()
        return bool(expected) and hmac.compare_digest(given, expected)

    def parse(self, payload: Any) -> Incoming | None:
        payload = _dict(payload)
        callback = _dict(payload.get("callback_query"))
        if callback:
            return self._parse_callback(callback)
        message = _dict(payload.get("message")) or _dict(payload.get("edited_message"))
        chat = _dict(message.get("chat"))
        chat_id = _int(chat.get("id"))
        if chat_id is None or chat.get("type") != "private":
            return None  # groups and channels: the tipline answers people one to one
        language = _str(_dict(message.get("from")).get("language_code"), 35)
        text = (_str(message.get("text")) or _str(message.get("caption"))).strip()
        if text.startswith("/"):
            word = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
            command = word if word in COMMANDS else "help"
            return Incoming("command", chat_id, command=command, language_code=language)
        url = _first_url(message, text)
        if not text and not url:
            return Incoming("unsupported", chat_id, language_code=language)
        return Incoming("message", chat_id, text=text, url=url, language_code=language)

    def _parse_callback(self, callback: dict) -> Incoming | None:
        chat = _dict(_dict(callback.get("message")).get("chat"))
        chat_id = _int(chat.get("id"))
        callback_id = _str(callback.get("id"), 100)
        data = _str(callback.get("data"), 64)
        if (
            chat_id is None
            or chat.get("type") != "private"
            or data not in ("consent:yes", "consent:no")
        ):
            return None
        return Incoming(
            "consent",
            chat_id,
            consent=data == "consent:yes",
            language_code=_str(_dict(callback.get("from")).get("language_code"), 35),
            callback_id=callback_id,
        )

    def send(self, chat_id: int, text: str, *, ask_consent: bool = False) -> None:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text[:4096],
            "link_preview_options": {"is_disabled": True},
        }
        if ask_consent:
            from .messages import consent_buttons

            yes, no = consent_buttons()
            params["reply_markup"] = {
                "inline_keyboard": [
                    [
                        {"text": yes, "callback_data": "consent:yes"},
                        {"text": no, "callback_data": "consent:no"},
                    ]
                ]
            }
        self.api.call("sendMessage", params)

    def acknowledge(self, incoming: Incoming) -> None:
        if incoming.callback_id:
            try:
                self.api.call("answerCallbackQuery", {"callback_query_id": incoming.callback_id})
            except TiplineSendError as exc:
                logger.warning("tipline: could not answer a button press (%s)", exc)

    def connect(self, webhook_url: str) -> None:
        self.api.call(
            "setWebhook",
            {
                "url": webhook_url,
                "secret_token": self.bot.webhook_secret,
                "allowed_updates": ALLOWED_UPDATES,
                "max_connections": 10,
            },
        )
