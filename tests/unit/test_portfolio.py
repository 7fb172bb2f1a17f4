"""Tests for scoring.portfolio: the program against an independent brute force, the
status-quo properties, budgets, locks and the reason given for every network.

`reference` below re-states the rules of the portfolio in plain Python, from the module
docstring, without any of the module's own code: it enumerates every subset, keeps the
feasible ones and scores them. The program must reach the same optimum.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring.portfolio as pf
from criteria.errors import CriteriaError
from scoring.portfolio import (
    NO_BUDGET_STATUS,
    QUICK_STATUS,
    PortfolioItem,
    format_minor_units,
    optimise_portfolio,
)

# --- an independent reference ----------------------------------------------------------------


def _forced(item: PortfolioItem) -> str | None:
    """'in', 'out' or None: the rules' precedence, written out."""
    if item.lock == "keep":
        return "in"
    if item.lock == "exclude" or item.eligible is False:
        return "out"
    if item.unassessed:
        return "in" if item.is_member else "out"
    if item.value < item.bar:
        return "out"
    return None


def _limits(
    items: Sequence[PortfolioItem],
    fee_budget: int | None,
    hours_budget: float | None,
    travel_budget: int | None,
) -> tuple[int | None, float | None, int | None]:
    """The budgets, raised to what the networks forced in need (they are never dropped)."""
    must = [it for it in items if _forced(it) == "in"]
    return (
        None if fee_budget is None else max(fee_budget, sum(it.fee for it in must)),
        None if hours_budget is None else max(hours_budget, sum(it.hours for it in must)),
        None if travel_budget is None else max(travel_budget, sum(it.travel for it in must)),
    )


def ref_feasible(
    items: Sequence[PortfolioItem],
    chosen: set[int],
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    travel_budget: int | None = None,
) -> bool:
    """The rules, written out: forced networks in or out, the budgets, and a candidate joins
    only if every free member of at least its value stays (every one, if eligibility is not
    confirmed)."""
    forced = [_forced(it) for it in items]
    if any(f == "in" and k not in chosen for k, f in enumerate(forced)):
        return False
    if any(f == "out" and k in chosen for k, f in enumerate(forced)):
        return False
    fee, hours, travel = _limits(items, fee_budget, hours_budget, travel_budget)
    if fee is not None and sum(items[k].fee for k in chosen) > fee:
        return False
    if hours is not None and sum(items[k].hours for k in chosen) > hours + 1e-9:
        return False
    if travel is not None and sum(items[k].travel for k in chosen) > travel:
        return False
    free_members = [k for k, f in enumerate(forced) if f is None and items[k].is_member]
    for c in chosen:
        if forced[c] is not None or items[c].is_member:
            continue
        for m in free_members:
            needs = items[c].eligible is None or items[m].value >= items[c].value
            if needs and m not in chosen:
                return False
    return True


def ref_score(
    items: Sequence[PortfolioItem],
    chosen: set[int],
    overlap: np.ndarray | None = None,
    overlap_penalty: float = 0.0,
) -> float:
    """The objective, written out: each chosen network's value above its bar, less the cost of
    joining for a candidate, less the penalty times its largest overlap with a stronger chosen
    network; each member left out costs its switching cost."""
    forced = [_forced(it) for it in items]

    def stronger(j: int, i: int) -> bool:
        a, b = items[j], items[i]
        return (a.value, b.id) > (b.value, a.id)  # higher value, then smaller id

    total = 0.0
    for k, it in enumerate(items):
        if k in chosen:
            total += it.value - it.bar - (0.0 if it.is_member else it.switch_cost)
            if overlap is not None:
                dup = [
                    min(overlap[k, j], 1.0)
                    for j in chosen
                    if j != k and stronger(j, k) and forced[j] != "out"
                ]
                total -= overlap_penalty * max(dup, default=0.0)
        elif it.is_member:
            total -= it.switch_cost
    return total


def reference(
    items: Sequence[PortfolioItem],
    overlap: np.ndarray | None = None,
    overlap_penalty: float = 0.0,
    fee_budget: int | None = None,
    hours_budget: float | None = None,
    travel_budget: int | None = None,
) -> tuple[float, frozenset[str]]:
    """The best objective over every feasible subset, and one subset reaching it."""
    n = len(items)
    forced = [_forced(it) for it in items]
    must = {k for k in range(n) if forced[k] == "in"}
    free = [k for k in range(n) if forced[k] is None]
    best: tuple[float, frozenset[str]] = (-np.inf, frozenset())
    for bits in itertools.product((0, 1), repeat=len(free)):
        chosen = must | {k for k, b in zip(free, bits, strict=True) if b}
        if not ref_feasible(items, chosen, fee_budget, hours_budget, travel_budget):
            continue
        total = ref_score(items, chosen, overlap, overlap_penalty)
        if total > best[0] + 1e-12:
            best = (total, frozenset(items[k].id for k in chosen))
    return best


def _indices(items: Sequence[PortfolioItem], ids: frozenset[str]) -> set[int]:
    return {k for k, it in enumerate(items) if it.id in ids}


# --- random problems -------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn, max_size: int = 9) -> dict[str, object]:
    """Random portfolio problems whose locks never break a budget."""
    n = draw(st.integers(min_value=0, max_value=max_size))
    items = []
    for k in range(n):
        member = draw(st.booleans())
        lock = draw(st.sampled_from([None] * 6 + ["keep", "exclude"]))
        eligible = draw(st.sampled_from([True, True, True, None, False]))
        if lock == "keep":
            eligible = draw(st.sampled_from([True, None]))
        items.append(
            PortfolioItem(
                id=f"n{k}",
                value=draw(st.sampled_from([0.3, 0.45, 0.5, 0.55, 0.6, 0.62, 0.7, 0.8, 0.9])),
                fee=draw(st.integers(min_value=0, max_value=2_000_000)),
                hours=draw(st.integers(min_value=0, max_value=400)) / 2,
                is_member=member,
                eligible=eligible,
                lock=lock,
                bar=0.45 if member else 0.6,
                switch_cost=draw(st.sampled_from([0.0, 0.02, 0.05])),
                unassessed=draw(st.sampled_from([False] * 7 + [True])),
                travel=draw(st.sampled_from([0, 0, 50_000, 300_000])),
            )
        )
    upper = np.triu(
        np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0] * 4 + [0.5, 0.8, 1.0]), min_size=n * n, max_size=n * n
                )
            ),
            dtype=np.float64,
        ).reshape(n, n),
        k=1,
    )
    kept_fee = sum(item.fee for item in items if item.lock == "keep")
    kept_hours = sum(item.hours for item in items if item.lock == "keep")
    fee_budget = draw(st.one_of(st.none(), st.integers(0, 6_000_000).map(lambda b: b + kept_fee)))
    hours_budget = draw(st.one_of(st.none(), st.integers(0, 600).map(lambda h: h + kept_hours)))
    kept_travel = sum(item.travel for item in items if item.lock == "keep")
    travel_budget = draw(
        st.one_of(st.none(), st.integers(0, 600_000).map(lambda b: b + kept_travel))
    )
    return {
        "items": items,
        "overlap": upper + upper.T,
        "overlap_penalty": draw(st.sampled_from([0.0, 0.1, 0.3])),
        "fee_budget": fee_budget,
        "hours_budget": hours_budget,
        "travel_budget": travel_budget,
    }


def _check_feasible(problem: dict[str, object], result: pf.PortfolioResult) -> None:
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    by_id = {item.id: item for item in items}
    assert result.fee_used == sum(by_id[i].fee for i in result.selected)
    for item in items:
        forced = _forced(item)
        if forced == "in":
            assert item.id in result.selected, item
        if forced == "out":
            assert item.id not in result.selected, item
    assert set(result.reasons) == set(by_id)


@settings(max_examples=80, deadline=None)
@given(problems())
def test_the_program_reaches_the_reference_optimum(problem: dict[str, object]) -> None:
    result = optimise_portfolio(**problem)  # type: ignore[arg-type]
    best, _ = reference(**problem)  # type: ignore[arg-type]
    # The program adds a tie bonus of 1e-7 per chosen network; the objective it reports has none.
    assert result.objective == pytest.approx(best, abs=2e-6)
    # Its choice, scored and checked by the reference's own code (not the module's objective):
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    chosen = _indices(items, result.selected)
    budgets = {k: problem[k] for k in ("fee_budget", "hours_budget", "travel_budget")}
    assert ref_feasible(items, chosen, **budgets)  # type: ignore[arg-type]
    score = ref_score(items, chosen, problem["overlap"], problem["overlap_penalty"])  # type: ignore[arg-type]
    assert score == pytest.approx(best, abs=2e-6)
    _check_feasible(problem, result)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_a_budget_that_does_not_bind_changes_nothing(problem: dict[str, object]) -> None:
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    free = optimise_portfolio(
        **(problem | {"fee_budget": None, "hours_budget": None, "travel_budget": None})  # type: ignore[arg-type]
    )
    roomy = optimise_portfolio(
        **(
            problem
            | {
                "fee_budget": sum(it.fee for it in items) + 10**10,
                "hours_budget": sum(it.hours for it in items) + 10**9,
                "travel_budget": 10**10,
            }
        )  # type: ignore[arg-type]
    )
    assert roomy.selected == free.selected
    assert {k: w.code for k, w in roomy.reasons.items()} == {
        k: w.code for k, w in free.reasons.items()
    }


@settings(max_examples=60, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_the_order_of_the_inputs_changes_nothing(
    problem: dict[str, object], rnd: random.Random
) -> None:
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    order = list(range(len(items)))
    rnd.shuffle(order)
    overlap: np.ndarray = problem["overlap"]  # type: ignore[assignment]
    shuffled = problem | {
        "items": [items[k] for k in order],
        "overlap": overlap[np.ix_(order, order)],
    }
    assert optimise_portfolio(**shuffled).selected == optimise_portfolio(**problem).selected  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(problems())
def test_no_member_is_dropped_for_a_candidate_of_no_higher_value(
    problem: dict[str, object],
) -> None:
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    result = optimise_portfolio(**problem)  # type: ignore[arg-type]
    dropped = [
        it for it in items if it.is_member and _forced(it) is None and it.id not in result.selected
    ]
    joined = [
        it for it in items if not it.is_member and _forced(it) is None and it.id in result.selected
    ]
    for member in dropped:
        for candidate in joined:
            assert candidate.value > member.value
            assert candidate.eligible is not None  # never joined at a member's expense


@settings(max_examples=40, deadline=None)
@given(problems(max_size=12))
def test_the_quick_search_keeps_every_rule(problem: dict[str, object]) -> None:
    result = optimise_portfolio(search="quick", **problem)  # type: ignore[arg-type]
    _check_feasible(problem, result)
    if problem["fee_budget"] is not None:
        assert result.fee_used <= max(
            problem["fee_budget"],  # type: ignore[type-var]
            sum(it.fee for it in problem["items"] if _forced(it) == "in"),  # type: ignore[attr-defined]
        )
    exact = optimise_portfolio(**problem)  # type: ignore[arg-type]
    assert result.objective <= exact.objective + 1e-9


# --- examples ---------------------------------------------------------------------------------


def _cand(name: str, value: float, fee: int = 0, hours: float = 0.0, **kw: object) -> PortfolioItem:
    return PortfolioItem(name, value=value, fee=fee, hours=hours, is_member=False, **kw)  # type: ignore[arg-type]


def _member(
    name: str, value: float, fee: int = 0, hours: float = 0.0, **kw: object
) -> PortfolioItem:
    return PortfolioItem(name, value=value, fee=fee, hours=hours, is_member=True, **kw)  # type: ignore[arg-type]


def test_a_network_just_above_its_bar_adds_almost_nothing() -> None:
    # Margins above the join bar: a 0.4, b and c 0.05 each, so two weak networks (0.1
    # together) lose to one strong one under a budget that holds either choice.
    items = [
        _cand("a", 1.0, fee=200, bar=0.6),
        _cand("b", 0.65, fee=100, bar=0.6),
        _cand("c", 0.65, fee=100, bar=0.6),
    ]
    result = optimise_portfolio(items, fee_budget=200)
    assert result.selected == {"a"}
    assert result.reasons["b"].code == pf.OVER_BUDGET
    assert result.reasons["b"].fee_left == 0
    assert result.binding == ["fee"]
    assert result.objective == pytest.approx(0.4)


def test_the_bars_hold_without_a_budget() -> None:
    items = [
        _member("keep", 0.45, bar=0.45),
        _member("go", 0.449, bar=0.45),
        _cand("join", 0.62, bar=0.6, switch_cost=0.02),
        _cand("almost", 0.619, bar=0.6, switch_cost=0.02),
    ]
    result = optimise_portfolio(items)
    assert result.selected == {"keep", "join"}
    assert result.status == NO_BUDGET_STATUS
    assert result.reasons["go"].code == pf.BELOW_BAR
    assert result.reasons["almost"].code == pf.SWITCH_COST


def test_a_forced_trade_needs_a_better_candidate() -> None:
    member = _member("m", 0.60, fee=100, bar=0.45, switch_cost=0.02)
    equal = _cand("c", 0.60, fee=100, bar=0.6)
    assert optimise_portfolio([member, equal], fee_budget=100).selected == {"m"}
    better = _cand("c", 0.95, fee=100, bar=0.6, switch_cost=0.02)
    # keep m: 0.15 ; switch: 0.35 - 0.02 join - 0.02 leave = 0.31
    result = optimise_portfolio([member, better], fee_budget=100)
    assert result.selected == {"c"}
    assert result.reasons["m"].code == pf.OVER_BUDGET
    assert result.objective == pytest.approx(0.31)


def test_a_member_of_at_least_the_same_value_keeps_priority() -> None:
    # Both fit only one at a time with the cheap candidate; joining c would need dropping m.
    member = _member("m", 0.61, fee=100, bar=0.45)
    candidate = _cand("c", 0.61, fee=50, bar=0.45)
    other = _cand("o", 0.9, fee=50, bar=0.45)
    result = optimise_portfolio([member, candidate, other], fee_budget=150)
    assert result.selected == {"m", "o"}
    assert result.reasons["c"].code == pf.OVER_BUDGET


def test_priority_is_named_when_the_budget_is_not_the_reason() -> None:
    # The budget cannot hold m; c would fit the money left, but joining c while leaving m, a
    # member of the same value, is not allowed: c names m as the member that keeps priority.
    member = _member("m", 0.61, fee=200, bar=0.45)
    candidate = _cand("c", 0.61, fee=50, bar=0.45)
    other = _cand("o", 0.9, fee=50, bar=0.45)
    result = optimise_portfolio([member, candidate, other], fee_budget=100)
    assert result.selected == {"o"}
    assert result.reasons["m"].code == pf.OVER_BUDGET
    why = result.reasons["c"]
    assert (why.code, why.partner) == (pf.PRIORITY, "m")


def test_unconfirmed_eligibility_never_costs_a_member_its_place() -> None:
    member = _member("m", 0.5, fee=100, bar=0.45)
    unknown = _cand("u", 0.99, fee=100, bar=0.6, eligible=None)
    result = optimise_portfolio([member, unknown], fee_budget=100)
    assert result.selected == {"m"}
    assert result.reasons["u"].code == pf.OVER_BUDGET
    roomy = optimise_portfolio([member, unknown], fee_budget=200)
    assert roomy.selected == {"m", "u"}


def test_overlap_is_charged_once_to_the_weaker_network() -> None:
    # a is the strongest climate network; b and c repeat it. b overlaps with a (1.0) and c
    # (1.0) but pays only its largest overlap with a stronger chosen network, once.
    items = [_cand("a", 0.9, bar=0.6), _cand("b", 0.7, bar=0.6), _cand("c", 0.8, bar=0.6)]
    overlap = np.array([[0, 1.0, 0.5], [1.0, 0, 1.0], [0.5, 1.0, 0]])
    result = optimise_portfolio(items, overlap=overlap, overlap_penalty=0.15)
    # b: margin 0.1 < 0.15 * 1.0 -> out; c: margin 0.2 > 0.15 * 0.5 -> in; a never pays.
    assert result.selected == {"a", "c"}
    why = result.reasons["b"]
    assert (why.code, why.partner, why.overlap, why.penalty) == (pf.OVERLAP, "a", 1.0, 0.15)
    assert result.objective == pytest.approx(0.3 + 0.2 - 0.075)


def test_locks_eligibility_and_evidence_fix_their_networks() -> None:
    items = [
        _cand("keep", 0.1, fee=100, lock="keep", bar=0.6),
        _cand("out", 0.9, lock="exclude", bar=0.6),
        _cand("ineligible", 0.9, eligible=False, bar=0.6),
        _cand("unassessed", 0.9, unassessed=True, bar=0.6),
        _member("held", 0.1, unassessed=True, bar=0.45),
    ]
    result = optimise_portfolio(items, fee_budget=100)
    assert result.selected == {"keep", "held"}
    assert {k: w.code for k, w in result.reasons.items()} == {
        "keep": pf.LOCKED_IN,
        "out": pf.LOCKED_OUT,
        "ineligible": pf.NOT_ELIGIBLE,
        "unassessed": pf.UNASSESSED,
        "held": pf.HELD,
    }


def test_a_travel_budget_of_its_own_binds_travel_only() -> None:
    items = [
        _cand("a", 0.9, fee=100, bar=0.6, travel=500),
        _cand("b", 0.8, fee=100, bar=0.6, travel=400),
    ]
    result = optimise_portfolio(items, fee_budget=1_000, travel_budget=600)
    assert result.selected == {"a"}
    why = result.reasons["b"]
    assert (why.code, why.over, why.travel_left) == (pf.OVER_BUDGET, ("travel",), 100)
    assert result.binding == ["travel"]
    assert result.travel_used == 500
    assert optimise_portfolio(items, fee_budget=1_000).selected == {"a", "b"}


def test_held_members_over_the_budget_raise_it_and_say_so() -> None:
    items = [
        _member("held", 0.5, fee=500, unassessed=True, bar=0.45),
        _cand("c", 0.9, fee=1, bar=0.6),
    ]
    result = optimise_portfolio(items, fee_budget=100)
    assert result.selected == {"held"}
    assert result.over_committed == ("fee",)
    assert result.fee_budget == 500


def test_locks_over_the_fee_budget_raise_a_readable_error() -> None:
    items = [
        _cand("c40", 0.5, fee=600_000, lock="keep"),
        _cand("uclg", 0.5, fee=500_000, lock="keep"),
    ]
    with pytest.raises(CriteriaError, match=r"locked to keep \(c40, uclg\) cost 11,000\.00"):
        optimise_portfolio(items, fee_budget=1_000_000)


def test_locks_over_the_hours_budget_raise() -> None:
    with pytest.raises(CriteriaError, match="staff hours"):
        optimise_portfolio([_cand("a", 0.5, hours=300, lock="keep")], hours_budget=200)


def test_keep_lock_on_an_ineligible_network_raises() -> None:
    with pytest.raises(CriteriaError, match="not eligible"):
        optimise_portfolio([_cand("a", 0.5, lock="keep", eligible=False)])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overlap_penalty": -1.0}, "overlap penalty"),
        ({"fee_budget": -1}, "fee budget"),
        ({"hours_budget": -1.0}, "staff-hours budget"),
    ],
)
def test_bad_parameters_raise(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        optimise_portfolio([_cand("a", 0.5)], **kwargs)  # type: ignore[arg-type]


def test_bad_items_raise() -> None:
    with pytest.raises(CriteriaError, match="only once"):
        optimise_portfolio([_cand("a", 0.5), _cand("a", 0.4)])
    with pytest.raises(CriteriaError, match="negative"):
        optimise_portfolio([_cand("a", 0.5, fee=-1)])
    with pytest.raises(CriteriaError, match="not a number"):
        optimise_portfolio([_cand("a", float("nan"))])
    with pytest.raises(ValueError, match="shape"):
        optimise_portfolio(
            [_cand("a", 0.5), _cand("b", 0.5)], overlap=np.zeros((3, 3)), overlap_penalty=1
        )
    with pytest.raises(ValueError, match="search"):
        optimise_portfolio([_cand("a", 0.5)], search="fast")  # type: ignore[arg-type]


def test_empty_portfolio() -> None:
    for budget in (0, None):
        result = optimise_portfolio([], fee_budget=budget)
        assert result.selected == frozenset()
        assert result.objective == 0.0


def test_huge_fees_near_the_budget_stay_exact() -> None:
    # Fees of a billion cents: HiGHS's integrality tolerance alone could hide ten euros.
    items = [_cand(f"n{k}", 0.5 + k / 50, fee=1_000_000_007 * (k + 1) + k) for k in range(8)]
    budget = items[2].fee + items[5].fee + items[7].fee - 1
    result = optimise_portfolio(items, fee_budget=budget)
    assert result.fee_used <= budget
    assert result.objective == pytest.approx(reference(items, fee_budget=budget)[0], abs=1e-6)


def test_format_minor_units() -> None:
    assert format_minor_units(-150) == "-1.50"
    assert format_minor_units(123_456_78) == "123,456.78"


def _random(seed: int, n: int = 60) -> tuple[list[PortfolioItem], dict[str, object]]:
    rng = np.random.default_rng(seed)
    items = [
        PortfolioItem(
            f"n{k}",
            value=float(rng.uniform(0.3, 0.9)),
            fee=int(rng.integers(0, 40_000)) * 100,
            hours=float(rng.integers(20, 400)),
            is_member=bool(k % 2),
            lock="keep" if k == 0 else "exclude" if k == 1 else None,
            bar=0.45 if k % 2 else 0.6,
            switch_cost=0.02,
        )
        for k in range(n)
    ]
    upper = np.triu(rng.uniform(0.5, 1.0, (n, n)) * (rng.random((n, n)) < 0.05), k=1)
    return items, {
        "overlap": upper + upper.T,
        "overlap_penalty": 0.1,
        "fee_budget": 300_000_00,
        "hours_budget": 3_000.0,
    }


def test_time_limit_returns_a_feasible_portfolio_and_says_so() -> None:
    items, problem = _random(3, n=80)
    result = optimise_portfolio(items, time_limit=1e-9, **problem)  # type: ignore[arg-type]
    assert result.status.startswith("time limit")
    assert result.fee_used <= 300_000_00
    assert result.hours_used <= 3_000.0
    assert result.selected
    exact = optimise_portfolio(items, time_limit=None, **problem)  # type: ignore[arg-type]
    assert exact.status == "optimal"
    assert exact.objective >= result.objective - 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quick_search_is_deterministic_and_close(seed: int) -> None:
    items, problem = _random(seed)
    quick = optimise_portfolio(items, search="quick", **problem)  # type: ignore[arg-type]
    exact = optimise_portfolio(items, **problem)  # type: ignore[arg-type]
    assert quick.status == QUICK_STATUS
    assert exact.status == "optimal"
    assert quick.fee_used <= 300_000_00
    assert "n0" in quick.selected
    assert "n1" not in quick.selected
    assert (
        exact.objective - 0.05 * abs(exact.objective) <= quick.objective <= exact.objective + 1e-9
    )
    again = optimise_portfolio(items, search="quick", **problem)  # type: ignore[arg-type]
    assert again.selected == quick.selected


def _no_solver(*args: object, **kwargs: object) -> object:
    raise AssertionError("the MILP solver must not run here")


def test_without_budget_or_overlap_no_program_is_solved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pf, "milp", _no_solver)
    items, _ = _random(4, n=40)
    result = optimise_portfolio(items)
    assert result.status == NO_BUDGET_STATUS
    assert result.objective == pytest.approx(pf.objective_of(items, result.selected))
