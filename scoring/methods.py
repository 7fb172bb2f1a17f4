"""Multi-criteria methods: one point evaluation through scikit-criteria, many in NumPy.

This module owns the registry of named methods and the only import of scikit-criteria in the
product (imported lazily and once: it takes 2-3 s).

- `evaluate` runs one weight vector through a scikit-criteria pipeline and returns an
  `Evaluation` with scores where *higher is better*, ranks computed by us, the utility matrix
  and (weighted sum only) per-criterion contributions.
- `batch_scores` computes the same scores for thousands of weight vectors at once in plain
  NumPy; the robustness module uses it. It agrees with `evaluate` to 1e-12.
- `sampled_scores` does the same with sampled missing scores (for `scoring.robustness.smaa`),
  optionally into the reusable buffers of a `Scratch`.
- `rank_from_scores`, `kendall_tau` and `method_agreement` compare rankings.

Methods and their inputs (``u`` is `scoring.matrix.utilities`, ``x`` the raw values with gaps
imputed at the midpoint of their bounds):

``weighted_sum`` (default)
    ``score_i = sum_j w_j u_ij`` with weights summing to 1: a value in [0, 1] whose meaning
    does not depend on which networks are in the set. ``WeightedSumModel`` on ``u``.
``weighted_product``
    ``score_i = prod_j u'_ij ** w_j`` with ``u' = (u + eps) / (1 + eps)``, ``eps`` =
    `WP_EPSILON` = 0.01: a network at the very bottom of one criterion is heavily penalised
    (``u' = 0.0099``) but not zeroed out, and ``u' = 1`` stays 1. ``WeightedProductModel``
    (which works on log10) on ``u'``; we report ``10 ** log_score``, in (0, 1].
``topsis``
    Textbook TOPSIS (Hwang & Yoon 1981): ``VectorScaler(target="matrix")`` on ``x``, costs
    left as ``min``; score = relative closeness to the ideal. A column of zeros (every network
    free) cannot be vector-normalised; it is replaced by ones, which is exactly equivalent
    because a constant column adds nothing to either distance. If every network sits at both
    the ideal and the anti-ideal (all identical), the closeness is 0.5 for all.
``vikor``
    scikit-criteria's VIKOR with ``v = 0.5`` on ``x`` and ``use_compromise_set=False``; score
    = ``1 - Q`` (``Q`` in [0, 1], lower is better in VIKOR). Columns that are constant are
    ignored by VIKOR (scikit-criteria warns; we silence that one warning).
``electre``
    scikit-criteria's ELECTRE II (full ranking, Gomez 2004 variant, default thresholds) on
    ``u`` with all criteria maximised, so that the discordance (which divides by the largest
    range over *all* criteria) compares criteria on the same [0, 1] scale rather than letting
    a fee in euros swamp 1-5 scores. ELECTRE II's position ``p`` (average of its descending
    and ascending rankings, lower is better) becomes the score ``(n - p) / (n - 1)``, 1 for a
    single network.
``promethee_ii``
    PROMETHEE II (`scoring.promethee`) on ``x`` with this product's default preference
    functions (a benefit: ``linear``, ``q`` = 1/8 and ``p`` = 1/2 of the criterion's range; a
    cost: ``v_shape``, ``p`` = 1/2 of the range), each settable per criterion. Score =
    ``(phi + 1) / 2`` from the net flow ``phi`` in [-1, 1]. The net flow is linear in the
    weights (``phi = F w`` with the unicriterion flows ``F``), so `batch_scores` is one matrix
    product; scikit-criteria has no PROMETHEE, so `evaluate` uses `scoring.promethee` too.

Options (`scoring.method_options.MethodOptions`, keyword ``options`` of `evaluate`,
`batch_scores` and `sampled_scores`) choose the weighted sum's and TOPSIS's normalisation,
VIKOR's ``v`` and PROMETHEE's preference functions; ``None`` or the defaults give exactly the
methods above. Non-default options are computed in NumPy (scikit-criteria has no bounded
utilities, no reciprocal-and-sum normalisation and no PROMETHEE).

Ranks are always ours: competition ranking ("1, 2, 2, 4") on scores rounded to 12 decimals,
so genuine ties rank equal and float noise never splits them.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import warnings
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, imputed_values, utilities, values_to_utilities
from scoring.method_options import MethodOptions
from scoring.promethee import (
    PreferenceSpec,
    default_specs,
    parse_specs,
    preference,
    promethee,
    unicriterion_flows,
)
from scoring.weights import weight_vector

__all__ = [
    "VIKOR_V",
    "WP_EPSILON",
    "Evaluation",
    "Method",
    "MethodOptions",
    "batch_scores",
    "evaluate",
    "kendall_tau",
    "method_agreement",
    "promethee_specs",
    "rank_from_scores",
    "weighted_sum_normalised",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Weights = Mapping[str, float] | NDArray[np.floating] | Sequence[float]

#: Shift applied to utilities before the weighted product (see the module docstring).
WP_EPSILON = 0.01
#: VIKOR's strategy weight: 0.5 balances group utility and individual regret.
VIKOR_V = 0.5
#: Decimals kept before ranking, so that float noise does not split genuine ties.
RANK_DECIMALS = 12


class Method(StrEnum):
    """The multi-criteria methods on offer; ``weighted_sum`` is the default."""

    WEIGHTED_SUM = "weighted_sum"
    WEIGHTED_PRODUCT = "weighted_product"
    TOPSIS = "topsis"
    VIKOR = "vikor"
    ELECTRE = "electre"
    PROMETHEE_II = "promethee_ii"


@dataclass(frozen=True)
class Evaluation:
    """The result of one method on one weight vector.

    ``scores``: higher is better. ``ranks``: 1 is best, ties share the best rank
    (competition ranking). ``utilities``: the benefit-oriented [0, 1] matrix from the bounds.
    ``contributions``: for the weighted sum, ``w_j * u_ij`` (each row sums to the score);
    None for other methods, whose scores do not decompose additively.
    """

    method: Method
    alternatives: tuple[str, ...]
    scores: FloatArray = field(repr=False)
    ranks: IntArray = field(repr=False)
    utilities: FloatArray = field(repr=False)
    contributions: FloatArray | None = field(repr=False)

    def ranking(self) -> list[tuple[int, str, float]]:
        """``(rank, network, score)`` best first, ties by network order."""
        order = sorted(range(len(self.alternatives)), key=lambda i: (int(self.ranks[i]), i))
        return [(int(self.ranks[i]), self.alternatives[i], float(self.scores[i])) for i in order]


@functools.cache
def _skc() -> SimpleNamespace:
    """Import scikit-criteria once (2-3 s) and keep the pieces we use."""
    import skcriteria
    from skcriteria.agg.electre import ELECTRE2, electre2_gomez2004tomada
    from skcriteria.agg.simple import WeightedProductModel, WeightedSumModel
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler, VectorScaler

    return SimpleNamespace(
        mkdm=skcriteria.mkdm,
        mkpipe=mkpipe,
        SumScaler=SumScaler,
        VectorScaler=VectorScaler,
        WeightedSumModel=WeightedSumModel,
        WeightedProductModel=WeightedProductModel,
        TOPSIS=TOPSIS,
        VIKOR=VIKOR,
        ELECTRE2=ELECTRE2,
        electre2=electre2_gomez2004tomada,
    )


def _method(method: Method | str) -> Method:
    try:
        return Method(method)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise CriteriaError(f"Unknown method '{method}'; choose one of: {known}.") from None


def rank_from_scores(scores: NDArray[np.floating]) -> IntArray:
    """Competition ranks ("1, 2, 2, 4"), higher score first, scores rounded to 12 decimals.

    >>> rank_from_scores(np.array([0.2, 0.9, 0.5, 0.9])).tolist()
    [4, 1, 3, 1]
    >>> rank_from_scores(np.array([0.3, 0.1 + 0.2])).tolist()  # float noise is not a tie-break
    [1, 1]
    """
    array = np.asarray(scores, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError("rank_from_scores expects one score per network (a 1-D array).")
    if np.isnan(array).any():
        raise ValueError("Cannot rank NaN scores.")
    rounded = np.round(array, RANK_DECIMALS)
    return np.asarray(stats.rankdata(-rounded, method="min"), dtype=np.int64)


def _objectives_for_skc(matrix: DecisionMatrix) -> list[Any]:
    return [max if benefit else min for benefit in matrix.is_benefit]


def _topsis_input(values: FloatArray) -> FloatArray:
    """Replace all-zero columns by ones (equivalent for TOPSIS, avoids 0/0)."""
    zero_columns = ~np.any(values != 0, axis=-2, keepdims=True)
    return np.where(zero_columns, 1.0, values)


def _run_pipeline(
    matrix: DecisionMatrix, method: Method, w: FloatArray, u: FloatArray
) -> FloatArray:
    """One scikit-criteria run; returns higher-is-better scores."""
    skc = _skc()
    n, m = matrix.shape
    all_max = [max] * m
    if method is Method.WEIGHTED_SUM:
        data, objectives = u, all_max
        steps = [skc.SumScaler(target="weights"), skc.WeightedSumModel()]
    elif method is Method.WEIGHTED_PRODUCT:
        data, objectives = (u + WP_EPSILON) / (1.0 + WP_EPSILON), all_max
        steps = [skc.SumScaler(target="weights"), skc.WeightedProductModel()]
    elif method is Method.TOPSIS:
        data, objectives = _topsis_input(imputed_values(matrix)), _objectives_for_skc(matrix)
        if np.all(np.ptp(data[:, w > 0], axis=0) == 0):
            return np.full(n, 0.5)  # everybody is at the ideal and the anti-ideal at once
        steps = [skc.VectorScaler(target="matrix"), skc.SumScaler(target="weights"), skc.TOPSIS()]
    elif method is Method.VIKOR:
        if n == 1:
            return np.ones(1)
        data, objectives = imputed_values(matrix), _objectives_for_skc(matrix)
        steps = [skc.SumScaler(target="weights"), skc.VIKOR(v=VIKOR_V, use_compromise_set=False)]
    else:
        if n == 1:
            return np.ones(1)
        data, objectives = u, all_max
        steps = [skc.SumScaler(target="weights"), skc.ELECTRE2()]
    dm = skc.mkdm(
        matrix=data,
        objectives=objectives,
        weights=w,
        alternatives=list(matrix.alternatives),
        criteria=list(matrix.criteria),
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", message="Some criteria", category=UserWarning)
        warnings.filterwarnings("ignore", message="Although TOPSIS", category=UserWarning)
        result = skc.mkpipe(*steps).evaluate(dm)
    if method is Method.WEIGHTED_SUM:
        scores = np.atleast_1d(np.asarray(result.e_.score, dtype=np.float64))
    elif method is Method.WEIGHTED_PRODUCT:
        scores = 10.0 ** np.atleast_1d(np.asarray(result.e_.score, dtype=np.float64))
    elif method is Method.TOPSIS:
        scores = np.nan_to_num(
            np.atleast_1d(np.asarray(result.e_.similarity, dtype=np.float64)), nan=0.5
        )
    elif method is Method.VIKOR:
        scores = 1.0 - np.atleast_1d(np.asarray(result.e_.q_k, dtype=np.float64))
    else:
        position = np.atleast_1d(np.asarray(result.e_.score, dtype=np.float64))
        scores = (n - position) / (n - 1)
    return scores


def evaluate(
    matrix: DecisionMatrix,
    weights: Weights,
    method: Method | str = Method.WEIGHTED_SUM,
    *,
    options: MethodOptions | None = None,
) -> Evaluation:
    """Evaluate every network with one method and one weight vector.

    ``weights`` is a mapping ``{criterion: weight}`` covering every criterion (0 allowed) or
    an array in criterion order; it is normalised to sum to 1. ``options`` (default: none)
    changes a method's normalisation or thresholds; ``utilities`` stay the bounds utilities
    whatever the options (the value model reads them).

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("agenda", "fee"), np.array([[5.0, 100.0], [3.0, 0.0]]),
    ...                    (Objective.MAX, Objective.MIN), ((1.0, 5.0), (0.0, 100.0)))
    >>> e = evaluate(m, {"agenda": 3, "fee": 1})
    >>> e.scores.round(4).tolist(), e.ranks.tolist()
    ([0.75, 0.625], [1, 2])
    >>> e.contributions.round(4).tolist()
    [[0.75, 0.0], [0.375, 0.25]]
    >>> evaluate(m, {"agenda": 3, "fee": 1}, "promethee_ii").scores.round(4).tolist()
    [0.75, 0.25]
    """
    method = _method(method)
    opts = options or MethodOptions()
    w = weight_vector(matrix.criteria, weights)
    u = utilities(matrix)
    if method is Method.PROMETHEE_II:
        result = promethee(
            imputed_values(matrix), matrix.is_benefit, w, promethee_specs(matrix, opts)
        )
        scores = (result.net + 1.0) / 2.0
    elif _pipeline_applies(method, opts):
        scores = _run_pipeline(matrix, method, w, u)
    else:
        scores = scores_from_values(matrix, w[None, :], imputed_values(matrix), method, opts)[0]
    contributions = None
    if method is Method.WEIGHTED_SUM:
        if opts.weighted_sum_normalisation == "bounds":
            contributions = u * w
        else:
            contributions = weighted_sum_normalised(matrix, imputed_values(matrix), opts) * w
    return Evaluation(
        method=method,
        alternatives=matrix.alternatives,
        scores=scores,
        ranks=rank_from_scores(scores),
        utilities=u,
        contributions=contributions,
    )


def _pipeline_applies(method: Method, options: MethodOptions) -> bool:
    """True when the options leave ``method`` as the scikit-criteria pipeline runs it."""
    if method is Method.WEIGHTED_SUM:
        return options.weighted_sum_normalisation == "bounds"
    if method is Method.TOPSIS:
        return options.topsis_normalisation == "vector"
    if method is Method.VIKOR:
        return options.vikor_v == VIKOR_V
    return method in (Method.WEIGHTED_PRODUCT, Method.ELECTRE)


def promethee_specs(
    matrix: DecisionMatrix, options: MethodOptions | None = None
) -> tuple[PreferenceSpec, ...]:
    """PROMETHEE's preference function per criterion: the defaults from the bounds, with the
    options' overrides (thresholds in the criterion's own units).

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A",), ("agenda",), np.array([[3.0]]), (Objective.MAX,), ((1.0, 5.0),))
    >>> promethee_specs(m)[0].as_dict()
    {'function': 'linear', 'q': 0.5, 'p': 2.0}
    """
    defaults = default_specs(matrix.bounds, matrix.is_benefit.tolist())
    overrides = None if options is None else options.promethee
    return parse_specs(matrix.criteria, defaults, overrides)


def weighted_sum_normalised(
    matrix: DecisionMatrix, values: FloatArray, options: MethodOptions
) -> FloatArray:
    """The matrix the weighted sum adds up under ``options.weighted_sum_normalisation``.

    ``values`` is ``(n, m)`` or ``(S, n, m)`` complete raw values of ``matrix``'s criteria.
    ``bounds``: utilities; ``raw``: the values (every criterion must be a benefit);
    ``reciprocal_sum``: each column divided by its sum, costs inverted first (see
    `scoring.method_options`).

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("x", "fee"), np.array([[1.0, 1.0], [3.0, 3.0]]),
    ...                    (Objective.MAX, Objective.MIN), ((0.0, 5.0), (0.0, 5.0)))
    >>> weighted_sum_normalised(m, np.asarray(m.values), MethodOptions(
    ...     weighted_sum_normalisation="reciprocal_sum")).tolist()
    [[0.25, 0.75], [0.75, 0.25]]
    """
    kind = options.weighted_sum_normalisation
    benefit = matrix.is_benefit
    if kind == "bounds":
        return values_to_utilities(values, matrix.lower, matrix.upper, benefit)
    if kind == "raw":
        if not benefit.all():
            key = matrix.criteria[int(np.flatnonzero(~benefit)[0])]
            raise CriteriaError(
                f"The weighted sum on raw values adds the values as they are, so it cannot take "
                f"the cost criterion '{key}'; choose the reciprocal-and-sum normalisation.",
                fields={key: "cost criterion in a raw weighted sum"},
            )
        return np.asarray(values, dtype=np.float64)
    costs = ~benefit
    if costs.any() and (values[..., costs] <= 0).any():
        key = matrix.criteria[
            int(np.flatnonzero(costs & (values <= 0).reshape(-1, benefit.size).any(axis=0))[0])
        ]
        raise CriteriaError(
            f"The reciprocal-and-sum normalisation divides by each value of the cost criterion "
            f"'{key}', so every value must be above 0.",
            fields={key: "a cost of 0 or less cannot be inverted"},
        )
    if (values[..., benefit] < 0).any():
        key = matrix.criteria[
            int(np.flatnonzero(benefit & (values < 0).reshape(-1, benefit.size).any(axis=0))[0])
        ]
        raise CriteriaError(
            f"The reciprocal-and-sum normalisation needs values of at least 0 on '{key}'.",
            fields={key: "negative value"},
        )
    with np.errstate(divide="ignore"):
        oriented = np.where(benefit, values, 1.0 / np.where(costs, values, 1.0))
    totals = oriented.sum(axis=-2, keepdims=True)
    if (totals <= 0).any():
        j = int(np.flatnonzero((totals <= 0).reshape(-1, benefit.size).any(axis=0))[0])
        key = matrix.criteria[j]
        raise CriteriaError(
            f"Every value of '{key}' is 0, so its column cannot be divided by its sum.",
            fields={key: "column sums to 0"},
        )
    return np.asarray(oriented / totals, dtype=np.float64)


def kendall_tau(ranks_a: NDArray[np.integer], ranks_b: NDArray[np.integer]) -> float:
    """Kendall's tau-b between two rankings of the same networks.

    Tau-b accounts for ties. When it is undefined: both rankings constant (all tied) or a
    single network gives 1.0 (they say the same thing); exactly one constant ranking gives 0.0
    (no association can be measured).

    >>> kendall_tau(np.array([1, 2, 3]), np.array([1, 2, 3]))
    1.0
    >>> kendall_tau(np.array([1, 2, 3]), np.array([3, 2, 1]))
    -1.0
    >>> kendall_tau(np.array([1, 1, 1]), np.array([1, 2, 3]))
    0.0
    """
    a = np.asarray(ranks_a, dtype=np.float64)
    b = np.asarray(ranks_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("Both rankings must rank the same networks (same 1-D shape).")
    constant_a = a.size < 2 or bool(np.all(a == a[0]))
    constant_b = b.size < 2 or bool(np.all(b == b[0]))
    if constant_a and constant_b:
        return 1.0
    if constant_a or constant_b:
        return 0.0
    tau = float(stats.kendalltau(a, b, variant="b").statistic)
    return 0.0 if math.isnan(tau) else tau


def method_agreement(
    matrix: DecisionMatrix, weights: Weights, methods: Sequence[Method | str] = tuple(Method)
) -> dict[tuple[Method, Method], float]:
    """Kendall's tau-b between the rankings of every pair of methods, in the given order.

    Keys are ``(a, b)`` with ``a`` listed before ``b`` in ``methods``.

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B", "C"), ("x", "y"),
    ...                    np.array([[5.0, 1.0], [3.0, 3.0], [1.0, 5.0]]),
    ...                    (Objective.MAX, Objective.MAX), ((1.0, 5.0), (1.0, 5.0)))
    >>> method_agreement(m, {"x": 3, "y": 1}, ["weighted_sum", "topsis"])
    {(<Method.WEIGHTED_SUM: 'weighted_sum'>, <Method.TOPSIS: 'topsis'>): 1.0}
    """
    chosen = list(dict.fromkeys(_method(m) for m in methods))
    ranks = {m: evaluate(matrix, weights, m).ranks for m in chosen}
    return {(a, b): kendall_tau(ranks[a], ranks[b]) for a, b in itertools.combinations(chosen, 2)}


# ---------------------------------------------------------------------------------------------
# Vectorised scores for many weight vectors
# ---------------------------------------------------------------------------------------------


def normalise_weight_samples(
    matrix: DecisionMatrix, weight_samples: NDArray[np.floating]
) -> FloatArray:
    """Check an ``(S, m)`` array of weight vectors and normalise each row to sum to 1."""
    samples = np.asarray(weight_samples, dtype=np.float64)
    m = len(matrix.criteria)
    if samples.ndim != 2 or samples.shape[1] != m:
        raise CriteriaError(
            f"Weight samples must be an array of shape (samples, {m}), got {samples.shape}."
        )
    if not np.isfinite(samples).all():
        raise CriteriaError("Weight samples contain NaN or infinite values.")
    if (samples < 0).any():
        raise CriteriaError("Weight samples contain negative weights.")
    totals = samples.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise CriteriaError("A weight sample has all weights zero.")
    return np.asarray(samples / totals, dtype=np.float64)


def _vikor_from_distances(s: FloatArray, r: FloatArray, v: float = VIKOR_V) -> FloatArray:
    """``1 - Q`` from group utility ``s`` and regret ``r`` (both ``(S, n)``)."""

    def scale(d: FloatArray) -> FloatArray:
        lo = d.min(axis=1, keepdims=True)
        hi = d.max(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.nan_to_num((d - lo) / (hi - lo)), dtype=np.float64)

    q = scale(s) * v + scale(r) * (1.0 - v)
    return 1.0 - q


def scores_from_values(
    matrix: DecisionMatrix,
    w: FloatArray,
    values: FloatArray,
    method: Method,
    options: MethodOptions | None = None,
) -> FloatArray:
    """Scores of normalised weight rows ``w`` ``(S, m)`` on complete raw values.

    ``values`` is ``(n, m)`` (the same matrix for every weight row) or ``(S, n, m)`` (one
    complete matrix per weight row, e.g. with sampled missing scores). Returns ``(S, n)``.
    """
    opts = options or MethodOptions()
    lower, upper, benefit = matrix.lower, matrix.upper, matrix.is_benefit
    per_sample = values.ndim == 3
    if method is Method.PROMETHEE_II:
        return _promethee_scores(matrix, w, values, opts)
    if method is Method.WEIGHTED_SUM and opts.weighted_sum_normalisation != "bounds":
        r = weighted_sum_normalised(matrix, values, opts)
        return np.einsum("snm,sm->sn", r, w) if per_sample else w @ r.T
    if method in (Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT, Method.ELECTRE):
        u = values_to_utilities(values, lower, upper, benefit)
        if method is Method.WEIGHTED_PRODUCT:
            u = np.log((u + WP_EPSILON) / (1.0 + WP_EPSILON))
        if method is Method.ELECTRE:
            return _electre_loop(w, u)
        out = np.einsum("snm,sm->sn", u, w) if per_sample else w @ u.T
        return np.exp(out) if method is Method.WEIGHTED_PRODUCT else out
    if method is Method.TOPSIS:
        if opts.topsis_normalisation == "minmax":
            gap_best, gap_worst = _topsis_minmax_gaps(values, benefit)
            w2 = w * w
            if per_sample:
                d_best = np.einsum("snm,sm->sn", gap_best, w2)
                d_worst = np.einsum("snm,sm->sn", gap_worst, w2)
            else:
                d_best, d_worst = w2 @ gap_best.T, w2 @ gap_worst.T
            return _closeness(np.array(d_best), np.array(d_worst))
        d_best, d_worst = _topsis_squared_distances(values, benefit, w * w)
        return _closeness(d_best, d_worst)
    x = values
    # VIKOR: distance to the best value of each column, 0 (best) to 1 (worst).
    n = values.shape[-2]
    if n == 1:
        return np.ones((w.shape[0], 1))
    col_max, col_min = x.max(axis=-2), x.min(axis=-2)
    best = np.where(benefit, col_max, col_min)
    worst = np.where(benefit, col_min, col_max)
    if per_sample:
        best, worst = best[:, None, :], worst[:, None, :]
    # As scikit-criteria (objectives inverted): (x - best) / (worst - best); constant -> 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.nan_to_num((x - best) / (worst - best))
    if per_sample:
        s = np.einsum("snm,sm->sn", d, w)
        r_max = (d * w[:, None, :]).max(axis=2)
    else:
        s = w @ d.T
        r_max = (d[None, :, :] * w[:, None, :]).max(axis=2)
    return _vikor_from_distances(s, r_max, opts.vikor_v)


def minmax_normalised(values: FloatArray, benefit: NDArray[np.bool_]) -> FloatArray:
    """Min-max normalisation over the networks, benefit-oriented: 1 is the best value of the
    column, 0 the worst; a constant column is 0 for everybody.

    >>> minmax_normalised(np.array([[1.0, 3000.0], [5.0, 4500.0]]), np.array([False, True])).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    high = values.max(axis=-2, keepdims=True)
    low = values.min(axis=-2, keepdims=True)
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    r = np.where(benefit, (values - low) / safe, (high - values) / safe)
    return np.asarray(np.where(span > 0, r, 0.0), dtype=np.float64)


def _topsis_minmax_gaps(
    values: FloatArray, benefit: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Squared gaps of the min-max normalised values to the ideal (the column's best, 1) and
    the anti-ideal (its worst, 0); a constant column has no gap to either."""
    r = minmax_normalised(values, benefit)
    best = r.max(axis=-2, keepdims=True)
    worst = r.min(axis=-2, keepdims=True)
    return (r - best) ** 2, (r - worst) ** 2


def _promethee_scores(
    matrix: DecisionMatrix, w: FloatArray, values: FloatArray, options: MethodOptions
) -> FloatArray:
    """``(phi + 1) / 2`` for every weight row: ``phi = F w`` with the unicriterion flows."""
    specs = promethee_specs(matrix, options)
    benefit = matrix.is_benefit
    if values.ndim == 2:
        flows = unicriterion_flows(values, benefit, specs)
        net = w @ flows.T
    else:
        net = np.empty((w.shape[0], values.shape[1]))
        for k in range(w.shape[0]):
            net[k] = unicriterion_flows(values[k], benefit, specs) @ w[k]
    return np.asarray((net + 1.0) / 2.0, dtype=np.float64)


_FLOWS_LOCK = threading.Lock()
_FLOWS: dict[int, tuple[weakref.ref[DecisionMatrix], tuple[PreferenceSpec, ...], FloatArray]] = {}
_FLOWS_SIZE = 8


def _known_pair_flows(matrix: DecisionMatrix, specs: tuple[PreferenceSpec, ...]) -> FloatArray:
    """Unicriterion flows over the pairs of known cells (``n^2 m`` work), memoised per matrix:
    `smaa` scores chunk after chunk of the same matrix. Read-only."""
    key = id(matrix)
    with _FLOWS_LOCK:
        hit = _FLOWS.get(key)
    if hit is not None and hit[0]() is matrix and hit[1] == specs:
        return hit[2]
    n, m = matrix.shape
    benefit = matrix.is_benefit
    x = imputed_values(matrix)
    known = ~matrix.mask
    flows = np.zeros((n, m))
    for j, spec in enumerate(specs):
        column = x[:, j]
        d = column[:, None] - column[None, :]
        if not benefit[j]:
            d = -d
        p = preference(d, spec) * (known[:, j][:, None] & known[:, j][None, :])
        flows[:, j] = (p.sum(axis=1) - p.sum(axis=0)) / (n - 1)
    flows.flags.writeable = False
    with _FLOWS_LOCK:
        if len(_FLOWS) >= _FLOWS_SIZE:
            _FLOWS.clear()
        _FLOWS[key] = (weakref.ref(matrix), specs, flows)
    return flows


def _sampled_promethee(
    matrix: DecisionMatrix,
    w: FloatArray,
    fills: FloatArray,
    mi: IntArray,
    mj: IntArray,
    specs: Sequence[PreferenceSpec],
) -> FloatArray:
    """PROMETHEE II scores with sampled missing cells (see `sampled_scores`).

    The flows of the pairs of known cells are computed once; per sample only the pairs that
    involve a missing cell are added (``k * n`` preference evaluations per sample for a
    column with ``k`` gaps), so a few gaps cost little.
    """
    n, _ = matrix.shape
    if n < 2:
        return np.full((w.shape[0], n), 0.5)
    benefit = matrix.is_benefit
    x = imputed_values(matrix)
    known = ~matrix.mask
    flows = _known_pair_flows(matrix, tuple(specs))
    net = w @ flows.T
    for j in np.unique(mj):
        cells = np.flatnonzero(mj == j)
        rows, fill = mi[cells], fills[:, cells]
        spec = specs[int(j)]
        sign = 1.0 if benefit[j] else -1.0
        column, known_column = x[:, j], known[:, j].astype(np.float64)
        share = w[:, j] / (n - 1)
        for c, row in enumerate(rows):
            # Against every network at once (contiguous), the gaps' own columns zeroed.
            d = sign * (fill[:, c, None] - column[None, :])  # in favour of the gap
            diff = preference(d, spec)
            diff -= preference(-d, spec)
            diff *= known_column
            net[:, row] += share * diff.sum(axis=1)
            diff *= share[:, None]
            net -= diff
            if c + 1 < rows.size:
                d = sign * (fill[:, c, None] - fill[:, c + 1 :])
                diff = preference(d, spec) - preference(-d, spec)
                net[:, row] += share * diff.sum(axis=1)
                net[:, rows[c + 1 :]] -= share[:, None] * diff
    return np.asarray((net + 1.0) / 2.0, dtype=np.float64)


def _topsis_gaps(values: FloatArray, benefit: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """Squared gaps of the vector-normalised ``values`` to the ideal and the anti-ideal.

    ``values`` is ``(n, m')`` or ``(S, n, m')``; so are both results.
    """
    x = _topsis_input(values)
    r = x / np.sqrt(np.sum(x * x, axis=-2, keepdims=True))
    best = np.where(benefit, r.max(axis=-2), r.min(axis=-2))
    worst = np.where(benefit, r.min(axis=-2), r.max(axis=-2))
    if values.ndim == 3:
        best, worst = best[:, None, :], worst[:, None, :]
    return (r - best) ** 2, (r - worst) ** 2


def _topsis_squared_distances(
    values: FloatArray, benefit: NDArray[np.bool_], w2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Squared weighted distances to the ideal and anti-ideal, ``(S, n)`` each.

    ``values`` is ``(n, m')`` or ``(S, n, m')`` raw values of some columns, ``w2`` the squared
    weights ``(S, m')`` of those columns; squared distances of disjoint column sets add up.
    """
    gap_best, gap_worst = _topsis_gaps(values, benefit)
    if values.ndim == 3:
        return (
            np.einsum("snm,sm->sn", gap_best, w2),
            np.einsum("snm,sm->sn", gap_worst, w2),
        )
    return w2 @ gap_best.T, w2 @ gap_worst.T


def _closeness(d_best_sq: FloatArray, d_worst_sq: FloatArray) -> FloatArray:
    """Relative closeness from squared distances; overwrites both (fresh) arrays.

    The distances are finite and non-negative, so the closeness is in [0, 1] or NaN (both
    distances 0: the network is at the ideal and the anti-ideal at once), which gives 0.5.
    """
    d_best, d_worst = np.sqrt(d_best_sq, out=d_best_sq), np.sqrt(d_worst_sq, out=d_worst_sq)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_best += d_worst
        closeness = np.divide(d_worst, d_best, out=d_best)
    undefined = np.isnan(closeness)
    if undefined.any():
        closeness[undefined] = 0.5
    return closeness


class Scratch:
    """Arrays reused from one call to the next, by name (one per thread: not thread-safe).

    A fresh array of a few MB costs a page fault per 4 KiB when first written, which on a
    busy machine is several times the cost of the arithmetic; `smaa` scores chunk after
    chunk into the same buffers instead. ``get`` returns the first ``rows`` rows of a buffer
    (C-contiguous), growing it when needed; its content is undefined.
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, int, str], NDArray[Any]] = {}

    def get(self, name: str, rows: int, cols: int, dtype: type[Any] = np.float64) -> NDArray[Any]:
        key = (name, cols, np.dtype(dtype).str)
        array = self._arrays.get(key)
        if array is None or array.shape[0] < rows:
            array = np.empty((rows, cols), dtype=dtype)
            self._arrays[key] = array
        return array[:rows]


def sampled_scores(
    matrix: DecisionMatrix,
    w: FloatArray,
    method: Method,
    fills: FloatArray | None,
    *,
    scratch: Scratch | None = None,
    options: MethodOptions | None = None,
) -> FloatArray:
    """Scores of normalised weight rows ``w`` ``(S, m)`` with sampled missing scores.

    ``fills`` is ``(S, k)``: raw values for the ``k`` missing cells, in the order of
    ``np.nonzero(matrix.mask)``, one row per weight row; None imputes midpoints. Only the
    columns with missing cells are expanded per sample, so a few gaps cost little.

    With ``scratch`` (weighted sum, weighted product and TOPSIS with gaps) the result and the
    ``(S, n)`` temporaries live in its buffers: the result is overwritten by the next call
    with the same scratch.
    """
    mi, mj = np.nonzero(matrix.mask)
    opts = options or MethodOptions()
    if fills is None or mi.size == 0:
        return scores_from_values(matrix, w, imputed_values(matrix), method, opts)
    lower, upper, benefit = matrix.lower, matrix.upper, matrix.is_benefit
    n = matrix.shape[0]
    if method is Method.PROMETHEE_II:
        return _sampled_promethee(matrix, w, fills, mi, mj, promethee_specs(matrix, opts))
    if not _pipeline_applies(method, opts):
        full = np.repeat(imputed_values(matrix)[None], w.shape[0], axis=0)
        full[:, mi, mj] = fills
        return scores_from_values(matrix, w, full, method, opts)
    if method in (Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT):
        # Linear in the cells: the known cells in one product, then each missing cell's
        # term added to its own network (a correction of rank one per missing cell).
        base = values_to_utilities(np.asarray(matrix.values), lower, upper, benefit)
        filled = values_to_utilities(fills, lower[mj], upper[mj], benefit[mj])
        if method is Method.WEIGHTED_PRODUCT:
            base = np.log((base + WP_EPSILON) / (1.0 + WP_EPSILON))
            filled = np.log((filled + WP_EPSILON) / (1.0 + WP_EPSILON))
        known = np.ascontiguousarray(np.nan_to_num(base, nan=0.0).T)
        out = w @ known if scratch is None else np.matmul(w, known, out=_rows(scratch, w, n))
        terms = w[:, mj] * filled
        if mi.size <= _CELL_LOOP_MAX:
            for cell, network in enumerate(mi):
                out[:, network] += terms[:, cell]
        else:
            owner = np.zeros((mi.size, n))
            owner[np.arange(mi.size), mi] = 1.0
            out += terms @ owner
        return np.exp(out, out=out) if method is Method.WEIGHTED_PRODUCT else out
    if method is Method.TOPSIS:
        return _sampled_topsis(matrix, w, fills, mi, mj, scratch or Scratch())
    full = np.repeat(imputed_values(matrix)[None], w.shape[0], axis=0)
    full[:, mi, mj] = fills
    return scores_from_values(matrix, w, full, method)


_CELL_LOOP_MAX = 64  # up to this many missing cells, add their terms one column at a time


def _rows(scratch: Scratch, w: FloatArray, n: int, name: str = "scores") -> FloatArray:
    """An ``(S, n)`` float buffer of ``scratch``, one row per weight row."""
    return np.asarray(scratch.get(name, w.shape[0], n), dtype=np.float64)


@dataclass(frozen=True)
class _TopsisCorrection:
    """What the product misses for one column with gaps and one ideal (see `_sampled_topsis`)."""

    best: bool
    column: FloatArray  # the known values, 0 at the missing cells
    known: NDArray[np.bool_]
    rows: IntArray  # networks with a missing cell in this column
    cell_terms: FloatArray  # (S, k): their terms
    scale: FloatArray  # (S,): (w / N) ** 2
    ideal: FloatArray  # (S,): this ideal of the filled column
    beyond: IntArray  # samples whose ideal is a fill beyond the known cells' extreme


def _sampled_topsis(
    matrix: DecisionMatrix,
    w: FloatArray,
    fills: FloatArray,
    mi: IntArray,
    mj: IntArray,
    scratch: Scratch,
) -> FloatArray:
    """TOPSIS scores with sampled missing cells (see `sampled_scores`).

    Every squared distance is a sum over criteria of ``coef[s, j] * gap[j, i]``, so each
    distance is one ``(S, m) @ (m, n)`` product:

    - a complete column: ``w_sj ** 2`` times the squared gap of its normalised values, as in
      `_topsis_squared_distances`;
    - a column with missing cells, normalised by each sample's norm ``N_sj`` and measured
      from that sample's ideal ``e_sj``: ``(w_sj / N_sj) ** 2 * (x_ij - e_sj) ** 2`` for a
      known cell. The ideal of the filled column is the known cells' extreme ``E_j`` unless
      a fill goes beyond it, so ``gap[j, i] = (x_ij - E_j) ** 2``; the missing cells, and
      the (few) samples whose ideal is a fill, are added to the product afterwards.

    Nothing is subtracted, so a network at the ideal keeps a distance of exactly 0.
    """
    benefit = matrix.is_benefit
    c = w.shape[0]
    n, m = matrix.shape
    varying = np.unique(mj)
    fixed = np.setdiff1d(np.arange(m), varying)
    x = imputed_values(matrix)
    coef_best = np.empty((c, m))
    coef_best[:, fixed] = w[:, fixed] ** 2
    coef_worst = coef_best.copy()
    gap_best, gap_worst = np.zeros((m, n)), np.zeros((m, n))
    if fixed.size:
        fixed_best, fixed_worst = _topsis_gaps(x[:, fixed], benefit[fixed])
        gap_best[fixed], gap_worst[fixed] = fixed_best.T, fixed_worst.T
    corrections: list[_TopsisCorrection] = []
    for j in varying:
        cells = np.flatnonzero(mj == j)
        rows, values = mi[cells], fills[:, cells]
        known = np.ones(n, dtype=bool)
        known[rows] = False
        column = np.where(known, x[:, j], 0.0)
        norm = np.sqrt(np.sum(column * column) + np.sum(values * values, axis=1))
        scale = (w[:, j] / np.where(norm > 0, norm, 1.0)) ** 2  # an all-zero column adds 0
        high = x[known, j].max(initial=-np.inf)
        low = x[known, j].min(initial=np.inf)
        top = np.maximum(high, values.max(axis=1))
        bottom = np.minimum(low, values.min(axis=1))
        ideals = [(True, top, high), (False, bottom, low)]
        if not benefit[j]:
            ideals = [(True, bottom, low), (False, top, high)]
        for best, ideal, extreme in ideals:
            coef, gap = (coef_best, gap_best) if best else (coef_worst, gap_worst)
            if math.isfinite(extreme):
                gap[j] = np.where(known, (column - extreme) ** 2, 0.0)
            coef[:, j] = np.where(ideal == extreme, scale, 0.0)
            corrections.append(
                _TopsisCorrection(
                    best=best,
                    column=column,
                    known=known,
                    rows=rows,
                    cell_terms=scale[:, None] * (values - ideal[:, None]) ** 2,
                    scale=scale,
                    ideal=ideal,
                    beyond=np.flatnonzero(ideal != extreme),
                )
            )
    d_best = np.matmul(coef_best, gap_best, out=_rows(scratch, w, n))
    d_worst = np.matmul(coef_worst, gap_worst, out=_rows(scratch, w, n, "worst"))
    for fix in corrections:
        total = d_best if fix.best else d_worst
        for k, network in enumerate(fix.rows):
            total[:, network] += fix.cell_terms[:, k]
        if fix.beyond.size:
            ex = fix.beyond
            terms = fix.scale[ex, None] * (fix.column - fix.ideal[ex, None]) ** 2
            total[ex] += np.where(fix.known, terms, 0.0)
    return _closeness(d_best, d_worst)


def _electre_loop(w: FloatArray, u: FloatArray) -> FloatArray:
    """ELECTRE II per weight row (its outranking graphs do not vectorise)."""
    electre2 = _skc().electre2
    n = u.shape[-2]
    out = np.ones((w.shape[0], n))
    if n == 1:
        return out
    objectives = np.ones(u.shape[-1], dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(w.shape[0]):
            uk = u[k] if u.ndim == 3 else u
            position = electre2(uk, objectives, w[k])[-1]
            out[k] = (n - position) / (n - 1)
    return out


def batch_scores(
    matrix: DecisionMatrix,
    weight_samples: NDArray[np.floating],
    method: Method | str = Method.WEIGHTED_SUM,
    utilities: NDArray[np.floating] | None = None,
    *,
    options: MethodOptions | None = None,
) -> FloatArray:
    """Scores for many weight vectors at once: ``(S, m)`` weights -> ``(S, n)`` scores.

    Pure NumPy for weighted sum, weighted product, TOPSIS, VIKOR and PROMETHEE II (all
    vectorised over the samples; PROMETHEE II's unicriterion flows are computed once); ELECTRE II loops over the samples calling scikit-criteria's ELECTRE II function
    directly (no pipeline overhead), because its outranking graphs have no array form. Each
    row is normalised to sum to 1, as `evaluate` does; row ``k`` equals
    ``evaluate(matrix, weight_samples[k], method).scores`` to 1e-12.

    ``utilities`` optionally replaces ``utilities(matrix)``: an ``(n, m)`` matrix, or
    ``(S, n, m)`` with one matrix per sample. TOPSIS and VIKOR, which work on raw values,
    get them back through the criteria's bounds.

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("x", "y"), np.array([[5.0, 1.0], [1.0, 5.0]]),
    ...                    (Objective.MAX, Objective.MAX), ((1.0, 5.0), (1.0, 5.0)))
    >>> batch_scores(m, np.array([[1.0, 0.0], [1.0, 3.0]])).tolist()
    [[1.0, 0.0], [0.25, 0.75]]
    """
    method = _method(method)
    w = normalise_weight_samples(matrix, weight_samples)
    if utilities is None:
        values = imputed_values(matrix)
    else:
        u = np.asarray(utilities, dtype=np.float64)
        n, m = matrix.shape
        if u.shape not in ((n, m), (w.shape[0], n, m)) or np.isnan(u).any():
            raise CriteriaError(
                f"Utilities must be a complete ({n}, {m}) or ({w.shape[0]}, {n}, {m}) array."
            )
        lower, upper = matrix.lower, matrix.upper
        values = np.where(
            matrix.is_benefit, lower + u * (upper - lower), upper - u * (upper - lower)
        )
    return scores_from_values(matrix, w, values, method, options)
