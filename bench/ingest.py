"""Ingest micro-benchmarks (not a test): parse speed of the pure parts of the pipeline.

Run: ``DJANGO_SETTINGS_MODULE=factcheck.settings.test .venv/bin/python bench/ingest.py``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.test")

import django  # noqa: E402

django.setup()

from ingest.articles.parser import extract_article  # noqa: E402
from ingest.feeds.parser import parse_feed  # noqa: E402
from ingest.telegram.parser import parse_preview  # noqa: E402
from ingest.text import detect_language, minhash  # noqa: E402

RES = ROOT / "tests" / "resources" / "ingest"


def bench(label: str, fn, repeat: int = 50) -> None:
    fn()  # warm-up (model loading etc.)
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    per_call = (time.perf_counter() - start) / repeat * 1000
    print(f"{label:<40} {per_call:8.2f} ms/call")


def main() -> None:
    rss = (RES / "feeds/rss.xml").read_bytes()
    article = (RES / "articles/hr-article.html").read_text()
    tme = (RES / "telegram/s-provjera.html").read_text()
    text = " ".join(article.split()) * 3
    bench("feedparser, 2-item RSS", lambda: parse_feed(rss))
    bench("trafilatura article", lambda: extract_article(article, url="http://x.example/a"), 20)
    bench("telegram preview page", lambda: parse_preview(tme))
    bench("minhash (64 perm) of ~1k words", lambda: minhash(text), 20)
    bench("language detection", lambda: detect_language(text[:2000], hints=["hr"]))


if __name__ == "__main__":
    main()
