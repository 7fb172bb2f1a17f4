"""Tests for scoring.portfolio: the MILP against brute force, budgets, locks and reasons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring.portfolio as portfolio_module
from criteria.errors import CriteriaError
from scoring.portfolio import (
    NO_BUDGET_STATUS,
    QUICK_STATUS,
    PortfolioItem,
    brute_force_portfolio,
    format_minor_units,
    optimise_portfolio,
)


@st.composite
def problems(draw: st.DrawFn) -> dict[str, object]:
    """Random portfolio problems of up to 12 networks whose locks never break a budget."""
    n = draw(st.integers(min_value=0, max_value=12))
    items = []
    for k in range(n):
        lock = draw(st.sampled_from([None, None, None, None, "keep", "exclude"]))
        eligible = draw(st.sampled_from([True, True, True, None, False]))
        if lock == "keep":
            eligible = draw(st.sampled_from([True, None]))
        items.append(
            PortfolioItem(
                id=f"n{k}",
                value=draw(st.floats(min_value=0.0, max_value=1.0)),
                fee=draw(st.integers(min_value=0, max_value=2_000_000)),
                hours=draw(st.integers(min_value=0, max_value=400)) / 2,
                is_member=draw(st.booleans()),
                eligible=eligible,
                lock=lock,
                leave_cost=draw(st.sampled_from([0.0, 0.0, 0.05, 0.2])),
                join_cost=draw(st.sampled_from([0.0, 0.0, 0.05, 0.2])),
            )
        )
    upper = np.triu(
        np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 0.0, 0.0, 0.1, 0.25, 0.5, 1.0]),
                    min_size=n * n,
                    max_size=n * n,
                )
            ),
            dtype=np.float64,
        ).reshape(n, n),
        k=1,
    )
    kept_fee = sum(item.fee for item in items if item.lock == "keep")
    kept_hours = sum(item.hours for item in items if item.lock == "keep")
    fee_budget = draw(st.one_of(st.none(), st.integers(0, 8_000_000).map(lambda b: b + kept_fee)))
    hours_budget = draw(st.one_of(st.none(), st.integers(0, 800).map(lambda h: h + kept_hours)))
    return {
        "items": items,
        "overlap": upper + upper.T,
        "overlap_penalty": draw(st.sampled_from([0.0, 0.1, 0.5, 2.0])),
        "fee_budget": fee_budget,
        "hours_budget": hours_budget,
        "min_value": draw(st.sampled_from([0.0, 0.2, 0.5])),
    }


@settings(max_examples=60, deadline=None)
@given(problems())
def test_milp_matches_brute_force(problem: dict[str, object]) -> None:
    milp_result = optimise_portfolio(**problem)  # type: ignore[arg-type]
    brute = brute_force_portfolio(**problem)  # type: ignore[arg-type]
    assert milp_result.objective == pytest.approx(brute.objective, abs=1e-7)
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    by_id = {item.id: item for item in items}
    for result in (milp_result, brute):
        fee_budget = problem["fee_budget"]
        hours_budget = problem["hours_budget"]
        assert result.fee_used == sum(by_id[i].fee for i in result.selected)
        if fee_budget is not None:
            assert result.fee_used <= fee_budget  # type: ignore[operator]
        if hours_budget is not None:
            assert result.hours_used <= hours_budget + 1e-9  # type: ignore[operator]
        for item in items:
            if item.lock == "keep":
                assert item.id in result.selected
            if item.lock == "exclude" or item.eligible is False:
                assert item.id not in result.selected
            if item.lock is None and item.value < problem["min_value"]:  # type: ignore[operator]
                assert item.id not in result.selected
        assert set(result.reasons) == set(by_id)


def _item(name: str, value: float, fee: int = 0, hours: float = 0.0, **kw: object) -> PortfolioItem:
    return PortfolioItem(name, value=value, fee=fee, hours=hours, is_member=False, **kw)  # type: ignore[arg-type]


def test_budget_picks_the_better_pair_over_the_single_best() -> None:
    items = [_item("a", 0.9, fee=300), _item("b", 0.5, fee=200), _item("c", 0.5, fee=200)]
    result = optimise_portfolio(items, fee_budget=400)
    assert result.selected == {"b", "c"}
    assert result.reasons["a"] == "over fee budget"
    assert result.binding == ["fee"]
    assert result.objective == pytest.approx(1.0)
    assert result.status == "optimal"


def test_hours_budget_binds() -> None:
    items = [_item("a", 0.9, hours=100), _item("b", 0.5, hours=60)]
    result = optimise_portfolio(items, hours_budget=120)
    assert result.selected == {"a"}
    assert result.reasons["b"] == "over hours budget"
    assert result.binding == ["hours"]


def test_overlap_penalty_drops_the_weaker_duplicate() -> None:
    items = [_item("a", 0.6, fee=1), _item("b", 0.4, fee=1), _item("c", 0.3, fee=1)]
    overlap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    result = optimise_portfolio(items, overlap=overlap, overlap_penalty=0.5, fee_budget=3)
    # a+b+c = 1.3 - 0.5 = 0.8 < a+c = 0.9 (the budget fits all three)
    assert result.selected == {"a", "c"}
    assert result.reasons["b"] == "overlaps with a"
    assert result.binding == []
    assert result.objective == pytest.approx(0.9)


def test_without_budget_the_value_threshold_decides() -> None:
    items = [_item("a", 0.7), _item("b", 0.5, join_cost=0.6), _item("c", 0.49)]
    overlap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    result = optimise_portfolio(items, overlap=overlap, overlap_penalty=2.0, min_value=0.5)
    # value >= 0.5 is chosen; overlap and switching costs do not arbitrate without scarcity
    assert result.selected == {"a", "b"}
    assert result.reasons == {"a": "selected", "b": "selected", "c": "below value threshold"}
    assert result.status == NO_BUDGET_STATUS
    assert result.objective == pytest.approx(0.7 + 0.5 - 0.6 - 2.0)
    assert result.binding == []


def test_per_network_thresholds() -> None:
    items = [_item("member", 0.5), _item("candidate", 0.5)]
    result = optimise_portfolio(items, min_value={"member": 0.45, "candidate": 0.6})
    assert result.selected == {"member"}


def test_switching_costs_enter_the_objective() -> None:
    member = PortfolioItem("m", value=0.3, fee=100, hours=0, is_member=True, leave_cost=0.25)
    candidate = PortfolioItem("c", value=0.5, fee=100, hours=0, is_member=False, join_cost=0.25)
    result = optimise_portfolio([member, candidate], fee_budget=100)
    # keep m: 0.3 ; switch to c: 0.5 - 0.25 join - 0.25 leave = 0.0
    assert result.selected == {"m"}
    assert result.objective == pytest.approx(0.3)
    free_switch = optimise_portfolio(
        [member, PortfolioItem("c", value=0.9, fee=100, hours=0, is_member=False)],
        fee_budget=100,
    )
    assert free_switch.selected == {"c"}
    assert free_switch.objective == pytest.approx(0.9 - 0.25)


def test_a_join_cost_above_value_keeps_a_candidate_out() -> None:
    result = optimise_portfolio([_item("c", 0.2, join_cost=0.3)], fee_budget=10)
    assert result.selected == frozenset()
    assert result.reasons["c"] == "costs more than it adds"


def test_locks_and_eligibility_are_respected() -> None:
    items = [
        _item("keep", 0.1, fee=100, lock="keep"),
        _item("out", 0.9, lock="exclude"),
        _item("ineligible", 0.9, eligible=False),
        _item("unknown", 0.8, eligible=None),
    ]
    result = optimise_portfolio(items, fee_budget=100)
    assert result.selected == {"keep", "unknown"}
    assert result.reasons == {
        "keep": "locked: must keep",
        "out": "locked: excluded",
        "ineligible": "not eligible",
        "unknown": "selected (eligibility not confirmed)",
    }


def test_locks_over_the_fee_budget_raise_a_readable_error() -> None:
    items = [
        _item("c40", 0.5, fee=600_000, lock="keep"),
        _item("uclg", 0.5, fee=500_000, lock="keep"),
    ]
    with pytest.raises(CriteriaError, match=r"locked to keep \(c40, uclg\) cost 11,000\.00"):
        optimise_portfolio(items, fee_budget=1_000_000)
    with pytest.raises(CriteriaError, match="locked to keep"):
        brute_force_portfolio(items, fee_budget=1_000_000)


def test_locks_over_the_hours_budget_raise() -> None:
    items = [_item("a", 0.5, hours=300, lock="keep")]
    with pytest.raises(CriteriaError, match="staff hours"):
        optimise_portfolio(items, hours_budget=200)


def test_keep_lock_on_an_ineligible_network_raises() -> None:
    with pytest.raises(CriteriaError, match="not eligible"):
        optimise_portfolio([_item("a", 0.5, lock="keep", eligible=False)])


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
        optimise_portfolio([_item("a", 0.5)], **kwargs)  # type: ignore[arg-type]


def test_bad_items_raise() -> None:
    with pytest.raises(CriteriaError, match="only once"):
        optimise_portfolio([_item("a", 0.5), _item("a", 0.4)])
    with pytest.raises(CriteriaError, match="negative"):
        optimise_portfolio([_item("a", 0.5, fee=-1)])
    with pytest.raises(CriteriaError, match="not a number"):
        optimise_portfolio([_item("a", float("nan"))])
    with pytest.raises(ValueError, match="shape"):
        optimise_portfolio(
            [_item("a", 0.5), _item("b", 0.5)], overlap=np.zeros((3, 3)), overlap_penalty=1
        )


def test_empty_portfolio() -> None:
    for budget in (0, None):
        result = optimise_portfolio([], fee_budget=budget)
        assert result.selected == frozenset()
        assert result.objective == 0.0


def test_brute_force_refuses_large_problems() -> None:
    with pytest.raises(ValueError, match="at most 14"):
        brute_force_portfolio([_item(f"n{k}", 0.5) for k in range(15)])


def test_large_fees_stay_exact() -> None:
    # Totals in the hundreds of millions of cents: the budget must hold to the cent.
    items = [_item(f"n{k}", 0.5 + k / 100, fee=123_456_789 + k) for k in range(6)]
    budget = sum(item.fee for item in items[:3])
    result = optimise_portfolio(items, fee_budget=budget)
    assert result.fee_used <= budget
    assert result.objective == pytest.approx(
        brute_force_portfolio(items, fee_budget=budget).objective
    )


def test_format_minor_units_negative() -> None:
    assert format_minor_units(-150) == "-1.50"


def test_time_limit_returns_a_feasible_portfolio_and_says_so() -> None:
    rng = np.random.default_rng(3)
    n = 80
    items = [
        _item(
            f"n{k}",
            float(rng.uniform(0.2, 0.9)),
            fee=int(rng.integers(1, 1000)),
            hours=float(rng.integers(1, 50)),
        )
        for k in range(n)
    ]
    upper = np.triu(rng.uniform(0.5, 1.0, (n, n)) * (rng.random((n, n)) < 0.1), k=1)
    problem = {
        "overlap": upper + upper.T,
        "overlap_penalty": 0.3,
        "fee_budget": 10_000,
        "hours_budget": 500.0,
    }
    result = optimise_portfolio(items, time_limit=1e-9, **problem)  # type: ignore[arg-type]
    assert result.status.startswith("time limit")
    assert result.fee_used <= 10_000
    assert result.hours_used <= 500.0
    assert result.selected  # the greedy fallback fills the budget with something useful
    exact = optimise_portfolio(items, time_limit=None, **problem)  # type: ignore[arg-type]
    assert exact.status == "optimal"
    assert exact.objective >= result.objective - 1e-9


def _no_solver(*args: object, **kwargs: object) -> object:
    raise AssertionError("the MILP solver must not run here")


@settings(max_examples=60, deadline=None)
@given(problems(), st.booleans())
def test_without_scarcity_the_rule_equals_brute_force_without_a_solver(
    problem: dict[str, object], with_overlap: bool
) -> None:
    # Budgets every allowed network fits together, and no overlap penalty left: the optimum
    # is each network on its own merit, found without HiGHS, and it equals brute force.
    items: list[PortfolioItem] = problem["items"]  # type: ignore[assignment]
    problem = problem | {
        "fee_budget": sum(item.fee for item in items) + 1,
        "hours_budget": sum(item.hours for item in items) + 1.0,
        "overlap_penalty": problem["overlap_penalty"] if with_overlap else 0.0,
    }
    brute = brute_force_portfolio(**problem)  # type: ignore[arg-type]
    penalised = with_overlap and problem["overlap_penalty"] != 0.0
    original = portfolio_module.milp
    try:
        if not penalised:
            portfolio_module.milp = _no_solver  # type: ignore[assignment]
        result = optimise_portfolio(**problem)  # type: ignore[arg-type]
    finally:
        portfolio_module.milp = original
    assert result.objective == pytest.approx(brute.objective, abs=1e-9)
    assert result.status == "optimal"


def test_a_fitting_budget_with_a_penalised_pair_still_solves_the_program() -> None:
    # Both fit the budget, but together they pay the overlap penalty: dropping b is better.
    items = [_item("a", 0.6, fee=1), _item("b", 0.1, fee=1)]
    overlap = np.array([[0.0, 1.0], [1.0, 0.0]])
    result = optimise_portfolio(items, overlap=overlap, overlap_penalty=0.5, fee_budget=10)
    assert result.selected == {"a"}
    assert result.reasons["b"] == "overlaps with a"


def _random_portfolio(seed: int, n: int = 60) -> tuple[list[PortfolioItem], dict[str, object]]:
    rng = np.random.default_rng(seed)
    items = [
        PortfolioItem(
            f"n{k}",
            value=float(rng.uniform(0.2, 0.9)),
            fee=int(rng.integers(0, 40_000)) * 100,
            hours=float(rng.integers(20, 400)),
            is_member=bool(k % 2),
            lock="keep" if k == 0 else "exclude" if k == 1 else None,
        )
        for k in range(n)
    ]
    upper = np.triu(rng.uniform(0.5, 1.0, (n, n)) * (rng.random((n, n)) < 0.05), k=1)
    return items, {
        "overlap": upper + upper.T,
        "overlap_penalty": 0.2,
        "fee_budget": 300_000_00,
        "hours_budget": 3_000.0,
        "min_value": 0.45,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quick_search_is_feasible_deterministic_and_close(seed: int) -> None:
    items, problem = _random_portfolio(seed)
    quick = optimise_portfolio(items, search="quick", **problem)  # type: ignore[arg-type]
    exact = optimise_portfolio(items, **problem)  # type: ignore[arg-type]
    assert quick.status == QUICK_STATUS
    assert exact.status == "optimal"
    assert quick.fee_used <= 300_000_00
    assert quick.hours_used <= 3_000.0
    assert "n0" in quick.selected
    assert "n1" not in quick.selected
    assert all(item.value >= 0.45 for item in items if item.id in quick.selected - {"n0"})
    assert quick.objective <= exact.objective + 1e-9
    assert quick.objective >= 0.97 * exact.objective
    again = optimise_portfolio(items, search="quick", **problem)  # type: ignore[arg-type]
    assert again.selected == quick.selected


def test_quick_search_is_never_worse_than_greedy() -> None:
    items, problem = _random_portfolio(5)
    prep = portfolio_module._prepare(
        items,
        problem["overlap"],  # type: ignore[arg-type]
        0.2,
        300_000_00,
        3_000.0,
        0.45,
    )
    greedy = portfolio_module._objective(prep, portfolio_module._greedy(prep))
    quick = optimise_portfolio(items, search="quick", **problem)  # type: ignore[arg-type]
    assert quick.objective >= greedy - 1e-12


def test_quick_search_without_scarcity_is_exact() -> None:
    items = [_item("a", 0.9, fee=100), _item("b", 0.5, fee=100)]
    result = optimise_portfolio(items, fee_budget=1_000, search="quick")
    assert result.selected == {"a", "b"}
    assert result.status == "optimal"


def test_an_unknown_search_raises() -> None:
    items, problem = _random_portfolio(0, n=10)
    with pytest.raises(ValueError, match="search"):
        optimise_portfolio(items, search="fast", **problem)  # type: ignore[arg-type]


def test_huge_fees_near_the_budget_stay_exact() -> None:
    # Fees of a billion cents: HiGHS's integrality tolerance alone could hide ten euros.
    items = [_item(f"n{k}", 0.5 + k / 50, fee=1_000_000_007 * (k + 1) + k) for k in range(8)]
    budget = items[2].fee + items[5].fee + items[7].fee - 1
    result = optimise_portfolio(items, fee_budget=budget)
    assert result.fee_used <= budget
    assert result.objective == pytest.approx(
        brute_force_portfolio(items, fee_budget=budget).objective, abs=1e-9
    )
