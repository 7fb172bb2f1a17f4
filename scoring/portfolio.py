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
keep). Without any budget that gate is what decides: every allowed network at or above the
threshold is chosen, except one whose net contribution (value minus switching cost minus
overlap penalties) is not positive, which the objective still drops. ``min_value`` may be a
single number or one per network (the analysis uses the asymmetric join/leave bars).
"""

from __future__ import annotations

import warnings
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

_HIGHS_OPTIONS = {
    # Prove optimality instead of stopping within the default 0.01% gap.
    "mip_rel_gap": 0.0,
    # The default integrality tolerance (1e-6) lets x = 0.9999999 pass; times a fee of
    # 100 million cents that hides a euro of overspending. Tighten it so fees stay exact.
    "mip_feasibility_tolerance": 1e-10,
}


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
        if not all(np.isfinite(x) for x in numbers):
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


def _solve(prep: _Prepared, fee_ub: float | None, hours_ub: float | None) -> npt.NDArray[np.bool_]:
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
        k = np.arange(p)
        y = n + k
        # x_i + x_j - y <= 1 ; y - x_i <= 0 ; y - x_j <= 0
        rows = np.concatenate([k, k, k, p + k, p + k, 2 * p + k, 2 * p + k])
        cols = np.concatenate([prep.pair_i, prep.pair_j, y, y, prep.pair_i, y, prep.pair_j])
        one, minus = np.ones(p), -np.ones(p)
        data = np.concatenate([one, one, minus, one, minus, one, minus])
        blocks.append(sparse.csr_array((data, (rows, cols)), shape=(3 * p, n + p)))
        row_ub.append(np.concatenate([np.ones(p), np.zeros(2 * p)]))
    constraints = []
    if blocks:
        matrix = sparse.vstack(blocks, format="csr")
        ub = np.concatenate(row_ub)
        constraints.append(LinearConstraint(matrix, -np.inf, ub))
    with warnings.catch_warnings():
        # scipy passes options it does not know to HiGHS verbatim, with a warning saying so.
        warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)
        result = milp(
            c,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options=_HIGHS_OPTIONS,
        )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"The portfolio solver stopped without a solution: {result.message}")
    chosen: npt.NDArray[np.bool_] = np.asarray(result.x[:n]) > 0.5
    return chosen


def optimise_portfolio(
    items: Sequence[PortfolioItem],
    *,
    overlap: npt.NDArray[np.float64] | None = None,
    overlap_penalty: float = 0.0,
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    min_value: float | Mapping[str, float] = 0.0,
) -> PortfolioResult:
    """Choose the best set of memberships with a mixed-integer program (HiGHS).

    ``overlap`` is a symmetric (n, n) matrix aligned with ``items`` (see
    `scoring.overlap.overlap_matrix`); only pairs with a positive overlap get a pair variable.
    ``min_value`` is the value threshold (one number, or one per network id; networks not in
    the mapping use 0). Raises `CriteriaError` when the networks locked to keep already break
    a budget, or a network is locked to keep although the city is not eligible for it.

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
    if not prep.ids:
        return PortfolioResult(frozenset(), 0.0, 0, 0.0, "optimal", {}, [])
    # Integer fees: any total <= budget + 0.5 is <= budget, which leaves HiGHS a tolerance margin.
    fee_ub = None if fee_budget is None else fee_budget + 0.5
    hours_ub = None if hours_budget is None else hours_budget + _hours_tolerance(hours_budget)
    for _attempt in range(6):
        chosen = _solve(prep, fee_ub, hours_ub)
        fee_used = int(prep.fees[chosen].sum())
        hours_used = float(prep.hours[chosen].sum())
        fee_ok = fee_budget is None or fee_used <= fee_budget
        hours_ok = _fits_hours(hours_used, hours_budget)
        if fee_ok and hours_ok:
            return _finish(prep, chosen, "optimal")
        # The solver's tolerances let a rounded solution slip over a budget: tighten and retry.
        if not fee_ok and fee_budget is not None and fee_ub is not None:
            fee_ub -= fee_used - fee_budget + 0.5
        if not hours_ok and hours_budget is not None and hours_ub is not None:
            hours_ub -= hours_used - hours_budget + _hours_tolerance(hours_budget)
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
