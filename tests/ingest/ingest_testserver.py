"""A real HTTP server on 127.0.0.1 (random port) serving tests/resources/ingest.

Tests register extra routes with ``local_server.route(path, *responses)``; a route
with several responses answers them in order (the last one repeats), which is how
retry and 304 scenarios are scripted. Every request is recorded.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "ingest"


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(Seen("GET", self.path, dict(self.headers.items())))
                reply = server._reply_for(self.path)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                headers = {"Content-Type": reply.content_type, **reply.headers}
                headers.setdefault("Content-Length", str(len(body)))
                for name, value in headers.items():
                    if value:  # an empty value means "do not send this header"
                        self.send_header(name, value)
                self.end_headers()
                if reply.status != 304:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()

    def _reply_for(self, raw_path: str) -> Reply:
        path = raw_path if raw_path in self.routes else urlsplit(raw_path).path
        if path in self.routes:
            replies = self.routes[path]
            return replies.pop(0) if len(replies) > 1 else replies[0]
        file = (RESOURCES / path.lstrip("/")).resolve()
        if RESOURCES in file.parents and file.is_file():
            ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if file.suffix == ".gz":
                ctype = "application/gzip"
            if ctype.startswith("text/") or ctype.endswith(("xml", "json")):
                ctype += "; charset=utf-8"
            return Reply(200, file.read_bytes(), content_type=ctype)
        return Reply(404, "not found", content_type="text/plain")
