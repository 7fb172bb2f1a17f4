"""The membership portfolio: which networks to belong to, given the status quo and budgets.

This module owns the portfolio optimisation, a mixed-integer program solved with
``scipy.optimize.milp`` (HiGHS). It is *status-quo aware*: every network must earn its place
against its own bar, the city's current memberships have priority over candidates of no
higher value, and changing the portfolio costs something.

For networks i with value v_i (the additive value, 0-1), bar b_i (the leave bar for a member,
the join bar for a candidate), switching cost c_i (what leaving costs a member, what joining
costs a candidate, in value units), a binary choice x_i and, for each network that overlaps
with networks ranked above it, its duplication d_i (a continuous auxiliary)::

    maximise   sum_i (v_i - b_i) x_i                      value above the bars
               - sum_(members) c_i (1 - x_i)              leaving costs
               - sum_(candidates) c_i x_i                 joining costs
               - penalty * sum_i d_i                      paying twice for the same thing
    subject to sum_i fee_i x_i <= fee budget              (exact integer minor units)
               sum_i travel_i x_i <= travel budget        (when the city sets one apart)
               sum_i hours_i x_i <= hours budget
               d_i >= o_ij (x_i + x_j - 1)  for j ranked above i,  0 <= d_i <= 1
               x_c <= x_m  for a candidate c and a member m of at least c's value
               x_u <= x_m  for a candidate u of unconfirmed eligibility and every member m
               x_i = 1 for networks locked "keep" and members held until assessed
               x_i = 0 for networks locked "exclude", not eligible, below their bar, or
                       candidates without enough evidence to judge

Consequences, each a tested property:

- *The bars hold inside the optimiser.* Only a network at or above its bar may be chosen,
  and a network just above its bar adds almost nothing, so holding more memberships is not
  rewarded for itself. Without a budget a member stays exactly when it clears the leave bar
  (and no overlap outweighs its margin); a candidate joins when its margin over the join bar
  covers the joining cost.
- *A budget that does not bind changes nothing.* The program is first solved without the
  budgets; when that portfolio fits them it is the answer (adding a constraint that holds at
  the optimum cannot change it).
- *No member is dropped for a candidate of equal or lower value*, and *a candidate of
  unconfirmed eligibility is never joined at a member's expense*: both are constraints.
- *Overlap is charged once, to the weaker network*: d_i is the largest overlap of network i
  with a chosen network of higher value (ties by id), so a row can name the one network it
  repeats and the exact penalty, the best network of a cluster is never charged, and a
  network overlapping with three others is not charged three times for the same themes.
- *Ties do not depend on the order of the inputs*: networks are put in id order before the
  program is built.

Every network gets a `Why` naming the reason it is in or out, with the figures a sentence
needs (the budget left, the overlapping partner and the penalty, the member that keeps
priority). The module's arithmetic is checked against an independent brute-force reference
in the tests.
"""

from __future__ import annotations

import heapq
import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from criteria.errors import CriteriaError

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "NO_BUDGET_STATUS",
    "QUICK_STATUS",
    "PortfolioItem",
    "PortfolioResult",
    "Why",
    "format_minor_units",
    "objective_of",
    "optimise_portfolio",
]

Lock = Literal["keep", "exclude"]
Search = Literal["exact", "quick"]

_FREE, _OUT, _IN = -1, 0, 1

NO_BUDGET_STATUS = "no budget"
NOT_BINDING_STATUS = "optimal: budgets not binding"
QUICK_STATUS = "quick search: not proven best"

# Reason codes (`Why.code`).
SELECTED = "selected"
LOCKED_IN = "locked in"
HELD = "held until assessed"
UNASSESSED = "assess first"
LOCKED_OUT = "locked out"
NOT_ELIGIBLE = "not eligible"
BELOW_BAR = "below bar"
SWITCH_COST = "switching cost"
OVER_BUDGET = "over budget"
PRIORITY = "member priority"
UNCONFIRMED = "unconfirmed eligibility"
OVERLAP = "overlap"
NOT_CHOSEN = "not chosen"

TIE = 1e-7
"""Added to every coefficient so that a network exactly at its bar is chosen, not dropped."""

_HIGHS_OPTIONS: dict[str, float] = {"mip_rel_gap": 0.0}
_REPAIR_ATTEMPTS = 12
DEFAULT_TIME_LIMIT = 10.0
"""Seconds HiGHS may search before returning its best portfolio so far (with its gap)."""


@dataclass(frozen=True, slots=True)
class PortfolioItem:
    """One network the portfolio may contain.

    ``fee`` is the yearly cash cost in minor currency units (an exact integer), ``hours`` the
    staff hours per year. ``travel`` (minor units) counts against a travel budget of its own
    when one is given; without one the caller adds it to ``fee``. ``bar`` is the value the network must reach to be chosen (its leave
    bar as a member, its join bar as a candidate); ``switch_cost`` what leaving (member) or
    joining (candidate) costs in value units. ``eligible=None`` means unknown: the network
    may be chosen, but never at a member's expense. ``unassessed`` marks a network without
    enough evidence to judge: a member is then held (kept whatever its value), a candidate
    kept out.
    """

    id: str
    value: float
    fee: int
    hours: float
    is_member: bool
    eligible: bool | None = True
    lock: Lock | None = None
    bar: float = 0.0
    switch_cost: float = 0.0
    unassessed: bool = False
    travel: int = 0


@dataclass(frozen=True, slots=True)
class Why:
    """Why a network is in or out of the portfolio, with the figures a sentence needs.

    ``code`` is one of the reason codes of this module. ``partner``: the chosen network of
    higher value it overlaps most with (`OVERLAP`) or the member that keeps priority
    (`PRIORITY`, `UNCONFIRMED`). ``overlap`` and ``penalty``: that overlap and the penalty it
    would cost (penalty x overlap, value units). For `OVER_BUDGET`:
    ``fee_left`` / ``hours_left`` are what the budgets have left after the chosen networks
    (None for a budget not set) and ``over`` names the budgets it does not fit.
    """

    code: str
    partner: str | None = None
    overlap: float = 0.0
    penalty: float = 0.0
    fee_left: int | None = None
    hours_left: float | None = None
    over: tuple[str, ...] = ()
    travel_left: int | None = None


@dataclass(frozen=True, slots=True)
class PortfolioResult:
    """The chosen memberships, why each network is in or out, and the budgets used.

    ``objective`` is the value above the bars minus switching costs and overlap penalties.
    ``binding`` lists the budgets (``"fee"``, ``"hours"``) that kept a worthwhile network
    out. ``fee_budget``/``hours_budget`` are the budgets applied: when the networks that
    must be kept already exceed one, it is raised to their total and ``over_committed``
    names it.
    """

    selected: frozenset[str]
    objective: float
    fee_used: int
    hours_used: float
    status: str
    reasons: dict[str, Why]
    binding: list[str]
    fee_budget: int | None = None
    hours_budget: float | None = None
    over_committed: tuple[str, ...] = ()
    travel_used: int = 0
    travel_budget: int | None = None


def format_minor_units(amount: int) -> str:
    """Format an amount in minor units (cents) as major units with two decimals.

    >>> format_minor_units(1234567), format_minor_units(-5)
    ('12,345.67', '-0.05')
    """
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 100)
    return f"{sign}{major:,}.{minor:02d}"


def _hours_tolerance(budget: float) -> float:
    return 1e-9 * max(1.0, abs(budget))


def _fits_hours(used: float, budget: float | None) -> bool:
    return budget is None or used <= budget + _hours_tolerance(budget)


@dataclass(frozen=True)
class _Model:
    """The program in id order; arrays are aligned with ``ids``."""

    ids: tuple[str, ...]
    values: npt.NDArray[np.float64]
    fees: npt.NDArray[np.int64]
    travel: npt.NDArray[np.int64]
    hours: npt.NDArray[np.float64]
    members: npt.NDArray[np.bool_]
    unconfirmed: npt.NDArray[np.bool_]
    coef: npt.NDArray[np.float64]  # gain of choosing, without the tie bonus
    constant: float
    fixed: npt.NDArray[np.int8]
    fixed_code: dict[int, str]
    requires: npt.NDArray[np.bool_]  # requires[i, k]: choosing i needs k chosen
    penalty: float
    # The pairs (i, j) of networks that may both be chosen, overlap, and where j ranks above
    # i (the overlap o_ij that i pays for when both are in), in row-major order ...
    pair_i: npt.NDArray[np.intp]  # ... the weaker network,
    pair_j: npt.NDArray[np.intp]  # ... the stronger one,
    pair_o: npt.NDArray[np.float64]  # ... and their overlap (0 < o <= 1);
    by_row: npt.NDArray[np.intp]  # the pairs by weaker network, largest overlap first, then j
    fee_budget: int | None
    hours_budget: float | None
    over_committed: tuple[str, ...]
    travel_budget: int | None


def _check_items(items: Sequence[PortfolioItem], overlap_penalty: float) -> _Columns:
    """Check the items (the first offending one, in input order, is named) and return their
    numbers as columns in input order."""
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise CriteriaError("Each network may appear only once in a portfolio.")
    if not math.isfinite(overlap_penalty) or overlap_penalty < 0:
        raise CriteriaError("The overlap penalty must be a number of at least 0.")
    columns = _Columns(
        numbers=np.array(
            [(it.value, it.hours, it.bar, it.switch_cost) for it in items], dtype=np.float64
        ).reshape(len(items), 4),
        fees=np.array([it.fee for it in items], dtype=np.int64),
        members=np.array([it.is_member for it in items], dtype=bool),
        travel=np.array([it.travel for it in items], dtype=np.int64),
    )
    not_number = np.asarray(~np.isfinite(columns.numbers).all(axis=1), dtype=bool)
    negative = (
        (columns.fees < 0)
        | (columns.travel < 0)
        | (columns.numbers[:, 1] < 0)
        | (columns.numbers[:, 3] < 0)
    )
    ineligible_keep = np.array(
        [it.lock == "keep" and it.eligible is False for it in items], dtype=bool
    )
    bad = np.flatnonzero(not_number | negative | ineligible_keep)
    if bad.size:
        k = int(bad[0])
        item = items[k]
        if not_number[k]:
            raise CriteriaError(
                f"Network {item.id!r} has a value, hours, bar or cost that is not a number."
            )
        if negative[k]:
            raise CriteriaError(
                f"Network {item.id!r} has a negative fee, staff time or switching cost."
            )
        raise CriteriaError(
            f"Network {item.id!r} is locked to keep, but the city is not eligible for it. "
            "Remove the lock or review the eligibility."
        )
    return columns


@dataclass(frozen=True, slots=True)
class _Columns:
    """The items' numbers in input order: value, hours, bar, switching cost; fee; member;
    travel."""

    numbers: npt.NDArray[np.float64]
    fees: npt.NDArray[np.int64]
    members: npt.NDArray[np.bool_]
    travel: npt.NDArray[np.int64]


def _build(
    items: Sequence[PortfolioItem],
    overlap: npt.NDArray[np.float64] | None,
    overlap_penalty: float,
    fee_budget: int | None,
    hours_budget: float | None,
    travel_budget: int | None = None,
) -> _Model:
    """The program, with the networks in id order."""
    columns = _check_items(items, overlap_penalty)
    if fee_budget is not None and fee_budget < 0:
        raise CriteriaError("The fee budget must not be negative.")
    if hours_budget is not None and not hours_budget >= 0:
        raise CriteriaError("The staff-hours budget must not be negative.")
    if travel_budget is not None and travel_budget < 0:
        raise CriteriaError("The travel budget must not be negative.")
    n = len(items)
    order = np.array(sorted(range(n), key=lambda k: items[k].id), dtype=np.intp)
    sorted_items = [items[k] for k in order.tolist()]
    numbers = columns.numbers[order]
    values, hours, bars, switch = (np.ascontiguousarray(numbers[:, j]) for j in range(4))
    members = columns.members[order]
    fees = columns.fees[order]
    travel = columns.travel[order]
    margin = values - bars
    coef = margin + np.where(members, switch, -switch)
    constant = -float(switch[members].sum())

    fixed = np.full(n, _FREE, dtype=np.int8)
    fixed_code: dict[int, str] = {}
    for k, item in enumerate(sorted_items):
        if item.lock == "keep":
            fixed[k], fixed_code[k] = _IN, LOCKED_IN
        elif item.lock == "exclude":
            fixed[k], fixed_code[k] = _OUT, LOCKED_OUT
        elif item.eligible is False:
            fixed[k], fixed_code[k] = _OUT, NOT_ELIGIBLE
        elif item.unassessed:
            fixed[k], fixed_code[k] = (_IN, HELD) if item.is_member else (_OUT, UNASSESSED)
        elif margin[k] < 0:
            fixed[k], fixed_code[k] = _OUT, BELOW_BAR

    locked = np.array([it.lock == "keep" for it in sorted_items], dtype=bool)
    locked_ids = [it.id for it in sorted_items if it.lock == "keep"]
    locked_fee = int(fees[locked].sum())
    if fee_budget is not None and locked_fee > fee_budget:
        raise CriteriaError(
            f"The networks locked to keep ({', '.join(locked_ids)}) cost "
            f"{format_minor_units(locked_fee)} a year, more than the fee budget of "
            f"{format_minor_units(fee_budget)}. Unlock one of them or raise the budget."
        )
    locked_hours = float(hours[locked].sum())
    if hours_budget is not None and not _fits_hours(locked_hours, hours_budget):
        raise CriteriaError(
            f"The networks locked to keep ({', '.join(locked_ids)}) need {locked_hours:,.0f} "
            f"staff hours a year, more than the {hours_budget:,.0f} hours available. Unlock "
            "one of them or raise the staff-time budget."
        )
    forced = fixed == _IN
    over: list[str] = []
    if fee_budget is not None and int(fees[forced].sum()) > fee_budget:
        fee_budget = int(fees[forced].sum())
        over.append("fee")
    if hours_budget is not None and not _fits_hours(float(hours[forced].sum()), hours_budget):
        hours_budget = float(hours[forced].sum())
        over.append("hours")
    if travel_budget is not None and int(travel[forced].sum()) > travel_budget:
        travel_budget = int(travel[forced].sum())
        over.append("travel")

    allowed = fixed != _OUT
    free = fixed == _FREE
    unconfirmed = np.array([it.eligible is None for it in sorted_items], dtype=bool)
    free_members = allowed & members & ~forced
    requires = np.zeros((n, n), dtype=bool)
    candidates = free & ~members
    if candidates.any() and free_members.any():
        at_least = values[None, :] >= values[:, None]  # [c, m]: m's value >= c's value
        requires = candidates[:, None] & free_members[None, :] & at_least
        requires |= (candidates & unconfirmed)[:, None] & free_members[None, :]

    pair_i = pair_j = np.zeros(0, dtype=np.intp)
    pair_o = np.zeros(0)
    if overlap is not None and overlap_penalty > 0 and n >= 2:
        oi, oj, ov = _overlap_pairs(overlap, order)
        # Strength order: higher value first, then id (the arrays are in id order already).
        strength = np.empty(n, dtype=np.intp)
        strength[np.lexsort((np.arange(n), -values))] = np.arange(n)
        keep = (strength[oj] < strength[oi]) & allowed[oi] & allowed[oj]  # j ranks above i
        pair_i, pair_j, pair_o = oi[keep], oj[keep], ov[keep]
    model = _Model(
        ids=tuple(it.id for it in sorted_items),
        values=values,
        fees=fees,
        travel=travel,
        hours=hours,
        members=members,
        unconfirmed=unconfirmed,
        coef=coef,
        constant=constant,
        fixed=fixed,
        fixed_code=fixed_code,
        requires=requires,
        penalty=float(overlap_penalty),
        pair_i=pair_i,
        pair_j=pair_j,
        pair_o=pair_o,
        by_row=np.lexsort((pair_j, -pair_o, pair_i)),
        fee_budget=fee_budget,
        hours_budget=hours_budget,
        over_committed=tuple(over),
        travel_budget=travel_budget,
    )
    return model


_Pairs = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]
_PAIRS_MEMO: OrderedDict[int, tuple[weakref.ref[npt.NDArray[np.float64]], bytes, _Pairs]] = (
    OrderedDict()
)
_PAIRS_LOCK = threading.Lock()


def _overlap_pairs(overlap: npt.NDArray[np.float64], order: npt.NDArray[np.intp]) -> _Pairs:
    """The nonzero cells (i, j, o_ij) of the overlap matrix in id order (``order``), capped at 1,
    in row-major order, after checking that the matrix is symmetric, finite and non-negative.

    These depend on the networks only, not on the weights: for a read-only matrix (the
    analysis passes the same one for every re-rank of a workspace) the result is memoised
    by the matrix's identity and the order, so a slider move does not re-read n x n cells.
    """
    n = order.size
    memo = isinstance(overlap, np.ndarray) and not overlap.flags.writeable
    key = order.tobytes()
    if memo:
        with _PAIRS_LOCK:
            found = _PAIRS_MEMO.get(id(overlap))
        if found is not None and found[0]() is overlap and found[1] == key:
            return found[2]
    o = np.asarray(overlap, dtype=np.float64)
    if o.shape != (n, n):
        raise ValueError(f"overlap must have shape ({n}, {n}), not {o.shape}")
    if not np.all(np.isfinite(o)) or np.any(o < 0) or not np.allclose(o, o.T):
        raise ValueError("overlap must be symmetric, finite and non-negative")
    ordered = np.take(np.take(o, order, axis=0), order, axis=1)
    np.fill_diagonal(ordered, 0.0)
    oi, oj = np.nonzero(ordered > 0)
    pairs = (oi, oj, np.minimum(ordered[oi, oj], 1.0))
    for array in pairs:
        array.flags.writeable = False
    if memo:
        with _PAIRS_LOCK:
            _PAIRS_MEMO[id(overlap)] = (weakref.ref(overlap), key, pairs)
            while len(_PAIRS_MEMO) > 16:
                _PAIRS_MEMO.popitem(last=False)
    return pairs


def _first_per_row(
    rows: npt.NDArray[np.intp], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """Positions of the first valid entry of each run of equal ``rows`` (``rows`` sorted)."""
    idx = np.flatnonzero(valid)
    if idx.size < 2:
        return idx
    r = rows[idx]
    keep = np.empty(idx.size, dtype=bool)
    keep[0] = True
    np.not_equal(r[1:], r[:-1], out=keep[1:])
    return idx[keep]


def _duplication(
    model: _Model, chosen: npt.NDArray[np.bool_], *, second: bool = False
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Per network, its largest overlap with a chosen network above it and that network (the
    one with the smallest index among equal overlaps; 0 when none), and, with ``second``,
    the largest overlap with any other chosen network above it.

    Works on the pairs (O(pairs), not O(n^2)): ``by_row`` sorts them by weaker network,
    largest overlap first, so each network's first pair with a chosen partner is its largest.
    """
    n = len(model.ids)
    duplication = np.zeros(n)
    partner = np.zeros(n, dtype=np.intp)
    runner_up = np.zeros(n)
    if not model.pair_i.size:
        return duplication, partner, runner_up
    rows = model.pair_i[model.by_row]
    cols = model.pair_j[model.by_row]
    cells = model.pair_o[model.by_row]
    valid = chosen[cols]
    first = _first_per_row(rows, valid)
    duplication[rows[first]] = cells[first]
    partner[rows[first]] = cols[first]
    if second:
        other = _first_per_row(rows, valid & (cols != partner[rows]))
        runner_up[rows[other]] = cells[other]
    return duplication, partner, runner_up


def _objective(model: _Model, chosen: npt.NDArray[np.bool_]) -> float:
    x = chosen.astype(np.float64)
    duplication, _, _ = _duplication(model, chosen)
    return float(model.coef @ x) + model.constant - model.penalty * float(duplication @ x)


def _fits(model: _Model, chosen: npt.NDArray[np.bool_], budgets: bool = True) -> bool:
    if not budgets:
        return True
    fee_ok = model.fee_budget is None or int(model.fees[chosen].sum()) <= model.fee_budget
    travel_ok = (
        model.travel_budget is None or int(model.travel[chosen].sum()) <= model.travel_budget
    )
    return (
        fee_ok and travel_ok and _fits_hours(float(model.hours[chosen].sum()), model.hours_budget)
    )


def _reasons(model: _Model, chosen: npt.NDArray[np.bool_]) -> tuple[dict[str, Why], list[str]]:
    """Why each network is in or out (see `Why`), and the budgets that bind."""
    fee_left = (
        None if model.fee_budget is None else model.fee_budget - int(model.fees[chosen].sum())
    )
    hours_left = (
        None
        if model.hours_budget is None
        else model.hours_budget - float(model.hours[chosen].sum())
    )
    travel_left = (
        None
        if model.travel_budget is None
        else model.travel_budget - int(model.travel[chosen].sum())
    )
    duplication, partner, _ = _duplication(model, chosen)
    reasons: dict[str, Why] = {}
    binding: set[str] = set()
    for k, network in enumerate(model.ids):
        if k in model.fixed_code:
            reasons[network] = Why(model.fixed_code[k])
            continue
        if chosen[k]:
            reasons[network] = Why(SELECTED)
            continue
        if model.coef[k] + TIE <= 0:
            reasons[network] = Why(SWITCH_COST)
            continue
        over: list[str] = []
        if fee_left is not None and int(model.fees[k]) > fee_left:
            over.append("fee")
        if hours_left is not None and model.hours[k] > hours_left + _hours_tolerance(
            model.hours_budget or 0.0
        ):
            over.append("hours")
        if travel_left is not None and int(model.travel[k]) > travel_left:
            over.append("travel")
        if over:
            binding.update(over)
            reasons[network] = Why(
                OVER_BUDGET,
                fee_left=fee_left,
                hours_left=hours_left,
                over=tuple(over),
                travel_left=travel_left,
            )
            continue
        missing = np.flatnonzero(model.requires[k] & ~chosen)
        if missing.size:
            best = int(missing[np.argmax(model.values[missing])])
            code = UNCONFIRMED if model.unconfirmed[k] else PRIORITY
            reasons[network] = Why(code, partner=model.ids[best])
            continue
        charge = model.penalty * float(duplication[k])
        if duplication[k] > 0 and model.coef[k] + TIE <= charge:
            reasons[network] = Why(
                OVERLAP,
                partner=model.ids[int(partner[k])],
                overlap=float(duplication[k]),
                penalty=charge,
            )
            continue
        reasons[network] = Why(NOT_CHOSEN, fee_left=fee_left, hours_left=hours_left)
    return reasons, [b for b in ("fee", "travel", "hours") if b in binding]


def _result(model: _Model, chosen: npt.NDArray[np.bool_], status: str) -> PortfolioResult:
    reasons, binding = _reasons(model, chosen)
    return PortfolioResult(
        selected=frozenset(model.ids[k] for k in np.flatnonzero(chosen).tolist()),
        objective=_objective(model, chosen),
        fee_used=int(model.fees[chosen].sum()),
        hours_used=float(model.hours[chosen].sum()),
        status=status,
        reasons=reasons,
        binding=binding,
        fee_budget=model.fee_budget,
        hours_budget=model.hours_budget,
        over_committed=model.over_committed,
        travel_used=int(model.travel[chosen].sum()),
        travel_budget=model.travel_budget,
    )


def _separable(model: _Model) -> npt.NDArray[np.bool_]:
    """The optimum without budgets and without penalised pairs: each network on its own.

    Every requirement is met: a candidate chosen here clears its bar, so every member of at
    least its value clears the (lower) leave bar too and is chosen.
    """
    chosen: npt.NDArray[np.bool_] = (model.fixed == _IN) | (
        (model.fixed == _FREE) & (model.coef + TIE > 0)
    )
    return chosen


def _solve(
    model: _Model,
    *,
    budgets: bool,
    time_limit: float | None,
    excluded: Sequence[npt.NDArray[np.bool_]] = (),
    fee_ub: float | None = None,
    hours_ub: float | None = None,
    travel_ub: float | None = None,
) -> tuple[npt.NDArray[np.bool_], str]:
    n = len(model.ids)
    weaker = np.unique(model.pair_i)  # networks that get a duplication variable d_i
    p = weaker.size
    slot = np.full(n, -1, dtype=np.intp)
    slot[weaker] = np.arange(p)
    c = -np.concatenate([model.coef + TIE, -model.penalty * np.ones(p)])  # milp minimises
    lower = np.concatenate([np.where(model.fixed == _IN, 1.0, 0.0), np.zeros(p)])
    upper = np.concatenate([np.where(model.fixed == _OUT, 0.0, 1.0), np.ones(p)])
    integrality = np.concatenate([np.ones(n), np.zeros(p)])
    blocks: list[sparse.csr_array] = []
    row_ub: list[npt.NDArray[np.float64]] = []
    if budgets and fee_ub is not None:
        row = np.concatenate([model.fees.astype(np.float64), np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([fee_ub]))
    if budgets and travel_ub is not None:
        row = np.concatenate([model.travel.astype(np.float64), np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([travel_ub]))
    if budgets and hours_ub is not None:
        row = np.concatenate([model.hours, np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([hours_ub]))
    q = model.pair_i.size
    if q:
        # o_ij x_i + o_ij x_j - d_i <= o_ij for j above i; d_i is pushed down to the largest
        # such overlap among the chosen (it carries a penalty), and 0 when i is out.
        o = model.pair_o
        k = np.arange(q)
        rows = np.concatenate([k, k, k])
        cols = np.concatenate([model.pair_i, model.pair_j, n + slot[model.pair_i]])
        data = np.concatenate([o, o, -np.ones(q)])
        blocks.append(sparse.csr_array((data, (rows, cols)), shape=(q, n + p)))
        row_ub.append(o)
    dependants = np.flatnonzero(model.requires.any(axis=1))
    if dependants.size:
        # |R_i| x_i - sum_(k in R_i) x_k <= 0: choosing i needs every k in R_i.
        sizes = model.requires[dependants].sum(axis=1).astype(np.float64)
        req = sparse.csr_array(-model.requires[dependants].astype(np.float64))
        req = req + sparse.csr_array(
            (sizes, (np.arange(dependants.size), dependants)), shape=(dependants.size, n)
        )
        blocks.append(sparse.hstack([req, sparse.csr_array((dependants.size, p))], format="csr"))
        row_ub.append(np.zeros(dependants.size))
    for point in excluded:
        row = np.concatenate([np.where(point, 1.0, -1.0), np.zeros(p)])
        blocks.append(sparse.csr_array(row[None, :]))
        row_ub.append(np.array([float(point.sum()) - 1.0]))
    constraints = []
    if blocks:
        matrix = sparse.vstack(blocks, format="csr")
        constraints.append(LinearConstraint(matrix, -np.inf, np.concatenate(row_ub)))
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
        quick = _local_search(model, budgets=budgets)
        if result.x is None:
            return quick, "time limit: quick portfolio (the solver found none in time)"
        found = np.asarray(result.x[:n]) > 0.5
        gap = getattr(result, "mip_gap", None)
        within = f", within {gap:.2%} of the best possible" if gap is not None else ""
        if not _feasible(model, found, budgets) or _objective(model, quick) > _objective(
            model, found
        ):
            return quick, f"time limit: quick portfolio{within}"
        return found, f"time limit: best portfolio found{within}"
    raise RuntimeError(f"The portfolio solver stopped without a solution: {result.message}")


def _feasible(model: _Model, chosen: npt.NDArray[np.bool_], budgets: bool) -> bool:
    if np.any(chosen & (model.fixed == _OUT)) or np.any(~chosen & (model.fixed == _IN)):
        return False
    if np.any(model.requires[chosen] & ~chosen[None, :]):
        return False
    return _fits(model, chosen, budgets)


def _exact(
    model: _Model, *, budgets: bool, time_limit: float | None
) -> tuple[npt.NDArray[np.bool_], str]:
    """The proven optimum (HiGHS), re-checked against the budgets in exact integers."""
    fee_ub = None if model.fee_budget is None else model.fee_budget + 0.5
    travel_ub = None if model.travel_budget is None else model.travel_budget + 0.5
    hours_ub = (
        None
        if model.hours_budget is None
        else model.hours_budget + _hours_tolerance(model.hours_budget)
    )
    # HiGHS accepts x = 0.9999999 as integral; times a large fee that can hide a small
    # overspend. A rounded solution over a budget is excluded by a no-good cut and the program
    # solved again; should that keep happening, the budgets shrink by what the tolerance hides.
    excluded: list[npt.NDArray[np.bool_]] = []
    for attempt in range(_REPAIR_ATTEMPTS + 2):
        chosen, status = _solve(
            model,
            budgets=budgets,
            time_limit=time_limit,
            excluded=excluded,
            fee_ub=fee_ub,
            hours_ub=hours_ub,
            travel_ub=travel_ub,
        )
        if _fits(model, chosen, budgets):
            return chosen, status
        excluded.append(chosen)
        if attempt >= _REPAIR_ATTEMPTS:
            total_fee = float(model.fees.sum())
            if fee_ub is not None:
                fee_ub -= 0.5 + 1e-6 * total_fee
            if travel_ub is not None:
                travel_ub -= 0.5 + 1e-6 * float(model.travel.sum())
            if hours_ub is not None:
                hours_ub -= 1e-6 * float(model.hours.sum())
    raise RuntimeError("The portfolio solver kept returning solutions over budget.")


def _moves(
    model: _Model, chosen: npt.NDArray[np.bool_], gain: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The exact change of the objective when adding each network (out) or dropping each
    network (in), one at a time."""
    p = model.penalty
    if not model.pair_i.size:
        return gain.copy(), -gain
    n = len(model.ids)
    duplication, partner, second = _duplication(model, chosen, second=True)
    # Adding k charges k its own duplication and raises the duplication of chosen networks
    # below k whose largest overlap it exceeds (summed over the pairs in row-major order).
    i, j = model.pair_i, model.pair_j
    raised = np.where(chosen[i], np.maximum(model.pair_o - duplication[i], 0.0), 0.0)
    add = gain - p * duplication - p * np.bincount(j, weights=raised, minlength=n)
    # Dropping k loses its net gain and lowers, to their second largest overlap, the chosen
    # networks whose largest overlap was with k.
    relieved = chosen & (duplication > 0)
    relief = np.bincount(partner[relieved], weights=(duplication - second)[relieved], minlength=n)
    drop = -(gain - p * duplication) + p * relief
    return add, drop


def _greedy_fill(
    model: _Model,
    chosen: npt.NDArray[np.bool_],
    free: npt.NDArray[np.bool_],
    gain: npt.NDArray[np.float64],
    usage: npt.NDArray[np.float64],
    fee_cap: float,
    hours_cap: float,
    trip_cap: float = math.inf,
) -> None:
    """Add networks to ``chosen`` one at a time, each time the one that fits (budgets, its
    required members chosen) with the largest positive gain per share of budget, the smallest
    index among ties, until none fits.

    The gains come from `_moves` once; after that a heap keeps the candidates best first,
    and adding k recomputes (with the same arithmetic, so the same floats) the gain only of
    the networks it can change: those in an overlapping pair with k or with a network below
    k, and the candidates it unlocks. A few hundred networks thus cost one vectorised pass
    and a little work per network added, not a pass per network added.
    """
    n = len(model.ids)
    p = model.penalty
    req = model.requires
    fees: list[float] = model.fees.astype(np.float64).tolist()  # whole minor units: exact sums
    hours: list[float] = model.hours.tolist()
    trips: list[float] = model.travel.astype(np.float64).tolist()
    budgeted = math.isfinite(fee_cap) or math.isfinite(hours_cap) or math.isfinite(trip_cap)
    missing = (req & ~chosen[None, :]).sum(axis=1)
    needed_by = req.T
    has_dependants: list[bool] = np.asarray(needed_by.any(axis=1), dtype=bool).tolist()
    above: list[list[int]] = [[] for _ in range(n)]
    below: list[list[tuple[int, float]]] = [[] for _ in range(n)]  # by weaker network, in order
    for i, j, o in zip(
        model.pair_i.tolist(), model.pair_j.tolist(), model.pair_o.tolist(), strict=True
    ):
        above[i].append(j)
        below[j].append((i, o))
    duplication: list[float] = _duplication(model, chosen)[0].tolist()
    is_chosen: list[bool] = chosen.tolist()
    is_free: list[bool] = free.tolist()
    gains: list[float] = gain.tolist()
    usages: list[float] = usage.tolist()
    fee_used = float(model.fees[chosen].sum())
    trip_used = float(model.travel[chosen].sum())
    hours_used = float(model.hours[chosen].sum())

    def add_of(x: int) -> float:  # `_moves`'s add for one network (same operations, in order)
        raised = 0.0
        for i, o in below[x]:
            if is_chosen[i]:
                raised += max(o - duplication[i], 0.0)
        return gains[x] - p * duplication[x] - p * raised

    def fits(x: int) -> bool:
        return (
            fee_used + fees[x] <= fee_cap
            and trip_used + trips[x] <= trip_cap
            and hours_used + hours[x] <= hours_cap
        )

    add, _ = _moves(model, chosen, gain)
    start = free & ~chosen & (missing == 0) & (add > 0)
    version = [0] * n
    heap = [
        (-(a / u), x, 0)
        for x, a, u in zip(
            np.flatnonzero(start).tolist(), add[start].tolist(), usage[start].tolist(), strict=True
        )
    ]
    heapq.heapify(heap)
    while heap:
        _, k, seen = heapq.heappop(heap)
        if seen != version[k] or is_chosen[k]:
            continue  # stale: its gain changed since
        if budgeted and not fits(k):
            version[k] = -1  # the budget left only shrinks: it will never fit
            continue
        chosen[k] = is_chosen[k] = True
        if budgeted:
            fee_used += fees[k]
            trip_used += trips[k]
            hours_used = float(model.hours[chosen].sum())  # summed as `_local_search` does
        touched = set(above[k])
        for i, o in below[k]:
            touched.add(i)
            touched.update(above[i])
            if o > duplication[i]:
                duplication[i] = o
        if has_dependants[k]:
            unlocked = needed_by[k] & (missing == 1)
            missing -= needed_by[k]
            touched.update(np.flatnonzero(unlocked).tolist())
        for x in touched:
            if is_chosen[x] or not is_free[x] or missing[x] or version[x] < 0:
                continue
            version[x] += 1
            a = add_of(x)
            if a > 0 and (not budgeted or fits(x)):
                heapq.heappush(heap, (-(a / usages[x]), x, version[x]))


def _local_search(model: _Model, *, budgets: bool = True) -> npt.NDArray[np.bool_]:
    """A quick feasible portfolio: greedy by gain per share of budget, then the best single
    add, drop or swap until none helps. Every step keeps the budgets, locks and requirements
    and strictly raises the objective (swaps are re-checked exactly); deterministic, not
    proven best."""
    n = len(model.ids)
    req = model.requires
    chosen: npt.NDArray[np.bool_] = (model.fixed == _IN).copy()
    free = model.fixed == _FREE
    fee_cap = np.inf if not budgets or model.fee_budget is None else float(model.fee_budget)
    hours_cap = (
        np.inf
        if not budgets or model.hours_budget is None
        else model.hours_budget + _hours_tolerance(model.hours_budget)
    )
    fees = model.fees.astype(np.float64)
    trips = model.travel.astype(np.float64)
    trip_cap = np.inf if not budgets or model.travel_budget is None else float(model.travel_budget)
    gain = model.coef + TIE
    usage = np.full(n, 1e-9)
    if np.isfinite(fee_cap):
        usage += fees / max(fee_cap, 1.0)
    if np.isfinite(trip_cap):
        usage += trips / max(trip_cap, 1.0)
    if np.isfinite(hours_cap):
        usage += model.hours / max(hours_cap, 1e-9)

    def room() -> tuple[float, float, float, npt.NDArray[np.int64]]:
        missing = (req & ~chosen[None, :]).sum(axis=1)
        used = float(fees[chosen].sum()), float(trips[chosen].sum())
        return used[0], used[1], float(model.hours[chosen].sum()), missing

    _greedy_fill(model, chosen, free, gain, usage, fee_cap, hours_cap, trip_cap)
    for _step in range(10 * n + 10):  # improvement by single moves
        add, drop = _moves(model, chosen, gain)
        fee_used, trip_used, hours_used, missing = room()
        needed = (req & chosen[:, None]).any(axis=0)
        ins = np.flatnonzero(free & chosen & ~needed)
        outs = np.flatnonzero(free & ~chosen & (missing == 0))
        best = 1e-12
        move: tuple[int | None, int | None] | None = None
        if outs.size:
            ok = (fee_used + fees[outs] <= fee_cap) & (hours_used + model.hours[outs] <= hours_cap)
            ok &= trip_used + trips[outs] <= trip_cap
            scores = np.where(ok, add[outs], -np.inf)
            k = int(np.argmax(scores))
            if scores[k] > best:
                best, move = float(scores[k]), (None, int(outs[k]))
        if ins.size:
            k = int(np.argmax(drop[ins]))
            if drop[ins][k] > best:
                best, move = float(drop[ins][k]), (int(ins[k]), None)
        if ins.size and outs.size:
            swap = drop[ins][:, None] + add[outs][None, :]
            ok = fee_used - fees[ins][:, None] + fees[outs][None, :] <= fee_cap
            ok &= trip_used - trips[ins][:, None] + trips[outs][None, :] <= trip_cap
            ok &= hours_used - model.hours[ins][:, None] + model.hours[outs][None, :] <= hours_cap
            ok &= ~req[np.ix_(outs, ins)].T  # the added network must not need the dropped one
            swap = np.where(ok, swap, -np.inf)
            a, b = np.unravel_index(int(np.argmax(swap)), swap.shape)
            if swap[a, b] > best:
                trial = chosen.copy()
                trial[ins[a]], trial[outs[b]] = False, True
                if _objective(model, trial) > _objective(model, chosen) + 1e-12:
                    move = (int(ins[a]), int(outs[b]))
        if move is None:
            break
        drop_k, add_k = move
        if drop_k is not None:
            chosen[drop_k] = False
        if add_k is not None:
            chosen[add_k] = True
    return chosen


def optimise_portfolio(
    items: Sequence[PortfolioItem],
    *,
    overlap: npt.NDArray[np.float64] | None = None,
    overlap_penalty: float = 0.0,
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    search: Search = "exact",
    travel_budget: int | None = None,
) -> PortfolioResult:
    """Choose the memberships (see the module docstring for the program).

    ``overlap`` is a symmetric (n, n) matrix aligned with ``items``; only pairs with a
    positive overlap among networks that may be chosen get a pair variable. Raises
    `CriteriaError` when the networks locked to keep already break a budget, or a network is
    locked to keep although the city is not eligible for it. Members held until assessed
    may exceed a budget: it is then raised to what they need (``over_committed``).

    ``status``: `NO_BUDGET_STATUS` without budgets, ``NOT_BINDING_STATUS`` when the portfolio
    chosen without budgets fits them, ``"optimal"`` when HiGHS proved a budget-constrained
    portfolio best, ``"time limit..."`` after ``time_limit`` seconds (best found, with its
    gap), `QUICK_STATUS` for ``search="quick"`` (greedy plus single moves: milliseconds for
    hundreds of networks, for the live preview; feasible but not proven best).

    >>> items = [
    ...     PortfolioItem("c40", value=0.8, fee=5_000_000, hours=200, is_member=True, bar=0.45),
    ...     PortfolioItem("iclei", value=0.6, fee=3_000_000, hours=100, is_member=True, bar=0.45),
    ...     PortfolioItem("uclg", value=0.7, fee=2_500_000, hours=50, is_member=False, bar=0.6),
    ... ]
    >>> result = optimise_portfolio(items, fee_budget=6_000_000)
    >>> sorted(result.selected), result.reasons["iclei"].code, result.binding
    (['c40'], 'over budget', ['fee'])
    >>> sorted(optimise_portfolio(items).selected)
    ['c40', 'iclei', 'uclg']
    """
    if search not in ("exact", "quick"):
        raise ValueError(f"search must be 'exact' or 'quick', not {search!r}")
    model = _build(items, overlap, overlap_penalty, fee_budget, hours_budget, travel_budget)
    has_budget = (
        model.fee_budget is not None
        or model.hours_budget is not None
        or model.travel_budget is not None
    )
    if model.pair_i.size == 0:
        free_choice = _separable(model)
        status = "optimal"
    elif search == "quick":
        free_choice, status = _local_search(model, budgets=False), QUICK_STATUS
    else:
        free_choice, status = _exact(model, budgets=False, time_limit=time_limit)
    if not has_budget:
        return _result(model, free_choice, NO_BUDGET_STATUS if status == "optimal" else status)
    if _fits(model, free_choice):
        return _result(model, free_choice, NOT_BINDING_STATUS if status == "optimal" else status)
    if search == "quick":
        return _result(model, _local_search(model), QUICK_STATUS)
    chosen, status = _exact(model, budgets=True, time_limit=time_limit)
    return _result(model, chosen, status)


def objective_of(
    items: Sequence[PortfolioItem],
    chosen: frozenset[str],
    *,
    overlap: npt.NDArray[np.float64] | None = None,
    overlap_penalty: float = 0.0,
) -> float:
    """The objective of any portfolio (for comparisons), without the tie bonus."""
    model = _build(items, overlap, overlap_penalty, None, None)
    x = np.array([i in chosen for i in model.ids], dtype=bool)
    return _objective(model, x)
