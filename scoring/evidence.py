"""Evidence behind a score: several assessors, their confidence, and how much is known.

This module owns three rules the analysis applies to the 1-5 scores of assessed criteria:

- `combine`: the assessors' scores of one network on one criterion become a `Cell`: the
  *mean* (the number the value uses, so it stays traceable), the lowest and highest score
  given, and the *plausible range* the robustness run samples from: the span of the
  assessors' scores, each widened by `CONFIDENCE_WIDENING` points for its confidence (a
  low-confidence score could be a point either way; medium and high are taken as given),
  clipped to the scale. Two assessors scoring 1 and 5 therefore sample the whole scale,
  while one low-confidence 3 samples 2 to 4. A cell nobody scored has no mean and is
  sampled over the whole scale.
- `disputed`: assessors *disagree* when their scores differ by `DISAGREEMENT_POINTS` (2) or
  more; the row names those criteria.
- `coverage`: the share of the weight of the assessed criteria that rests on at least one
  score. Below the workspace's evidence threshold (70% by default) a network gets no advice
  of its own ("assess first"). Computed and factual criteria (thematic fit, fee, staff time)
  are not counted: a fee is known for every network, and letting its weight count as evidence
  would let an unassessed free network pass on its price alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError

__all__ = [
    "CONFIDENCE_WIDENING",
    "DISAGREEMENT_POINTS",
    "AssessorScore",
    "Cell",
    "combine",
    "coverage",
]

CONFIDENCE_WIDENING: dict[str, float] = {"high": 0.0, "medium": 0.0, "low": 1.0}
"""Points by which a score of each confidence is widened (both ways) in the robustness run."""

DISAGREEMENT_POINTS = 2.0
"""Assessors whose scores differ by at least this many points are flagged as disagreeing."""

SCALE = (1.0, 5.0)


@dataclass(frozen=True, slots=True)
class AssessorScore:
    """One assessor's 1-5 score of one network on one criterion, with its confidence."""

    score: float
    confidence: str = "medium"


@dataclass(frozen=True, slots=True)
class Cell:
    """The combined scores of one network on one criterion.

    ``mean`` is None when nobody gave a score. ``low``/``high`` are the lowest and highest
    scores given (equal with one assessor); ``sample_low``/``sample_high`` the range the
    robustness run samples (the whole scale when the score is missing).
    """

    mean: float | None
    count: int
    low: float | None
    high: float | None
    sample_low: float
    sample_high: float

    @property
    def spread(self) -> float:
        """Highest minus lowest score given (0 with one assessor or none)."""
        return 0.0 if self.low is None or self.high is None else self.high - self.low

    @property
    def disputed(self) -> bool:
        """True when assessors differ by `DISAGREEMENT_POINTS` or more."""
        return self.spread >= DISAGREEMENT_POINTS

    @property
    def uncertain(self) -> bool:
        """True when the robustness run samples this cell rather than using its mean."""
        return self.mean is None or self.sample_low < self.sample_high


def combine(scores: Sequence[AssessorScore], scale: tuple[float, float] = SCALE) -> Cell:
    """Combine the assessors' scores of one cell (see the module docstring).

    >>> combine([AssessorScore(1, "high"), AssessorScore(5, "high")])
    Cell(mean=3.0, count=2, low=1.0, high=5.0, sample_low=1.0, sample_high=5.0)
    >>> combine([AssessorScore(3, "low")])
    Cell(mean=3.0, count=1, low=3.0, high=3.0, sample_low=2.0, sample_high=4.0)
    >>> combine([AssessorScore(4, "medium")]).uncertain
    False
    >>> combine([]).mean is None
    True
    """
    lo, hi = scale
    if not scores:
        return Cell(None, 0, None, None, lo, hi)
    values = []
    sample_low, sample_high = hi, lo
    for item in scores:
        if item.confidence not in CONFIDENCE_WIDENING:
            raise CriteriaError(
                f"Confidence must be low, medium or high, not '{item.confidence}'.",
                fields={"confidence": "unknown confidence"},
            )
        score = float(item.score)
        if not lo <= score <= hi:
            raise CriteriaError(
                f"A score must be between {lo:g} and {hi:g}, not {score:g}.",
                fields={"score": "outside the scale"},
            )
        widen = CONFIDENCE_WIDENING[item.confidence]
        values.append(score)
        sample_low = min(sample_low, max(lo, score - widen))
        sample_high = max(sample_high, min(hi, score + widen))
    return Cell(
        mean=sum(values) / len(values),
        count=len(values),
        low=min(values),
        high=max(values),
        sample_low=sample_low,
        sample_high=sample_high,
    )


def coverage(
    scored: NDArray[np.bool_], weights: NDArray[np.float64], assessed: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Per network, the share of the assessed criteria's weight that has a score.

    ``scored`` is ``(n, m)`` (True where at least one assessor scored), ``weights`` ``(m,)``,
    ``assessed`` ``(m,)`` (True for the criteria people score). With no weight on assessed
    criteria there is nothing to assess: every network is fully covered.

    >>> coverage(np.array([[True, False, True], [False, False, True]]),
    ...          np.array([0.5, 0.25, 0.25]), np.array([True, True, False])).tolist()
    [0.6666666666666666, 0.0]
    """
    w = np.where(assessed, weights, 0.0)
    total = float(w.sum())
    if total <= 0.0:
        return np.ones(scored.shape[0])
    return np.asarray((scored & assessed[None, :]) @ w / total, dtype=np.float64)
