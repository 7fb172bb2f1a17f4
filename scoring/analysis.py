"""The single entry point the app calls: a whole decision problem in, a whole analysis out.

This module owns `analyse`, which chains the scoring core in a fixed order:

1. build the decision matrix from the networks, their 1-5 scores and their facts
   (``annual_fee`` from the fee, ``staff_time`` from the hours, ``thematic_fit`` computed from
   the city's priority themes when they are given);
2. evaluate it with the chosen method (ranks) and compute every network's weighted-sum
   *value* (0-1), which the bars, the portfolio and the reports use whatever the ranking
   method, because only an additive value can be summed over a portfolio and compared with a
   fixed bar;
3. choose the portfolio (`scoring.portfolio`) among the networks that pass their asymmetric
   bar (members ``leave_below``, candidates ``join_above``), under the fee and hours budgets;
4. sample robustness (`scoring.robustness.smaa`), weight stability intervals for the top of
   the ranking, and the agreement between methods;
5. assemble recommendations (`scoring.recommend`), budget use and warnings.

Two levels of detail (`Problem.detail`): ``"full"`` runs every step; ``"preview"``, for the
live re-rank of the priorities page, computes only what that ranking shows: ranks, values and
portfolio actions, as arrays (`Analysis.ranking`). It skips step 4 (robustness sampling,
weight stability, method agreement: they have their own pages) and the recommendations of
step 5 (reasons, explanations, flags: the dashboard and the network pages show them), so a
preview's ``recommendations`` is empty. The preview also scores with the vectorised
`scoring.methods.batch_scores` (equal to `evaluate` to 1e-12) and, when a budget forces a
choice, uses the quick portfolio search of `scoring.portfolio` instead of the exact program
(a warning says so); without scarcity both are exact and agree.

Everything that does not depend on the weights, the method or the budgets (the checked
decision matrix, its utilities, the fee and hours arrays, the statuses and eligibility, the
overlap matrices, the data warnings) is a `Basis`: `prepare` builds it, and `analyse` accepts
one built earlier for the same networks, criteria, scores and priorities, so that an app
re-ranking the same data under many weights builds it once per data revision.

Former memberships are **not ranked**: they are left out of the matrix, the portfolio and
the robustness run (so they neither shift the ranks of current options nor count as "other
memberships" for overlap), and a warning names them. To consider rejoining one, the app marks
it as a candidate.

Missing scores: the point evaluation imputes the midpoint of the scale (never zero); the
robustness run samples them over the whole scale, so gaps show up as uncertainty.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, Objective
from scoring.matrix import utilities as matrix_utilities
from scoring.methods import (
    Evaluation,
    Method,
    batch_scores,
    evaluate,
    kendall_tau,
    rank_from_scores,
)
from scoring.overlap import overlap_matrix, thematic_fit
from scoring.portfolio import QUICK_STATUS, PortfolioItem, PortfolioResult, optimise_portfolio
from scoring.recommend import (
    Action,
    MembershipFacts,
    Recommendation,
    Thresholds,
    portfolio_action,
    recommend,
)
from scoring.robustness import (
    ActionRule,
    RobustnessResult,
    StabilityInterval,
    describe_interval,
    smaa,
    weight_stability,
)
from scoring.weights import weight_vector

__all__ = [
    "ACTION_ORDER",
    "FEE_KEY",
    "HOURS_KEY",
    "THEMATIC_FIT_KEY",
    "Analysis",
    "Basis",
    "BudgetUse",
    "CriterionInput",
    "NetworkInput",
    "Problem",
    "Ranking",
    "analyse",
    "prepare",
]

FEE_KEY = "annual_fee"
"""Criterion whose values come from `NetworkInput.fee` (in major currency units)."""
HOURS_KEY = "staff_time"
"""Criterion whose values come from `NetworkInput.hours`."""
THEMATIC_FIT_KEY = "thematic_fit"
"""Criterion computed from `Problem.priorities` and the networks' themes, when given."""

SCORE_BOUNDS = (1.0, 5.0)
_PLAIN_SCORES = {int, float, np.float64, type(None)}

Status = Literal["member", "candidate", "former"]
Detail = Literal["full", "preview"]


@dataclass(frozen=True, slots=True)
class CriterionInput:
    """A criterion as the analysis needs it (the app converts `criteria.model.Criterion`)."""

    key: str
    title: str
    direction: Literal["benefit", "cost"] = "benefit"
    kind: Literal["assessed", "computed", "fact"] = "assessed"


@dataclass(frozen=True, slots=True)
class NetworkInput:
    """One network and the city's relation to it. ``fee`` is in minor units (cents)."""

    id: str
    name: str
    status: Status
    fee: int = 0
    hours: float = 0.0
    engagement: Literal["active", "passive"] | None = None
    renewal_date: date | None = None
    notice_days: int | None = None
    eligible: bool | None = True
    eligibility_reasons: tuple[str, ...] = ()
    lock: Literal["keep", "exclude"] | None = None
    themes: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything one analysis needs.

    ``scores``: network id -> criterion key -> 1-5 score or None (missing). Scores for
    ``annual_fee`` and ``staff_time`` are ignored (they come from the fee and hours), and so
    are ``thematic_fit`` scores when ``priorities`` is given. ``weights``: points per
    criterion (any positive total; every criterion needs one, 0 allowed), normalised here.
    ``fee_budget`` is in minor units. ``samples=0`` skips the robustness run.
    ``overlap_penalty`` is in value units per unit of overlap. It only applies when a budget
    forces a choice (see `scoring.portfolio`), and only to *material* overlaps: pairs whose
    overlap is at least ``overlap_floor``, and for each network only its ``overlap_partners``
    most similar networks. Almost every pair of real networks shares a theme or "knowledge
    exchange" (90% of the pairs in the reference table, median overlap 0.25); penalising all
    of them would punish a portfolio for its size rather than for duplication, and would make
    the optimisation needlessly hard. ``leave_cost`` and ``join_cost`` are switching costs in value units applied
    to every member / candidate. ``portfolio_time_limit`` bounds the optimiser (seconds).
    """

    networks: tuple[NetworkInput, ...]
    criteria: tuple[CriterionInput, ...]
    scores: Mapping[str, Mapping[str, float | None]]
    weights: Mapping[str, float]
    today: date
    method: Method = Method.WEIGHTED_SUM
    fee_budget: int | None = None
    hours_budget: float | None = None
    thresholds: Thresholds = dataclasses.field(default_factory=Thresholds)
    samples: int = 2_000
    concentration: float = 50.0
    seed: int = 0
    top_k: int = 3
    overlap_penalty: float = 0.2
    overlap_floor: float = 0.5
    overlap_partners: int = 5
    priorities: Mapping[str, float] | None = None
    theme_weight: float = 0.5
    leave_cost: float = 0.0
    join_cost: float = 0.0
    portfolio_time_limit: float | None = 2.0
    detail: Detail = "full"


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """Fees (minor units) and staff hours: now, in the chosen portfolio, and available."""

    fee_current: int
    fee_selected: int
    fee_budget: int | None
    hours_current: float
    hours_selected: float
    hours_budget: float | None


ACTION_ORDER: tuple[Action, ...] = (
    Action.JOIN,
    Action.STAY,
    Action.LEAVE,
    Action.NOT_RECOMMENDED,
    Action.NOT_ELIGIBLE,
)
"""The actions, indexed by the codes of `Ranking.action_codes`."""


@dataclass(frozen=True)
class Ranking:
    """The ranking as arrays aligned with ``matrix.alternatives``, at both levels of detail.

    ``order`` holds the alternatives' positions best first (rank under the chosen method,
    then higher value, then network id); ``ranks`` are those ranks, ``values`` the
    weighted-sum values (0-1) and ``action_codes`` index `ACTION_ORDER`.
    """

    order: npt.NDArray[np.intp]
    ranks: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    action_codes: npt.NDArray[np.int8]

    def actions(self) -> tuple[Action, ...]:
        """The action of each alternative, in matrix order."""
        return tuple(ACTION_ORDER[code] for code in self.action_codes.tolist())


@dataclass(frozen=True)
class Analysis:
    """The result of `analyse`; arrays and ids follow ``matrix.alternatives``.

    ``values`` are the weighted-sum values (0-1). ``stability`` holds the weight intervals
    keeping the top of the ranking, ``stability_sentences`` the same in plain words.
    ``method_agreement`` maps method pairs to Kendall's tau between their rankings.
    ``excluded`` lists the former memberships left out. ``ranking`` holds ranks, values and
    actions as arrays. A ``"preview"`` analysis has no recommendations, no robustness, no
    stability and no method agreement (empty and None): read its ``ranking``.
    """

    matrix: DecisionMatrix
    weights: dict[str, float]
    evaluation: Evaluation
    values: dict[str, float]
    recommendations: tuple[Recommendation, ...]
    robustness: RobustnessResult | None
    stability: tuple[StabilityInterval, ...]
    stability_sentences: tuple[str, ...]
    portfolio: PortfolioResult
    method_agreement: dict[tuple[Method, Method], float]
    budget_use: BudgetUse
    overlap_ids: tuple[str, ...]
    overlap: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    ranking: Ranking = dataclasses.field(repr=False, kw_only=True)
    excluded: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def recommendation(self, network: str) -> Recommendation:
        """The recommendation for one network id (full analyses only)."""
        for rec in self.recommendations:
            if rec.network == network:
                return rec
        raise KeyError(network)


@dataclass(frozen=True)
class Basis:
    """The part of an analysis that does not depend on weights, method or budgets.

    Built by `prepare` from a problem's networks, criteria, scores, priorities and overlap
    settings (kept here, so that `fits` can tell whether another problem shares them).
    Arrays follow ``matrix.alternatives`` (the members and candidates) and are read-only.
    ``id_order`` is each alternative's position among the ids in sorted order (a tie-break).
    ``warnings`` come first in every analysis, ``missing_warning`` after the portfolio's.
    """

    networks: tuple[NetworkInput, ...]
    criteria: tuple[CriterionInput, ...]
    scores: Mapping[str, Mapping[str, float | None]] = dataclasses.field(repr=False)
    priorities: Mapping[str, float] | None
    overlap_settings: tuple[float, float, int]
    ranked: tuple[NetworkInput, ...] = dataclasses.field(repr=False)
    excluded: tuple[str, ...]
    matrix: DecisionMatrix = dataclasses.field(repr=False)
    utilities: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    missing: npt.NDArray[np.int64] = dataclasses.field(repr=False)
    is_member: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    not_eligible: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    unconfirmed: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    id_order: npt.NDArray[np.intp] = dataclasses.field(repr=False)
    fee_current: int
    hours_current: float
    overlap_ids: tuple[str, ...]
    overlap: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    material: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    warnings: tuple[str, ...]
    missing_warning: str | None

    def fits(self, problem: Problem) -> bool:
        """True when ``problem`` has the data this basis was prepared from."""
        return (
            (self.networks is problem.networks or self.networks == problem.networks)
            and (self.criteria is problem.criteria or self.criteria == problem.criteria)
            and (self.scores is problem.scores or self.scores == problem.scores)
            and self.priorities == problem.priorities
            and self.overlap_settings
            == (problem.theme_weight, problem.overlap_floor, problem.overlap_partners)
        )


def _check(problem: Problem) -> None:
    keys = [c.key for c in problem.criteria]
    if len(set(keys)) != len(keys):
        raise CriteriaError("Each criterion may appear only once in an analysis.")
    ids = [n.id for n in problem.networks]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise CriteriaError(f"The network '{duplicate}' appears twice.")
    for network in problem.networks:
        if network.status not in ("member", "candidate", "former"):
            raise CriteriaError(
                f"Network '{network.id}' has status '{network.status}'; use member, candidate "
                "or former.",
                fields={"status": "unknown status"},
            )
    id_set = set(ids)
    unknown = [n for n in problem.scores if n not in id_set]
    if unknown:
        raise CriteriaError(f"There are scores for '{unknown[0]}', which is not a network here.")
    known = set(keys)
    for network_id, row in problem.scores.items():
        extra = [k for k in row if k not in known]
        if extra:
            raise CriteriaError(
                f"Network '{network_id}' has a score for the unknown criterion '{extra[0]}'.",
                fields={extra[0]: "unknown criterion"},
            )


def _check_settings(problem: Problem) -> None:
    if problem.samples < 0:
        raise CriteriaError("The number of robustness samples cannot be negative.")
    if problem.top_k < 1:
        raise CriteriaError("The 'top k' of the robustness run must be at least 1.")
    if problem.detail not in ("full", "preview"):
        raise CriteriaError(f"The level of detail is 'full' or 'preview', not '{problem.detail}'.")


def _fact_bounds(column: npt.NDArray[np.float64]) -> tuple[float, float]:
    finite = column[np.isfinite(column)]
    high = float(finite.max()) if finite.size else 0.0
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    return (low, high) if high > low else (0.0, 1.0)


def _build_matrix(
    problem: Problem, ranked: tuple[NetworkInput, ...], warnings: list[str]
) -> DecisionMatrix:
    n, m = len(ranked), len(problem.criteria)
    values = np.full((n, m), np.nan)
    bounds: list[tuple[float, float]] = []
    priorities = problem.priorities
    use_priorities = priorities is not None and sum(priorities.values()) > 0
    if priorities is not None and not use_priorities:
        warnings.append(
            "The city has no priority themes with a positive weight: thematic fit comes from "
            "the entered scores (missing if none)."
        )
    empty: Mapping[str, float | None] = {}
    rows = [problem.scores.get(network.id, empty) for network in ranked]
    for j, criterion in enumerate(problem.criteria):
        key = criterion.key
        if key == FEE_KEY:
            values[:, j] = [network.fee / 100.0 for network in ranked]
            bounds.append(_fact_bounds(values[:, j]))
            continue
        if key == HOURS_KEY:
            values[:, j] = [network.hours for network in ranked]
            bounds.append(_fact_bounds(values[:, j]))
            continue
        if key == THEMATIC_FIT_KEY and use_priorities:
            assert priorities is not None
            fits: dict[frozenset[str], float] = {}
            for i, network in enumerate(ranked):
                if network.themes not in fits:
                    fits[network.themes] = thematic_fit(priorities, network.themes).score
                values[i, j] = fits[network.themes]
            bounds.append(SCORE_BOUNDS)
            continue
        column = [row.get(key) for row in rows]
        if not {type(raw) for raw in column} <= _PLAIN_SCORES:
            for network, raw in zip(ranked, column, strict=True):
                if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
                    raise CriteriaError(
                        f"The score of '{network.id}' on '{key}' must be a number, got {raw!r}.",
                        fields={key: "not a number"},
                    )
        values[:, j] = np.array(column, dtype=np.float64)  # None becomes NaN (missing)
        bounds.append(_fact_bounds(values[:, j]) if criterion.kind == "fact" else SCORE_BOUNDS)
    return DecisionMatrix(
        alternatives=tuple(network.id for network in ranked),
        criteria=tuple(c.key for c in problem.criteria),
        values=values,
        objectives=tuple(
            Objective.MAX if c.direction == "benefit" else Objective.MIN for c in problem.criteria
        ),
        bounds=tuple(bounds),
    )


def _material_overlap(
    overlap: npt.NDArray[np.float64], floor: float, partners: int
) -> npt.NDArray[np.float64]:
    """Keep overlaps >= ``floor`` that are among either network's ``partners`` strongest.

    >>> o = np.array([[0, .9, .6, .2], [.9, 0, .7, 0], [.6, .7, 0, 0], [.2, 0, 0, 0]])
    >>> _material_overlap(o, 0.5, 1).tolist()
    [[0.0, 0.9, 0.0, 0.0], [0.9, 0.0, 0.7, 0.0], [0.0, 0.7, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    """
    if not 0.0 <= floor <= 1.0:
        raise CriteriaError("The overlap floor must be between 0 and 1.")
    if partners < 0:
        raise CriteriaError("The number of overlap partners cannot be negative.")
    n = overlap.shape[0]
    material = np.where(overlap >= floor, overlap, 0.0)
    if n == 0 or partners >= n - 1:
        return material
    keep = np.zeros((n, n), dtype=bool)
    if partners > 0:
        strongest = np.argsort(-material, axis=1, kind="stable")[:, :partners]
        keep[np.repeat(np.arange(n), partners), strongest.ravel()] = True
    keep |= keep.T
    return np.where(keep, material, 0.0)


@functools.lru_cache(maxsize=16)
def _overlaps(
    networks: tuple[tuple[str, frozenset[str], frozenset[str]], ...],
    theme_weight: float,
    floor: float,
    partners: int,
) -> tuple[tuple[str, ...], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Overlap matrix and its material part, memoised: they depend only on the networks'
    themes and services, which a slider move does not change. The arrays are read-only."""
    ids, overlap = overlap_matrix(
        {i: themes for i, themes, _ in networks},
        {i: services for i, _, services in networks},
        theme_weight=theme_weight,
    )
    material = _material_overlap(overlap, floor, partners)
    overlap.flags.writeable = False
    material.flags.writeable = False
    return ids, overlap, material


def _vectorised_evaluation(
    matrix: DecisionMatrix, u: npt.NDArray[np.float64], w: npt.NDArray[np.float64], method: Method
) -> Evaluation:
    """The `evaluate` result from `batch_scores` (equal to 1e-12), without a pipeline run;
    ``u`` are the matrix's utilities (the basis computed them once)."""
    scores = batch_scores(matrix, w[None, :], method)[0]
    return Evaluation(
        method=method,
        alternatives=matrix.alternatives,
        scores=scores,
        ranks=rank_from_scores(scores),
        utilities=u,
        contributions=u * w if method is Method.WEIGHTED_SUM else None,
    )


def _method_agreement(
    matrix: DecisionMatrix, w: npt.NDArray[np.float64], chosen: Evaluation
) -> dict[tuple[Method, Method], float]:
    """Kendall's tau between every pair of methods, on the vectorised scores (fast)."""
    ranks = {
        method: chosen.ranks
        if method is chosen.method
        else rank_from_scores(batch_scores(matrix, w[None, :], method)[0])
        for method in Method
    }
    return {(a, b): kendall_tau(ranks[a], ranks[b]) for a, b in itertools.combinations(Method, 2)}


def _action_rule(
    ranked: tuple[NetworkInput, ...],
    actions: list[Action],
    sampled: list[bool],
    thresholds: Thresholds,
) -> ActionRule:
    """One threshold per network; networks whose action is not sampled keep it always."""
    limits, above, below = [], [], []
    for network, action, varies in zip(ranked, actions, sampled, strict=True):
        is_member = network.status == "member"
        if varies:
            limits.append(thresholds.bar(is_member=is_member))
            above.append(str(Action.STAY if is_member else Action.JOIN))
            below.append(str(Action.LEAVE if is_member else Action.NOT_RECOMMENDED))
        else:
            limits.append(0.0)
            above.append(str(action))
            below.append(str(action))
    return ActionRule(tuple(limits), tuple(above), tuple(below), tuple(str(a) for a in actions))


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def prepare(problem: Problem) -> Basis:
    """Check a problem's data and compute everything in it that the weights do not change.

    Raises `CriteriaError` like `analyse` for data a user can fix (duplicate networks,
    unknown criteria, scores outside 1-5...). Pass the result to `analyse` for any problem
    with the same networks, criteria, scores, priorities and overlap settings.

    >>> crit = (CriterionInput("agenda", "Relevant agenda"),)
    >>> nets = (NetworkInput("a", "A", "member"), NetworkInput("old", "Old", "former"))
    >>> basis = prepare(Problem(nets, crit, {"a": {"agenda": 4}}, {"agenda": 1}, date(2026, 1, 1)))
    >>> basis.matrix.alternatives, basis.excluded, basis.utilities.tolist()
    (('a',), ('old',), [[0.75]])
    """
    _check(problem)
    warnings: list[str] = []
    ranked = tuple(n for n in problem.networks if n.status != "former")
    excluded = tuple(n.id for n in problem.networks if n.status == "former")
    if not ranked:
        raise CriteriaError("There is no member or candidate network to analyse.")
    if excluded:
        warnings.append(
            f"{len(excluded)} former membership(s) are not ranked ({', '.join(excluded)}); "
            "mark one as a candidate to consider rejoining."
        )
    matrix = _build_matrix(problem, ranked, warnings)
    ids, overlap, material = _overlaps(
        tuple((n.id, n.themes, n.services) for n in ranked),
        problem.theme_weight,
        problem.overlap_floor,
        problem.overlap_partners,
    )
    missing = matrix.mask.sum(axis=1).astype(np.int64)
    missing_warning = None
    if int(missing.sum()):
        gappy = int((missing > 0).sum())
        missing_warning = (
            f"{int(missing.sum())} score(s) are missing across {gappy} network(s): they count "
            "at the scale midpoint, and the robustness run samples them over the whole scale."
        )
    n = len(ranked)
    is_member = np.fromiter((x.status == "member" for x in ranked), dtype=bool, count=n)
    by_id = sorted(range(n), key=lambda i: ranked[i].id)
    id_order = np.empty(n, dtype=np.intp)
    id_order[by_id] = np.arange(n)
    members = [x for x in ranked if x.status == "member"]
    return Basis(
        networks=problem.networks,
        criteria=problem.criteria,
        scores=problem.scores,
        priorities=problem.priorities,
        overlap_settings=(problem.theme_weight, problem.overlap_floor, problem.overlap_partners),
        ranked=ranked,
        excluded=excluded,
        matrix=matrix,
        utilities=_read_only(matrix_utilities(matrix)),
        missing=_read_only(missing),
        is_member=_read_only(is_member),
        not_eligible=_read_only(
            np.fromiter((x.eligible is False for x in ranked), dtype=bool, count=n)
        ),
        unconfirmed=_read_only(
            np.fromiter((x.eligible is None for x in ranked), dtype=bool, count=n)
        ),
        id_order=_read_only(id_order),
        fee_current=sum(x.fee for x in members),
        hours_current=float(sum(x.hours for x in members)),
        overlap_ids=ids,
        overlap=overlap,
        material=material,
        warnings=tuple(warnings),
        missing_warning=missing_warning,
    )


def _action_codes(
    is_member: npt.NDArray[np.bool_],
    not_eligible: npt.NDArray[np.bool_],
    selected: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int8]:
    """`scoring.recommend.portfolio_action` for every network at once, as `ACTION_ORDER` codes.

    >>> codes = _action_codes(np.array([True, True, False, False, False]),
    ...                       np.array([False, False, False, False, True]),
    ...                       np.array([True, False, True, False, True]))
    >>> [str(ACTION_ORDER[c]) for c in codes]
    ['stay', 'leave', 'join', 'not_recommended', 'not_eligible']
    """
    codes = np.where(is_member, np.where(selected, 1, 2), np.where(selected, 0, 3))
    codes[not_eligible] = 4
    return codes.astype(np.int8)


def analyse(problem: Problem, basis: Basis | None = None) -> Analysis:
    """Run the whole analysis of one decision problem.

    Raises `CriteriaError` for anything the user can fix (unknown criteria, scores outside
    1-5, all-zero weights, locks that break a budget...). ``basis`` is an earlier
    `prepare` of a problem with the same data (ValueError when it does not `fit`); without
    one the analysis prepares its own.

    >>> crit = (CriterionInput("agenda", "Relevant agenda"), CriterionInput("annual_fee", "Fee", "cost", "fact"))
    >>> nets = (NetworkInput("a", "A", "member", fee=1_000_000), NetworkInput("b", "B", "candidate"))
    >>> result = analyse(Problem(nets, crit, {"a": {"agenda": 5}, "b": {"agenda": 4}},
    ...                          {"agenda": 50, "annual_fee": 50}, today=date(2026, 1, 1), samples=0))
    >>> [(r.network, r.action.value, round(r.value, 3)) for r in result.recommendations]
    [('b', 'join', 0.875), ('a', 'stay', 0.5)]
    >>> quick = analyse(dataclasses.replace(Problem(nets, crit, {"a": {"agenda": 5}, "b": {"agenda": 4}},
    ...     {"agenda": 50, "annual_fee": 50}, today=date(2026, 1, 1)), detail="preview"))
    >>> [quick.matrix.alternatives[i] for i in quick.ranking.order], quick.recommendations
    (['b', 'a'], ())
    """
    _check_settings(problem)
    if basis is None:
        basis = prepare(problem)
    elif not basis.fits(problem):
        raise ValueError("This basis was prepared for other networks, criteria or scores.")
    method = Method(problem.method)
    warnings = list(basis.warnings)
    ranked = basis.ranked
    preview = problem.detail == "preview"
    matrix = basis.matrix
    w = weight_vector(matrix.criteria, problem.weights)
    evaluation = (
        _vectorised_evaluation(matrix, basis.utilities, w, method)
        if preview
        else evaluate(matrix, w, method)
    )
    values = evaluation.utilities @ w

    thresholds = problem.thresholds
    value_list = values.tolist()
    items = [
        PortfolioItem(
            id=n.id,
            value=value,
            fee=n.fee,
            hours=n.hours,
            is_member=n.status == "member",
            eligible=n.eligible,
            lock=n.lock,
            leave_cost=problem.leave_cost,
            join_cost=problem.join_cost,
        )
        for n, value in zip(ranked, value_list, strict=True)
    ]
    bar_array = np.where(basis.is_member, thresholds.leave_below, thresholds.join_above)
    bars = dict(zip(matrix.alternatives, bar_array.tolist(), strict=True))
    portfolio = optimise_portfolio(
        items,
        overlap=basis.material,
        overlap_penalty=problem.overlap_penalty,
        fee_budget=problem.fee_budget,
        hours_budget=problem.hours_budget,
        min_value=bars,
        time_limit=problem.portfolio_time_limit,
        search="quick" if preview else "exact",
    )
    if portfolio.status == QUICK_STATUS:
        warnings.append(
            "Preview: the budgets force a choice, and this quick re-rank fills them with a fast "
            "search that is not proven best; the dashboard and the portfolio page compute the "
            "best portfolio."
        )
    if portfolio.status.startswith("time limit"):
        warnings.append(
            f"The portfolio optimiser stopped at its time limit ({portfolio.status}); "
            "the recommended portfolio may not be the very best."
        )
    chosen = portfolio.selected
    selected = np.fromiter(
        (i in chosen for i in matrix.alternatives), dtype=bool, count=len(ranked)
    )
    codes = _action_codes(basis.is_member, basis.not_eligible, selected)
    ranks = evaluation.ranks
    ranking = Ranking(
        order=np.lexsort((basis.id_order, -values, ranks)),
        ranks=ranks,
        values=values,
        action_codes=codes,
    )

    robustness: RobustnessResult | None = None
    stability: tuple[StabilityInterval, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    if not preview:
        robustness, stability, recommendations = _full_detail(
            problem, basis, method, w, evaluation, values, portfolio
        )
    titles = {c.key: c.title for c in problem.criteria}
    names = {network.id: network.name for network in problem.networks}
    sentences = tuple(describe_interval(s, titles[s.criterion], names) for s in stability)

    budget_use = BudgetUse(
        fee_current=basis.fee_current,
        fee_selected=portfolio.fee_used,
        fee_budget=problem.fee_budget,
        hours_current=basis.hours_current,
        hours_selected=portfolio.hours_used,
        hours_budget=problem.hours_budget,
    )
    if basis.missing_warning is not None:
        warnings.append(basis.missing_warning)
    # In the order of the recommendations: rank, then network id.
    joins = codes == ACTION_ORDER.index(Action.JOIN)
    unconfirmed = [
        matrix.alternatives[i]
        for i in np.lexsort((basis.id_order, ranks)).tolist()
        if joins[i] and basis.unconfirmed[i]
    ]
    if unconfirmed:
        warnings.append(
            f"Eligibility is not confirmed for {', '.join(unconfirmed)}, recommended to join: "
            "check it before acting."
        )
    if problem.fee_budget is not None and budget_use.fee_current > problem.fee_budget:
        warnings.append("Current membership fees exceed the fee budget.")
    if problem.hours_budget is not None and budget_use.hours_current > problem.hours_budget:
        warnings.append("Current memberships need more staff hours than are available.")

    return Analysis(
        matrix=matrix,
        weights=dict(zip(matrix.criteria, w.tolist(), strict=True)),
        evaluation=evaluation,
        values=dict(zip(matrix.alternatives, value_list, strict=True)),
        recommendations=recommendations,
        robustness=robustness,
        stability=stability,
        stability_sentences=sentences,
        portfolio=portfolio,
        method_agreement={} if preview else _method_agreement(matrix, w, evaluation),
        budget_use=budget_use,
        overlap_ids=basis.overlap_ids,
        overlap=basis.overlap,
        ranking=ranking,
        excluded=basis.excluded,
        warnings=tuple(warnings),
    )


def _full_detail(
    problem: Problem,
    basis: Basis,
    method: Method,
    w: npt.NDArray[np.float64],
    evaluation: Evaluation,
    values: npt.NDArray[np.float64],
    portfolio: PortfolioResult,
) -> tuple[RobustnessResult | None, tuple[StabilityInterval, ...], tuple[Recommendation, ...]]:
    """Step 4 and the recommendations of step 5 (the full level of detail only)."""
    ranked, matrix, thresholds = basis.ranked, basis.matrix, problem.thresholds
    actions = [
        portfolio_action(
            is_member=n.status == "member", eligible=n.eligible, selected=n.id in portfolio.selected
        )
        for n in ranked
    ]
    # The sampled stability is about the bar: only networks whose action the bar decides
    # (not a lock, the eligibility, a budget or an overlap) get one.
    bar_decided = [
        n.lock is None
        and n.eligible is not False
        and (
            portfolio.reasons[n.id] == "below value threshold"
            or portfolio.reasons[n.id].startswith("selected")
        )
        for n in ranked
    ]

    robustness: RobustnessResult | None = None
    stability_array: npt.NDArray[np.float64] | None = None
    if problem.samples > 0:
        rule = _action_rule(ranked, actions, bar_decided, thresholds)
        value_run = smaa(
            matrix,
            w,
            method=Method.WEIGHTED_SUM,
            samples=problem.samples,
            concentration=problem.concentration,
            seed=problem.seed,
            top_k=problem.top_k,
            action_threshold=rule,
        )
        assert value_run.action_stability is not None
        stability_array = np.where(bar_decided, value_run.action_stability, np.nan)
        # Same seed, same weight samples: the ranks of the chosen method, the actions of the value.
        rank_run = value_run
        if method is not Method.WEIGHTED_SUM:
            rank_run = smaa(
                matrix,
                w,
                method=method,
                samples=problem.samples,
                concentration=problem.concentration,
                seed=problem.seed,
                top_k=problem.top_k,
            )
        robustness = dataclasses.replace(rank_run, action_stability=stability_array)

    stability = tuple(weight_stability(matrix, w, method=method))
    titles = {c.key: c.title for c in problem.criteria}
    facts = [
        MembershipFacts(
            network=n.id,
            is_member=n.status == "member",
            eligible=n.eligible,
            engagement=n.engagement,
            fee=n.fee,
            renewal_date=n.renewal_date,
            notice_days=n.notice_days,
            missing_scores=int(basis.missing[i]),
            eligibility_reasons=n.eligibility_reasons,
        )
        for i, n in enumerate(ranked)
    ]
    recommendations = recommend(
        facts,
        values=values,
        ranks=evaluation.ranks,
        criteria=matrix.criteria,
        titles=titles,
        weights=w,
        utilities=evaluation.utilities,
        thresholds=thresholds,
        selected=portfolio.selected,
        portfolio_reasons=portfolio.reasons,
        today=problem.today,
        action_stability=stability_array,
        top_k_probability=None if robustness is None else robustness.top_k_probability,
        top_k=problem.top_k,
        samples=problem.samples,
    )
    return robustness, stability, tuple(recommendations)
