"""The membership portfolio: which networks to belong to under a fee and staff-time budget.

This module owns the portfolio optimisation: a mixed-integer program solved with
``scipy.optimize.milp`` (HiGHS), and a brute-force reference that enumerates every subset
(for tests and tiny problems). Both take the same inputs and return the same
`PortfolioResult`, including a short reason for every network being in or out.

The program, for networks i with value v_i (weighted-sum value, 0-1 in the app), a binary
choice x_i and, for each pair with overlap o_ij > 0, an auxiliary y_ij = x_i AND x_j::

    maximise   sum_i v_i x_i - penalty * sum_ij o_ij y_ij
               - sum_(members) leave_cost_i (1 - x_i) - sum_(candidates) join_cost_i x_i
    subject to sum_i fee_i x_i <= fee budget           (fees in exact integer minor units)
               sum_i hours_i x_i <= hours budget
               y_ij >= x_i + x_j - 1,  y_ij <= x_i,  y_ij <= x_j,  0 <= y_ij <= 1
               x_i = 1 for networks locked "keep"
               x_i = 0 for networks locked "exclude", not eligible, or below the value threshold

The value threshold (``min_value``) gates which networks may be chosen at all: a network
whose value is *at least* the threshold may be chosen; below it, it is out (unless locked to
keep). ``min_value`` may be a single number or one per network (the analysis uses the
asymmetric join/leave bars).

Without any budget the threshold alone decides, and no program is solved: every allowed
network whose value is at least the threshold is chosen (status ``"no budget: value
threshold"``; the objective is still reported). Overlap penalties and switching costs only
arbitrate when a budget forces a choice; duplication already lowers a network's value through
the ``complementarity`` criterion, so penalising it again without scarcity would count it
twice (and turn an instant rule into a hard quadratic program).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from criteria.errors import CriteriaError

__all__ = [
    "BRUTE_FORCE_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "NO_BUDGET_STATUS",
    "QUICK_STATUS",
    "PortfolioItem",
    "PortfolioResult",
    "brute_force_portfolio",
    "format_minor_units",
    "optimise_portfolio",
]

BRUTE_FORCE_LIMIT = 14
"""The largest number of networks `brute_force_portfolio` accepts (2**14 subsets)."""

Lock = Literal["keep", "exclude"]

_FREE, _OUT, _IN = -1, 0, 1

NO_BUDGET_STATUS = "no budget: value threshold"
QUICK_STATUS = "quick search: not proven best"

Search = Literal["exact", "quick"]

_HIGHS_OPTIONS: dict[str, float] = {
    # Prove optimality instead of stopping within the default 0.01% gap. scipy's `milp` only
    # accepts disp, presolve, time_limit, node_limit and mip_rel_gap; HiGHS's integrality
    # tolerance stays at its default, and every solution is re-checked against the budgets in
    # exact integer minor units (see `optimise_portfolio`).
    "mip_rel_gap": 0.0,
}

_REPAIR_ATTEMPTS = 12
"""Over-budget rounded solutions excluded one by one before the budgets are shrunk instead."""

DEFAULT_TIME_LIMIT = 10.0
"""Seconds HiGHS may search before returning its best portfolio so far (with its gap)."""


@dataclass(frozen=True, slots=True)
class PortfolioItem:
    """One network the portfolio may contain.

    ``fee`` is the annual fee in minor currency units (cents), an exact integer; ``hours`` the
    staff hours per year. ``eligible=None`` means eligibility is unknown: the network may be
    chosen, and its reason says so. ``leave_cost`` (members) and ``join_cost`` (candidates) are
    switching costs in value units.
    """

    id: str
    value: float
    fee: int
    hours: float
    is_member: bool
    eligible: bool | None = True
    lock: Lock | None = None
    leave_cost: float = 0.0
    join_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class PortfolioResult:
    """The chosen memberships and why each network is in or out.

    ``reasons`` maps every network id to a short phrase ("selected", "locked: must keep",
    "not eligible", "below value threshold", "over fee budget", "overlaps with X"...).
    ``binding`` lists the budgets (``"fee"``, ``"hours"``) that kept a worthwhile network out.
    """

    selected: frozenset[str]
    objective: float
    fee_used: int
    hours_used: float
    status: str
    reasons: dict[str, str]
    binding: list[str]


@dataclass(frozen=True, slots=True)
class _Prepared:
    ids: tuple[str, ...]
    fees: npt.NDArray[np.int64]
    hours: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    constant: float
    fixed: npt.NDArray[np.int8]
    fixed_reason: dict[str, str]
    eligible: tuple[bool | None, ...]
    pair_i: npt.NDArray[np.intp]
    pair_j: npt.NDArray[np.intp]
    pair_w: npt.NDArray[np.float64]
    fee_budget: int | None
    hours_budget: float | None


def format_minor_units(amount: int) -> str:
    """Format an amount in minor units (cents) as major units with two decimals.

    >>> format_minor_units(1234567)
    '12,345.67'
    >>> format_minor_units(0)
    '0.00'
    """
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 100)
    return f"{sign}{major:,}.{minor:02d}"


def _hours_tolerance(budget: float) -> float:
    return 1e-9 * max(1.0, abs(budget))


def _fits_hours(used: float, budget: float | None) -> bool:
    return budget is None or used <= budget + _hours_tolerance(budget)


def _listing(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def _prepare(
    items: Sequence[PortfolioItem],
    overlap: npt.NDArray[np.float64] | None,
    overlap_penalty: float,
    fee_budget: int | None,
    hours_budget: float | None,
    min_value: float | Mapping[str, float],
) -> _Prepared:
    ids = tuple(item.id for item in items)
    if len(set(ids)) != len(ids):
        raise CriteriaError("Each network may appear only once in a portfolio.")
    n = len(items)
    if not np.isfinite(overlap_penalty) or overlap_penalty < 0:
        raise CriteriaError("The overlap penalty must be a number of at least 0.")
    if fee_budget is not None and fee_budget < 0:
        raise CriteriaError("The fee budget must not be negative.")
    if hours_budget is not None and not hours_budget >= 0:
        raise CriteriaError("The staff-hours budget must not be negative.")
    for item in items:
        numbers = (item.value, item.hours, item.leave_cost, item.join_cost)
        if not all(math.isfinite(x) for x in numbers):
            raise CriteriaError(
                f"Network {item.id!r} has a value, hours or cost that is not a number."
            )
        if item.fee < 0 or item.hours < 0 or item.leave_cost < 0 or item.join_cost < 0:
            raise CriteriaError(
                f"Network {item.id!r} has a negative fee, staff time or switching cost."
            )
        if item.lock == "keep" and item.eligible is False:
            raise CriteriaError(
                f"Network {item.id!r} is locked to keep, but the city is not eligible for it. "
                "Remove the lock or review the eligibility."
            )

    fees = np.array([item.fee for item in items], dtype=np.int64)
    hours = np.array([item.hours for item in items], dtype=np.float64)
    values = np.array([item.value for item in items], dtype=np.float64)
    members = np.array([item.is_member for item in items], dtype=bool)
    leave = np.array([item.leave_cost for item in items], dtype=np.float64)
    join = np.array([item.join_cost for item in items], dtype=np.float64)
    coef = values + np.where(members, leave, -join)
    constant = -float(leave[members].sum())

    fixed = np.full(n, _FREE, dtype=np.int8)
    fixed_reason: dict[str, str] = {}
    for k, item in enumerate(items):
        threshold = (
            min_value.get(item.id, 0.0) if isinstance(min_value, Mapping) else float(min_value)
        )
        if item.lock == "keep":
            fixed[k], fixed_reason[item.id] = _IN, "locked: must keep"
        elif item.lock == "exclude":
            fixed[k], fixed_reason[item.id] = _OUT, "locked: excluded"
        elif item.eligible is False:
            fixed[k], fixed_reason[item.id] = _OUT, "not eligible"
        elif item.value < threshold:
            fixed[k], fixed_reason[item.id] = _OUT, "below value threshold"

    kept = [k for k in range(n) if fixed[k] == _IN]
    kept_ids = [ids[k] for k in kept]
    kept_fee = int(fees[kept].sum()) if kept else 0
    if fee_budget is not None and kept_fee > fee_budget:
        raise CriteriaError(
            f"The networks locked to keep ({_listing(kept_ids)}) cost "
            f"{format_minor_units(kept_fee)} a year in fees, more than the fee budget of "
            f"{format_minor_units(fee_budget)}. Unlock one of them or raise the budget."
        )
    kept_hours = float(hours[kept].sum()) if kept else 0.0
    if hours_budget is not None and not _fits_hours(kept_hours, hours_budget):
        raise CriteriaError(
            f"The networks locked to keep ({_listing(kept_ids)}) need {kept_hours:,.0f} staff "
            f"hours a year, more than the {hours_budget:,.0f} hours available. Unlock one of "
            "them or raise the staff-time budget."
        )

    if overlap is None or overlap_penalty == 0 or n < 2:
        pair_i = pair_j = np.zeros(0, dtype=np.intp)
        pair_w = np.zeros(0, dtype=np.float64)
    else:
        o = np.asarray(overlap, dtype=np.float64)
        if o.shape != (n, n):
            raise ValueError(f"overlap must have shape ({n}, {n}), not {o.shape}")
        if not np.all(np.isfinite(o)) or np.any(o < 0) or not np.allclose(o, o.T):
            raise ValueError("overlap must be symmetric, finite and non-negative")
        upper = np.triu(o, k=1)
        allowed = fixed != _OUT
        upper[~allowed, :] = 0.0
        upper[:, ~allowed] = 0.0
        pair_i, pair_j = np.nonzero(upper > 0)
        pair_w = overlap_penalty * upper[pair_i, pair_j]
    return _Prepared(
        ids=ids,
        fees=fees,
        hours=hours,
        coef=coef,
        constant=constant,
        fixed=fixed,
        fixed_reason=fixed_reason,
        eligible=tuple(item.eligible for item in items),
        pair_i=pair_i,
        pair_j=pair_j,
        pair_w=pair_w,
        fee_budget=fee_budget,
        hours_budget=hours_budget,
    )


def _objective(prep: _Prepared, chosen: npt.NDArray[np.bool_]) -> float:
    x = chosen.astype(np.float64)
    penalty = float(np.sum(prep.pair_w * x[prep.pair_i] * x[prep.pair_j]))
    return float(prep.coef @ x) + prep.constant - penalty


def _finish(prep: _Prepared, chosen: npt.NDArray[np.bool_], status: str) -> PortfolioResult:
    fee_used = int(prep.fees[chosen].sum())
    hours_used = float(prep.hours[chosen].sum())
    fee_left = None if prep.fee_budget is None else prep.fee_budget - fee_used
    hours_left = None if prep.hours_budget is None else prep.hours_budget - hours_used
    overlap_with: dict[int, list[tuple[float, int]]] = {}
    for i, j, w in zip(prep.pair_i, prep.pair_j, prep.pair_w, strict=True):
        overlap_with.setdefault(int(i), []).append((float(w), int(j)))
        overlap_with.setdefault(int(j), []).append((float(w), int(i)))

    reasons: dict[str, str] = {}
    binding: set[str] = set()
    for k, network in enumerate(prep.ids):
        if network in prep.fixed_reason:
            reasons[network] = prep.fixed_reason[network]
            continue
        if chosen[k]:
            unknown = prep.eligible[k] is None
            reasons[network] = "selected (eligibility not confirmed)" if unknown else "selected"
            continue
        over_fee = fee_left is not None and int(prep.fees[k]) > fee_left
        over_hours = hours_left is not None and prep.hours[k] > hours_left + _hours_tolerance(
            prep.hours_budget or 0.0
        )
        if over_fee or over_hours:
            if over_fee:
                binding.add("fee")
            if over_hours:
                binding.add("hours")
            reasons[network] = (
                "over fee and hours budgets"
                if over_fee and over_hours
                else "over fee budget"
                if over_fee
                else "over hours budget"
            )
            continue
        partners = [(w, j) for w, j in overlap_with.get(k, []) if chosen[j]]
        if partners and prep.coef[k] > 0:
            _, strongest = max(partners)
            reasons[network] = f"overlaps with {prep.ids[strongest]}"
        else:
            reasons[network] = "costs more than it adds"
    return PortfolioResult(
        selected=frozenset(network for k, network in enumerate(prep.ids) if chosen[k]),
        objective=_objective(prep, chosen),
        fee_used=fee_used,
        hours_used=hours_used,
        status=status,
        reasons=reasons,
        binding=[budget for budget in ("fee", "hours") if budget in binding],
    )


def _penalty_matrix(prep: _Prepared) -> npt.NDArray[np.float64]:
    n = len(prep.ids)
    penalty = np.zeros((n, n))
    penalty[prep.pair_i, prep.pair_j] = prep.pair_w
    penalty += penalty.T
    return penalty


def _greedy(
    prep: _Prepared, penalty: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.bool_]:
    """A quick feasible portfolio: add the best marginal value per share of budget used."""
    n = len(prep.ids)
    chosen: npt.NDArray[np.bool_] = np.array(prep.fixed == _IN, dtype=bool)
    if penalty is None:
        penalty = _penalty_matrix(prep)
    fee_left = (
        np.inf if prep.fee_budget is None else float(prep.fee_budget - prep.fees[chosen].sum())
    )
    hours_left = (
        np.inf if prep.hours_budget is None else prep.hours_budget - float(prep.hours[chosen].sum())
    )
    usage = np.full(n, 1e-9)
    if prep.fee_budget is not None:
        usage += prep.fees / max(prep.fee_budget, 1)
    if prep.hours_budget is not None:
        usage += prep.hours / max(prep.hours_budget, 1e-9)
    open_ = prep.fixed == _FREE
    while True:
        fits = open_ & ~chosen & (prep.fees <= fee_left) & (prep.hours <= hours_left)
        marginal = prep.coef - penalty @ chosen
        fits &= marginal > 0
        if not fits.any():
            return chosen
        k = int(np.argmax(np.where(fits, marginal / usage, -np.inf)))
        chosen[k] = True
        fee_left -= float(prep.fees[k])
        hours_left -= float(prep.hours[k])


def _local_search(prep: _Prepared) -> npt.NDArray[np.bool_]:
    """The greedy portfolio improved by the best single add, drop or swap until none helps.

    Every step strictly raises the objective and keeps both budgets (fees compared as exact
    integers), so it ends at a feasible portfolio no single move improves. Deterministic,
    a few milliseconds for hundreds of networks; not proven best. It works on the networks
    that may be chosen only (`_prepare` keeps pairs among those alone).
    """
    allowed = np.flatnonzero(prep.fixed != _OUT)
    position = np.full(len(prep.ids), -1, dtype=np.intp)
    position[allowed] = np.arange(allowed.size)
    sub = dataclasses.replace(
        prep,
        ids=tuple(prep.ids[k] for k in allowed),
        fees=prep.fees[allowed],
        hours=prep.hours[allowed],
        coef=prep.coef[allowed],
        fixed=prep.fixed[allowed],
        eligible=tuple(prep.eligible[k] for k in allowed),
        pair_i=position[prep.pair_i],
        pair_j=position[prep.pair_j],
    )
    chosen: npt.NDArray[np.bool_] = np.zeros(len(prep.ids), dtype=bool)
    chosen[allowed] = _improve(sub)
    return chosen


def _improve(prep: _Prepared) -> npt.NDArray[np.bool_]:
    penalty = _penalty_matrix(prep)
    chosen = _greedy(prep, penalty)
    free = np.flatnonzero(prep.fixed == _FREE)
    fee_budget = prep.fee_budget
    hours_limit = (
        np.inf
        if prep.hours_budget is None
        else prep.hours_budget + _hours_tolerance(prep.hours_budget)
    )
    for _step in range(10 * len(free) + 10):
        marginal = prep.coef - penalty @ chosen  # gain of adding (out) / loss of dropping (in)
        fee_used = int(prep.fees[chosen].sum())
        hours_used = float(prep.hours[chosen].sum())
        ins, outs = free[chosen[free]], free[~chosen[free]]
        best = 1e-12
        move: tuple[int | None, int | None] | None = None
        if outs.size:
            fits = (hours_used + prep.hours[outs] <= hours_limit) & (
                True if fee_budget is None else fee_used + prep.fees[outs] <= fee_budget
            )
            gain = np.where(fits, marginal[outs], -np.inf)
            k = int(np.argmax(gain))
            if gain[k] > best:
                best, move = float(gain[k]), (None, int(outs[k]))
        if ins.size:
            loss = marginal[ins]
            k = int(np.argmin(loss))
            if -loss[k] > best:
                best, move = float(-loss[k]), (int(ins[k]), None)
        if ins.size and outs.size:
            swap = marginal[outs][None, :] - marginal[ins][:, None] - penalty[np.ix_(ins, outs)]
            hours_after = hours_used - prep.hours[ins][:, None] + prep.hours[outs][None, :]
            fits = hours_after <= hours_limit
            if fee_budget is not None:
                fits &= fee_used - prep.fees[ins][:, None] + prep.fees[outs][None, :] <= fee_budget
            swap = np.where(fits, swap, -np.inf)
            a, b = np.unravel_index(int(np.argmax(swap)), swap.shape)
            if swap[a, b] > best:
                best, move = float(swap[a, b]), (int(ins[a]), int(outs[b]))
        if move is None:
            break
        drop, add = move
        if drop is not None:
            chosen[drop] = False
        if add is not None:
            chosen[add] = True
    return chosen


def _without_scarcity(prep: _Prepared) -> npt.NDArray[np.bool_] | None:
    """The optimum, without a solver, when nothing forces a choice between networks; else None.

    When every network that may be chosen fits the budgets *together*, every subset of them
    fits too (fees and hours are never negative), and when no penalised pair is left among
    them (`_prepare` only keeps pairs of networks that may be chosen) the objective is a sum
    of one term per network. Each network is then chosen on its own merit: locked ones as
    locked, free ones when their net contribution (value and switching cost) is positive.
    """
    if prep.pair_i.size:
        return None
    allowed = prep.fixed != _OUT
    if prep.fee_budget is not None and int(prep.fees[allowed].sum()) > prep.fee_budget:
        return None
    if not _fits_hours(float(prep.hours[allowed].sum()), prep.hours_budget):
        return None
    chosen: npt.NDArray[np.bool_] = (prep.fixed == _IN) | ((prep.fixed == _FREE) & (prep.coef > 0))
    return chosen


def _solve(
    prep: _Prepared,
    fee_ub: float | None,
    hours_ub: float | None,
    time_limit: float | None,
    excluded: Sequence[npt.NDArray[np.bool_]] = (),
) -> tuple[npt.NDArray[np.bool_], str]:
    n = len(prep.ids)
    p = len(prep.pair_i)
    c = -np.concatenate([prep.coef, -prep.pair_w])  # milp minimises
    lower = np.concatenate([np.where(prep.fixed == _IN, 1.0, 0.0), np.zeros(p)])
    upper = np.concatenate([np.where(prep.fixed == _OUT, 0.0, 1.0), np.ones(p)])
    integrality = np.concatenate([np.ones(n), np.zeros(p)])
    blocks: list[sparse.csr_array] = []
    row_ub: list[npt.NDArray[np.float64]] = []
    if fee_ub is not None:
        row = np.concatenate([prep.fees.astype(np.float64), np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([fee_ub]))
    if hours_ub is not None:
        row = np.concatenate([prep.hours, np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([hours_ub]))
    if p:
        # x_i + x_j - y_ij <= 1. The upper links y_ij <= x_i, y_ij <= x_j are implied: every
        # y_ij carries a positive penalty, so the optimum pushes it down to max(0, x_i + x_j - 1)
        # (leaving them out keeps the program smaller and HiGHS measurably faster).
        k = np.arange(p)
        rows = np.concatenate([k, k, k])
        cols = np.concatenate([prep.pair_i, prep.pair_j, n + k])
        data = np.concatenate([np.ones(p), np.ones(p), -np.ones(p)])
        blocks.append(sparse.csr_array((data, (rows, cols)), shape=(p, n + p)))
        row_ub.append(np.ones(p))
    for point in excluded:
        # No-good cut: sum_(i in S) x_i - sum_(i not in S) x_i <= |S| - 1 excludes exactly S.
        # Its coefficients are +-1, so HiGHS's integrality tolerance cannot slip past it.
        row = np.concatenate([np.where(point, 1.0, -1.0), np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([float(point.sum()) - 1.0]))
    constraints = []
    if blocks:
        matrix = sparse.vstack(blocks, format="csr")
        ub = np.concatenate(row_ub)
        constraints.append(LinearConstraint(matrix, -np.inf, ub))
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={**_HIGHS_OPTIONS, "time_limit": time_limit or np.inf},
    )
    if result.status == 0 and result.x is not None:
        return np.asarray(result.x[:n]) > 0.5, "optimal"
    if result.status == 1:  # time (or node) limit
        greedy = _greedy(prep)
        if result.x is None:
            return greedy, "time limit: greedy portfolio (the solver found none in time)"
        found = np.asarray(result.x[:n]) > 0.5
        gap = getattr(result, "mip_gap", None)
        within = f", within {gap:.2%} of the best possible" if gap is not None else ""
        if _objective(prep, greedy) > _objective(prep, found):
            return greedy, f"time limit: greedy portfolio{within}"
        return found, f"time limit: best portfolio found{within}"
    raise RuntimeError(f"The portfolio solver stopped without a solution: {result.message}")


def optimise_portfolio(
    items: Sequence[PortfolioItem],
    *,
    overlap: npt.NDArray[np.float64] | None = None,
    overlap_penalty: float = 0.0,
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    min_value: float | Mapping[str, float] = 0.0,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    search: Search = "exact",
) -> PortfolioResult:
    """Choose the best set of memberships with a mixed-integer program (HiGHS).

    ``overlap`` is a symmetric (n, n) matrix aligned with ``items`` (see
    `scoring.overlap.overlap_matrix`); only pairs with a positive overlap get a pair variable.
    ``min_value`` is the value threshold (one number, or one per network id; networks not in
    the mapping use 0). Raises `CriteriaError` when the networks locked to keep already break
    a budget, or a network is locked to keep although the city is not eligible for it.

    ``status`` is ``"optimal"`` when HiGHS proved the portfolio best. Large problems with
    tight budgets and many overlaps can take long to *prove*; after ``time_limit`` seconds
    the best portfolio found so far is returned with a status starting ``"time limit"`` and
    the remaining gap (``None`` means no limit).

    No program is solved when nothing forces a choice: without a budget (the value threshold
    decides, status `NO_BUDGET_STATUS`), or when every network that may be chosen fits the
    budgets together and no penalised overlap is left among them (then each network is
    chosen on its own net value: provably the optimum, status ``"optimal"``).

    ``search="quick"`` replaces the program by a greedy portfolio improved by single adds,
    drops and swaps (`QUICK_STATUS`): a few milliseconds instead of 0.1-0.5 s for hundreds of
    networks under a tight budget, for the live preview of the priorities page. It always
    respects the budgets and locks, but is not proven best.

    >>> items = [
    ...     PortfolioItem("c40", value=0.8, fee=5_000_000, hours=200, is_member=True),
    ...     PortfolioItem("iclei", value=0.6, fee=3_000_000, hours=100, is_member=True),
    ...     PortfolioItem("uclg", value=0.1, fee=2_500_000, hours=50, is_member=False),
    ... ]
    >>> result = optimise_portfolio(items, fee_budget=6_000_000)
    >>> sorted(result.selected), result.fee_used, result.reasons["iclei"], result.binding
    (['c40'], 5000000, 'over fee budget', ['fee'])
    >>> sorted(optimise_portfolio(items, fee_budget=8_000_000).selected)
    ['c40', 'iclei']
    """
    prep = _prepare(items, overlap, overlap_penalty, fee_budget, hours_budget, min_value)
    if fee_budget is None and hours_budget is None:
        return _finish(prep, prep.fixed != _OUT, NO_BUDGET_STATUS)
    if not prep.ids:
        return _finish(prep, np.zeros(0, dtype=bool), "optimal")
    settled = _without_scarcity(prep)
    if settled is not None:
        return _finish(prep, settled, "optimal")
    if search == "quick":
        return _finish(prep, _local_search(prep), QUICK_STATUS)
    if search != "exact":
        raise ValueError(f"search must be 'exact' or 'quick', not {search!r}")
    # Integer fees: any total <= budget + 0.5 is <= budget, which leaves HiGHS a tolerance margin.
    fee_ub = None if fee_budget is None else fee_budget + 0.5
    hours_ub = None if hours_budget is None else hours_budget + _hours_tolerance(hours_budget)
    # HiGHS accepts x = 0.9999999 as integral; times a fee of a hundred million cents that can
    # hide a euro of overspending. A rounded solution over a budget is a truly infeasible
    # portfolio: exclude exactly that one and solve again, which keeps the optimum exact.
    # Should the solver keep finding such points, shrink the budgets by the most its
    # tolerance can hide (1e-6 of the fees and hours at stake), which always ends the loop.
    excluded: list[npt.NDArray[np.bool_]] = []
    for attempt in range(_REPAIR_ATTEMPTS + 2):
        chosen, status = _solve(prep, fee_ub, hours_ub, time_limit, excluded)
        fee_used = int(prep.fees[chosen].sum())
        hours_used = float(prep.hours[chosen].sum())
        fee_ok = fee_budget is None or fee_used <= fee_budget
        hours_ok = _fits_hours(hours_used, hours_budget)
        if fee_ok and hours_ok:
            return _finish(prep, chosen, status)
        excluded.append(chosen)
        if attempt >= _REPAIR_ATTEMPTS:
            if not fee_ok and fee_ub is not None:
                fee_ub -= fee_used - (fee_budget or 0) + 0.5 + 1e-6 * float(prep.fees.sum())
            if not hours_ok and hours_ub is not None:
                hours_ub -= hours_used - (hours_budget or 0.0) + 1e-6 * float(prep.hours.sum())
    raise RuntimeError("The portfolio solver kept returning solutions over budget.")


def brute_force_portfolio(
    items: Sequence[PortfolioItem],
    *,
    overlap: npt.NDArray[np.float64] | None = None,
    overlap_penalty: float = 0.0,
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    min_value: float | Mapping[str, float] = 0.0,
) -> PortfolioResult:
    """Same problem and result as `optimise_portfolio`, solved by trying every subset.

    Only the networks not fixed by a lock, eligibility or the threshold are enumerated;
    at most `BRUTE_FORCE_LIMIT` networks are accepted. Meant as a reference for tests.

    >>> items = [
    ...     PortfolioItem("a", value=0.9, fee=300, hours=0, is_member=False),
    ...     PortfolioItem("b", value=0.5, fee=200, hours=0, is_member=False),
    ...     PortfolioItem("c", value=0.5, fee=200, hours=0, is_member=False),
    ... ]
    >>> sorted(brute_force_portfolio(items, fee_budget=400).selected)
    ['b', 'c']
    """
    if len(items) > BRUTE_FORCE_LIMIT:
        raise ValueError(
            f"brute_force_portfolio handles at most {BRUTE_FORCE_LIMIT} networks, not {len(items)}"
        )
    prep = _prepare(items, overlap, overlap_penalty, fee_budget, hours_budget, min_value)
    if fee_budget is None and hours_budget is None:
        return _finish(prep, prep.fixed != _OUT, NO_BUDGET_STATUS)
    n = len(prep.ids)
    free = np.flatnonzero(prep.fixed == _FREE)
    subsets = (np.arange(2 ** len(free))[:, None] >> np.arange(len(free))[None, :]) & 1
    x = np.zeros((len(subsets), n), dtype=np.int64)
    x[:, prep.fixed == _IN] = 1
    x[:, free] = subsets
    xf = x.astype(np.float64)
    objective = (
        xf @ prep.coef + prep.constant - (xf[:, prep.pair_i] * xf[:, prep.pair_j]) @ prep.pair_w
    )
    feasible = np.ones(len(subsets), dtype=bool)
    if fee_budget is not None:
        feasible &= x @ prep.fees <= fee_budget
    if hours_budget is not None:
        feasible &= xf @ prep.hours <= hours_budget + _hours_tolerance(hours_budget)
    best = int(np.argmax(np.where(feasible, objective, -np.inf)))
    return _finish(prep, x[best].astype(bool), "optimal")
