"""PROMETHEE I and II (Brans & Vincke 1985; Brans & Mareschal 2005): preference functions,
flows, the complete ranking and the partial order.

This module owns the outranking method of the PROMETHEE family and its defaults for this
product's data. Inputs are raw values (networks x criteria), the direction of each criterion
(``is_benefit``), weights summing to 1 and one `PreferenceSpec` per criterion.

For every ordered pair of networks ``(a, b)`` and criterion ``j`` the difference in favour of
``a`` is ``d_j(a, b) = x_aj - x_bj`` for a benefit, ``x_bj - x_aj`` for a cost; a preference
function turns it into a degree of preference ``P_j(a, b)`` in [0, 1] (thresholds ``q``, ``p``,
``s`` are in the criterion's own units: score points, euros, hours):

=========== ====================================================================
``usual``   ``P = 1`` if ``d > 0``, else 0 (type I)
``u_shape`` ``P = 1`` if ``d > q``, else 0 (type II, quasi-criterion)
``v_shape`` ``P = d / p`` for ``0 < d <= p``, 1 above, 0 at or below 0 (type III)
``level``   ``P = 1/2`` for ``q < d <= p``, 1 above ``p``, 0 at or below ``q`` (type IV)
``linear``  ``P = (d - q) / (p - q)`` for ``q < d <= p``, 1 above, 0 below (type V,
            V-shape with indifference)
``gaussian`` ``P = 1 - exp(-d**2 / (2 s**2))`` for ``d > 0``, else 0 (type VI)
=========== ====================================================================

Aggregated preference ``pi(a, b) = sum_j w_j P_j(a, b)``; with ``n`` networks the positive
(leaving) flow is ``phi+(a) = sum_b pi(a, b) / (n - 1)``, the negative (entering) flow
``phi-(a) = sum_b pi(b, a) / (n - 1)`` and the net flow ``phi(a) = phi+(a) - phi-(a)``, in
[-1, 1]. PROMETHEE II ranks by the net flow; PROMETHEE I keeps both flows and leaves a pair
*incomparable* when one network is better on one flow and worse on the other.

The net flow is linear in the weights: ``phi(a) = sum_j w_j F_j(a)`` with the *unicriterion
net flows* ``F_j(a) = sum_b (P_j(a, b) - P_j(b, a)) / (n - 1)``. `unicriterion_flows`
computes ``F`` once (``n^2 m`` work); scoring thousands of weight vectors is then one matrix
product, exactly as for the weighted sum.

Defaults for this product (`default_specs`), chosen for 1-5 scores and cost facts whose
plausible range is known (the bounds of `scoring.matrix`):

- a benefit criterion (the anchored 1-5 scores, thematic fit): ``linear`` with ``q`` = 1/8 of
  the range and ``p`` = 1/2 of it, i.e. on a 1-5 scale a difference of half a point or less
  (two assessors' rounding) is no preference, two points or more is full preference;
- a cost criterion (annual fee, staff hours): ``v_shape`` with ``p`` = 1/2 of the range, so
  preference grows in proportion to the money or time saved and is full once the saving
  reaches half the range.

A criterion whose range is empty (``lo == hi``) cannot separate networks; its thresholds are
0 and every ``d`` is 0 there, so it adds nothing.

The score the method registry uses is ``(phi + 1) / 2``, in [0, 1], higher is better.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from criteria.errors import CriteriaError

__all__ = [
    "BENEFIT_P_SHARE",
    "BENEFIT_Q_SHARE",
    "COST_P_SHARE",
    "PreferenceFunction",
    "PreferenceSpec",
    "PrometheeResult",
    "competition_ranks",
    "default_specs",
    "parse_specs",
    "preference",
    "promethee",
    "unicriterion_flows",
]

FloatArray = NDArray[np.float64]

#: Default indifference threshold of a benefit criterion, as a share of its range.
BENEFIT_Q_SHARE = 0.125
#: Default preference threshold of a benefit criterion, as a share of its range.
BENEFIT_P_SHARE = 0.5
#: Default preference threshold of a cost criterion, as a share of its range.
COST_P_SHARE = 0.5
_DECIMALS = 12


class PreferenceFunction(StrEnum):
    """The six generalised criteria of Brans & Vincke (1985)."""

    USUAL = "usual"
    U_SHAPE = "u_shape"
    V_SHAPE = "v_shape"
    LEVEL = "level"
    LINEAR = "linear"
    GAUSSIAN = "gaussian"


#: Which thresholds each function reads.
NEEDS: Mapping[PreferenceFunction, tuple[str, ...]] = {
    PreferenceFunction.USUAL: (),
    PreferenceFunction.U_SHAPE: ("q",),
    PreferenceFunction.V_SHAPE: ("p",),
    PreferenceFunction.LEVEL: ("q", "p"),
    PreferenceFunction.LINEAR: ("q", "p"),
    PreferenceFunction.GAUSSIAN: ("s",),
}


@dataclass(frozen=True)
class PreferenceSpec:
    """A preference function and its thresholds, in the criterion's own units.

    >>> PreferenceSpec("linear", q=0.5, p=2.0).function
    <PreferenceFunction.LINEAR: 'linear'>
    """

    function: PreferenceFunction | str = PreferenceFunction.USUAL
    q: float = 0.0
    p: float = 0.0
    s: float = 0.0

    def __post_init__(self) -> None:
        try:
            function = PreferenceFunction(self.function)
        except ValueError:
            known = ", ".join(f.value for f in PreferenceFunction)
            raise CriteriaError(
                f"Unknown preference function '{self.function}'; choose one of: {known}."
            ) from None
        object.__setattr__(self, "function", function)
        for name in ("q", "p", "s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CriteriaError(f"The threshold {name} must be a number, got {value!r}.")
            if not math.isfinite(value) or value < 0:
                raise CriteriaError(
                    f"The threshold {name} must be a finite number of at least 0, got {value!r}."
                )
            object.__setattr__(self, name, float(value))

    def check(self, criterion: str) -> None:
        """Raise `CriteriaError` (naming ``criterion``) unless the thresholds fit the function."""
        f = self.function
        if f in (PreferenceFunction.LEVEL, PreferenceFunction.LINEAR) and not self.p > self.q:
            raise CriteriaError(
                f"For criterion '{criterion}' the preference threshold p ({self.p:g}) must be "
                f"above the indifference threshold q ({self.q:g}).",
                fields={criterion: "p must be above q"},
            )
        if f is PreferenceFunction.V_SHAPE and not self.p > 0:
            raise CriteriaError(
                f"For criterion '{criterion}' the V-shape function needs a preference threshold "
                "p above 0.",
                fields={criterion: "p must be above 0"},
            )
        if f is PreferenceFunction.GAUSSIAN and not self.s > 0:
            raise CriteriaError(
                f"For criterion '{criterion}' the Gaussian function needs a parameter s above 0.",
                fields={criterion: "s must be above 0"},
            )

    def as_dict(self) -> dict[str, Any]:
        """The thresholds the function reads, for display."""
        out: dict[str, Any] = {"function": str(self.function)}
        for name in NEEDS[PreferenceFunction(self.function)]:
            out[name] = getattr(self, name)
        return out


def preference(d: NDArray[np.floating], spec: PreferenceSpec) -> FloatArray:
    """Degree of preference for differences ``d`` (any shape), elementwise.

    >>> preference(np.array([-1.0, 0.0, 0.5, 1.0, 3.0]), PreferenceSpec("linear", q=0.5, p=2.0)).tolist()
    [0.0, 0.0, 0.0, 0.3333333333333333, 1.0]
    >>> preference(np.array([1.0]), PreferenceSpec("gaussian", s=1.0)).round(4).tolist()
    [0.3935]
    """
    x = np.asarray(d, dtype=np.float64)
    f, q, p, s = PreferenceFunction(spec.function), spec.q, spec.p, spec.s
    if f is PreferenceFunction.USUAL:
        return (x > 0).astype(np.float64)
    if f is PreferenceFunction.U_SHAPE:
        return (x > q).astype(np.float64)
    if f is PreferenceFunction.V_SHAPE:
        return np.clip(x / p, 0.0, 1.0)
    if f is PreferenceFunction.LEVEL:
        return np.where(x > p, 1.0, np.where(x > q, 0.5, 0.0))
    if f is PreferenceFunction.LINEAR:
        return np.clip((x - q) / (p - q), 0.0, 1.0)
    positive = np.maximum(x, 0.0)
    return np.asarray(-np.expm1(-(positive * positive) / (2.0 * s * s)), dtype=np.float64)


def default_specs(
    bounds: Sequence[tuple[float, float]], is_benefit: Sequence[bool]
) -> tuple[PreferenceSpec, ...]:
    """This product's default preference function per criterion (see the module docstring).

    >>> [s.as_dict() for s in default_specs([(1.0, 5.0), (0.0, 40000.0)], [True, False])]
    [{'function': 'linear', 'q': 0.5, 'p': 2.0}, {'function': 'v_shape', 'p': 20000.0}]
    """
    specs = []
    for (lo, hi), benefit in zip(bounds, is_benefit, strict=True):
        span = float(hi) - float(lo)
        if span <= 0:
            specs.append(PreferenceSpec(PreferenceFunction.USUAL))
        elif benefit:
            specs.append(
                PreferenceSpec(
                    PreferenceFunction.LINEAR, q=BENEFIT_Q_SHARE * span, p=BENEFIT_P_SHARE * span
                )
            )
        else:
            specs.append(PreferenceSpec(PreferenceFunction.V_SHAPE, p=COST_P_SHARE * span))
    return tuple(specs)


def parse_specs(
    criteria: Sequence[str],
    defaults: Sequence[PreferenceSpec],
    overrides: Mapping[str, PreferenceSpec | Mapping[str, Any]] | None,
) -> tuple[PreferenceSpec, ...]:
    """The defaults with ``overrides`` (criterion key -> spec or ``{"function", "q", "p", "s"}``).

    Unknown criteria and thresholds that do not fit their function raise `CriteriaError`
    naming the criterion.

    >>> d = default_specs([(1.0, 5.0)], [True])
    >>> parse_specs(["agenda"], d, {"agenda": {"function": "usual"}})[0].as_dict()
    {'function': 'usual'}
    """
    specs = list(defaults)
    for key, raw in (overrides or {}).items():
        if key not in criteria:
            raise CriteriaError(
                f"There is no criterion '{key}' to set a preference function for.",
                fields={key: "unknown criterion"},
            )
        if isinstance(raw, PreferenceSpec):
            spec = raw
        else:
            unknown = sorted(set(raw) - {"function", "q", "p", "s"})
            if unknown:
                raise CriteriaError(
                    f"Criterion '{key}': '{unknown[0]}' is not a PROMETHEE setting; use "
                    "function, q, p or s.",
                    fields={key: f"unknown setting {unknown[0]}"},
                )
            try:
                spec = PreferenceSpec(**dict(raw))
            except CriteriaError as exc:
                raise CriteriaError(f"Criterion '{key}': {exc}", fields={key: str(exc)}) from None
        spec.check(key)
        specs[list(criteria).index(key)] = spec
    for key, spec in zip(criteria, specs, strict=True):
        spec.check(key)
    return tuple(specs)


def _differences(values: FloatArray, is_benefit: NDArray[np.bool_]) -> FloatArray:
    """``d[a, b, j]``: the difference in favour of ``a`` over ``b`` on criterion ``j``."""
    d = values[:, None, :] - values[None, :, :]
    return np.where(is_benefit, d, -d)


def _pairwise(
    values: FloatArray, is_benefit: NDArray[np.bool_], specs: Sequence[PreferenceSpec]
) -> FloatArray:
    """``P[a, b, j]`` for every ordered pair and criterion (zero on the diagonal)."""
    d = _differences(values, is_benefit)
    out = np.empty_like(d)
    for j, spec in enumerate(specs):
        out[:, :, j] = preference(d[:, :, j], spec)
    return out


def unicriterion_flows(
    values: NDArray[np.floating],
    is_benefit: Sequence[bool] | NDArray[np.bool_],
    specs: Sequence[PreferenceSpec],
) -> FloatArray:
    """``F[a, j]``: net flow of network ``a`` on criterion ``j`` alone, ``(n, m)``.

    The net flow for weights ``w`` is ``F @ w``. One network: all zeros.

    >>> unicriterion_flows(np.array([[1.0], [2.0], [3.0]]), [True], [PreferenceSpec()]).ravel().tolist()
    [-1.0, 0.0, 1.0]
    """
    x = np.asarray(values, dtype=np.float64)
    n, m = x.shape
    if n < 2:
        return np.zeros((n, m))
    benefit = np.asarray(is_benefit, dtype=bool)
    flows = np.empty((n, m))
    for j, spec in enumerate(specs):
        column = x[:, j]
        d = column[:, None] - column[None, :]
        if not benefit[j]:
            d = -d
        p = preference(d, spec)
        flows[:, j] = (p.sum(axis=1) - p.sum(axis=0)) / (n - 1)
    return flows


@dataclass(frozen=True)
class PrometheeResult:
    """Every intermediate result of PROMETHEE I and II, arrays indexed by network.

    ``preference[a, b]`` is the aggregated preference ``pi(a, b)``; ``unicriterion[a, j]`` the
    net flow on criterion ``j`` alone. ``relation[a][b]`` is PROMETHEE I's verdict: ``"P"``
    (a is preferred to b), ``"P-"`` (b is preferred to a), ``"I"`` (indifferent) or ``"R"``
    (incomparable); ``"-"`` on the diagonal. ``ranks`` rank the net flows (1 is best).
    """

    specs: tuple[PreferenceSpec, ...]
    preference: FloatArray
    unicriterion: FloatArray
    positive: FloatArray
    negative: FloatArray
    net: FloatArray
    relation: tuple[tuple[str, ...], ...]
    ranks: NDArray[np.int64]

    def incomparable_pairs(self) -> list[tuple[int, int]]:
        """Pairs ``(a, b)``, ``a < b``, that PROMETHEE I leaves incomparable."""
        n = len(self.relation)
        return [(a, b) for a in range(n) for b in range(a + 1, n) if self.relation[a][b] == "R"]


def competition_ranks(scores: NDArray[np.floating]) -> NDArray[np.int64]:
    """Competition ranks ("1, 2, 2, 4"), higher first, on scores rounded to 12 decimals.

    The same rule as `scoring.methods.rank_from_scores` (which this module cannot import).

    >>> competition_ranks(np.array([0.1, 0.3, 0.1])).tolist()
    [2, 1, 2]
    """
    rounded = np.round(np.asarray(scores, dtype=np.float64), _DECIMALS)
    return np.asarray(stats.rankdata(-rounded, method="min"), dtype=np.int64)


def _partial_order(positive: FloatArray, negative: FloatArray) -> tuple[tuple[str, ...], ...]:
    plus = np.round(positive, _DECIMALS)
    minus = np.round(negative, _DECIMALS)
    n = plus.size
    rows: list[tuple[str, ...]] = []
    for a in range(n):
        row = []
        for b in range(n):
            if a == b:
                row.append("-")
                continue
            better_plus, worse_plus = plus[a] > plus[b], plus[a] < plus[b]
            better_minus, worse_minus = minus[a] < minus[b], minus[a] > minus[b]
            if not (worse_plus or worse_minus) and (better_plus or better_minus):
                row.append("P")
            elif not (better_plus or better_minus) and (worse_plus or worse_minus):
                row.append("P-")
            elif not (better_plus or better_minus or worse_plus or worse_minus):
                row.append("I")
            else:
                row.append("R")
        rows.append(tuple(row))
    return tuple(rows)


def promethee(
    values: NDArray[np.floating],
    is_benefit: Sequence[bool] | NDArray[np.bool_],
    weights: NDArray[np.floating] | Sequence[float],
    specs: Sequence[PreferenceSpec],
) -> PrometheeResult:
    """PROMETHEE I and II on complete raw ``values`` ``(n, m)`` with weights summing to 1.

    >>> r = promethee(np.array([[4.0, 3.0], [3.0, 4.0]]), [True, True], [0.7, 0.3],
    ...               [PreferenceSpec(), PreferenceSpec()])
    >>> r.net.round(2).tolist(), r.ranks.tolist(), r.relation[0][1]
    ([0.4, -0.4], [1, 2], 'P')
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2 or np.isnan(x).any():
        raise CriteriaError("PROMETHEE needs a complete table of values (no gaps).")
    n, m = x.shape
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (m,) or len(specs) != m:
        raise CriteriaError(
            f"PROMETHEE needs one weight and one preference function per criterion ({m})."
        )
    benefit = np.asarray(is_benefit, dtype=bool)
    pairwise = _pairwise(x, benefit, specs)
    pi = pairwise @ w
    unicriterion = np.zeros((n, m))
    positive = np.zeros(n)
    negative = np.zeros(n)
    if n > 1:
        positive = pi.sum(axis=1) / (n - 1)
        negative = pi.sum(axis=0) / (n - 1)
        unicriterion = (pairwise.sum(axis=1) - pairwise.sum(axis=0)) / (n - 1)
    net = positive - negative
    return PrometheeResult(
        specs=tuple(specs),
        preference=pi,
        unicriterion=unicriterion,
        positive=positive,
        negative=negative,
        net=net,
        relation=_partial_order(positive, negative),
        ranks=competition_ranks(net),
    )
