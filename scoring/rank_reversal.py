"""Rank-reversal checks: does adding or removing a clearly worse network reorder the others?

This module owns `check_rank_reversal`, after scikit-criteria's ``RankInvariantChecker`` and
Wang & Triantaphyllou (2008, Omega 36(1)): a method is stable on the data when

1. *removing* a network that another network dominates (no better anywhere, worse somewhere;
   the lowest ranked such network, or the lowest ranked network when none is dominated), and
2. *adding* a copy of the lowest ranked network made worse on every criterion by
   `WORSENING` of the criterion's range (kept inside the range; the check is skipped when
   that network already sits at the worst end of every range),

leave the order of every other pair of networks as it was (a pair that was tied stays tied,
a pair that was not keeps its order). Missing scores are imputed at their midpoint, as in a
point evaluation.

Methods that score each network against fixed references (the weighted sum and weighted
product on the bounds utilities) cannot reverse ranks this way; methods that normalise by the
networks present (TOPSIS, VIKOR, PROMETHEE, ELECTRE) can, and the check shows whether they do
on this data and these weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scoring.matrix import DecisionMatrix, imputed_values
from scoring.method_options import MethodOptions
from scoring.methods import RANK_DECIMALS, Method, _method, batch_scores
from scoring.weights import weight_vector

__all__ = ["WORSENING", "RankReversalCheck", "check_rank_reversal"]

#: How much worse (share of each criterion's range) the added network is than the lowest one.
WORSENING = 0.1
#: At most this many reversed pairs are listed (all are counted).
LISTED_PAIRS = 10

Weights = Mapping[str, float] | NDArray[np.floating] | Sequence[float]


@dataclass(frozen=True)
class RankReversalCheck:
    """The outcome of both checks for one method.

    ``removed``: the network taken out (None with fewer than 3 networks). ``added_below``:
    the network whose worse copy was added (None when no copy could be made worse).
    ``reversed_on_removal`` / ``reversed_on_addition``: pairs of other networks whose order
    changed (at most `LISTED_PAIRS` each), and their counts.
    """

    method: Method
    removed: str | None
    removed_is_dominated: bool
    added_below: str | None
    reversed_on_removal: tuple[tuple[str, str], ...]
    reversed_on_addition: tuple[tuple[str, str], ...]
    removal_count: int
    addition_count: int

    @property
    def stable(self) -> bool:
        """True when neither check reordered any pair."""
        return self.removal_count == 0 and self.addition_count == 0


def _order_signs(scores: NDArray[np.floating]) -> NDArray[np.int8]:
    rounded = np.round(np.asarray(scores, dtype=np.float64), RANK_DECIMALS)
    return np.asarray(np.sign(rounded[:, None] - rounded[None, :]), dtype=np.int8)


def _changed_pairs(
    names: Sequence[str], before: NDArray[np.floating], after: NDArray[np.floating]
) -> tuple[tuple[tuple[str, str], ...], int]:
    changed = np.triu(_order_signs(before) != _order_signs(after), k=1)
    pairs = np.argwhere(changed)
    listed = tuple((names[int(a)], names[int(b)]) for a, b in pairs[:LISTED_PAIRS])
    return listed, int(pairs.shape[0])


def _dominated(values: NDArray[np.float64], benefit: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``out[i]`` is True when some other network is no worse anywhere and better somewhere."""
    oriented = np.where(benefit, values, -values)
    at_least = (oriented[:, None, :] >= oriented[None, :, :]).all(axis=2)
    better = (oriented[:, None, :] > oriented[None, :, :]).any(axis=2)
    dominates = at_least & better  # [a, b]: a dominates b
    return np.asarray(dominates.any(axis=0), dtype=bool)


def _submatrix(
    matrix: DecisionMatrix, values: NDArray[np.float64], names: tuple[str, ...]
) -> DecisionMatrix:
    return DecisionMatrix(
        names, matrix.criteria, values, matrix.objectives, matrix.bounds, matrix.saturating
    )


def check_rank_reversal(
    matrix: DecisionMatrix,
    weights: Weights,
    methods: Sequence[Method | str] = tuple(Method),
    *,
    options: MethodOptions | None = None,
) -> list[RankReversalCheck]:
    """Both rank-reversal checks for each method, in the order given.

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B", "C"), ("x", "y"),
    ...                    np.array([[5.0, 1.0], [1.0, 5.0], [2.0, 2.0]]),
    ...                    (Objective.MAX, Objective.MAX), ((1.0, 5.0), (1.0, 5.0)))
    >>> [(c.method.value, c.removed, c.stable) for c in check_rank_reversal(m, [0.5, 0.5], ["weighted_sum"])]
    [('weighted_sum', 'C', True)]
    """
    n, _ = matrix.shape
    w = weight_vector(matrix.criteria, weights)[None, :]
    values = imputed_values(matrix)
    complete = _submatrix(matrix, values, matrix.alternatives)
    benefit = matrix.is_benefit
    dominated = _dominated(values, benefit)
    span = matrix.upper - matrix.lower
    results: list[RankReversalCheck] = []
    for chosen in dict.fromkeys(_method(m) for m in methods):
        scores = batch_scores(complete, w, chosen, options=options)[0]
        rounded = np.round(scores, RANK_DECIMALS)
        # Lowest first; among equals the later network.
        by_score = sorted(range(n), key=lambda i: (rounded[i], -i))
        removed: str | None = None
        removed_dominated = False
        removal_pairs: tuple[tuple[str, str], ...] = ()
        removal_count = 0
        if n >= 3:
            candidates = [i for i in by_score if dominated[i]] or by_score
            out = candidates[0]
            removed, removed_dominated = matrix.alternatives[out], bool(dominated[out])
            keep = [i for i in range(n) if i != out]
            names = tuple(matrix.alternatives[i] for i in keep)
            after = batch_scores(
                _submatrix(matrix, values[keep], names), w, chosen, options=options
            )[0]
            removal_pairs, removal_count = _changed_pairs(names, scores[keep], after)
        lowest = by_score[0]
        worse = np.where(
            benefit, values[lowest] - WORSENING * span, values[lowest] + WORSENING * span
        )
        worse = np.clip(worse, matrix.lower, matrix.upper)
        added_below: str | None = None
        addition_pairs: tuple[tuple[str, str], ...] = ()
        addition_count = 0
        if np.any(worse != values[lowest]):
            added_below = matrix.alternatives[lowest]
            phantom = _unique_name(matrix.alternatives)
            names = (*matrix.alternatives, phantom)
            extended = _submatrix(matrix, np.vstack([values, worse]), names)
            after = batch_scores(extended, w, chosen, options=options)[0]
            addition_pairs, addition_count = _changed_pairs(matrix.alternatives, scores, after[:n])
        results.append(
            RankReversalCheck(
                method=chosen,
                removed=removed,
                removed_is_dominated=removed_dominated,
                added_below=added_below,
                reversed_on_removal=removal_pairs,
                reversed_on_addition=addition_pairs,
                removal_count=removal_count,
                addition_count=addition_count,
            )
        )
    return results


def _unique_name(names: Sequence[str]) -> str:
    name = "worse copy"
    while name in names:
        name += "'"
    return name
