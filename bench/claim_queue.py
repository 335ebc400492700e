"""Claim queue benchmark (not a test): the admin list page at 100,000 claims.

Creates (or reuses) a separate PostgreSQL database and migrates it
(``common.django_setup_postgres``, shared with ``bench/load.py``), bulk-creates synthetic
claims and sightings with ``bulk_create``, then times the admin queue list view
(``/admin/claims/queue/``) through Django's test ``Client`` as a logged-in superuser:
the default sort, each filter, a deep page and another sort, p50/p95 over ``--requests``
requests each (after warm-up requests), with the SQL queries per page, their median
total time and the page's size; then the filters' autocomplete endpoint
(``/admin/claims/queue/choose/<kind>/?q=``) where the code has it.

Run::

    .venv/bin/python bench/claim_queue.py            # creates factcheck_bench if missing
    .venv/bin/python bench/claim_queue.py --reset    # drop and rebuild the data
    .venv/bin/python bench/claim_queue.py --profile "status=new"   # cProfile one scenario
    .venv/bin/python bench/claim_queue.py --explain  # plans of each page's slowest queries

``--db-url`` (default ``postgres://postgres@127.0.0.1:5432/factcheck_bench``),
``--claims`` (100,000), ``--sightings`` (500,000), ``--requests`` (30), ``--only TEXT``
(the scenarios whose label contains it), ``--label`` (names the run in the table).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds search.py and ingest.py: keep it off sys.path so the apps are found.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factcheck_bench"


def populate(*, n_claims: int, n_sightings: int, seed: int = 7) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from claims.models import Claim, ClaimSighting, ClaimStatus, Platform
    from sources.models import Channel, Outlet

    if Claim.objects.count() >= n_claims:
        print(
            f"reusing {Claim.objects.count():,} claims, {ClaimSighting.objects.count():,} sightings"
        )
        return
    rnd = random.Random(seed)
    users = get_user_model()
    if not users.objects.filter(username="bench").exists():
        users.objects.create_superuser("bench", "bench@example.org", "bench")
    editors = [
        users.objects.get_or_create(username=f"editor{i}", defaults={"is_staff": True})[0]
        for i in range(10)
    ]
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"Outlet {i}", country=rnd.choice(["RS", "BA", "HR", "ME", "MK", "AL"]))
        for i in range(200)
    )
    channels = Channel.objects.bulk_create(
        Channel(outlet=o, kind="feed", url_or_handle=f"https://outlet{o.pk}.example/feed")
        for o in outlets
    )
    words = [
        "vakcine",
        "čipovi",
        "5G",
        "penzije",
        "izbori",
        "migranti",
        "NATO",
        "granica",
        "plata",
        "cijene",
        "gas",
        "EU",
    ]
    statuses = [s for s in ClaimStatus.values if s != ClaimStatus.MERGED]
    weights = [40, 15, 10, 5, 8, 10, 12][: len(statuses)]
    platforms = list(Platform.values)
    now = timezone.now()
    batch = 5000
    started = time.perf_counter()
    made = 0
    per_claim = n_sightings / n_claims
    sightings_left = n_sightings
    while made < n_claims:
        size = min(batch, n_claims - made)
        claims = []
        for i in range(size):
            last = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 90))
            suggested = rnd.random() < 0.3
            claims.append(
                Claim(
                    text=" ".join(rnd.choices(words, k=rnd.randint(8, 20))) + f" #{made + i}",
                    language=rnd.choice(["sr", "sr-latn", "hr", "bs", "cnr", "mk", "sq", "en"]),
                    country=rnd.choice(["RS", "BA", "HR", "ME", "MK", "AL", "XK"]),
                    status=rnd.choices(statuses, weights)[0],
                    assignee=rnd.choice(editors) if rnd.random() < 0.2 else None,
                    first_seen=last - timedelta(hours=rnd.randint(0, 500)),
                    last_seen=last,
                    sighting_count=rnd.randint(1, 9),
                    outlet_count=rnd.randint(1, 4),
                    platform_count=rnd.randint(1, 3),
                    engagement_total=rnd.randint(0, 50_000),
                    best_match_score=rnd.random() if suggested else 0.0,
                    has_suggested_match=suggested,
                    priority=round(rnd.uniform(0, 100), 3),
                    priority_components={
                        "appearances": 10.0,
                        "spread": 6.0,
                        "engagement": 12.0,
                        "recency": 20.0,
                        "match": 5.0,
                    },
                )
            )
        with transaction.atomic():
            claims = Claim.objects.bulk_create(claims)
            rows = []
            for k, claim in enumerate(claims):
                remaining_claims = n_claims - made - k
                n = (
                    sightings_left
                    if remaining_claims == 1
                    else max(1, min(9, round(rnd.gauss(per_claim, 2))))
                )
                n = min(n, max(0, sightings_left - (remaining_claims - 1)))
                sightings_left -= n
                for _ in range(n):
                    ch = rnd.choice(channels)
                    rows.append(
                        ClaimSighting(
                            claim=claim,
                            source="captured",
                            url=f"https://outlet{ch.outlet_id}.example/a/{rnd.randint(1, 10**9)}",
                            platform=rnd.choice(platforms),
                            outlet_id=ch.outlet_id,
                            channel=ch,
                            seen_at=claim.last_seen - timedelta(minutes=rnd.randint(0, 600)),
                            engagement_total=rnd.randint(0, 5000),
                        )
                    )
            ClaimSighting.objects.bulk_create(rows, batch_size=5000)
        made += size
        print(f"  {made:,} claims, {n_sightings - sightings_left:,} sightings "
              f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def scenarios() -> list[tuple[str, dict]]:
    """The list page's default sort, each filter, a deep page and another sort."""
    from django.contrib.auth import get_user_model

    from sources.models import Channel, Outlet

    editor = get_user_model().objects.get(username="editor3")
    outlet = Outlet.objects.order_by("pk")[17]
    channel = Channel.objects.order_by("pk")[23]
    return [
        ("default (priority)", {}),
        ("status=new", {"status": "new"}),
        ("status=new + language=hr", {"status": "new", "language": "hr"}),
        ("language=hr", {"language": "hr"}),
        ("country=HR", {"country": "HR"}),
        ("has suggested match", {"has_suggested_match": "true"}),
        ("assignee", {"assignee": editor.pk}),
        ("platform=telegram", {"platform": "telegram"}),
        ("outlet", {"outlet": outlet.pk}),
        ("channel", {"channel": channel.pk}),
        (
            "last seen, one week",
            {"last_seen_from": "2026-11-01", "last_seen_to": "2026-11-07"},
        ),
        ("page 20", {"p": 20}),
        ("sort by last seen", {"ordering": "-last_seen"}),
    ]


def chooser_scenarios() -> list[tuple[str, str, dict]]:
    """The filters' autocomplete endpoints, where this version of the code has them."""
    from django.urls import NoReverseMatch, reverse

    found = []
    for kind, query in (("outlet", "Outlet 1"), ("channel", "outlet17"), ("assignee", "edit")):
        try:
            url = reverse("claims_queue:chooser", args=[kind])
        except NoReverseMatch:  # the code before issue 12
            return []
        found.append((f"chooser: {kind} '{query}'", url, {"q": query}))
    return found


def _timed(client, url: str, params: dict, *, requests: int, warmup: int, label: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert client.get(url, params).status_code == 200, label
    times, sql, cpu = [], [], []
    for _ in range(requests):
        t0, c0 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return (
        p50,
        p95,
        len(queries.captured_queries),
        statistics.median(sql),
        statistics.median(cpu),
        response,
    )


def measure(*, requests: int, warmup: int = 3, only: str | None = None) -> list[tuple]:
    """p50, p95, queries, median SQL time, median Python CPU time and page size of each
    scenario (CPU: this process only, i.e. Django; the SQL time is PostgreSQL's side)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    user = get_user_model().objects.get(username="bench")
    client = Client()
    client.force_login(user)
    url = reverse("claims_queue:list")
    runs = [(label, url, params) for label, params in scenarios()] + chooser_scenarios()
    results = []
    for label, target, params in runs:
        if only and only not in label:
            continue
        p50, p95, nq, sql, cpu, response = _timed(
            client, target, params, requests=requests, warmup=warmup, label=label
        )
        size = len(response.content)
        results.append((label, p50, p95, nq, sql, cpu, size))
        print(f"{label:34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {nq:2} queries "
              f"(SQL {sql:6.1f} ms, CPU {cpu:6.1f} ms)  {size / 1024:6.0f} KiB", flush=True)  # fmt: skip
    return results


def profile(*, label: str, requests: int = 5, top: int = 30) -> None:
    """cProfile of ``requests`` requests of one scenario (after a warm-up), by own time."""
    import cProfile
    import pstats

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    url = reverse("claims_queue:list")
    params = dict(scenarios())[label]
    client.get(url, params)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(requests):
        client.get(url, params)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def explain() -> None:
    """The plans of the default page's list and count queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    for label, params in scenarios():
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("claims_queue:list"), params)
        slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]
        for q in slow:
            print(f"--- {label}: {float(q['time']) * 1000:.1f} ms\n{q['sql'][:300]}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--sightings", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the slowest query plans")
    parser.add_argument("--profile", metavar="SCENARIO", help="cProfile one scenario, by label")
    parser.add_argument("--only", metavar="TEXT", help="only the scenarios whose label has it")
    parser.add_argument("--label", default="", help="a name for the run (before, after)")
    args = parser.parse_args()

    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    common.django_setup_postgres(
        "factcheck.settings.dev", database_url=args.db_url, reset=args.reset
    )
    populate(n_claims=args.claims, n_sightings=args.sightings)
    from claims.models import Claim, ClaimSighting

    print(f"{Claim.objects.count():,} claims, {ClaimSighting.objects.count():,} sightings")
    if args.explain:
        explain()
        return
    if args.profile:
        profile(label=args.profile)
        return
    results = measure(requests=args.requests, only=args.only)
    print(f"\n{args.label or 'run'} {time.strftime('%Y-%m-%d %H:%M')} load {os.getloadavg()}")
    print("| scenario | p50 | p95 | queries | SQL (median) | Django CPU (median) | page |")
    print("|---|---|---|---|---|---|---|")
    for label, p50, p95, nq, sql, cpu, size in results:
        print(
            f"| {label} | {p50:.0f} ms | {p95:.0f} ms | {nq} | {sql:.0f} ms | {cpu:.0f} ms "
            f"| {size / 1024:.0f} KiB |"
        )


if __name__ == "__main__":
    main()
