"""The quick portfolio search works on the overlapping pairs, not on n x n matrices, and fills
the portfolio from a heap: it must make exactly the choices of the plain dense algorithm.

The reference below is that plain algorithm, written out with dense matrices (every network's
largest overlap with a chosen network above it, the change of the objective for adding or
dropping each network, recomputed after every step, and the greedy that adds the best
network one at a time). The tests compare both on random problems, float for float.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import portfolio as pf
from scoring.portfolio import PortfolioItem, optimise_portfolio


def _problem(seed: int, n: int) -> tuple[list[PortfolioItem], dict[str, object]]:
    rng = np.random.default_rng(seed)
    items = [
        PortfolioItem(
            f"n{k:03d}",
            value=float(rng.uniform(0.3, 0.9)),
            fee=int(rng.integers(0, 40_000)) * 100,
            hours=float(rng.integers(20, 400)),
            is_member=bool(rng.random() < 0.5),
            eligible=[True, True, True, None, False][int(rng.integers(0, 5))],
            lock="exclude" if rng.random() < 0.05 else None,
            bar=0.45 if k % 2 else 0.6,
            switch_cost=0.02,
            unassessed=bool(rng.random() < 0.05),
        )
        for k in range(n)
    ]
    density = float(rng.uniform(0.01, 0.2))
    upper = np.triu(rng.uniform(0.3, 1.0, (n, n)) * (rng.random((n, n)) < density), k=1)
    overlap = upper + upper.T
    overlap.flags.writeable = bool(rng.random() < 0.5)  # the memo path and the plain path
    total_fee = sum(it.fee for it in items)
    return items, {
        "overlap": overlap,
        "overlap_penalty": float(rng.choice([0.05, 0.1, 0.3])),
        "fee_budget": None if rng.random() < 0.3 else int(total_fee * rng.uniform(0.1, 0.6)),
        "hours_budget": None if rng.random() < 0.5 else float(rng.uniform(500, 8000)),
    }


def _dense(model: pf._Model) -> npt.NDArray[np.float64]:
    n = len(model.ids)
    dup = np.zeros((n, n))
    dup[model.pair_i, model.pair_j] = model.pair_o
    return dup


def _ref_duplication(
    dup: npt.NDArray[np.float64], chosen: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    masked = np.where(chosen[None, :], dup, 0.0)
    partner = np.argmax(masked, axis=1) if masked.size else np.zeros(0, dtype=np.intp)
    return masked.max(axis=1, initial=0.0), np.asarray(partner, dtype=np.intp)


def _ref_moves(
    model: pf._Model,
    dup: npt.NDArray[np.float64],
    chosen: npt.NDArray[np.bool_],
    gain: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    p = model.penalty
    duplication, partner = _ref_duplication(dup, chosen)
    if not model.pair_i.size:
        return gain.copy(), -gain
    raised = np.where(chosen[:, None], np.maximum(dup - duplication[:, None], 0.0), 0.0)
    add = gain - p * duplication - p * raised.sum(axis=0)
    masked = np.where(chosen[None, :], dup, 0.0)
    masked[np.arange(len(model.ids)), partner] = 0.0
    second = masked.max(axis=1, initial=0.0)
    relieved = chosen & (duplication > 0)
    relief = np.bincount(
        partner[relieved], weights=(duplication - second)[relieved], minlength=len(model.ids)
    )
    return add, -(gain - p * duplication) + p * relief


def _ref_fill(model: pf._Model, *, budgets: bool) -> npt.NDArray[np.bool_]:
    """The greedy fill of `_local_search`, one network per pass over dense matrices."""
    dup = _dense(model)
    chosen = (model.fixed == pf._IN).copy()
    free = model.fixed == pf._FREE
    fee_cap = np.inf if not budgets or model.fee_budget is None else float(model.fee_budget)
    hours_cap = (
        np.inf
        if not budgets or model.hours_budget is None
        else model.hours_budget + pf._hours_tolerance(model.hours_budget)
    )
    fees = model.fees.astype(np.float64)
    gain = model.coef + pf.TIE
    usage = np.full(len(model.ids), 1e-9)
    if np.isfinite(fee_cap):
        usage += fees / max(fee_cap, 1.0)
    if np.isfinite(hours_cap):
        usage += model.hours / max(hours_cap, 1e-9)
    while True:
        add, _ = _ref_moves(model, dup, chosen, gain)
        missing = (model.requires & ~chosen[None, :]).sum(axis=1)
        fits = (
            free
            & ~chosen
            & (missing == 0)
            & (float(fees[chosen].sum()) + fees <= fee_cap)
            & (float(model.hours[chosen].sum()) + model.hours <= hours_cap)
            & (add > 0)
        )
        if not fits.any():
            return chosen
        chosen[int(np.argmax(np.where(fits, add / usage, -np.inf)))] = True


def _model(seed: int, n: int) -> pf._Model:
    items, problem = _problem(seed, n)
    return pf._build(
        items,
        problem["overlap"],  # type: ignore[arg-type]
        problem["overlap_penalty"],  # type: ignore[arg-type]
        problem["fee_budget"],  # type: ignore[arg-type]
        problem["hours_budget"],  # type: ignore[arg-type]
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 60), st.integers(0, 2**32 - 1))
def test_moves_on_the_pairs_equal_the_dense_formula(seed: int, n: int, pick: int) -> None:
    model = _model(seed, n)
    chosen = np.random.default_rng(pick).random(n) < 0.5
    gain = model.coef + pf.TIE
    add, drop = pf._moves(model, chosen, gain)
    ref_add, ref_drop = _ref_moves(model, _dense(model), chosen, gain)
    assert np.array_equal(add, ref_add)
    assert np.array_equal(drop, ref_drop)
    duplication, partner, _ = pf._duplication(model, chosen)
    ref_duplication, ref_partner = _ref_duplication(_dense(model), chosen)
    assert np.array_equal(duplication, ref_duplication)
    has = duplication > 0
    assert np.array_equal(partner[has], ref_partner[has])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 80), st.booleans())
def test_the_heap_fill_makes_the_greedy_choices(seed: int, n: int, budgets: bool) -> None:
    model = _model(seed, n)
    chosen = (model.fixed == pf._IN).copy()
    free = model.fixed == pf._FREE
    reference = _ref_fill(model, budgets=budgets)
    fee_cap = np.inf if not budgets or model.fee_budget is None else float(model.fee_budget)
    hours_cap = (
        np.inf
        if not budgets or model.hours_budget is None
        else model.hours_budget + pf._hours_tolerance(model.hours_budget)
    )
    usage = np.full(n, 1e-9)
    fees = model.fees.astype(np.float64)
    if np.isfinite(fee_cap):
        usage += fees / max(fee_cap, 1.0)
    if np.isfinite(hours_cap):
        usage += model.hours / max(hours_cap, 1e-9)
    pf._greedy_fill(model, chosen, free, model.coef + pf.TIE, usage, fee_cap, hours_cap)
    assert np.array_equal(chosen, reference)


@pytest.mark.parametrize("seed", range(6))
def test_a_read_only_overlap_is_prepared_once_and_gives_the_same_portfolio(seed: int) -> None:
    items, problem = _problem(seed, 120)
    overlap = np.array(problem["overlap"])
    writable = optimise_portfolio(items, search="quick", **(problem | {"overlap": overlap}))  # type: ignore[arg-type]
    overlap.flags.writeable = False
    first = optimise_portfolio(items, search="quick", **(problem | {"overlap": overlap}))  # type: ignore[arg-type]
    again = optimise_portfolio(items, search="quick", **(problem | {"overlap": overlap}))  # type: ignore[arg-type]
    assert first == writable
    assert again == first
    assert id(overlap) in pf._PAIRS_MEMO


def test_an_asymmetric_overlap_is_refused_even_when_read_only() -> None:
    items, problem = _problem(1, 10)
    overlap = np.array(problem["overlap"])
    overlap[0, 1] = 0.9
    overlap[1, 0] = 0.1
    overlap.flags.writeable = False
    with pytest.raises(ValueError, match="symmetric"):
        optimise_portfolio(items, **(problem | {"overlap": overlap}))  # type: ignore[arg-type]
