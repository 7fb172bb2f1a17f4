"""Criteria that may count twice: scores that move together across a workspace's networks.

This module owns `correlated_criteria`. Given the mean score of each network on each scored
criterion (assessed or computed, 1-5; ``None`` when missing), it computes, for every pair of
criteria, Pearson's correlation coefficient over the networks scored on both:

    r = cov(x, y) / (sd(x) * sd(y))

and reports the pairs with ``r >= threshold`` (default 0.9). Two criteria whose scores rise and
fall together that closely across the city's own networks may be measuring the same quality,
so their weights add up to more than either was meant to carry.

A pair is checked only when at least ``min_networks`` networks (default 8) are scored on both
and neither criterion has the same score for all of them (a constant column has no
correlation). Why 8 and 0.9: for two unrelated criteria, a correlation of 0.9 or more among
8 networks arises by chance with probability of about 0.2% (two-sided t-test,
``t = r * sqrt(n - 2) / sqrt(1 - r^2) = 5.06`` on 6 degrees of freedom); with 6 networks it
would be 1.4%, too often for a warning people should act on. Negative correlations are trade-
offs, not double counting, and are not reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = [
    "MIN_NETWORKS",
    "THRESHOLD",
    "CorrelatedPair",
    "CorrelationCheck",
    "correlated_criteria",
]

MIN_NETWORKS: Final = 8
THRESHOLD: Final = 0.9


@dataclass(frozen=True, slots=True)
class CorrelatedPair:
    """Two criteria whose scores move together, the coefficient and the sentence explaining it."""

    a: str
    b: str
    r: float
    networks: int
    explanation: str


@dataclass(frozen=True, slots=True)
class CorrelationCheck:
    """The pairs found (strongest first), how many pairs could be checked, and a summary."""

    pairs: tuple[CorrelatedPair, ...]
    checked: int
    summary: str


def correlated_criteria(
    scores: Mapping[str, Mapping[str, float | None]],
    criteria: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    threshold: float = THRESHOLD,
    min_networks: int = MIN_NETWORKS,
) -> CorrelationCheck:
    """Pairs of ``criteria`` whose scores correlate at ``threshold`` or more across networks.

    ``scores`` maps network id -> criterion key -> mean score (``None`` or absent = missing).

    >>> scores = {f"n{i}": {"a": s, "b": s, "c": (i * 7) % 5 + 1}
    ...           for i, s in enumerate([1, 2, 2, 3, 4, 4, 5, 5])}
    >>> check = correlated_criteria(scores, ["a", "b", "c"], titles={"a": "Agenda", "b": "Fit"})
    >>> [(p.a, p.b, round(p.r, 2)) for p in check.pairs], check.checked
    ([('a', 'b', 1.0)], 3)
    >>> print(check.pairs[0].explanation)
    Agenda and Fit rise and fall together across the 8 networks scored on both (correlation \
1.00): they may be counting the same quality twice. Check that assessors keep to each \
criterion's own guidance, or give the two less weight between them.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("the threshold is a correlation above 0 and at most 1")
    if min_networks < 3:
        raise ValueError("a correlation needs at least 3 networks")
    label = dict(titles or {})
    networks = sorted(scores)
    values = np.array(
        [[_number(scores[n].get(k)) for k in criteria] for n in networks], dtype=np.float64
    ).reshape(len(networks), len(criteria))
    pairs: list[CorrelatedPair] = []
    checked = 0
    for i, a in enumerate(criteria):
        for j in range(i + 1, len(criteria)):
            b = criteria[j]
            both = ~np.isnan(values[:, i]) & ~np.isnan(values[:, j])
            n = int(both.sum())
            x, y = values[both, i], values[both, j]
            if n < min_networks or np.ptp(x) == 0 or np.ptp(y) == 0:
                continue
            checked += 1
            r = float(np.corrcoef(x, y)[0, 1])
            if r >= threshold - 1e-12:
                title_a, title_b = label.get(a, a), label.get(b, b)
                explanation = (
                    f"{title_a} and {title_b} rise and fall together across the {n} networks "
                    f"scored on both (correlation {r:.2f}): they may be counting the same "
                    "quality twice. Check that assessors keep to each criterion's own "
                    "guidance, or give the two less weight between them."
                )
                pairs.append(CorrelatedPair(a, b, r, n, explanation))
    pairs.sort(key=lambda p: (-p.r, p.a, p.b))
    if checked == 0:
        summary = (
            f"Too few networks are scored on the same two criteria to tell whether any criteria "
            f"count the same thing twice: the check needs at least {min_networks} networks "
            "with different scores on both."
        )
    elif not pairs:
        summary = (
            f"No two criteria move together closely enough to suggest double counting "
            f"({checked} pairs checked; a warning needs a correlation of {threshold:.2f} or more)."
        )
    else:
        summary = (
            f"Pairs of criteria that move together closely (correlation {threshold:.2f} or "
            f"more) and may count the same thing twice: {len(pairs)} of the {checked} checked."
        )
    return CorrelationCheck(tuple(pairs), checked, summary)


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)
