"""The decision matrix: networks x criteria, with directions, plausible ranges and gaps.

This module owns the one data structure every scoring method reads:

- `Objective`: whether more of a criterion is better (``max``) or worse (``min``, a cost).
- `CriterionSpec`: what the scoring core needs to know about a criterion (key, objective,
  plausible range).
- `DecisionMatrix`: a frozen, validated matrix with NaN where a score is missing.
- `build_matrix`: builds a matrix from nested mappings of scores, refusing unknown criteria.
- `utilities`: maps every column linearly onto [0, 1], benefit-oriented, using the plausible
  range (the *bounds*) of the criterion rather than the values that happen to be in the set.

Why bounds and not min/max of the data: a value of 0.62 must mean the same thing whatever
networks are being compared, so that a threshold on the value ("stay while the value is at
least 0.5") does not move when a network is added. The bounds are the reference levels of each
criterion's *value function*: the anchors 1 and 5 of a scored criterion, and for a cost zero
(best) and a reference level the workspace sets (worst). Costs are mapped with
``(hi - x) / (hi - lo)`` so a zero fee is simply the best possible fee (no ``1 / x``).
A *saturating* criterion (the costs) accepts values beyond its bounds: a fee above the
reference level is simply as bad as it gets (utility 0), so no network's fee can stretch the
scale of the others.

Missing scores are never zero. For a point evaluation a missing score is imputed at the
midpoint of its criterion's bounds (utility 0.5): neither rewarded nor punished. The robustness
module instead samples missing scores uniformly over the bounds, so the uncertainty they cause
shows up in the results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError

__all__ = [
    "CriterionSpec",
    "DecisionMatrix",
    "Objective",
    "build_matrix",
    "imputed_values",
    "utilities",
]

FloatArray = NDArray[np.float64]


class Objective(StrEnum):
    """Direction of a criterion: ``max`` for a benefit, ``min`` for a cost."""

    MAX = "max"
    MIN = "min"


def _check_bounds(key: str, bounds: tuple[float, float]) -> tuple[float, float]:
    if len(bounds) != 2:
        raise CriteriaError(
            f"The range of criterion '{key}' must be two numbers (lowest, highest).",
            fields={key: "range must be two numbers"},
        )
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise CriteriaError(
            f"The range of criterion '{key}' must be made of finite numbers, got ({lo}, {hi}).",
            fields={key: "range must be finite"},
        )
    if lo > hi:
        raise CriteriaError(
            f"The range of criterion '{key}' is upside down: lowest {lo:g} is above highest {hi:g}.",
            fields={key: "lowest value above highest value"},
        )
    return lo, hi


@dataclass(frozen=True)
class CriterionSpec:
    """What the scoring core needs to know about one criterion.

    ``bounds`` is the plausible range: ``(1, 5)`` for an anchored score, ``(0, max observed)``
    for a cost. ``lo == hi`` is allowed (for instance every network is free): such a column
    carries no information and gets utility 1 for everybody.

    >>> CriterionSpec("annual_fee", Objective.MIN, (0.0, 60000.0)).objective
    <Objective.MIN: 'min'>
    """

    key: str
    objective: Objective
    bounds: tuple[float, float]

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise CriteriaError("Every criterion needs a non-empty key.")
        try:
            objective = Objective(self.objective)
        except ValueError:
            raise CriteriaError(
                f"Criterion '{self.key}' has direction '{self.objective}'; "
                "use 'max' (more is better) or 'min' (less is better).",
                fields={self.key: "unknown direction"},
            ) from None
        object.__setattr__(self, "objective", objective)
        object.__setattr__(self, "bounds", _check_bounds(self.key, self.bounds))


@dataclass(frozen=True)
class DecisionMatrix:
    """Networks (rows) x criteria (columns), NaN where a score is missing.

    The constructor validates everything a user could get wrong and stores a read-only
    float64 copy of ``values``.

    >>> m = DecisionMatrix(
    ...     alternatives=("C40", "ICLEI"),
    ...     criteria=("relevant_agenda", "annual_fee"),
    ...     values=np.array([[5.0, 40000.0], [np.nan, 10000.0]]),
    ...     objectives=(Objective.MAX, Objective.MIN),
    ...     bounds=((1.0, 5.0), (0.0, 40000.0)),
    ... )
    >>> m.shape
    (2, 2)
    >>> m.mask.tolist()
    [[False, False], [True, False]]
    """

    alternatives: tuple[str, ...]
    criteria: tuple[str, ...]
    values: FloatArray = field(repr=False)
    objectives: tuple[Objective, ...]
    bounds: tuple[tuple[float, float], ...]
    saturating: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        alternatives = tuple(str(a) for a in self.alternatives)
        criteria = tuple(str(c) for c in self.criteria)
        if not alternatives:
            raise CriteriaError("There is no network to compare: add at least one network.")
        if not criteria:
            raise CriteriaError("There is no criterion to compare on: add at least one.")
        for kind, names in (("network", alternatives), ("criterion", criteria)):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise CriteriaError(f"The {kind} '{name}' appears twice; names must be unique.")
                seen.add(name)
        n, m = len(alternatives), len(criteria)
        try:
            values = np.array(self.values, dtype=np.float64, copy=True)
        except (TypeError, ValueError):
            raise CriteriaError("Scores must be numbers (or missing).") from None
        if values.shape != (n, m):
            raise CriteriaError(
                f"The score table has shape {values.shape}, expected {n} networks x {m} criteria."
            )
        if len(self.objectives) != m or len(self.bounds) != m:
            raise CriteriaError(
                f"Each of the {m} criteria needs exactly one direction and one range."
            )
        objectives = tuple(Objective(o) for o in self.objectives)
        bounds = tuple(_check_bounds(c, b) for c, b in zip(criteria, self.bounds, strict=True))
        saturating = tuple(bool(x) for x in self.saturating) or (False,) * m
        if len(saturating) != m:
            raise CriteriaError(f"Each of the {m} criteria needs exactly one saturation flag.")
        if np.isinf(values).any():
            i, j = map(int, np.argwhere(np.isinf(values))[0])
            raise CriteriaError(
                f"The score of '{alternatives[i]}' on '{criteria[j]}' is infinite.",
                fields={criteria[j]: "infinite score"},
            )
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        tol = 1e-9 * np.maximum(1.0, np.abs(hi - lo))
        open_top = np.array(saturating, dtype=bool)
        with np.errstate(invalid="ignore"):
            outside = (values < lo - tol) | ((values > hi + tol) & ~open_top)
        if outside.any():
            i, j = map(int, np.argwhere(outside)[0])
            raise CriteriaError(
                f"The score {values[i, j]:g} of '{alternatives[i]}' on '{criteria[j]}' is "
                f"outside the criterion's range {lo[j]:g} to {hi[j]:g}.",
                fields={criteria[j]: "score outside the range"},
            )
        # Absorb the float tolerance (NaN stays NaN); saturating columns keep values above.
        values = np.clip(values, lo, np.where(open_top, np.inf, hi))
        values.flags.writeable = False
        object.__setattr__(self, "alternatives", alternatives)
        object.__setattr__(self, "criteria", criteria)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "objectives", objectives)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "saturating", saturating)

    def subset(self, rows: NDArray[np.intp] | Sequence[int]) -> DecisionMatrix:
        """The same criteria for the networks at ``rows`` (in that order), without re-checking.

        >>> m = DecisionMatrix(("A", "B"), ("x",), np.array([[2.0], [4.0]]),
        ...                    (Objective.MAX,), ((1.0, 5.0),))
        >>> m.subset([1]).alternatives, m.subset([1]).values.tolist()
        (('B',), [[4.0]])
        """
        index = np.asarray(rows, dtype=np.intp)
        out = object.__new__(DecisionMatrix)
        values = self.values[index]
        values.flags.writeable = False
        object.__setattr__(out, "alternatives", tuple(self.alternatives[i] for i in index.tolist()))
        object.__setattr__(out, "criteria", self.criteria)
        object.__setattr__(out, "values", values)
        object.__setattr__(out, "objectives", self.objectives)
        object.__setattr__(out, "bounds", self.bounds)
        object.__setattr__(out, "saturating", self.saturating)
        return out

    @property
    def shape(self) -> tuple[int, int]:
        """``(number of networks, number of criteria)``."""
        return len(self.alternatives), len(self.criteria)

    @property
    def mask(self) -> NDArray[np.bool_]:
        """True where a score is missing."""
        return np.isnan(self.values)

    @property
    def lower(self) -> FloatArray:
        """Lowest plausible value of each criterion."""
        return np.array([b[0] for b in self.bounds], dtype=np.float64)

    @property
    def upper(self) -> FloatArray:
        """Highest plausible value of each criterion."""
        return np.array([b[1] for b in self.bounds], dtype=np.float64)

    @property
    def is_benefit(self) -> NDArray[np.bool_]:
        """True for criteria where more is better."""
        return np.array([o is Objective.MAX for o in self.objectives], dtype=bool)


def build_matrix(
    scores: Mapping[str, Mapping[str, float | None]],
    criteria: Sequence[CriterionSpec],
) -> DecisionMatrix:
    """Build a matrix from ``{network: {criterion: score or None}}``.

    Networks keep the mapping's order, criteria the order of ``criteria``. A criterion absent
    from a network's mapping, ``None`` or NaN is a missing score. A criterion that is not in
    ``criteria`` is an error (a typo must not silently vanish).

    >>> specs = [CriterionSpec("agenda", Objective.MAX, (1, 5)),
    ...          CriterionSpec("fee", Objective.MIN, (0, 100))]
    >>> m = build_matrix({"A": {"agenda": 4, "fee": 0}, "B": {"agenda": None, "fee": 50}}, specs)
    >>> m.values.tolist()
    [[4.0, 0.0], [nan, 50.0]]
    """
    keys = tuple(c.key for c in criteria)
    known = set(keys)
    rows: list[list[float]] = []
    for network, row in scores.items():
        unknown = sorted(set(row) - known)
        if unknown:
            raise CriteriaError(
                f"Network '{network}' has a score for the unknown criterion '{unknown[0]}'.",
                fields={unknown[0]: "unknown criterion"},
            )
        values: list[float] = []
        for key in keys:
            raw = row.get(key)
            if raw is None:
                values.append(math.nan)
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float | np.number):
                raise CriteriaError(
                    f"The score of '{network}' on '{key}' must be a number, got {raw!r}.",
                    fields={key: "not a number"},
                )
            values.append(float(raw))
        rows.append(values)
    return DecisionMatrix(
        alternatives=tuple(scores),
        criteria=keys,
        values=np.array(rows, dtype=np.float64).reshape(len(rows), len(keys)),
        objectives=tuple(c.objective for c in criteria),
        bounds=tuple(c.bounds for c in criteria),
    )


def values_to_utilities(
    values: FloatArray, lower: FloatArray, upper: FloatArray, is_benefit: NDArray[np.bool_]
) -> FloatArray:
    """The linear bounds map on any array whose last axis is the criteria (NaN stays NaN).

    Benefit: ``(x - lo) / (hi - lo)``; cost: ``(hi - x) / (hi - lo)``; clipped to [0, 1] (a
    saturating cost above its reference level is worth 0); a degenerate range (``lo == hi``)
    gives 1 (everybody achieves the only possible value).

    >>> values_to_utilities(np.array([[3.0, 25.0], [3.0, 250.0]]), np.array([1.0, 0.0]),
    ...                     np.array([5.0, 100.0]), np.array([True, False])).tolist()
    [[0.5, 0.75], [0.5, 0.0]]
    """
    span = upper - lower
    safe = np.where(span > 0, span, 1.0)
    u = np.where(is_benefit, (values - lower) / safe, (upper - values) / safe)
    u = np.clip(u, 0.0, 1.0)  # NaN stays NaN
    return np.where(span > 0, u, np.where(np.isnan(values), np.nan, 1.0))


def imputed_values(matrix: DecisionMatrix) -> FloatArray:
    """Raw values with every missing score replaced by the midpoint of its bounds.

    >>> m = DecisionMatrix(("A", "B"), ("x",), np.array([[2.0], [np.nan]]),
    ...                    (Objective.MAX,), ((1.0, 5.0),))
    >>> imputed_values(m).ravel().tolist()
    [2.0, 3.0]
    """
    midpoint = (matrix.lower + matrix.upper) / 2.0
    return np.where(matrix.mask, midpoint, matrix.values)


def utilities(matrix: DecisionMatrix, fill: Literal["midpoint", "nan"] = "midpoint") -> FloatArray:
    """Benefit-oriented utilities in [0, 1], from the criteria's bounds.

    ``fill="midpoint"`` (the default, for point evaluations) imputes a missing score at the
    midpoint of its bounds, i.e. utility 0.5: never zero. ``fill="nan"`` keeps the gaps (for
    display).

    >>> m = DecisionMatrix(("A", "B"), ("agenda", "fee"),
    ...                    np.array([[5.0, 0.0], [np.nan, 30000.0]]),
    ...                    (Objective.MAX, Objective.MIN), ((1.0, 5.0), (0.0, 40000.0)))
    >>> utilities(m).tolist()
    [[1.0, 1.0], [0.5, 0.25]]
    >>> utilities(m, fill="nan").tolist()
    [[1.0, 1.0], [nan, 0.25]]
    """
    if fill not in ("midpoint", "nan"):
        raise CriteriaError(f"Unknown way to fill missing scores: '{fill}'.")
    source = imputed_values(matrix) if fill == "midpoint" else np.asarray(matrix.values)
    return values_to_utilities(source, matrix.lower, matrix.upper, matrix.is_benefit)
