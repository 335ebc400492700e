"""A fake Telegram Bot API on loopback, recorded Telegram updates, a connected bot."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.cache import cache

UPDATES = Path(__file__).resolve().parent.parent / "resources" / "tipline"
TOKEN = "7000000001:AAEhBP0av28B3R9yQ4jKx8pLmNoPqRsTuVw"
SECRET = "s3cret-webhook-token_for-tests-0123456789"


class FakeBotApi:
    """Answers ``POST /bot<token>/<method>`` like the Bot API and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.paths: list[str] = []
        self.fail_with: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.paths.append(self.path)
                method = self.path.rsplit("/", 1)[-1]
                fake.calls.append((method, body))
                if fake.fail_with:
                    status, answer = fake.fail_with, {"ok": False, "description": "Bad Gateway"}
                elif method == "sendMessage":
                    status = 200
                    answer = {"ok": True, "result": {"message_id": len(fake.calls)}}
                else:
                    status, answer = 200, {"ok": True, "result": True}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - pages a tip links to
                data = (
                    b"<html><head><title>Objava</title></head><body><p>"
                    + "Od marta zabranjeno sušenje veša na terasama.".encode()
                    + b"</p></body></html>"
                )
                status = 404 if self.path == "/robots.txt" else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def sent(self, method: str = "sendMessage") -> list[dict]:
        return [body for name, body in self.calls if name == method]

    def texts(self) -> list[str]:
        return [body["text"] for body in self.sent()]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def _fake_api():
    api = FakeBotApi()
    yield api
    api.close()


@pytest.fixture
def bot_api(_fake_api, settings):
    _fake_api.calls.clear()
    _fake_api.paths.clear()
    _fake_api.fail_with = None
    settings.FACTCHECK_TELEGRAM_API_BASE = _fake_api.base
    return _fake_api


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bot(db):
    from tipline.models import TelegramBot

    return TelegramBot.objects.create(name="Provjera", token=TOKEN, webhook_secret=SECRET)


class Updates:
    """Recorded updates; each ``load`` gets a fresh, increasing ``update_id``."""

    def __init__(self) -> None:
        self.next_id = 200_000_000

    def load(self, name: str, **changes) -> dict:
        update = json.loads((UPDATES / f"{name}.json").read_text(encoding="utf-8"))
        self.next_id += 1
        update["update_id"] = self.next_id
        message = update.get("message") or update.get("edited_message") or {}
        if "text" in changes:
            message["text"] = changes["text"]
        if "language_code" in changes:
            for holder in (message, update.get("callback_query") or {}):
                if "from" in holder:
                    holder["from"]["language_code"] = changes["language_code"]
        return copy.deepcopy(update)


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
def post_update(client, bot):
    """POST an update to the bot's webhook with the right secret (or ``secret=...``)."""

    def post(payload, *, secret: str | None = SECRET, raw: bytes | None = None):
        headers = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
        body = raw if raw is not None else json.dumps(payload).encode()
        return client.post(
            f"/tipline/telegram/{bot.pk}/", body, content_type="application/json", **headers
        )

    return post
