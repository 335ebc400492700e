"""Instance A of the federation test: a whole second newsroom in its own process.

Run as ``python tests/ingest/federation_instance.py`` with ``DATABASE_URL`` naming an
empty SQLite file and ``FACTCHECK_NEWSROOM_NAME`` set. It migrates its own database,
publishes one Serbian (Cyrillic) fact-check, serves the site over WSGI on a free
loopback port and prints ``READY <port> <page path>``. Then it obeys one command per
line on stdin: ``unpublish`` (answers ``OK``) and ``quit``. Commands run in the serving
process, so the ClaimReview feed's cache is invalidated exactly as in production.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.test")

CLAIM = "Вакцине против грипа садрже микрочипове за праћење људи."
TRUTH = {
    "key": "truth",
    "names": {"en": "Truth scale", "sr": "Скала истинитости"},
    "ratings": [
        {
            "key": "false",
            "verdict": "false",
            "rating_value": 1,
            "best": 5,
            "worst": 1,
            "alternate_name": "False",
            "colour": "#cf222e",
            "label": {"en": "False", "sr": "Нетачно"},
        }
    ],
}


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from claims import services
    from claims.models import FactCheckPage, Rating

    services.site_ensure_structure()
    services.rating_scale_upsert(key=TRUTH["key"], names=TRUTH["names"], ratings=TRUTH["ratings"])
    rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="sr")
    page, _ = services.factcheck_upsert(
        index=services.index_for(locale_code="sr"),
        slug="vakcine-mikrocipovi",
        title="Вакцине не садрже микрочипове",
        claim_reviewed=CLAIM,
        claimant="Објава на друштвеним мрежама",
        rating=rating,
        summary="Ниједна вакцина не садржи микрочип.",
    )

    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]} {page.url_path}", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "unpublish":
            FactCheckPage.objects.get(pk=page.pk).unpublish()
            print("OK", flush=True)
        elif command == "quit":
            break
    server.shutdown()


if __name__ == "__main__":
    main()
