"""The single entry point the app calls: a whole decision problem in, a whole analysis out.

`analyse` chains the scoring core in a fixed order:

1. build the decision matrix of the members and candidates. Every criterion has a *value
   function* with fixed reference levels (`ValueFunction`): the anchors 1 and 5 for scored
   criteria and thematic fit, and for the yearly cash cost (fee and travel) and the staff
   hours zero as best and the workspace's reference level as worst (a quarter of the budget
   by default; dearer counts as worst). A network's value therefore never depends on which
   other networks are listed;
2. weigh the evidence (`scoring.evidence`): a network whose scored criteria carry less than
   the evidence threshold of the assessed criteria's weight is not ranked and gets no advice
   of its own (a candidate: ASSESS FIRST; a member: kept, flagged);
3. rank the networks with enough evidence by the chosen method, and compute every network's
   additive *value* (0-1), which the bars, the portfolio and the reports use whatever the
   ranking method: only an additive value can be summed over a portfolio and compared with a
   fixed bar. When the method ranks a network elsewhere, its row says so;
4. choose the portfolio (`scoring.portfolio`): value above each network's own bar, switching
   costs, overlap penalties, budgets, and the priority of members over candidates of no
   higher value;
5. sample robustness (`scoring.robustness.smaa`): weights around the scenario's, missing
   scores over the scale, disputed and low-confidence scores over their plausible range;
   weight stability intervals for the top of the ranking; agreement between methods;
6. assemble the recommendations (`scoring.recommend`), the summary line and the warnings.

Two levels of detail (`Problem.detail`): ``"full"`` runs every step; ``"preview"``, for the
live re-rank of the priorities page, computes only ranks, values and actions (step 5 and the
sentences of step 6 are skipped, and a budget-constrained portfolio uses the quick search).

Everything that does not depend on the weights, the method or the budgets is a `Basis`:
`prepare` builds it, and `analyse` accepts one built earlier for the same data.

Former memberships are not analysed (a warning names them); mark one as a candidate to
consider rejoining.
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
from scoring import portfolio as pf
from scoring.evidence import Cell, coverage
from scoring.functions import function_fit
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
from scoring.overlap import overlap_matrix, shared_items, thematic_fit
from scoring.recommend import (
    Action,
    MembershipFacts,
    Recommendation,
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
from scoring.settings import DecisionSettings
from scoring.weights import weight_vector

__all__ = [
    "ACTION_ORDER",
    "FEE_KEY",
    "HOURS_KEY",
    "METHOD_NAMES",
    "THEMATIC_FIT_KEY",
    "Analysis",
    "Basis",
    "BudgetUse",
    "CriterionInput",
    "NetworkInput",
    "Problem",
    "Ranking",
    "Summary",
    "ValueFunction",
    "analyse",
    "prepare",
]

FEE_KEY = "annual_fee"
"""Criterion whose values come from `NetworkInput.fee` plus `NetworkInput.travel`."""
HOURS_KEY = "staff_time"
"""Criterion whose values come from `NetworkInput.hours`."""
THEMATIC_FIT_KEY = "thematic_fit"
"""Criterion computed from `Problem.priorities` and the networks' themes, when given."""
FUNCTION_FIT_KEY = "function_fit"
"""Criterion computed from `Problem.function_needs` and the networks' functions, when given."""
OVERLAP_FLOOR = 0.5
"""Overlaps below this are not penalised (they are too common to mean duplication)."""
FAMILY_OVERLAP = 0.5
"""The overlap at least counted between two networks of one family (a section and its parent):
a city in both pays twice for one organisation's work, whatever their theme tags say."""

SCORE_BOUNDS = (1.0, 5.0)
_PLAIN_SCORES = {int, float, np.float64, type(None)}

METHOD_NAMES: dict[Method, str] = {
    Method.WEIGHTED_SUM: "The additive value",
    Method.WEIGHTED_PRODUCT: "The weighted product",
    Method.TOPSIS: "TOPSIS",
    Method.VIKOR: "VIKOR",
    Method.ELECTRE: "ELECTRE",
    Method.PROMETHEE_II: "PROMETHEE II",
}
"""How sentences name each ranking method."""

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
    """One network and the city's relation to it. ``fee`` and ``travel`` in minor units."""

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
    travel: int = 0
    functions: frozenset[str] = frozenset()

    @property
    def cash(self) -> int:
        """The yearly cash cost: fee plus travel and events (minor units)."""
        return self.fee + self.travel


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything one analysis needs.

    ``scores``: network id -> criterion key -> 1-5 score (the mean of the assessors) or None
    (missing). ``cells``, optional, holds the assessors' combined scores per network and
    criterion (`scoring.evidence.combine`): their plausible ranges widen the robustness run
    and their disagreements are flagged. Scores for ``annual_fee`` and ``staff_time`` are
    ignored (they come from the membership), and so are ``thematic_fit`` scores when
    ``priorities`` is given. ``weights``: points per criterion (any positive total; 0
    allowed), normalised here. ``fee_budget`` is in minor units. ``samples=0`` skips the
    robustness run. ``settings`` holds the bars, costs, overlap penalty, evidence threshold
    and cost references. Overlap penalties apply to *material* overlaps only: pairs whose
    overlap is at least ``overlap_floor`` and, for each network, among its
    ``overlap_partners`` most similar networks (this keeps the program small).
    ``function_needs`` (function key -> weight) computes ``function_fit`` from the networks'
    ``functions``. ``travel_budget`` (minor units) sets travel and event costs apart from the
    fee budget; without it they count against the fee budget. ``family`` lists
    ``(child, parent, relation)`` links: such pairs overlap at least `FAMILY_OVERLAP`.
    """

    networks: tuple[NetworkInput, ...]
    criteria: tuple[CriterionInput, ...]
    scores: Mapping[str, Mapping[str, float | None]]
    weights: Mapping[str, float]
    today: date
    method: Method = Method.WEIGHTED_SUM
    fee_budget: int | None = None
    hours_budget: float | None = None
    settings: DecisionSettings = dataclasses.field(default_factory=DecisionSettings)
    samples: int = 2_000
    concentration: float = 50.0
    seed: int = 0
    top_k: int = 3
    overlap_floor: float = OVERLAP_FLOOR
    overlap_partners: int = 5
    priorities: Mapping[str, float] | None = None
    service_weight: float = 0.5
    cells: Mapping[str, Mapping[str, Cell]] | None = None
    currency: str = "EUR"
    function_needs: Mapping[str, float] | None = None
    travel_budget: int | None = None
    family: tuple[tuple[str, str, str], ...] = ()
    portfolio_time_limit: float | None = 2.0
    detail: Detail = "full"


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """Cash costs (minor units) and staff hours: now, in the chosen portfolio, and available.

    ``fee_*`` is what counts against the fee budget: fees, and travel too unless the city sets
    a travel budget apart (then ``travel_*`` holds it).
    """

    fee_current: int
    fee_selected: int
    fee_budget: int | None
    hours_current: float
    hours_selected: float
    hours_budget: float | None
    travel_current: int = 0
    travel_selected: int = 0
    travel_budget: int | None = None


@dataclass(frozen=True, slots=True)
class ValueFunction:
    """How one criterion's raw value becomes a value 0-1: linear from ``worst`` to ``best``.

    ``kind``: ``"score"`` (1-5 anchors), ``"cost"`` (0 best, the reference level worst;
    above it stays worst) or ``"unset"`` (a cost without a reference level: not counted).
    """

    criterion: str
    title: str
    kind: Literal["score", "cost", "unset"]
    worst: float
    best: float
    unit: str

    def describe(self) -> str:
        """The range a weight on this criterion swings over, in words.

        >>> ValueFunction("annual_fee", "Annual cost", "cost", 30000, 0, "EUR").describe()
        'Annual cost: from EUR 30,000 a year or more (worst, value 0) to EUR 0 (best, value 1).'
        """
        if self.kind == "unset":
            return (
                f"{self.title}: not counted until a reference level or a budget is set in the "
                "decision settings."
            )
        if self.kind == "cost":
            if self.unit == "h":
                return (
                    f"{self.title}: from {self.worst:,.0f} hours a year or more (worst, value 0) "
                    "to 0 hours (best, value 1)."
                )
            return (
                f"{self.title}: from {self.unit} {self.worst:,.0f} a year or more (worst, value 0) "
                f"to {self.unit} 0 (best, value 1)."
            )
        return f"{self.title}: from a score of 1 (worst, value 0) to 5 (best, value 1)."


ACTION_ORDER: tuple[Action, ...] = (
    Action.JOIN,
    Action.STAY,
    Action.LEAVE,
    Action.AT_RISK,
    Action.ASSESS_FIRST,
    Action.NOT_RECOMMENDED,
    Action.NOT_ELIGIBLE,
)
"""The actions, indexed by the codes of `Ranking.action_codes`."""
_CODE = {action: k for k, action in enumerate(ACTION_ORDER)}


@dataclass(frozen=True)
class Ranking:
    """Ranks, values and actions as arrays aligned with ``matrix.alternatives``.

    ``order`` holds positions best first: the ranked networks by rank under the chosen
    method (then value, then id), then the networks without enough evidence by value.
    ``ranks`` are those ranks, 0 for a network that is not ranked; ``values`` the additive
    values (0-1); ``action_codes`` index `ACTION_ORDER`.
    """

    order: npt.NDArray[np.intp]
    ranks: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    action_codes: npt.NDArray[np.int8]

    def actions(self) -> tuple[Action, ...]:
        """The action of each alternative, in matrix order."""
        return tuple(ACTION_ORDER[code] for code in self.action_codes.tolist())


@dataclass(frozen=True, slots=True)
class Summary:
    """The advice in one line: how many networks to keep, leave and join, and what it saves."""

    keep: int
    leave: int
    join: int
    at_risk: int
    assess_first: int
    leave_fee: int
    leave_hours: float
    join_fee: int
    join_hours: float

    def sentence(self, currency: str) -> str:
        """The line the mayor's office can repeat.

        >>> Summary(11, 3, 2, 0, 1, 4_250_000, 900, 1_500_000, 300, ).sentence("EUR")
        'Keep 11, leave 3 (saves EUR 42,500 and 900 h a year), join 2 (costs EUR 15,000 and 300 h a year); assess 1 candidate before deciding.'
        """

        def cost(fee: int, hours: float) -> str:
            return f"{currency} {fee / 100:,.0f} and {hours:,.0f} h a year"

        parts = [f"Keep {self.keep}"]
        parts.append(
            f"leave {self.leave} (saves {cost(self.leave_fee, self.leave_hours)})"
            if self.leave
            else "leave none"
        )
        parts.append(
            f"join {self.join} (costs {cost(self.join_fee, self.join_hours)})"
            if self.join
            else "join none"
        )
        text = ", ".join(parts)
        extra = []
        if self.at_risk:
            extra.append(
                f"{self.at_risk} membership{'s' if self.at_risk != 1 else ''} at risk "
                "(a condition is not met)"
            )
        if self.assess_first:
            extra.append(
                f"assess {self.assess_first} candidate{'s' if self.assess_first != 1 else ''} "
                "before deciding"
            )
        return text + ("; " + "; ".join(extra) if extra else "") + "."


@dataclass(frozen=True)
class Analysis:
    """The result of `analyse`; arrays and ids follow ``matrix.alternatives`` (every member
    and candidate), except ``evaluation``, which covers the ranked networks only.

    ``values`` are the additive values (0-1) and ``utilities`` the value of each criterion
    (0-1) per network, so every value can be traced: value = sum of weight x utility.
    ``coverage`` is each network's share of assessed weight with scores. ``settings`` and
    ``today`` are what the analysis used. A ``"preview"`` analysis has no recommendations,
    no robustness, no stability and no method agreement: read its ``ranking``.
    """

    matrix: DecisionMatrix
    weights: dict[str, float]
    utilities: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    evaluation: Evaluation = dataclasses.field(repr=False)
    values: dict[str, float] = dataclasses.field(repr=False)
    coverage: dict[str, float] = dataclasses.field(repr=False)
    recommendations: tuple[Recommendation, ...] = dataclasses.field(repr=False)
    robustness: RobustnessResult | None = dataclasses.field(repr=False)
    stability: tuple[StabilityInterval, ...] = dataclasses.field(repr=False)
    stability_sentences: tuple[str, ...] = dataclasses.field(repr=False)
    portfolio: pf.PortfolioResult = dataclasses.field(repr=False)
    method_agreement: dict[tuple[Method, Method], float] = dataclasses.field(repr=False)
    budget_use: BudgetUse = dataclasses.field(repr=False)
    overlap_ids: tuple[str, ...] = dataclasses.field(repr=False)
    overlap: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    ranking: Ranking = dataclasses.field(repr=False)
    summary: Summary = dataclasses.field(repr=False)
    settings: DecisionSettings = dataclasses.field(repr=False)
    value_functions: tuple[ValueFunction, ...] = dataclasses.field(repr=False)
    today: date = dataclasses.field(repr=False)
    method: Method = Method.WEIGHTED_SUM
    excluded: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def ranked_matrix(self) -> DecisionMatrix:
        """The matrix of the networks with enough evidence to be ranked (those the chosen
        method compared), in the order of ``evaluation.alternatives``."""
        position = {network: k for k, network in enumerate(self.matrix.alternatives)}
        return self.matrix.subset([position[n] for n in self.evaluation.alternatives])

    def recommendation(self, network: str) -> Recommendation:
        """The recommendation for one network id (full analyses only)."""
        for rec in self.recommendations:
            if rec.network == network:
                return rec
        raise KeyError(network)


@dataclass(frozen=True)
class Basis:
    """The part of an analysis that does not depend on weights, method or budgets.

    Built by `prepare`; arrays follow ``matrix.alternatives`` (the members and candidates)
    and are read-only. ``scored`` marks the cells with at least one score; ``assessed`` the
    criteria people score; ``low``/``high`` the plausible range of every cell for the
    robustness run.
    """

    key: tuple[Any, ...] = dataclasses.field(repr=False)
    networks: tuple[NetworkInput, ...] = dataclasses.field(repr=False)
    ranked: tuple[NetworkInput, ...] = dataclasses.field(repr=False)
    excluded: tuple[str, ...]
    matrix: DecisionMatrix = dataclasses.field(repr=False)
    utilities: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    scored: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    assessed: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    unset: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    low: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    high: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    missing: npt.NDArray[np.int64] = dataclasses.field(repr=False)
    disputes: tuple[tuple[tuple[str, float, float], ...], ...] = dataclasses.field(repr=False)
    is_member: npt.NDArray[np.bool_] = dataclasses.field(repr=False)
    eligible: tuple[bool | None, ...] = dataclasses.field(repr=False)
    id_order: npt.NDArray[np.intp] = dataclasses.field(repr=False)
    fee_current: int
    travel_current: int
    hours_current: float
    overlap_ids: tuple[str, ...]
    overlap: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    material: npt.NDArray[np.float64] = dataclasses.field(repr=False)
    value_functions: tuple[ValueFunction, ...] = dataclasses.field(repr=False)
    warnings: tuple[str, ...]

    sources: tuple[Any, ...] = dataclasses.field(repr=False, default=())

    def fits(self, problem: Problem) -> bool:
        """True when ``problem`` has the data this basis was prepared from.

        The large inputs are compared by identity first (an app re-analysing its cached
        inputs passes the very same objects), then by value.
        """
        if self.sources and all(
            a is b for a, b in zip(self.sources, _sources(problem), strict=True)
        ):
            return self.key[5:] == _basis_key(problem, light=True)[5:]
        return self.key == _basis_key(problem)


def _sources(problem: Problem) -> tuple[Any, ...]:
    return (problem.networks, problem.criteria, problem.scores, problem.priorities, problem.cells)


def _basis_key(problem: Problem, *, light: bool = False) -> tuple[Any, ...]:
    s = problem.settings
    heavy: tuple[Any, ...] = (None,) * 5
    if not light:
        heavy = (
            problem.networks,
            problem.criteria,
            _freeze(problem.scores),
            None if problem.priorities is None else tuple(sorted(problem.priorities.items())),
            _freeze(problem.cells) if problem.cells is not None else None,
        )
    return (
        *heavy,
        problem.service_weight,
        problem.overlap_floor,
        problem.overlap_partners,
        s.fee_reference,
        s.hours_reference,
        problem.currency,
        None if problem.function_needs is None else tuple(sorted(problem.function_needs.items())),
        problem.family,
    )


def _freeze(nested: Mapping[str, Mapping[str, Any]]) -> tuple[Any, ...]:
    return tuple((k, tuple(sorted(v.items()))) for k, v in sorted(nested.items()))


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
        if network.fee < 0 or network.travel < 0 or not network.hours >= 0:
            raise CriteriaError(
                f"Network '{network.id}' has a negative fee, travel cost or staff time.",
                fields={"fee": "negative"},
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
    if problem.fee_budget is not None and problem.fee_budget < 0:
        raise CriteriaError("The fee budget must not be negative.", fields={"fee_budget": "< 0"})
    if problem.hours_budget is not None and not problem.hours_budget >= 0:
        raise CriteriaError(
            "The staff-hours budget must not be negative.", fields={"hours_budget": "< 0"}
        )


def _build_matrix(
    problem: Problem, ranked: tuple[NetworkInput, ...], warnings: list[str]
) -> tuple[DecisionMatrix, tuple[ValueFunction, ...], npt.NDArray[np.bool_]]:
    """The matrix, each criterion's value function, and the costs left unset (no reference)."""
    n, m = len(ranked), len(problem.criteria)
    values = np.full((n, m), np.nan)
    bounds: list[tuple[float, float]] = []
    saturating: list[bool] = []
    functions: list[ValueFunction] = []
    unset = np.zeros(m, dtype=bool)
    priorities = problem.priorities
    use_priorities = priorities is not None and sum(priorities.values()) > 0
    needs = problem.function_needs
    use_needs = needs is not None and sum(needs.values()) > 0
    if priorities is not None and not use_priorities:
        warnings.append(
            "The city has no priority themes with a positive weight: thematic fit comes from "
            "the entered scores (missing if none)."
        )
    empty: Mapping[str, float | None] = {}
    rows = [problem.scores.get(network.id, empty) for network in ranked]
    settings = problem.settings
    for j, criterion in enumerate(problem.criteria):
        key = criterion.key
        if key in (FEE_KEY, HOURS_KEY):
            is_fee = key == FEE_KEY
            if is_fee:
                column = [network.cash / 100.0 for network in ranked]
                reference = (
                    None if settings.fee_reference is None else settings.fee_reference / 100.0
                )
            else:
                column = [float(network.hours) for network in ranked]
                reference = settings.hours_reference
            values[:, j] = column
            if reference is None:
                unset[j] = True
                bounds.append((0.0, 1.0))
                functions.append(ValueFunction(key, criterion.title, "unset", 0.0, 0.0, ""))
                warnings.append(
                    f"'{criterion.title}' is not counted: set a reference level (or a budget) in "
                    "the decision settings to give it a value scale."
                )
            else:
                bounds.append((0.0, reference))
                unit = problem.currency if is_fee else "h"
                functions.append(ValueFunction(key, criterion.title, "cost", reference, 0.0, unit))
            saturating.append(True)
            continue
        saturating.append(False)
        if key == THEMATIC_FIT_KEY and use_priorities:
            assert priorities is not None
            fits: dict[frozenset[str], float] = {}
            for i, network in enumerate(ranked):
                if network.themes not in fits:
                    fits[network.themes] = thematic_fit(priorities, network.themes).score
                values[i, j] = fits[network.themes]
            bounds.append(SCORE_BOUNDS)
            functions.append(ValueFunction(key, criterion.title, "score", 1.0, 5.0, ""))
            continue
        if key == FUNCTION_FIT_KEY and use_needs:
            assert needs is not None
            for i, network in enumerate(ranked):
                fit = function_fit(needs, network.functions)
                values[i, j] = np.nan if fit is None else fit.score  # no functions: unknown
            bounds.append(SCORE_BOUNDS)
            functions.append(ValueFunction(key, criterion.title, "score", 1.0, 5.0, ""))
            continue
        raw_column = [row.get(key) for row in rows]
        if not {type(raw) for raw in raw_column} <= _PLAIN_SCORES:
            for network, raw in zip(ranked, raw_column, strict=True):
                if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
                    raise CriteriaError(
                        f"The score of '{network.id}' on '{key}' must be a number, got {raw!r}.",
                        fields={key: "not a number"},
                    )
        values[:, j] = np.array(raw_column, dtype=np.float64)  # None becomes NaN (missing)
        bounds.append(SCORE_BOUNDS)
        functions.append(ValueFunction(key, criterion.title, "score", 1.0, 5.0, ""))
    matrix = DecisionMatrix(
        alternatives=tuple(network.id for network in ranked),
        criteria=tuple(c.key for c in problem.criteria),
        values=values,
        objectives=tuple(
            Objective.MAX if c.direction == "benefit" else Objective.MIN for c in problem.criteria
        ),
        bounds=tuple(bounds),
        saturating=tuple(saturating),
    )
    return matrix, tuple(functions), unset


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
    service_weight: float,
    floor: float,
    partners: int,
    family: tuple[tuple[str, str, str], ...] = (),
) -> tuple[tuple[str, ...], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Overlap matrix and its material part, memoised (they depend only on the networks'
    themes, services and family links). The arrays are read-only."""
    ids, overlap = overlap_matrix(
        {i: themes for i, themes, _ in networks},
        {i: services for i, _, services in networks},
        service_weight=service_weight,
    )
    position = {network: k for k, network in enumerate(ids)}
    for child, parent, _relation in family:
        if child in position and parent in position:
            a, b = position[child], position[parent]
            overlap[a, b] = overlap[b, a] = max(overlap[a, b], FAMILY_OVERLAP)
    material = _material_overlap(overlap, floor, partners)
    overlap.flags.writeable = False
    material.flags.writeable = False
    return ids, overlap, material


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def prepare(problem: Problem) -> Basis:
    """Check a problem's data and compute everything in it that the weights do not change.

    Raises `CriteriaError` like `analyse` for data a user can fix (duplicate networks,
    unknown criteria, scores outside 1-5...).

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
    matrix, functions, unset = _build_matrix(problem, ranked, warnings)
    ids, overlap, material = _overlaps(
        tuple((n.id, n.themes, n.services) for n in ranked),
        problem.service_weight,
        problem.overlap_floor,
        problem.overlap_partners,
        problem.family,
    )
    kinds = {c.key: c.kind for c in problem.criteria}
    assessed = np.array(
        [
            kinds[key] == "assessed"
            or (
                key == THEMATIC_FIT_KEY
                and not (problem.priorities and sum(problem.priorities.values()) > 0)
            )
            for key in matrix.criteria
        ],
        dtype=bool,
    )
    scored = ~matrix.mask
    n, m = matrix.shape
    low = np.broadcast_to(matrix.lower, (n, m)).copy()
    high = np.broadcast_to(matrix.upper, (n, m)).copy()
    known = ~matrix.mask
    low[known] = matrix.values[known]
    high[known] = matrix.values[known]
    disputes: list[tuple[tuple[str, float, float], ...]] = []
    cells = problem.cells or {}
    for i, network in enumerate(ranked):
        row_disputes = []
        for j, key in enumerate(matrix.criteria):
            cell = cells.get(network.id, {}).get(key)
            if cell is None or not assessed[j]:
                continue
            if cell.mean is not None:
                low[i, j], high[i, j] = cell.sample_low, cell.sample_high
            if cell.disputed and cell.low is not None and cell.high is not None:
                row_disputes.append((key, cell.low, cell.high))
        disputes.append(tuple(row_disputes))
    missing = (matrix.mask & assessed[None, :]).sum(axis=1).astype(np.int64)
    is_member = np.fromiter((x.status == "member" for x in ranked), dtype=bool, count=n)
    by_id = sorted(range(n), key=lambda i: ranked[i].id)
    id_order = np.empty(n, dtype=np.intp)
    id_order[by_id] = np.arange(n)
    members = [x for x in ranked if x.status == "member"]
    return Basis(
        key=_basis_key(problem),
        networks=problem.networks,
        ranked=ranked,
        excluded=excluded,
        matrix=matrix,
        utilities=_read_only(matrix_utilities(matrix)),
        scored=_read_only(scored),
        assessed=_read_only(assessed),
        unset=_read_only(unset),
        low=_read_only(low),
        high=_read_only(high),
        missing=_read_only(missing),
        disputes=tuple(disputes),
        is_member=_read_only(is_member),
        eligible=tuple(x.eligible for x in ranked),
        id_order=_read_only(id_order),
        fee_current=sum(x.fee if problem.travel_budget is not None else x.cash for x in members),
        travel_current=sum(x.travel for x in members),
        hours_current=float(sum(x.hours for x in members)),
        overlap_ids=ids,
        overlap=overlap,
        material=material,
        value_functions=functions,
        warnings=tuple(warnings),
        sources=_sources(problem),
    )


def _vectorised_evaluation(
    matrix: DecisionMatrix, u: npt.NDArray[np.float64], w: npt.NDArray[np.float64], method: Method
) -> Evaluation:
    """The `evaluate` result from `batch_scores` (equal to 1e-12), without a pipeline run."""
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


def _weights(problem: Problem, basis: Basis) -> npt.NDArray[np.float64]:
    """Normalised weights; a cost without a reference level gets none (`prepare` warns)."""
    raw = weight_vector(basis.matrix.criteria, problem.weights)
    if basis.unset.any():
        raw = np.where(basis.unset, 0.0, raw)
        if raw.sum() <= 0:
            raise CriteriaError(
                "Every weight is on a cost without a reference level: set the reference "
                "levels in the decision settings, or weigh other criteria.",
                fields={"weights": "only unset costs weighted"},
            )
        raw = raw / raw.sum()
    return raw


def _codes(
    basis: Basis, enough: npt.NDArray[np.bool_], selected: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int8]:
    """`scoring.recommend.decide_action` for every network at once, as `ACTION_ORDER` codes."""
    member = basis.is_member
    codes = np.where(
        member,
        np.where(selected, _CODE[Action.STAY], _CODE[Action.LEAVE]),
        np.where(selected, _CODE[Action.JOIN], _CODE[Action.NOT_RECOMMENDED]),
    )
    codes = np.where(~member & ~enough, _CODE[Action.ASSESS_FIRST], codes)
    ineligible = np.array([e is False for e in basis.eligible], dtype=bool)
    codes = np.where(
        ineligible, np.where(member, _CODE[Action.AT_RISK], _CODE[Action.NOT_ELIGIBLE]), codes
    )
    return codes.astype(np.int8)


def _items(
    problem: Problem,
    basis: Basis,
    values: npt.NDArray[np.float64],
    enough: npt.NDArray[np.bool_],
    warnings: list[str],
) -> list[pf.PortfolioItem]:
    s = problem.settings
    apart = problem.travel_budget is not None
    items = []
    for i, (network, value) in enumerate(zip(basis.ranked, values.tolist(), strict=True)):
        member = network.status == "member"
        lock = network.lock
        if lock == "keep" and not member and not enough[i]:
            warnings.append(
                f"{network.name} is locked to join, but it has too few scores to judge: "
                "assess it first (the lock is ignored until then)."
            )
            lock = None
        items.append(
            pf.PortfolioItem(
                id=network.id,
                value=value,
                fee=network.fee if apart else network.cash,
                travel=network.travel if apart else 0,
                hours=network.hours,
                is_member=member,
                eligible=network.eligible,
                lock=lock,
                bar=s.leave_bar if member else s.join_bar,
                switch_cost=s.leave_cost if member else s.join_cost,
                unassessed=not bool(enough[i]),
            )
        )
    return items


def _summary(basis: Basis, codes: npt.NDArray[np.int8]) -> Summary:
    def total(code: Action) -> tuple[int, int, float]:
        picked = [n for n, c in zip(basis.ranked, codes.tolist(), strict=True) if c == _CODE[code]]
        return len(picked), sum(n.cash for n in picked), float(sum(n.hours for n in picked))

    keep, _, _ = total(Action.STAY)
    leave, leave_fee, leave_hours = total(Action.LEAVE)
    join, join_fee, join_hours = total(Action.JOIN)
    at_risk, _, _ = total(Action.AT_RISK)
    assess, _, _ = total(Action.ASSESS_FIRST)
    return Summary(keep, leave, join, at_risk, assess, leave_fee, leave_hours, join_fee, join_hours)


def analyse(problem: Problem, basis: Basis | None = None) -> Analysis:
    """Run the whole analysis of one decision problem.

    Raises `CriteriaError` for anything the user can fix (unknown criteria, scores outside
    1-5, all-zero weights, locks that break a budget...). ``basis`` is an earlier `prepare`
    of a problem with the same data (ValueError when it does not `fit`).

    >>> crit = (CriterionInput("agenda", "Relevant agenda"),
    ...         CriterionInput("annual_fee", "Fee", "cost", "fact"))
    >>> nets = (NetworkInput("a", "A", "member", fee=1_000_000), NetworkInput("b", "B", "candidate"))
    >>> s = DecisionSettings(fee_reference=2_000_000)
    >>> result = analyse(Problem(nets, crit, {"a": {"agenda": 5}, "b": {"agenda": 4}},
    ...                          {"agenda": 50, "annual_fee": 50}, today=date(2026, 1, 1),
    ...                          settings=s, samples=0))
    >>> [(r.network, r.action.value, round(r.value, 3)) for r in result.recommendations]
    [('b', 'join', 0.875), ('a', 'stay', 0.75)]
    >>> result.summary.sentence("EUR")
    'Keep 1, leave none, join 1 (costs EUR 0 and 0 h a year).'
    """
    _check_settings(problem)
    if basis is None:
        basis = prepare(problem)
    elif not basis.fits(problem):
        raise ValueError("This basis was prepared for other networks, criteria or scores.")
    method = Method(problem.method)
    settings = problem.settings
    warnings = list(basis.warnings)
    preview = problem.detail == "preview"
    matrix = basis.matrix
    n = matrix.shape[0]
    w = _weights(problem, basis)
    values = basis.utilities @ w
    cov = coverage(basis.scored, w, basis.assessed)
    enough = cov >= settings.evidence_threshold - 1e-12
    rows = np.flatnonzero(enough)

    # Ranks among the networks with enough evidence: by the chosen method, and by value.
    ranks = np.zeros(n, dtype=np.int64)
    value_ranks = np.zeros(n, dtype=np.int64)
    sub = matrix.subset(rows) if rows.size else None
    if sub is not None:
        sub_u = basis.utilities[rows]
        evaluation = (
            _vectorised_evaluation(sub, sub_u, w, method) if preview else evaluate(sub, w, method)
        )
        ranks[rows] = evaluation.ranks
        value_ranks[rows] = rank_from_scores(values[rows])
    else:
        evaluation = Evaluation(
            method, (), np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros((0, w.size)), None
        )
        warnings.append(
            "No network has enough scores to be ranked: assess the networks first (see the "
            "evidence threshold in the decision settings)."
        )

    items = _items(problem, basis, values, enough, warnings)
    portfolio = pf.optimise_portfolio(
        items,
        overlap=basis.material,
        overlap_penalty=settings.overlap_penalty,
        fee_budget=problem.fee_budget,
        hours_budget=problem.hours_budget,
        time_limit=problem.portfolio_time_limit,
        search="quick" if preview else "exact",
        travel_budget=problem.travel_budget,
    )
    if portfolio.status == pf.QUICK_STATUS:
        warnings.append(
            "Preview: the budgets or overlaps force a choice, and this quick re-rank makes it "
            "with a fast search that is not proven best; the dashboard computes the best "
            "portfolio."
        )
    if portfolio.status.startswith("time limit"):
        warnings.append(
            f"The portfolio optimiser stopped at its time limit ({portfolio.status}); "
            "the recommended portfolio may not be the very best."
        )
    if portfolio.over_committed:
        warnings.append(
            "The memberships that must be kept (locked, or held until they are assessed) need "
            f"more than the {' and '.join(portfolio.over_committed)} budget; nothing else fits."
        )
    selected = np.fromiter((i in portfolio.selected for i in matrix.alternatives), bool, count=n)
    codes = _codes(basis, enough, selected)
    ranked_first = np.lexsort((basis.id_order, -values, ranks, ~enough))
    ranking = Ranking(order=ranked_first, ranks=ranks, values=values, action_codes=codes)

    robustness: RobustnessResult | None = None
    stability: tuple[StabilityInterval, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    agreement: dict[tuple[Method, Method], float] = {}
    if not preview:
        robustness, stability, recommendations = _full_detail(
            problem, basis, method, w, rows, values, ranks, value_ranks, cov, portfolio
        )
        if sub is not None and rows.size >= 2:
            agreement = _method_agreement(sub, w, evaluation)
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
        travel_current=basis.travel_current,
        travel_selected=portfolio.travel_used,
        travel_budget=problem.travel_budget,
    )
    gaps = int(basis.missing[rows].sum()) if rows.size else 0
    if gaps:
        gappy = int((basis.missing[rows] > 0).sum())
        warnings.append(
            f"{gaps} score(s) are missing across {gappy} ranked network(s): they count at the "
            "scale midpoint, and the robustness run samples them over the whole scale."
        )
    joins = codes == _CODE[Action.JOIN]
    unconfirmed = [
        matrix.alternatives[i]
        for i in ranked_first.tolist()
        if joins[i] and basis.eligible[i] is None
    ]
    if unconfirmed:
        warnings.append(
            f"Eligibility is not confirmed for {', '.join(unconfirmed)}, recommended to join: "
            "check it before acting."
        )
    if problem.fee_budget is not None and budget_use.fee_current > problem.fee_budget:
        warnings.append("Current memberships cost more than the fee budget.")
    if problem.hours_budget is not None and budget_use.hours_current > problem.hours_budget:
        warnings.append("Current memberships need more staff hours than are available.")
    if problem.travel_budget is not None and budget_use.travel_current > problem.travel_budget:
        warnings.append("Current memberships' travel and events cost more than the travel budget.")

    return Analysis(
        matrix=matrix,
        weights=dict(zip(matrix.criteria, w.tolist(), strict=True)),
        utilities=basis.utilities,
        evaluation=evaluation,
        values=dict(zip(matrix.alternatives, values.tolist(), strict=True)),
        coverage=dict(zip(matrix.alternatives, cov.tolist(), strict=True)),
        recommendations=recommendations,
        robustness=robustness,
        stability=stability,
        stability_sentences=sentences,
        portfolio=portfolio,
        method_agreement=agreement,
        budget_use=budget_use,
        overlap_ids=basis.overlap_ids,
        overlap=basis.overlap,
        ranking=ranking,
        summary=_summary(basis, codes),
        settings=settings,
        value_functions=basis.value_functions,
        today=problem.today,
        method=method,
        excluded=basis.excluded,
        warnings=tuple(warnings),
    )


def _full_detail(
    problem: Problem,
    basis: Basis,
    method: Method,
    w: npt.NDArray[np.float64],
    rows: npt.NDArray[np.intp],
    values: npt.NDArray[np.float64],
    ranks: npt.NDArray[np.int64],
    value_ranks: npt.NDArray[np.int64],
    cov: npt.NDArray[np.float64],
    portfolio: pf.PortfolioResult,
) -> tuple[RobustnessResult | None, tuple[StabilityInterval, ...], tuple[Recommendation, ...]]:
    """Step 5 and the recommendations of step 6 (the full level of detail only)."""
    s = problem.settings
    matrix = basis.matrix
    n = matrix.shape[0]
    ranked = basis.ranked
    # The sampled stability is about the bar: only networks whose action the bar decides
    # (not a lock, the eligibility, the evidence, a budget or an overlap) get one.
    bar_codes = {pf.SELECTED, pf.BELOW_BAR, pf.SWITCH_COST}
    stability_array = np.full(n, np.nan)
    top_k = np.full(n, np.nan)
    robustness: RobustnessResult | None = None
    stability: tuple[StabilityInterval, ...] = ()
    if rows.size:
        sub = matrix.subset(rows)
        sub_ranked = [ranked[i] for i in rows.tolist()]
        decided = [portfolio.reasons[x.id].code in bar_codes for x in sub_ranked]
        members = [x.status == "member" for x in sub_ranked]
        thresholds = tuple(
            s.leave_bar if member else s.join_bar + s.join_cost for member in members
        )
        current = [
            ("STAY" if m else "JOIN") if x.id in portfolio.selected else ("LEAVE" if m else "SKIP")
            for x, m in zip(sub_ranked, members, strict=True)
        ]
        rule = ActionRule(
            thresholds=tuple(t if d else 0.0 for t, d in zip(thresholds, decided, strict=True)),
            action_at_or_above=tuple(
                ("STAY" if m else "JOIN") if d else c
                for m, d, c in zip(members, decided, current, strict=True)
            ),
            action_below=tuple(
                ("LEAVE" if m else "SKIP") if d else c
                for m, d, c in zip(members, decided, current, strict=True)
            ),
            baseline_actions=tuple(current),
        )
        if problem.samples > 0:
            ranges = (basis.low[rows], basis.high[rows])
            value_run = smaa(
                sub,
                w,
                method=Method.WEIGHTED_SUM,
                samples=problem.samples,
                concentration=problem.concentration,
                seed=problem.seed,
                top_k=min(problem.top_k, rows.size),
                action_threshold=rule,
                ranges=ranges,
            )
            assert value_run.action_stability is not None
            stability_array[rows] = np.where(decided, value_run.action_stability, np.nan)
            rank_run = value_run
            if method is not Method.WEIGHTED_SUM:
                rank_run = smaa(
                    sub,
                    w,
                    method=method,
                    samples=problem.samples,
                    concentration=problem.concentration,
                    seed=problem.seed,
                    top_k=min(problem.top_k, rows.size),
                    ranges=ranges,
                )
            top_k[rows] = rank_run.top_k_probability
            robustness = dataclasses.replace(
                rank_run, action_stability=stability_array[rows].copy()
            )
        stability = tuple(weight_stability(sub, w, method=method))

    titles = {c.key: c.title for c in problem.criteria}
    facts = [
        MembershipFacts(
            network=x.id,
            is_member=x.status == "member",
            eligible=x.eligible,
            engagement=x.engagement,
            fee=x.cash,
            travel=x.travel,
            hours=x.hours,
            renewal_date=x.renewal_date,
            notice_days=x.notice_days,
            missing_scores=int(basis.missing[i]),
            eligibility_reasons=x.eligibility_reasons,
            coverage=float(cov[i]),
            disputes=basis.disputes[i],
            title=x.name,
        )
        for i, x in enumerate(ranked)
    ]
    by_id = {x.id: x for x in ranked}

    relations = {
        frozenset((child, parent)): (child, parent, relation)
        for child, parent, relation in problem.family
    }

    def describe_shared(a: str, b: str) -> str:
        x, y = by_id[a], by_id[b]
        shared = shared_items(x.themes, y.themes, x.services, y.services).describe()
        link = relations.get(frozenset((a, b)))
        if link is None:
            return shared
        child, parent, relation = link
        family = f"{by_id[child].name} is a {relation} of {by_id[parent].name}"
        return family if shared == "nothing" else f"{family}; {shared}"

    recommendations = recommend(
        facts,
        values=values,
        ranks=[int(r) if r else None for r in ranks.tolist()],
        value_ranks=[int(r) if r else None for r in value_ranks.tolist()],
        criteria=matrix.criteria,
        titles=titles,
        weights=w,
        utilities=basis.utilities,
        thresholds=s.thresholds,
        join_cost=s.join_cost,
        leave_cost=s.leave_cost,
        evidence_threshold=s.evidence_threshold,
        portfolio=portfolio,
        today=problem.today,
        currency=problem.currency,
        describe_shared=describe_shared,
        action_stability=stability_array,
        top_k_probability=top_k if robustness is not None else None,
        top_k=problem.top_k,
        samples=problem.samples,
        method_label=None if method is Method.WEIGHTED_SUM else METHOD_NAMES[method],
    )
    return robustness, stability, tuple(recommendations)
