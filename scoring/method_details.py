"""How each method ranks: the intermediate results behind a score, for a reader to check by hand.

This module owns `explain`, which runs one method on a decision matrix and returns every
number between the data and the score as labelled tables (`Table`: rows are networks, columns
are criteria or other networks) and facts (thresholds, kernel, compromise set, conditions).
The formulas are those of the modules that own each method: `scoring.methods` (weighted sum,
weighted product, TOPSIS, ELECTRE II through scikit-criteria), `scoring.vikor`,
`scoring.promethee` and `scoring.electre` (ELECTRE I, a choice method outside the registry).
Scores always equal `scoring.methods.evaluate`'s for the registry's methods.

Every method reads the point-evaluation matrix: missing scores at the midpoint of their
range. Titles of tables and methods live here, in one place, as whole sentences for the
translators.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError
from scoring.electre import electre_one
from scoring.matrix import DecisionMatrix, imputed_values, utilities
from scoring.method_options import MethodOptions
from scoring.methods import (
    WP_EPSILON,
    Method,
    _skc,
    _topsis_input,
    evaluate,
    minmax_normalised,
    promethee_specs,
    weighted_sum_normalised,
)
from scoring.promethee import promethee
from scoring.vikor import vikor
from scoring.weights import weight_vector

__all__ = ["ELECTRE_I", "EXPLAINED", "METHOD_TITLES", "MethodDetails", "Table", "explain"]

FloatArray = NDArray[np.float64]
Weights = Mapping[str, float] | NDArray[np.floating] | Sequence[float]

#: ELECTRE I is explained beside the registry's methods (it selects, it does not rank).
ELECTRE_I = "electre_i"
#: Every method `explain` knows, in display order.
EXPLAINED: tuple[str, ...] = (*(str(m) for m in Method), ELECTRE_I)

METHOD_TITLES: Mapping[str, str] = {
    "weighted_sum": "Weighted sum (additive value)",
    "weighted_product": "Weighted product",
    "topsis": "TOPSIS (distance to the ideal)",
    "vikor": "VIKOR (compromise)",
    "electre": "ELECTRE II (outranking, full ranking)",
    "promethee_ii": "PROMETHEE II (outranking flows)",
    "electre_i": "ELECTRE I (outranking, the networks nobody beats)",
}

FORMULAS: Mapping[str, str] = {
    "weighted_sum": "score = sum over criteria of weight x normalised value.",
    "weighted_product": "score = product over criteria of (shifted utility) to the power of its weight.",
    "topsis": "score = distance to the anti-ideal / (distance to the ideal + distance to the anti-ideal).",
    "vikor": "Q = v x scaled group utility S + (1 - v) x scaled individual regret R; score = 1 - Q.",
    "electre": "Networks outrank each other when concordance is high and discordance low; the score comes from the position in the ranking.",
    "promethee_ii": "net flow = positive flow - negative flow; score = (net flow + 1) / 2.",
    "electre_i": "A network outranks another when concordance >= the concordance threshold and discordance <= the discordance threshold; the kernel is the set of networks nobody outranks.",
}


@dataclass(frozen=True)
class Table:
    """A labelled matrix: ``values[i, j]`` for ``rows[i]`` and ``columns[j]`` (NaN: not
    applicable). ``kind`` says what the columns are: ``"criteria"``, ``"networks"`` or
    ``"figures"`` (named quantities such as D+ and D-)."""

    key: str
    title: str
    kind: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: FloatArray = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN becomes None, numbers are rounded to 9 decimals."""
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "values": [
                [None if not np.isfinite(x) else round(float(x), 9) for x in row]
                for row in self.values
            ],
        }


@dataclass(frozen=True)
class MethodDetails:
    """One method's intermediate results on one matrix and one weight vector.

    ``scores`` and ``ranks`` are None for ELECTRE I (it yields a kernel, in ``facts``).
    """

    method: str
    title: str
    formula: str
    alternatives: tuple[str, ...]
    criteria: tuple[str, ...]
    weights: FloatArray
    scores: FloatArray | None
    ranks: NDArray[np.int64] | None
    tables: tuple[Table, ...]
    facts: dict[str, Any]

    def table(self, key: str) -> Table:
        """The table with this key (KeyError when the method has none)."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "method": self.method,
            "title": self.title,
            "formula": self.formula,
            "alternatives": list(self.alternatives),
            "criteria": list(self.criteria),
            "weights": [round(float(x), 9) for x in self.weights],
            "scores": None if self.scores is None else [round(float(x), 9) for x in self.scores],
            "ranks": None if self.ranks is None else [int(x) for x in self.ranks],
            "tables": [t.as_dict() for t in self.tables],
            "facts": self.facts,
        }


def _per_criterion(key: str, title: str, m: DecisionMatrix, values: FloatArray) -> Table:
    return Table(key, title, "criteria", m.alternatives, m.criteria, np.asarray(values, float))


def _pairwise(key: str, title: str, m: DecisionMatrix, values: FloatArray) -> Table:
    return Table(key, title, "networks", m.alternatives, m.alternatives, np.asarray(values, float))


def _figures(key: str, title: str, m: DecisionMatrix, columns: Mapping[str, FloatArray]) -> Table:
    values = np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
    return Table(key, title, "figures", m.alternatives, tuple(columns), values)


def explain(
    matrix: DecisionMatrix,
    weights: Weights,
    method: str,
    *,
    options: MethodOptions | None = None,
) -> MethodDetails:
    """The intermediate results of ``method`` (a registry method or ``"electre_i"``).

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("agenda", "fee"), np.array([[5.0, 100.0], [3.0, 0.0]]),
    ...                    (Objective.MAX, Objective.MIN), ((1.0, 5.0), (0.0, 100.0)))
    >>> d = explain(m, {"agenda": 3, "fee": 1}, "weighted_sum")
    >>> d.table("contributions").values.round(3).tolist(), d.scores.round(3).tolist()
    ([[0.75, 0.0], [0.375, 0.25]], [0.75, 0.625])
    """
    if method not in EXPLAINED:
        raise CriteriaError(
            f"Unknown method '{method}'; choose one of: {', '.join(EXPLAINED)}.",
            fields={"method": "unknown method"},
        )
    opts = options or MethodOptions()
    w = weight_vector(matrix.criteria, weights)
    x = imputed_values(matrix)
    u = utilities(matrix)
    raw = _per_criterion(
        "values", "Values (missing scores at the midpoint of their range)", matrix, x
    )
    if method == ELECTRE_I:
        return _electre_one(matrix, w, u, raw, opts)
    chosen = Method(method)
    evaluation = evaluate(matrix, w, chosen, options=opts)
    tables: list[Table] = [raw]
    facts: dict[str, Any] = {}
    if chosen is Method.WEIGHTED_SUM:
        normalised = weighted_sum_normalised(matrix, x, opts)
        facts["normalisation"] = opts.weighted_sum_normalisation
        tables += [
            _per_criterion("normalised", "Normalised values", matrix, normalised),
            _per_criterion("contributions", "Weight x normalised value", matrix, normalised * w),
        ]
    elif chosen is Method.WEIGHTED_PRODUCT:
        shifted = (u + WP_EPSILON) / (1.0 + WP_EPSILON)
        facts["epsilon"] = WP_EPSILON
        tables += [
            _per_criterion("utilities", "Utilities from the ranges (0 worst, 1 best)", matrix, u),
            _per_criterion(
                "shifted", "Shifted utilities (u + epsilon) / (1 + epsilon)", matrix, shifted
            ),
            _per_criterion(
                "factors", "Factors: shifted utility to the power of the weight", matrix, shifted**w
            ),
        ]
    elif chosen is Method.TOPSIS:
        tables += _topsis_tables(matrix, w, x, opts)
        facts["normalisation"] = opts.topsis_normalisation
    elif chosen is Method.VIKOR:
        r = vikor(x, matrix.is_benefit, w, v=opts.vikor_v)
        names = matrix.alternatives
        tables += [
            _per_criterion(
                "regret",
                "Normalised distance to the best value (0 best, 1 worst)",
                matrix,
                r.regret,
            ),
            _per_criterion("weighted_regret", "Weight x normalised distance", matrix, r.regret * w),
            _figures(
                "srq",
                "Group utility S, individual regret R and Q (lower is better)",
                matrix,
                {"S": r.s, "R": r.r, "Q": r.q},
            ),
        ]
        facts.update(
            {
                "v": r.v,
                "best_values": [float(b) for b in r.best],
                "worst_values": [float(b) for b in r.worst],
                "first": names[r.first],
                "second": None if r.second is None else names[r.second],
                "dq": r.dq,
                "acceptable_advantage": r.acceptable_advantage,
                "acceptable_stability": r.acceptable_stability,
                "compromise_set": [names[i] for i in r.compromise],
            }
        )
    elif chosen is Method.ELECTRE:
        tables += _electre_two_tables(matrix, w, u)
    else:
        specs = promethee_specs(matrix, opts)
        result = promethee(x, matrix.is_benefit, w, specs)
        tables += [
            _per_criterion(
                "unicriterion", "Net flow on each criterion alone", matrix, result.unicriterion
            ),
            _pairwise(
                "preference",
                "Aggregated preference of the row network over the column network",
                matrix,
                result.preference,
            ),
            _figures(
                "flows",
                "Positive, negative and net flows",
                matrix,
                {"phi+": result.positive, "phi-": result.negative, "phi": result.net},
            ),
        ]
        names = matrix.alternatives
        facts.update(
            {
                "preference_functions": {
                    key: spec.as_dict() for key, spec in zip(matrix.criteria, specs, strict=True)
                },
                "partial_order": [list(row) for row in result.relation],
                "incomparable_pairs": [
                    [names[a], names[b]] for a, b in result.incomparable_pairs()
                ],
            }
        )
    tables.append(
        _figures(
            "score",
            "Score (higher is better) and rank",
            matrix,
            {"score": evaluation.scores, "rank": evaluation.ranks.astype(float)},
        )
    )
    return MethodDetails(
        method=method,
        title=METHOD_TITLES[method],
        formula=FORMULAS[method],
        alternatives=matrix.alternatives,
        criteria=matrix.criteria,
        weights=w,
        scores=evaluation.scores,
        ranks=evaluation.ranks,
        tables=tuple(tables),
        facts=facts,
    )


def _topsis_tables(
    m: DecisionMatrix, w: FloatArray, x: FloatArray, opts: MethodOptions
) -> list[Table]:
    benefit = m.is_benefit
    if opts.topsis_normalisation == "minmax":
        r = minmax_normalised(x, benefit)
        v = r * w
        ideal, anti = v.max(axis=0), v.min(axis=0)
    else:
        data = _topsis_input(x)
        r = data / np.sqrt((data * data).sum(axis=0))
        v = r * w
        ideal = np.where(benefit, v.max(axis=0), v.min(axis=0))
        anti = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = d_best + d_worst
    with np.errstate(divide="ignore", invalid="ignore"):
        closeness = np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 0.5)
    reference = Table(
        "ideals",
        "Ideal and anti-ideal of each weighted column",
        "criteria",
        ("ideal", "anti-ideal"),
        m.criteria,
        np.vstack([ideal, anti]),
    )
    return [
        _per_criterion("normalised", "Normalised values", m, r),
        _per_criterion("weighted", "Weight x normalised value", m, v),
        reference,
        _figures(
            "distances",
            "Distances to the ideal (D+) and the anti-ideal (D-), and the closeness",
            m,
            {"D+": d_best, "D-": d_worst, "closeness": closeness},
        ),
    ]


def _electre_two_tables(m: DecisionMatrix, w: FloatArray, u: FloatArray) -> list[Table]:
    n = m.shape[0]
    if n == 1:
        return []
    objectives = np.ones(u.shape[1], dtype=int)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        (_, direct, inverse, conc, disc, _, strong, weak, position) = _skc().electre2(
            u, objectives, w
        )
    return [
        _per_criterion("utilities", "Utilities from the ranges (0 worst, 1 best)", m, u),
        _pairwise("concordance", "Concordance of the row network over the column network", m, conc),
        _pairwise("discordance", "Discordance of the row network over the column network", m, disc),
        _pairwise(
            "strong",
            "Strong outranking (1: the row network strongly outranks the column network)",
            m,
            strong.astype(float),
        ),
        _pairwise(
            "weak",
            "Weak outranking (1: the row network weakly outranks the column network)",
            m,
            weak.astype(float),
        ),
        _figures(
            "positions",
            "Direct and inverse rankings and their average position (lower is better)",
            m,
            {"direct": direct, "inverse": inverse, "position": position},
        ),
    ]


def _electre_one(
    m: DecisionMatrix, w: FloatArray, u: FloatArray, raw: Table, opts: MethodOptions
) -> MethodDetails:
    result = electre_one(
        u,
        np.ones(u.shape[1], dtype=bool),
        w,
        concordance_threshold=opts.electre_concordance,
        discordance_threshold=opts.electre_discordance,
    )
    names = m.alternatives
    in_kernel = np.zeros(len(names))
    in_kernel[list(result.kernel)] = 1.0
    tables = (
        raw,
        _per_criterion("utilities", "Utilities from the ranges (0 worst, 1 best)", m, u),
        _pairwise(
            "concordance",
            "Concordance of the row network over the column network",
            m,
            result.concordance,
        ),
        _pairwise(
            "discordance",
            "Discordance of the row network over the column network",
            m,
            result.discordance,
        ),
        _pairwise(
            "outranks",
            "Outranking (1: the row network outranks the column network)",
            m,
            result.outranks.astype(float),
        ),
        _figures(
            "kernel",
            "In the kernel (1: no network outranks it)",
            m,
            {"kernel": in_kernel, "outranked by": result.outranks.sum(axis=0).astype(float)},
        ),
    )
    return MethodDetails(
        method=ELECTRE_I,
        title=METHOD_TITLES[ELECTRE_I],
        formula=FORMULAS[ELECTRE_I],
        alternatives=names,
        criteria=m.criteria,
        weights=w,
        scores=None,
        ranks=None,
        tables=tables,
        facts={
            "concordance_threshold": result.concordance_threshold,
            "discordance_threshold": result.discordance_threshold,
            "delta": result.delta,
            "kernel": [names[i] for i in result.kernel],
            "has_cycle": result.has_cycle,
        },
    )
