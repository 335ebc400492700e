"""The calibrated match decision: is the top candidate confidently the same claim?

The numbers live in ``search/calibration.json`` (written by ``bench/calibrate.py``); how
they were fitted, and on which data, is in ``docs/matching.md``.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CALIBRATION_PATH", "MatchDecision"]

CALIBRATION_PATH = Path(__file__).resolve().parent.parent / "calibration.json"


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class MatchDecision:
    """Calibrated "is this post the same claim as that fact-check?" decision.

    Scores are cosine similarities of the embedder named in ``model_id`` between the
    post (embedded as a *query*) and each fact-check claim (embedded as a *passage*).
    ``runner_up_score`` is the best score of a *different* fact-check (not another
    sentence or translation of the same one); ``None`` when there is no other candidate.

    ``rule="threshold_margin"``: match iff ``top >= threshold`` and
    ``top - runner_up >= margin``.  ``rule="logistic"``: match iff
    ``sigmoid(bias + w_top*top + w_margin*margin) >= cut``.
    """

    threshold: float
    margin: float
    rule: str = "threshold_margin"
    model_id: str | None = None
    coef: tuple[float, float, float] | None = None  # (bias, w_top, w_margin)
    cut: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def margin_of(self, top_score: float, runner_up_score: float | None) -> float:
        """``top - runner_up``; 1.0 when there is no runner-up (nothing to confuse)."""
        if runner_up_score is None or math.isnan(runner_up_score):
            return 1.0
        return float(top_score) - float(runner_up_score)

    def probability(self, top_score: float, runner_up_score: float | None = None) -> float:
        """Match probability under the logistic rule (only defined for that rule)."""
        if self.rule != "logistic" or self.coef is None:
            raise ValueError("probability() needs a logistic MatchDecision")
        bias, w_top, w_margin = self.coef
        margin = self.margin_of(top_score, runner_up_score)
        return _sigmoid(bias + w_top * float(top_score) + w_margin * margin)

    def is_match(self, top_score: float, runner_up_score: float | None = None) -> bool:
        """True when the top candidate is confidently the same claim (score AND margin)."""
        if top_score is None or math.isnan(top_score):
            return False
        margin = self.margin_of(top_score, runner_up_score)
        if self.rule == "logistic":
            return self.probability(top_score, runner_up_score) >= self.cut
        return float(top_score) >= self.threshold and margin >= self.margin

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "threshold": self.threshold,
            "margin": self.margin,
        }
        if self.coef is not None:
            data["coef"] = list(self.coef)
            data["cut"] = self.cut
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], model_id: str | None = None) -> MatchDecision:
        coef = data.get("coef")
        return cls(
            threshold=float(data["threshold"]),
            margin=float(data["margin"]),
            rule=str(data.get("rule", "threshold_margin")),
            model_id=model_id,
            coef=tuple(float(c) for c in coef) if coef else None,  # type: ignore[arg-type]
            cut=float(data.get("cut", 0.5)),
            meta=dict(data.get("fitted_on", {})),
        )

    @classmethod
    def load(cls, model_id: str | None = None, path: str | Path | None = None) -> MatchDecision:
        """Parameters for ``model_id`` from ``search/calibration.json``.

        Falls back to the file's ``default_model`` entry when ``model_id`` has no fitted
        entry (the result's ``model_id`` then says which model it was fitted for; a
        different embedder's cosines are on another scale, so refit with
        ``bench/calibrate.py`` before relying on it).
        """
        return _load_decision(str(Path(path or CALIBRATION_PATH)), model_id)


@functools.lru_cache(maxsize=32)
def _load_decision(path: str, model_id: str | None) -> MatchDecision:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    models: dict[str, Any] = data.get("models", {})
    chosen = model_id if model_id in models else data.get("default_model")
    if chosen not in models:
        raise KeyError(f"{path} has no calibration for {model_id!r} and no usable default")
    return MatchDecision.from_dict(models[chosen], model_id=chosen)
