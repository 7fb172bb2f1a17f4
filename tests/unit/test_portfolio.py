"""Tests for scoring.portfolio: the MILP against brute force, budgets, locks and reasons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.errors import CriteriaError
from scoring.portfolio import (
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
    items = [_item("a", 0.6), _item("b", 0.4), _item("c", 0.3)]
    overlap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    result = optimise_portfolio(items, overlap=overlap, overlap_penalty=0.5)
    # a+b+c = 1.3 - 0.5 = 0.8 < a+c = 0.9
    assert result.selected == {"a", "c"}
    assert result.reasons["b"] == "overlaps with a"
    assert result.objective == pytest.approx(0.9)


def test_without_budget_the_value_threshold_decides() -> None:
    items = [_item("a", 0.7), _item("b", 0.5), _item("c", 0.49)]
    result = optimise_portfolio(items, min_value=0.5)
    assert result.selected == {"a", "b"}
    assert result.reasons["c"] == "below value threshold"
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
    result = optimise_portfolio([_item("c", 0.2, join_cost=0.3)])
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
    result = optimise_portfolio([], fee_budget=0)
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
