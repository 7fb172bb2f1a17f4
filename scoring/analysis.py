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

Former memberships are **not ranked**: they are left out of the matrix, the portfolio and
the robustness run (so they neither shift the ranks of current options nor count as "other
memberships" for overlap), and a warning names them. To consider rejoining one, the app marks
it as a candidate.

Missing scores: the point evaluation imputes the midpoint of the scale (never zero); the
robustness run samples them over the whole scale, so gaps show up as uncertainty.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, Objective
from scoring.methods import (
    Evaluation,
    Method,
    batch_scores,
    evaluate,
    kendall_tau,
    rank_from_scores,
)
from scoring.overlap import overlap_matrix, thematic_fit
from scoring.portfolio import PortfolioItem, PortfolioResult, optimise_portfolio
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
    "FEE_KEY",
    "HOURS_KEY",
    "THEMATIC_FIT_KEY",
    "Analysis",
    "BudgetUse",
    "CriterionInput",
    "NetworkInput",
    "Problem",
    "analyse",
]

FEE_KEY = "annual_fee"
"""Criterion whose values come from `NetworkInput.fee` (in major currency units)."""
HOURS_KEY = "staff_time"
"""Criterion whose values come from `NetworkInput.hours`."""
THEMATIC_FIT_KEY = "thematic_fit"
"""Criterion computed from `Problem.priorities` and the networks' themes, when given."""

SCORE_BOUNDS = (1.0, 5.0)

Status = Literal["member", "candidate", "former"]


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
    ``overlap_penalty`` is in value units per unit of overlap; ``leave_cost`` and
    ``join_cost`` are switching costs in value units applied to every member / candidate.
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
    priorities: Mapping[str, float] | None = None
    theme_weight: float = 0.5
    leave_cost: float = 0.0
    join_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """Fees (minor units) and staff hours: now, in the chosen portfolio, and available."""

    fee_current: int
    fee_selected: int
    fee_budget: int | None
    hours_current: float
    hours_selected: float
    hours_budget: float | None


@dataclass(frozen=True)
class Analysis:
    """The result of `analyse`; arrays and ids follow ``matrix.alternatives``.

    ``values`` are the weighted-sum values (0-1). ``stability`` holds the weight intervals
    keeping the top of the ranking, ``stability_sentences`` the same in plain words.
    ``method_agreement`` maps method pairs to Kendall's tau between their rankings.
    ``excluded`` lists the former memberships left out.
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
    excluded: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def recommendation(self, network: str) -> Recommendation:
        """The recommendation for one network id."""
        for rec in self.recommendations:
            if rec.network == network:
                return rec
        raise KeyError(network)


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
    unknown = [n for n in problem.scores if n not in set(ids)]
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
    if problem.samples < 0:
        raise CriteriaError("The number of robustness samples cannot be negative.")
    if problem.top_k < 1:
        raise CriteriaError("The 'top k' of the robustness run must be at least 1.")


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
            values[:, j] = [thematic_fit(priorities, network.themes).score for network in ranked]
            bounds.append(SCORE_BOUNDS)
            continue
        for i, network in enumerate(ranked):
            raw = problem.scores.get(network.id, {}).get(key)
            if raw is None:
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise CriteriaError(
                    f"The score of '{network.id}' on '{key}' must be a number, got {raw!r}.",
                    fields={key: "not a number"},
                )
            values[i, j] = float(raw)
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


def analyse(problem: Problem) -> Analysis:
    """Run the whole analysis of one decision problem.

    Raises `CriteriaError` for anything the user can fix (unknown criteria, scores outside
    1-5, all-zero weights, locks that break a budget...).

    >>> crit = (CriterionInput("agenda", "Relevant agenda"), CriterionInput("annual_fee", "Fee", "cost", "fact"))
    >>> nets = (NetworkInput("a", "A", "member", fee=1_000_000), NetworkInput("b", "B", "candidate"))
    >>> result = analyse(Problem(nets, crit, {"a": {"agenda": 5}, "b": {"agenda": 4}},
    ...                          {"agenda": 50, "annual_fee": 50}, today=date(2026, 1, 1), samples=0))
    >>> [(r.network, r.action.value, round(r.value, 3)) for r in result.recommendations]
    [('b', 'join', 0.875), ('a', 'stay', 0.5)]
    """
    _check(problem)
    method = Method(problem.method)
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
    w = weight_vector(matrix.criteria, problem.weights)
    evaluation = evaluate(matrix, w, method)
    values = evaluation.utilities @ w

    ids, overlap = overlap_matrix(
        {n.id: n.themes for n in ranked},
        {n.id: n.services for n in ranked},
        theme_weight=problem.theme_weight,
    )
    thresholds = problem.thresholds
    items = [
        PortfolioItem(
            id=n.id,
            value=float(values[i]),
            fee=n.fee,
            hours=n.hours,
            is_member=n.status == "member",
            eligible=n.eligible,
            lock=n.lock,
            leave_cost=problem.leave_cost,
            join_cost=problem.join_cost,
        )
        for i, n in enumerate(ranked)
    ]
    bars = {n.id: thresholds.bar(is_member=n.status == "member") for n in ranked}
    portfolio = optimise_portfolio(
        items,
        overlap=overlap,
        overlap_penalty=problem.overlap_penalty,
        fee_budget=problem.fee_budget,
        hours_budget=problem.hours_budget,
        min_value=bars,
    )
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
    sentences = tuple(describe_interval(s, titles[s.criterion]) for s in stability)

    missing = matrix.mask.sum(axis=1)
    facts = [
        MembershipFacts(
            network=n.id,
            is_member=n.status == "member",
            eligible=n.eligible,
            engagement=n.engagement,
            fee=n.fee,
            renewal_date=n.renewal_date,
            notice_days=n.notice_days,
            missing_scores=int(missing[i]),
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

    members = [n for n in ranked if n.status == "member"]
    budget_use = BudgetUse(
        fee_current=sum(n.fee for n in members),
        fee_selected=portfolio.fee_used,
        fee_budget=problem.fee_budget,
        hours_current=float(sum(n.hours for n in members)),
        hours_selected=portfolio.hours_used,
        hours_budget=problem.hours_budget,
    )
    if int(missing.sum()):
        gappy = int((missing > 0).sum())
        warnings.append(
            f"{int(missing.sum())} score(s) are missing across {gappy} network(s): they count "
            "at the scale midpoint, and the robustness run samples them over the whole scale."
        )
    unconfirmed = [r.network for r in recommendations if r.action is Action.JOIN]
    unconfirmed = [i for i in unconfirmed if next(n for n in ranked if n.id == i).eligible is None]
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
        weights={c: float(x) for c, x in zip(matrix.criteria, w, strict=True)},
        evaluation=evaluation,
        values={n.id: float(values[i]) for i, n in enumerate(ranked)},
        recommendations=tuple(recommendations),
        robustness=robustness,
        stability=stability,
        stability_sentences=sentences,
        portfolio=portfolio,
        method_agreement=_method_agreement(matrix, w, evaluation),
        budget_use=budget_use,
        overlap_ids=ids,
        overlap=overlap,
        excluded=excluded,
        warnings=tuple(warnings),
    )
