"""Federation: two newsrooms on loopback, each with its own database.

Instance A is a separate process (``federation_instance.py``: its own SQLite database,
served over WSGI). Instance B is this test's Django. B follows A's ClaimReview DataFeed
with a ``claimreview`` channel; every fetch is a real HTTP request through the guarded
client. After one crawl B's match API finds A's Serbian (Cyrillic) debunk for a post in
Bosnian (Latin), crediting A; when A unpublishes, B's next crawl withdraws it.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from claims.models import FactCheckPage
from ingest.models import PartnerFactCheck
from ingest.pipeline import crawl_channel
from search.backends import reset_search_backends
from sources.models import Channel, ChannelKind

INSTANCE = Path(__file__).resolve().parent / "federation_instance.py"
ROOT = Path(__file__).resolve().parents[2]
A_NAME = "Newsroom A (Beograd)"
# Bosnian, Latin script ("gripe", "podijelite"); A wrote in Serbian Cyrillic.
POST = "Vakcine protiv gripe sadrže mikročipove za praćenje ljudi. Podijelite prije nego obrišu!"
START_TIMEOUT = 300  # A migrates a fresh database first: slow on a loaded CI box


class Instance:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("EOF")

    def expect(self, prefix: str, timeout: float) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"instance A did not answer {prefix!r} in time") from None
            if line == "EOF":
                raise AssertionError(f"instance A exited: {self.process.stderr.read()[-3000:]}")
            if line.startswith(prefix):
                return line

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()


@pytest.fixture
def instance_a(tmp_path) -> Iterator[tuple[Instance, int]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}",
        "FACTCHECK_NEWSROOM_NAME": A_NAME,
        "REDIS_URL": "",  # A's cache is its own (in-process), never B's
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, str(INSTANCE)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    instance = Instance(process)
    try:
        ready = instance.expect("READY", START_TIMEOUT)
        yield instance, int(ready.split()[1])
    finally:
        if process.poll() is None:
            instance.send("quit")
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_b_follows_a_matches_across_languages_and_withdraws(
    newsroom, instance_a, client, settings, tmp_path
) -> None:
    instance, port = instance_a
    settings.FACTCHECK_VAR_DIR = tmp_path / "b-var"
    settings.FACTCHECK_EMBEDDER = "test"
    reset_search_backends()
    try:
        feed_url = f"http://127.0.0.1:{port}/api/v1/claimreview.json"
        call_command("channels", "add", "claimreview", feed_url, stdout=StringIO())
        channel = Channel.objects.get(kind=ChannelKind.CLAIMREVIEW, url_or_handle=feed_url)

        report = crawl_channel(channel, http=client)
        assert report.ok, report.errors
        assert report.new == 1

        api = APIClient()
        response = api.post("/api/v1/match/", {"text": POST}, format="json")
        assert response.status_code == 200, response.content
        top = response.json()["results"][0]
        assert top["is_match"] is True, (top["score"], top)
        page = FactCheckPage.objects.get(pk=int(top["id"]))
        assert top["publisher"]["name"] == A_NAME  # the match API credits A ...
        assert page.original_publisher == A_NAME  # ... as the page does ...
        assert page.original_url.startswith(f"http://127.0.0.1:{port}/sr/")  # ... and A's URL
        assert page.locale.language_code == "sr"
        html = api.get(top["url"]).content.decode()
        assert A_NAME in html
        assert f'<link rel="canonical" href="{page.original_url}">' in html

        instance.send("unpublish")
        instance.expect("OK", 60)
        report = crawl_channel(channel, http=client)
        assert report.ok, report.errors
        assert report.withdrawn == 1
        page.refresh_from_db()
        assert not page.live
        assert PartnerFactCheck.objects.get(page=page).withdrawn_at is not None
        response = api.post("/api/v1/match/", {"text": POST}, format="json")
        assert all(int(r["id"]) != page.pk for r in response.json()["results"])
    finally:
        reset_search_backends()
