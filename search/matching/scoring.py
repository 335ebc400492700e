"""Step 3 of a match: score, order and group the candidates, and find the runner-up.

* :func:`agreement`: places and numbers of the text against a candidate's passages
  (:mod:`search.matching.entities`).  Agreement lifts the candidate's score; a clear
  mismatch ("the same hoax with another city or amount") lowers it.
* :func:`rerank`: the fused pool ordered by ``score + LEXICAL_WEIGHT * lexical``.
* :func:`group_candidates`: translations of one fact-check (one same-hoax ``group``)
  become one result, *before* the margin is computed, so a hoax debunked in sr, hr and
  mk is one confident match rather than three weak ones; the version shown is the one in
  the reader's language when there is one.
* :func:`runner_up_score`: the best score of any *other* group (the decision's margin).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from search.matching.candidates import Candidate
from search.matching.entities import Entities, entities
from search.types import passages

__all__ = [
    "AGREEMENT_DEPTH",
    "LEXICAL_WEIGHT",
    "NUMBER_AGREE",
    "NUMBER_CONFLICT",
    "PLACE_AGREE",
    "PLACE_CONFLICT",
    "PLACE_EXTRA",
    "Group",
    "agreement",
    "agreement_parts",
    "apply_agreement",
    "group_candidates",
    "rerank",
    "runner_up_score",
]

#: Order: ``score + LEXICAL_WEIGHT * bm25 / best bm25`` over the RRF pool (measured on the
#: dev set; ``docs/matching.md``).
LEXICAL_WEIGHT = 0.02
#: Score added when the text and the candidate name a common place / number, and taken
#: away when both name places (numbers) and none agree.  Measured on the dev set
#: (``docs/benchmarks.md``, "Matching").
PLACE_AGREE = 0.04
PLACE_CONFLICT = 0.06
NUMBER_AGREE = 0.02
NUMBER_CONFLICT = 0.04
#: Taken away when the candidate names a city and the text names none: a post that
#: says "the internet will be cut off during the elections" repeats the hoax about the
#: whole country more likely than the one about Ohrid.
PLACE_EXTRA = 0.02
#: Candidates (best first) whose agreement is computed; the rest keep their cosine.
AGREEMENT_DEPTH = 40


def agreement(text: Entities, doc: Entities) -> float:
    """The score adjustment for a candidate naming ``doc`` when the text names ``text``:
    the sum of :func:`agreement_parts`."""
    return sum(agreement_parts(text, doc))


def agreement_parts(text: Entities, doc: Entities) -> tuple[float, float]:
    """``(places, details)``: the adjustment from places and from numbers and months.

    Places (and organisations): ``-PLACE_CONFLICT`` when both sides name some and none is
    shared (when both name a city, the cities must be shared: "Zagreb" and "Split" are
    both in Croatia, yet another hoax); otherwise ``+PLACE_AGREE`` times the share of
    the named places both name (Jaccard), so "North Macedonia, at the EU's request"
    agrees more with "... EU" than with "... Bulgaria"; ``-PLACE_EXTRA`` when the
    candidate names a city and the text none.  Numbers: ``+NUMBER_AGREE`` for a shared
    number, ``-NUMBER_CONFLICT`` when both name numbers and none is shared; the same for
    months.  0 when either side names nothing of a kind: silence is not disagreement."""
    place = 0.0
    if text.places and doc.places:
        shared = _shared_places(text, doc)
        if shared:
            place += PLACE_AGREE * shared / len(text.places | doc.places)
        else:
            place -= PLACE_CONFLICT
    if doc.cities and not text.cities:
        place -= PLACE_EXTRA
    details = 0.0
    if text.numbers and doc.numbers:
        details += NUMBER_AGREE if text.numbers & doc.numbers else -NUMBER_CONFLICT
    if text.months and doc.months:
        details += NUMBER_AGREE if text.months & doc.months else -NUMBER_CONFLICT
    return place, details


def _shared_places(a: Entities, b: Entities) -> int:
    # Countries are added beside their cities, so "Zagreb" and "Croatia" share "HR";
    # but "Zagreb" and "Split" share "HR" too, which is no agreement: when both sides
    # name a city, only a shared city counts.
    if a.cities and b.cities and not a.cities & b.cities:
        return 0
    return len(a.places & b.places)


def apply_agreement(text: str, candidates: dict[str, Candidate], ids: Iterable[str]) -> None:
    """Set :attr:`Candidate.agreement` for ``ids`` from the places and numbers of ``text``
    (the units of the input) and of each candidate's passages."""
    wanted = entities(text)
    for doc_id in ids:
        cand = candidates[doc_id]
        place, details = agreement_parts(wanted, entities(" \n".join(passages(cand.fields))))
        cand.agreement = place + details
        # The decision: a shared place never makes a match (a post about the same city
        # is not the same claim), but a conflict unmakes one; amounts and dates count
        # both ways.
        cand.decision_adjustment = min(place, 0.0) + details


def rerank(
    fused: Sequence[str], candidates: dict[str, Candidate], lexical_weight: float | None = None
) -> list[str]:
    """The RRF pool ordered by ``score + LEXICAL_WEIGHT * lexical`` (the calibrated score
    plus a small bonus for lexical evidence: names, places, numbers, which e5
    under-weighs); ties keep the RRF order; candidates without a cosine go last."""
    weight = LEXICAL_WEIGHT if lexical_weight is None else lexical_weight

    def fused_score(doc_id: str) -> float:
        cand = candidates[doc_id]
        if cand.cosine is None:
            return float("-inf")
        return cand.score + weight * (cand.lexical or 0.0)

    position = {d: i for i, d in enumerate(fused)}
    return sorted(fused, key=lambda d: (-fused_score(d), position[d]))


@dataclass(slots=True)
class Group:
    """One same-hoax group in result order: ``ids`` best first, ``shown`` the version a
    reader sees (in their language when there is one), ``best`` the one that scored."""

    key: str
    ids: list[str]
    shown: str

    @property
    def best(self) -> str:
        return self.ids[0]


def _language_rank(language: str, reader: str) -> int:
    if language == reader:
        return 0
    if language.split("-")[0] == reader.split("-")[0]:
        return 1  # sr-latn for an sr reader: the same language in the other script
    return 2


def group_candidates(
    order: Sequence[str],
    candidates: dict[str, Candidate],
    *,
    reader_language: str | None = None,
    grouped: bool = True,
) -> list[Group]:
    """Collapse ``order`` into same-hoax groups, in the order of each group's best member.
    ``grouped=False`` keeps every candidate its own group (the benchmark's before)."""
    groups: dict[str, Group] = {}
    for doc_id in order:
        key = candidates[doc_id].group if grouped else f"id:{doc_id}"
        if key in groups:
            groups[key].ids.append(doc_id)
        else:
            groups[key] = Group(key=key, ids=[doc_id], shown=doc_id)
    if reader_language:
        reader = reader_language.lower()
        for group in groups.values():
            ranked = sorted(
                group.ids,
                key=lambda d: _language_rank(
                    str(candidates[d].fields.get("language") or "").lower(), reader
                ),
            )
            if (
                _language_rank(
                    str(candidates[ranked[0]].fields.get("language") or "").lower(), reader
                )
                < 2
            ):
                group.shown = ranked[0]
    return list(groups.values())


def runner_up_score(
    top: Group,
    pool: Sequence[Group],
    vector_order: Sequence[str],
    candidates: dict[str, Candidate],
) -> float | None:
    """The best decision score of any candidate outside the top group: the rest of the pool and
    the vector channel's best (the margin the decision is calibrated on).  Other
    versions of the top fact-check are not its runner-up."""
    members = set(top.ids)
    others = [candidates[g.best].decision_score for g in pool if g.key != top.key]
    if vector_order and vector_order[0] not in members:
        others.append(candidates[vector_order[0]].decision_score)
    return max(others) if others else None
