"""AHP synthesis (Saaty 1980): alternatives compared pairwise under each criterion, local and
composite priorities, and the consistency of every matrix.

This module owns the full AHP for a small set of networks (a workshop choosing among 3-7):
`scoring.weights.ahp` turns one set of pairwise judgements into principal-eigenvector
priorities and a consistency ratio; `synthesise` applies it to the criteria (or takes their
weights as given) and, under each criterion, to the networks, then adds up.

- Local priorities ``l_ij``: the eigenvector of the networks' comparison matrix under
  criterion ``j`` (summing to 1 over the networks: Saaty's *distributive* mode).
- Criterion weights ``w_j``: the eigenvector of the criteria's comparison matrix, or weights
  given directly (normalised to sum to 1).
- Composite priority ``P_i = sum_j w_j l_ij`` (sums to 1 over the networks).
- Consistency: ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` per matrix; Saaty
  asks to revisit judgements above ``CR = 0.10``. Matrices of 1 or 2 items are always
  consistent.

Judgements are ``{(a, b): x}``: "a is x times as preferred as b", on Saaty's 1/9-9 scale,
each pair once in either order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError
from scoring.promethee import competition_ranks
from scoring.weights import AHPResult, ahp, weight_vector

__all__ = ["MAX_ALTERNATIVES", "AHPSynthesis", "synthesise"]

FloatArray = NDArray[np.float64]

#: Pairwise comparison of networks suits small sets: n (n - 1) / 2 judgements per criterion.
MAX_ALTERNATIVES = 9

Judgements = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class AHPSynthesis:
    """The AHP's intermediate and final results.

    ``local[i, j]``: priority of network ``i`` under criterion ``j``; ``composite[i]``: its
    overall priority; ``matrices`` holds the AHP result of each comparison matrix by criterion
    key, and of the criteria themselves under ``"criteria"`` when judged pairwise.
    """

    alternatives: tuple[str, ...]
    criteria: tuple[str, ...]
    weights: FloatArray
    local: FloatArray
    composite: FloatArray
    ranks: NDArray[np.int64]
    matrices: dict[str, AHPResult]

    @property
    def consistent(self) -> bool:
        """True when every comparison matrix has a consistency ratio of at most 0.10."""
        return all(result.consistent for result in self.matrices.values())


def _priorities(names: Sequence[str], judgements: Judgements, where: str) -> AHPResult:
    try:
        return ahp(names, judgements)
    except CriteriaError as exc:
        raise CriteriaError(f"{where}: {exc}", fields={where: str(exc)}) from None


def synthesise(
    alternatives: Sequence[str],
    criteria: Sequence[str],
    alternative_judgements: Mapping[str, Judgements],
    *,
    criteria_judgements: Judgements | None = None,
    criteria_weights: Mapping[str, float] | None = None,
) -> AHPSynthesis:
    """Full AHP: criteria weights (judged or given) times the networks' local priorities.

    >>> s = synthesise(["a", "b"], ["x", "y"],
    ...                {"x": {("a", "b"): 3}, "y": {("b", "a"): 3}},
    ...                criteria_weights={"x": 3, "y": 1})
    >>> s.local.round(4).tolist(), s.composite.round(4).tolist()
    ([[0.75, 0.25], [0.25, 0.75]], [0.625, 0.375])
    """
    names = tuple(str(a) for a in alternatives)
    keys = tuple(str(c) for c in criteria)
    if not 2 <= len(names) <= MAX_ALTERNATIVES:
        raise CriteriaError(
            f"Compare between 2 and {MAX_ALTERNATIVES} networks pairwise; {len(names)} were given.",
            fields={"alternatives": "between 2 and 9 networks"},
        )
    if len(set(names)) != len(names):
        raise CriteriaError("A network appears twice in the comparison.")
    if not keys or len(set(keys)) != len(keys):
        raise CriteriaError("Give each criterion once, and at least one.")
    if (criteria_judgements is None) == (criteria_weights is None):
        raise CriteriaError(
            "Give the criteria either as pairwise judgements or as weights, not both."
        )
    matrices: dict[str, AHPResult] = {}
    if criteria_judgements is not None:
        result = _priorities(keys, criteria_judgements, "criteria")
        matrices["criteria"] = result
        weights = np.array([result.weights[k] for k in keys])
    else:
        assert criteria_weights is not None
        weights = weight_vector(keys, criteria_weights)
    extra = sorted(set(alternative_judgements) - set(keys))
    if extra:
        raise CriteriaError(
            f"There are judgements under '{extra[0]}', which is not a criterion here.",
            fields={extra[0]: "unknown criterion"},
        )
    local = np.empty((len(names), len(keys)))
    for j, key in enumerate(keys):
        if key not in alternative_judgements:
            raise CriteriaError(
                f"The networks have not been compared under '{key}'.",
                fields={key: "no comparisons"},
            )
        result = _priorities(names, alternative_judgements[key], key)
        matrices[key] = result
        local[:, j] = [result.weights[a] for a in names]
    composite = local @ weights
    return AHPSynthesis(
        alternatives=names,
        criteria=keys,
        weights=weights,
        local=local,
        composite=composite,
        ranks=competition_ranks(composite),
        matrices=matrices,
    )
