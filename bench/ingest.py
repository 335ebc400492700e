"""Ingest benchmarks (not a test).

Three parts, each printed as it finishes:

1. **Extraction quality**: body F1 on the gold pages of the Zyte article-extraction
   benchmark, ``--gold DIR`` (default ``../shared/data/article-extraction-benchmark-zyte``),
   scored with that benchmark's metric (word 4-gram "shingles", per-page
   tp/fp/fn normalised, precision and recall averaged over pages, F1 of the
   averages; accuracy = exact token match). Our extractor
   (``ingest.articles.parser.extract_article``, trafilatura) and, when it imports,
   newspaper4k side by side (``fetch_images=False``, never ``.nlp()``).
2. **Extraction speed**: pages per second on one core (single process).
3. **End to end**: a local site of ``--articles`` pages (default 1,000) on
   127.0.0.1 with an RSS feed listing all of them; one feed channel is crawled
   with ``crawl_channel`` (politeness delay 0, robots.txt obeyed) into a fresh
   SQLite database, and the time per stage is reported: fetch, extract,
   language detection, store (dedup + MinHash + DB), ``hand_off``.

Run::

    DJANGO_SETTINGS_MODULE=factcheck.settings.test .venv/bin/python bench/ingest.py

``--skip-e2e`` / ``--skip-quality`` run parts only; ``--newspaper-path DIR`` adds
a directory (e.g. a ``pip install --target``) holding newspaper4k to sys.path.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file is bench/ingest.py: keep bench/ off sys.path so ``import ingest`` is the app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

GOLD = common.SHARED / "data" / "article-extraction-benchmark-zyte"

# ----------------------------------------------------------------- metric
# Re-implementation of the benchmark's evaluate.py (MIT): word 4-gram shingles.

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN_RE.findall(text or "")
    out: Counter = Counter()
    for i in range(0, max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


def shingle_tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tp += min(t[key], p[key])
        fp += max(0, p[key] - t[key])
        fn += max(0, t[key] - p[key])
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(pairs: list[tuple[str, str]]) -> dict[str, float]:
    rows = [shingle_tp_fp_fn(t, p) for t, p in pairs]
    precision = statistics.mean(_precision(*r) for r in rows if r[0] + r[1] > 0)
    recall = statistics.mean(_recall(*r) for r in rows if r[0] + r[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact = statistics.mean(float(_TOKEN_RE.findall(t) == _TOKEN_RE.findall(p)) for t, p in pairs)
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": exact}


# ---------------------------------------------------------------- quality


def load_gold(directory: Path) -> list[tuple[str, str, str]]:
    truth = json.loads((directory / "ground-truth-subset.json").read_text())
    pages = []
    for key, entry in sorted(truth.items()):
        raw = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
        pages.append((entry["url"], raw.decode("utf-8", errors="replace"), entry["articleBody"]))
    return pages


def ours(html: str, url: str) -> str:
    from ingest.articles.exceptions import ArticleExtractionError
    from ingest.articles.parser import extract_article

    try:
        return extract_article(html, url=url).text
    except ArticleExtractionError:
        return ""


FAILURES: list[str] = []


def newspaper4k_extractor() -> tuple[Callable[[str, str], str] | None, str]:
    try:
        import newspaper  # newspaper4k installs as the `newspaper` package
        from newspaper import Article
    except Exception as exc:  # noqa: BLE001 - report why it is not compared
        return None, f"does not import: {type(exc).__name__}: {exc}"
    version = getattr(newspaper, "__version__", "?")

    def extract(html: str, url: str) -> str:
        article = Article(url, fetch_images=False)  # never .nlp(): it downloads data
        try:
            article.download(input_html=html)
            article.parse()
        except Exception as exc:  # noqa: BLE001 - a page it cannot do scores as empty
            FAILURES.append(f"{url}: {type(exc).__name__}: {str(exc)[:80]}")
            return ""
        return article.text or ""

    return extract, f"newspaper4k {version}"


def run_quality(gold_dir: Path) -> None:
    import trafilatura

    pages = load_gold(gold_dir)
    extractors: list[tuple[str, Callable[[str, str], str]]] = [
        (f"ours (trafilatura {trafilatura.__version__})", ours)
    ]
    n4k, note = newspaper4k_extractor()
    if n4k is not None:
        extractors.append((note, n4k))
    else:
        print(f"newspaper4k skipped: {note}")
    print(f"\n## extraction quality: {len(pages)} pages from {gold_dir}")
    for label, extract in extractors:
        extract(pages[0][1], pages[0][0])  # warm-up
        FAILURES.clear()
        preds = []
        start = time.process_time()
        wall = time.perf_counter()
        for url, html, _ in pages:
            preds.append(extract(html, url))
        cpu = time.process_time() - start
        wall = time.perf_counter() - wall
        if FAILURES:
            print(f"  {label}: {len(FAILURES)} page(s) raised, scored empty: {FAILURES[0]}")
            FAILURES.clear()
        m = score([(true, pred) for (_, _, true), pred in zip(pages, preds, strict=True)])
        print(
            f"{label:<32} F1={m['f1']:.3f} P={m['precision']:.3f} R={m['recall']:.3f} "
            f"exact={m['accuracy']:.2f}  speed={len(pages) / cpu:.1f} pages/s/core "
            f"(CPU {cpu:.2f}s, wall {wall:.2f}s, mean page {sum(len(p[1]) for p in pages) / len(pages) / 1024:.0f} KB)"
        )


# --------------------------------------------------------------- end to end

WORDS = [
    "vlada",
    "ministar",
    "izjavio",
    "premijer",
    "skupština",
    "opozicija",
    "zakon",
    "budžet",
    "izbori",
    "grad",
    "općina",
    "građani",
    "novinari",
    "istraživanje",
    "podaci",
    "prema",
    "izvještaju",
    "godine",
    "milion",
    "eura",
    "projekt",
    "izgradnja",
    "autoput",
    "bolnica",
    "škola",
    "reforma",
    "pravosuđe",
    "tužilaštvo",
    "sud",
    "odluka",
    "protest",
    "sindikat",
    "plata",
    "penzija",
    "porez",
    "inflacija",
    "cijene",
    "energija",
    "struja",
    "plin",
    "saopćenje",
    "konferencija",
    "sjednica",
    "parlament",
    "koalicija",
    "stranka",
    "kandidat",
    "glasanje",
]


def make_article(i: int) -> tuple[str, str]:
    """A deterministic, unique article page (~600 words) in Latin-script Croatian/Serbian."""
    import random

    rng = random.Random(i)
    paragraphs = []
    for _ in range(8):
        sentences = []
        for _ in range(5):
            words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
            sentences.append(" ".join(words).capitalize() + f" ({i}-{rng.randint(0, 10**6)}).")
        paragraphs.append(" ".join(sentences))
    title = f"Članak broj {i}: " + " ".join(rng.choice(WORDS) for _ in range(6))
    published = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i)).isoformat()
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    nav = "".join(f'<li><a href="/cat/{k}">Rubrika {k}</a></li>' for k in range(15))
    html = f"""<!doctype html><html lang="hr"><head><meta charset="utf-8">
<title>{title}</title><link rel="canonical" href="/a/{i}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="Autor {i % 17}"></head><body>
<header><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><p class="byline">Autor {i % 17}</p>{body}</article></main>
<aside><h3>Najčitanije</h3><ul>{nav}</ul></aside>
<footer><p>© 2026 Bench Portal. Sva prava zadržana.</p></footer></body></html>"""
    return title, html


FEED_SIZE = 500


class LocalSite:
    def __init__(self, n: int) -> None:
        self.pages: dict[str, bytes] = {}
        items = []
        for i in range(n):
            title, html = make_article(i)
            self.pages[f"/a/{i}"] = html.encode()
            when = format_datetime(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i))
            items.append(
                f"<item><title>{title}</title><link>{{base}}/a/{i}</link>"
                f"<guid>{{base}}/a/{i}</guid><pubDate>{when}</pubDate></item>"
            )
        # The feed parser keeps at most MAX_ENTRIES (500) entries: one feed per 500.
        self.feed_templates = [
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Bench</title><link>{base}/</link>"
            + "".join(items[k : k + FEED_SIZE])
            + "</channel></rss>"
            for k in range(0, n, FEED_SIZE)
        ]
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path in site.feeds:
                    body, ctype = site.feeds[self.path], "application/rss+xml; charset=utf-8"
                elif self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path in site.pages:
                    body, ctype = site.pages[self.path], "text/html; charset=utf-8"
                else:
                    body, ctype = b"not found", "text/plain"
                self.send_response(200 if ctype != "text/plain" or "robots" in self.path else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.feeds = {
            f"/feed-{k}.xml": t.replace("{base}", self.base).encode()
            for k, t in enumerate(self.feed_templates)
        }
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class StageTimer:
    """Wraps functions to accumulate wall time per stage (nested stages subtracted)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([0.0])
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                child = self._stack.pop()[0]
                self.total[stage] += elapsed - child
                self.calls[stage] += 1
                if self._stack:
                    self._stack[-1][0] += elapsed

        return wrapper


@contextlib.contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def run_e2e(n: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from ingest import pipeline
    from ingest.articles import client as article_client
    from ingest.feeds import client as feed_client
    from ingest.http import PoliteClient, RobotsCache
    from sources.models import CapturedItem, Channel, ChannelKind

    site = LocalSite(n)
    channels = [
        Channel.objects.create(kind=ChannelKind.FEED, url_or_handle=site.base + path, language="hr")
        for path in site.feeds
    ]
    timer = StageTimer()
    http = PoliteClient(delay=0.0, allow_hosts=["127.0.0.1"], robots_cache=RobotsCache())
    patches = [
        (PoliteClient, "get", timer.wrap("fetch (HTTP, guard, robots)", PoliteClient.get)),
        (
            article_client,
            "extract_article",
            timer.wrap("extract (trafilatura + dates)", article_client.extract_article),
        ),
        (
            article_client,
            "decode_file",
            timer.wrap("extract (trafilatura + dates)", article_client.decode_file),
        ),
        (
            feed_client,
            "parse_feed",
            timer.wrap("feed parse", feed_client.parse_feed),
        )
        if hasattr(feed_client, "parse_feed")
        else None,
        (pipeline, "detect_language", timer.wrap("language + script", pipeline.detect_language)),
        (pipeline, "store_item", timer.wrap("store (dedup, MinHash, DB)", pipeline.store_item)),
        (pipeline, "hand_off", timer.wrap("hand_off (claims intake)", pipeline.hand_off)),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            if patch is not None:
                stack.enter_context(patched(*patch))
        start = time.perf_counter()
        cpu = time.process_time()
        reports = [pipeline.crawl_channel(c, http=http, max_articles=n) for c in channels]
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu
    http.close()
    site.close()
    stored = CapturedItem.objects.count()
    with_body = CapturedItem.objects.filter(text__regex=r"\(\d+-\d+\)").count()
    errors = [e for r in reports for e in r.errors]
    print(
        f"\n## end to end: {n} articles, {len(channels)} feed(s) on 127.0.0.1, "
        "delay 0, robots.txt obeyed, SQLite, one process"
    )
    print(
        f"stored {stored} items ({with_body} with full article text), "
        f"new={sum(r.new for r in reports)}, "
        f"fetched={sum(r.articles_fetched for r in reports)}, errors={len(errors)}"
    )
    if errors:
        print("first error:", errors[0])
    print(
        f"wall {wall:.1f}s -> {stored / wall * 60:.0f} items/min "
        f"({stored / wall:.1f}/s); process CPU {cpu:.1f}s"
    )
    handoff = timer.total.get("hand_off (claims intake)", 0.0)
    print(f"without hand_off (ingest alone): {stored / (wall - handoff) * 60:.0f} items/min")
    accounted = sum(timer.total.values())
    for stage, seconds in sorted(timer.total.items(), key=lambda kv: -kv[1]):
        print(
            f"  {stage:<32} {seconds:7.2f}s {seconds / wall * 100:5.1f}%  "
            f"{seconds / max(1, timer.calls[stage]) * 1000:7.2f} ms/call x{timer.calls[stage]}"
        )
    print(f"  {'other (ORM checks, counters)':<32} {wall - accounted:7.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--newspaper-path", type=Path)
    args = parser.parse_args()
    if args.newspaper_path:
        sys.path.append(str(args.newspaper_path))
    tmp = tempfile.mkdtemp(prefix="bench-ingest-")
    # A throw-away database: never the developer's or the test run's.
    common.django_setup_project(
        "factcheck.settings.test", database_url=f"sqlite:///{tmp}/bench.sqlite3"
    )
    print(
        f"ingest benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, python {sys.version.split()[0]}"
    )
    if not args.skip_quality:
        run_quality(args.gold)
    if not args.skip_e2e:
        run_e2e(args.articles)


if __name__ == "__main__":
    main()
