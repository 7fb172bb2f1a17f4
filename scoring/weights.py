"""Criterion weights: how they are elicited, checked and combined.

This module owns every way a person (or a room) can say how much each criterion matters, and
the single check that turns "some weights" into a valid weight vector:

- `weight_vector`: validate a mapping (or array) of weights against a list of criteria and
  normalise it to sum to 1. Every rule a user can break raises `CriteriaError`.
- `normalise_points`: direct points (e.g. a 100-point allocation).
- `swing_weights`: swing weighting (the most valued swing gets 100, the others 0-100).
- `rank_order_centroid`: weights from a simple ranking, ties allowed (Barron & Barrett 1996).
- `ahp`: Saaty's analytic hierarchy process from pairwise judgements, with the consistency
  ratio and the judgements that most disagree with the resulting weights.
- `aggregate_group`: a group's weights (mean, geometric mean or median) with the dispersion
  of each criterion's weight across participants.

Every function returns plain fractions summing to 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError

__all__ = [
    "RANDOM_INDEX",
    "SAATY_SCALE",
    "AHPResult",
    "Dispersion",
    "GroupWeights",
    "JudgementError",
    "PairFix",
    "aggregate_group",
    "aggregate_table",
    "ahp",
    "group_table",
    "most_inconsistent_pair",
    "normalise_points",
    "rank_order_centroid",
    "swing_weights",
    "weight_vector",
]

FloatArray = NDArray[np.float64]

#: Saaty's random consistency index by matrix size (Saaty 1980, *The Analytic Hierarchy
#: Process*; values for n = 11-15 from Saaty 2008, Int. J. Services Sciences 1(1), Table 4).
RANDOM_INDEX: Mapping[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

#: Saaty's threshold: a consistency ratio above this asks the user to revisit judgements.
CONSISTENCY_THRESHOLD = 0.10


def _check_number(name: str, value: object, what: str = "weight") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise CriteriaError(
            f"The {what} of '{name}' must be a number, got {value!r}.",
            fields={name: "not a number"},
        )
    number = float(value)
    if math.isnan(number):
        raise CriteriaError(f"The {what} of '{name}' is not a number (NaN).", fields={name: "NaN"})
    if math.isinf(number):
        raise CriteriaError(f"The {what} of '{name}' is infinite.", fields={name: "infinite"})
    if number < 0:
        raise CriteriaError(
            f"The {what} of '{name}' is negative ({number:g}); {what}s must be zero or more.",
            fields={name: "negative"},
        )
    return number


def weight_vector(
    criteria: Sequence[str], weights: Mapping[str, float] | NDArray[np.floating] | Sequence[float]
) -> FloatArray:
    """Validate weights for ``criteria`` and return them as fractions summing to 1.

    A mapping must give a weight to every criterion (0 is allowed) and to no other key; an
    array must have one entry per criterion, in order.

    >>> weight_vector(["a", "b"], {"a": 3, "b": 1}).tolist()
    [0.75, 0.25]
    >>> weight_vector(["a", "b"], {"a": 0, "b": 0})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: All weights are zero: give at least one criterion a positive weight.
    """
    names = list(criteria)
    if isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in set(names)]
        if unknown:
            raise CriteriaError(
                f"'{unknown[0]}' is not a criterion of this analysis; "
                f"known criteria: {', '.join(names)}.",
                fields={str(unknown[0]): "unknown criterion"},
            )
        absent = [c for c in names if c not in weights]
        if absent:
            raise CriteriaError(
                f"No weight was given for '{absent[0]}'; give every criterion a weight "
                "(0 is allowed).",
                fields={absent[0]: "missing weight"},
            )
        raw = [_check_number(c, weights[c]) for c in names]
    else:
        array = np.asarray(weights)
        if array.shape != (len(names),):
            raise CriteriaError(
                f"Expected {len(names)} weights (one per criterion), got shape {array.shape}."
            )
        raw = [_check_number(c, v) for c, v in zip(names, array.tolist(), strict=True)]
    vector = np.array(raw, dtype=np.float64)
    total = float(vector.sum())
    if total <= 0:
        raise CriteriaError("All weights are zero: give at least one criterion a positive weight.")
    return vector / total


def normalise_points(points: Mapping[str, float]) -> dict[str, float]:
    """Direct points (any positive total, typically 100) as fractions summing to 1.

    >>> normalise_points({"agenda": 50, "fee": 30, "staff": 20})
    {'agenda': 0.5, 'fee': 0.3, 'staff': 0.2}
    """
    if not points:
        raise CriteriaError("No points were given: allocate points to at least one criterion.")
    names = list(points)
    vector = weight_vector(names, points)
    return {name: float(w) for name, w in zip(names, vector, strict=True)}


def swing_weights(swings: Mapping[str, float]) -> dict[str, float]:
    """Swing weighting: the most valued swing from worst to best gets 100, others 0-100.

    The user first picks the criterion whose swing from its worst to its best level matters
    most (100 points), then rates every other swing relative to it.

    >>> swing_weights({"agenda": 100, "fee": 50, "staff": 50})
    {'agenda': 0.5, 'fee': 0.25, 'staff': 0.25}
    """
    if not swings:
        raise CriteriaError("No swings were rated: rate at least one criterion.")
    for name, value in swings.items():
        number = _check_number(name, value, what="swing rating")
        if number > 100:
            raise CriteriaError(
                f"The swing rating of '{name}' is {number:g}; ratings go from 0 to 100 "
                "(100 for the swing that matters most).",
                fields={name: "above 100"},
            )
    if max(float(v) for v in swings.values()) != 100:
        raise CriteriaError(
            "Give 100 points to the swing that matters most, then rate the others against it."
        )
    return normalise_points(swings)


def rank_order_centroid(order: Sequence[str | Sequence[str]]) -> dict[str, float]:
    """Rank-order centroid weights (Barron & Barrett 1996) from a ranking, best first.

    The criterion at position ``k`` of ``n`` gets ``(1/n) * sum_{i=k..n} 1/i``. An entry may be
    a group of tied criteria: they share equally the ROC weights of the positions they occupy.

    >>> {k: round(v, 4) for k, v in rank_order_centroid(["a", "b", "c"]).items()}
    {'a': 0.6111, 'b': 0.2778, 'c': 0.1111}
    >>> {k: round(v, 4) for k, v in rank_order_centroid([["a", "b"], "c"]).items()}
    {'a': 0.4444, 'b': 0.4444, 'c': 0.1111}
    """
    groups: list[list[str]] = []
    for entry in order:
        group = [entry] if isinstance(entry, str) else list(entry)
        if not group:
            raise CriteriaError("A rank position is empty: every position needs a criterion.")
        groups.append(group)
    flat = [name for group in groups for name in group]
    if not flat:
        raise CriteriaError("The ranking is empty: rank at least one criterion.")
    duplicates = sorted({name for name in flat if flat.count(name) > 1})
    if duplicates:
        raise CriteriaError(
            f"'{duplicates[0]}' appears more than once in the ranking.",
            fields={duplicates[0]: "ranked twice"},
        )
    n = len(flat)
    roc = [sum(1.0 / i for i in range(k, n + 1)) / n for k in range(1, n + 1)]
    result: dict[str, float] = {}
    position = 0
    for group in groups:
        share = sum(roc[position : position + len(group)]) / len(group)
        for name in group:
            result[name] = share
        position += len(group)
    return result


@dataclass(frozen=True)
class JudgementError:
    """How far one pairwise judgement is from what the final weights imply.

    ``error`` is ``|ln(given) - ln(implied)|``: symmetric, so "3 instead of 1" and
    "1/3 instead of 1" are equally wrong.
    """

    a: str
    b: str
    given: float
    implied_by_weights: float
    error: float


@dataclass(frozen=True)
class AHPResult:
    """Weights from pairwise judgements and how consistent the judgements are."""

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    consistent: bool
    worst_judgements: list[JudgementError]
    message: str


def _judgement(a: str, b: str, judgements: Mapping[tuple[str, str], float]) -> float:
    direct = judgements.get((a, b))
    inverse = judgements.get((b, a))
    if direct is None and inverse is None:
        raise CriteriaError(
            f"The comparison of '{a}' with '{b}' is missing: say how much more important one "
            "is than the other (1 = equally important).",
            fields={f"{a}/{b}": "missing comparison"},
        )
    values: list[float] = []
    for pair, value in (((a, b), direct), ((b, a), inverse)):
        if value is None:
            continue
        number = _check_number(f"{pair[0]} vs {pair[1]}", value, what="judgement")
        if not (1 / 9 - 1e-9 <= number <= 9 + 1e-9):
            raise CriteriaError(
                f"The judgement '{pair[0]}' vs '{pair[1]}' is {number:g}; Saaty's scale goes "
                "from 1/9 to 9.",
                fields={f"{pair[0]}/{pair[1]}": "outside 1/9-9"},
            )
        values.append(number if pair == (a, b) else 1.0 / number)
    if len(values) == 2 and not math.isclose(values[0], values[1], rel_tol=1e-6):
        raise CriteriaError(
            f"'{a}' vs '{b}' was given twice with contradicting values "
            f"({values[0]:g} and the reciprocal of {1 / values[1]:g}).",
            fields={f"{a}/{b}": "contradicting comparisons"},
        )
    return values[0]


def ahp(criteria: Sequence[str], judgements: Mapping[tuple[str, str], float]) -> AHPResult:
    """Saaty's AHP: principal-eigenvector weights and the consistency ratio.

    ``judgements[(a, b)] = 3`` means "a is moderately more important than b"; give each pair
    once, in either order (the reciprocal is implied). Values must be on Saaty's 1/9-9 scale.
    A consistency ratio above 0.10 is reported as inconsistent, with the judgements that
    disagree most with the weights listed first.

    >>> r = ahp(["a", "b", "c"], {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2})
    >>> {k: round(v, 4) for k, v in r.weights.items()}, round(r.consistency_ratio, 6)
    ({'a': 0.5714, 'b': 0.2857, 'c': 0.1429}, 0.0)
    """
    names = list(criteria)
    if not names:
        raise CriteriaError("AHP needs at least one criterion.")
    if len(set(names)) != len(names):
        raise CriteriaError("A criterion appears twice in the AHP comparison.")
    index = {name: i for i, name in enumerate(names)}
    for a, b in judgements:
        for name in (a, b):
            if name not in index:
                raise CriteriaError(
                    f"The comparison '{a}' vs '{b}' names '{name}', which is not one of the "
                    "criteria being compared.",
                    fields={name: "unknown criterion"},
                )
        if a == b:
            raise CriteriaError(f"'{a}' is compared with itself; compare different criteria.")
    n = len(names)
    pcm = np.ones((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            value = _judgement(names[i], names[j], judgements)
            pcm[i, j] = value
            pcm[j, i] = 1.0 / value
    eigenvalues, eigenvectors = np.linalg.eig(pcm)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(eigenvectors[:, k].real)  # Perron vector: one sign, positive entries
    vector = vector / vector.sum()
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 1 else 0.0
    ri = RANDOM_INDEX.get(n, RANDOM_INDEX[max(RANDOM_INDEX)])
    cr = ci / ri if ri > 0 else 0.0
    consistent = cr <= CONSISTENCY_THRESHOLD
    errors: list[JudgementError] = []
    for i in range(n):
        for j in range(i + 1, n):
            implied = float(vector[i] / vector[j])
            errors.append(
                JudgementError(
                    a=names[i],
                    b=names[j],
                    given=float(pcm[i, j]),
                    implied_by_weights=implied,
                    error=abs(math.log(pcm[i, j]) - math.log(implied)),
                )
            )
    errors.sort(key=lambda e: (-e.error, e.a, e.b))
    if consistent:
        message = (
            f"The judgements are consistent enough (consistency ratio {cr:.2f}, "
            f"at most {CONSISTENCY_THRESHOLD:.2f} is acceptable)."
        )
    else:
        worst = errors[0]
        message = (
            f"The judgements contradict each other (consistency ratio {cr:.2f}, above "
            f"{CONSISTENCY_THRESHOLD:.2f}). Revisit '{worst.a}' vs '{worst.b}' first: you said "
            f"{_ratio(worst.given)}, while your other answers imply about "
            f"{_ratio(worst.implied_by_weights)}."
        )
    return AHPResult(
        weights={name: float(w) for name, w in zip(names, vector, strict=True)},
        lambda_max=lambda_max,
        consistency_index=ci,
        random_index=ri,
        consistency_ratio=cr,
        consistent=consistent,
        worst_judgements=errors,
        message=message,
    )


def _ratio(value: float) -> str:
    return f"{value:.2g}" if value >= 1 else f"1/{1 / value:.2g}"


#: The odd points of Saaty's scale, both ways: "a is extremely more important than b" (9)
#: through "equally important" (1) to "b is extremely more important than a" (1/9).
SAATY_SCALE: tuple[float, ...] = (9.0, 7.0, 5.0, 3.0, 1.0, 1 / 3, 1 / 5, 1 / 7, 1 / 9)


@dataclass(frozen=True)
class PairFix:
    """The one judgement whose change on the scale makes the judgements most consistent.

    ``given`` is what was said for ``a`` against ``b``; ``suggested`` is the scale value that
    would give the lowest consistency ratio (``ratio_after``), everything else unchanged.
    """

    a: str
    b: str
    given: float
    suggested: float
    ratio_before: float
    ratio_after: float


def _consistency_ratio(matrix: FloatArray) -> float:
    n = matrix.shape[0]
    if n < 3:
        return 0.0
    lambda_max = float(np.max(np.linalg.eigvals(matrix).real))
    ci = max(0.0, (lambda_max - n) / (n - 1))
    return float(ci / RANDOM_INDEX.get(n, RANDOM_INDEX[max(RANDOM_INDEX)]))


def most_inconsistent_pair(
    criteria: Sequence[str],
    judgements: Mapping[tuple[str, str], float],
    scale: Sequence[float] = SAATY_SCALE,
) -> PairFix | None:
    """The judgement to revisit first, and the value on ``scale`` that would fix it best.

    Every pair is tried at every other scale value, one change at a time; the change giving
    the lowest consistency ratio wins (ties: the pair listed first). ``None`` when no single
    change lowers the ratio (for instance when the judgements are already fully consistent).
    Judgements are checked as `ahp` checks them.

    >>> fix = most_inconsistent_pair(
    ...     ["a", "b", "c", "d"],
    ...     {("a", "b"): 3, ("a", "c"): 9, ("a", "d"): 9, ("b", "c"): 3, ("b", "d"): 3,
    ...      ("c", "d"): 1 / 9},
    ... )
    >>> (fix.a, fix.b, fix.given, fix.suggested, round(fix.ratio_after, 6))
    ('c', 'd', 0.1111111111111111, 1.0, 0.0)
    """
    names = list(criteria)
    ahp(names, judgements)  # the same checks, the same messages
    n = len(names)
    matrix = np.ones((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            value = _judgement(names[i], names[j], judgements)
            matrix[i, j], matrix[j, i] = value, 1.0 / value
    before = _consistency_ratio(matrix)
    best: PairFix | None = None
    for i in range(n):
        for j in range(i + 1, n):
            given = float(matrix[i, j])
            for value in scale:
                if math.isclose(value, given, rel_tol=1e-9):
                    continue
                trial = matrix.copy()
                trial[i, j], trial[j, i] = value, 1.0 / value
                after = _consistency_ratio(trial)
                if after < before - 1e-9 and (best is None or after < best.ratio_after - 1e-9):
                    best = PairFix(names[i], names[j], given, float(value), before, after)
    return best


@dataclass(frozen=True)
class Dispersion:
    """Spread of one criterion's (normalised) weight across a group."""

    std: float
    min: float
    max: float
    iqr: float


@dataclass(frozen=True)
class GroupWeights:
    """The group's weights (summing to 1) and the disagreement on each criterion."""

    weights: dict[str, float]
    dispersion: dict[str, Dispersion]


def aggregate_group(
    weight_sets: Sequence[Mapping[str, float]],
    how: Literal["mean", "geometric", "median"] = "mean",
) -> GroupWeights:
    """Combine several people's weights into one set, with per-criterion dispersion.

    Each person's weights are first normalised to sum to 1 (so a 100-point and a 10-point
    allocation count the same). All sets must name the same criteria. The aggregate is
    renormalised to sum to 1. Dispersion (population standard deviation, min, max,
    interquartile range) is computed on the normalised individual weights.

    Geometric mean and zeros: one participant's 0 would force the group weight to 0 (a veto).
    Instead a 0 is treated as a tiny weight (1e-6 of the total) before taking logarithms, so
    a criterion that only some participants ignore keeps a small but positive group weight
    and a criterion that everybody ignores stays at (almost) zero.

    >>> g = aggregate_group([{"a": 3, "b": 1}, {"a": 1, "b": 1}], how="mean")
    >>> {k: round(v, 3) for k, v in g.weights.items()}
    {'a': 0.625, 'b': 0.375}
    >>> round(g.dispersion["a"].std, 3)
    0.125
    """
    names, table = group_table(weight_sets)
    return aggregate_table(names, table, how)


def group_table(weight_sets: Sequence[Mapping[str, float]]) -> tuple[list[str], FloatArray]:
    """Check several people's weights and normalise each to sum to 1: the criteria (in the
    first set's order) and a table with one row per person.

    >>> names, table = group_table([{"a": 3, "b": 1}, {"a": 1, "b": 1}])
    >>> names, table.tolist()
    (['a', 'b'], [[0.75, 0.25], [0.5, 0.5]])
    """
    if not weight_sets:
        raise CriteriaError("Nobody has submitted weights yet.")
    names = list(weight_sets[0])
    if not names:
        raise CriteriaError("The first set of weights is empty.")
    rows = []
    for number, ws in enumerate(weight_sets, start=1):
        if set(ws) != set(names):
            differing = sorted(set(ws) ^ set(names))
            raise CriteriaError(
                f"Weight set {number} does not cover the same criteria as the first one "
                f"(difference: {', '.join(differing)}).",
                fields={differing[0]: "not in every weight set"},
            )
        rows.append(weight_vector(names, ws))
    return names, np.vstack(rows)


def aggregate_table(
    names: Sequence[str],
    table: FloatArray,
    how: Literal["mean", "geometric", "median"] = "mean",
) -> GroupWeights:
    """`aggregate_group` of a table made by `group_table` (rows sum to 1), so that several
    aggregations of one group check and normalise its weights once."""
    if table.shape[0] == 0:
        raise CriteriaError("Nobody has submitted weights yet.")
    if how == "mean":
        combined = table.mean(axis=0)
    elif how == "median":
        combined = np.median(table, axis=0)
    elif how == "geometric":
        combined = np.exp(np.log(np.maximum(table, 1e-6)).mean(axis=0))
    else:
        raise CriteriaError(f"Unknown aggregation '{how}'; use 'mean', 'geometric' or 'median'.")
    total = float(combined.sum())
    if total <= 0:  # a median can be all zeros when every criterion is ignored by most people
        raise CriteriaError(
            "The group's combined weights are all zero: most participants gave zero to every "
            "criterion that others valued. Use the mean instead."
        )
    combined = combined / total
    q1, q3 = np.percentile(table, [25, 75], axis=0)
    return GroupWeights(
        weights={name: float(w) for name, w in zip(names, combined, strict=True)},
        dispersion={
            name: Dispersion(
                std=float(table[:, j].std()),
                min=float(table[:, j].min()),
                max=float(table[:, j].max()),
                iqr=float(q3[j] - q1[j]),
            )
            for j, name in enumerate(names)
        },
    )
