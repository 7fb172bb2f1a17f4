"""Tests for scoring.robustness: SMAA sampling, action stability, weight stability intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, Objective
from scoring.methods import Method, evaluate
from scoring.robustness import (
    ActionRule,
    StabilityInterval,
    describe_interval,
    sample_weights,
    smaa,
    weight_stability,
)


def matrix_of(values: list[list[float]], names: str = "ABCDEFGH") -> DecisionMatrix:
    array = np.array(values, dtype=float)
    n, m = array.shape
    return DecisionMatrix(
        tuple(names[:n]),
        tuple(f"c{j}" for j in range(m)),
        array,
        (Objective.MAX,) * m,
        ((1.0, 5.0),) * m,
    )


def random_matrix(seed: int, n: int = 20, m: int = 5, missing: int = 3) -> DecisionMatrix:
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 5, (n, m))
    values[:, -1] = rng.uniform(0, 100, n)
    values[rng.integers(0, n, missing), rng.integers(0, m - 1, missing)] = np.nan
    return DecisionMatrix(
        tuple(f"N{i}" for i in range(n)),
        tuple(f"c{j}" for j in range(m)),
        values,
        (Objective.MAX,) * (m - 1) + (Objective.MIN,),
        ((1.0, 5.0),) * (m - 1) + ((0.0, 100.0),),
    )


def test_sample_weights_are_centred_and_seeded() -> None:
    w = np.array([0.5, 0.3, 0.2, 0.0])
    a = sample_weights(w, 20_000, 50.0, np.random.default_rng(3))
    b = sample_weights(w, 20_000, 50.0, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    # mean = alpha / sum(alpha) with the zero weight floored at 1e-3
    alpha = np.maximum(w, 1e-3)
    np.testing.assert_allclose(a.mean(axis=0), alpha / alpha.sum(), atol=3e-3)
    with pytest.raises(CriteriaError, match="concentration"):
        sample_weights(w, 10, 0.0, np.random.default_rng(0))


def test_clear_winner_is_certain() -> None:
    m = matrix_of([[5, 5], [3, 3], [1, 1]])
    r = smaa(m, {"c0": 1, "c1": 1}, samples=1_000, top_k=1)
    np.testing.assert_allclose(r.rank_acceptability, np.eye(3))
    assert r.top_k_probability.tolist() == [1.0, 0.0, 0.0]
    assert r.expected_rank.tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_allclose(r.central_weights[0].sum(), 1.0)
    assert np.isnan(r.central_weights[1]).all()


def test_identical_networks_share_ranks() -> None:
    m = matrix_of([[4, 2], [4, 2], [1, 1]])
    r = smaa(m, [0.5, 0.5], samples=200)
    np.testing.assert_allclose(r.rank_acceptability[:2, :2], 0.5)
    np.testing.assert_allclose(r.rank_acceptability.sum(axis=0), 1.0)
    np.testing.assert_allclose(r.expected_rank, [1.5, 1.5, 3.0])


def test_missing_scores_add_uncertainty() -> None:
    # B's first score is missing: sampled over 1-5 it sometimes beats A, never with the midpoint.
    m = matrix_of([[4, 3], [np.nan, 3]])
    assert evaluate(m, [0.5, 0.5]).ranks.tolist() == [1, 2]
    r = smaa(m, [0.5, 0.5], samples=4_000, concentration=1e6)
    assert r.rank_acceptability[1, 0] == pytest.approx(0.25, abs=0.03)  # P(U(1,5) > 4)


@pytest.mark.parametrize("method", [Method.WEIGHTED_SUM, Method.TOPSIS, Method.VIKOR])
def test_chunking_and_seed_do_not_change_results(method: Method) -> None:
    m = random_matrix(1)
    a = smaa(m, np.ones(5), method=method, samples=600, seed=5, chunk_size=600)
    b = smaa(m, np.ones(5), method=method, samples=600, seed=5, chunk_size=97)
    np.testing.assert_allclose(a.rank_acceptability, b.rank_acceptability, atol=1e-12)
    np.testing.assert_allclose(a.central_weights, b.central_weights, atol=1e-12)
    c = smaa(m, np.ones(5), method=method, samples=600, seed=6)
    assert not np.array_equal(a.rank_acceptability, c.rank_acceptability)


def test_action_stability() -> None:
    m = matrix_of([[5, 5], [2, 4.5], [1, 1]])
    # utilities B = (0.25, 0.875): value 0.25 w0 + 0.875 (1 - w0) >= 0.5 while w0 <= 0.6
    scores = evaluate(m, [0.5, 0.5]).scores  # 1.0, 0.5625, 0.0
    rule = ActionRule.for_memberships([True, True, False], scores, leave_below=0.5, join_above=0.9)
    assert rule.baseline_actions == ("STAY", "STAY", "NOT_RECOMMENDED")
    r = smaa(m, [0.5, 0.5], samples=2_000, concentration=5.0, action_threshold=rule)
    assert r.action_stability is not None
    assert r.action_stability[0] == 1.0
    assert r.action_stability[2] == 1.0
    assert 0.5 < r.action_stability[1] < 1.0  # B sits just above its leave threshold
    # By hand: w0 ~ Beta(2.5, 2.5) (concentration 5), P(w0 <= 0.6) = 0.66 approx.
    assert r.action_stability[1] == pytest.approx(0.66, abs=0.05)


def test_action_rule_validation() -> None:
    with pytest.raises(CriteriaError, match="neither of its possible actions"):
        ActionRule((0.5,), ("STAY",), ("LEAVE",), ("JOIN",))
    with pytest.raises(CriteriaError, match="covers 1 networks"):
        smaa(
            matrix_of([[1, 2], [2, 1]]),
            [1, 1],
            action_threshold=ActionRule((0.5,), ("STAY",), ("LEAVE",), ("STAY",)),
        )


@settings(max_examples=25, deadline=None, database=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 8), st.sampled_from(["weighted_sum", "topsis"]))
def test_acceptability_sums_and_determinism(seed: int, n: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 4, (n, 3)).astype(float)  # small integers: many exact ties
    values[0, 0] = np.nan
    m = matrix_of(values.tolist())
    w = rng.dirichlet(np.ones(3))
    a = smaa(m, w, method=method, samples=300, seed=seed % 1000, chunk_size=128)
    b = smaa(m, w, method=method, samples=300, seed=seed % 1000, chunk_size=128)
    np.testing.assert_allclose(a.rank_acceptability.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(a.rank_acceptability.sum(axis=0), 1.0, atol=1e-9)
    np.testing.assert_array_equal(a.rank_acceptability, b.rank_acceptability)
    np.testing.assert_array_equal(a.expected_rank, b.expected_rank)


def test_weight_stability_weighted_sum_exact() -> None:
    # A = (5, 1), B = (1, 5), C = (4, 4): utilities (1, 0), (0, 1), (0.75, 0.75).
    # Weight t on c0: A = t, B = 1 - t, C = 0.75. A stays on top while t >= 0.75 (C takes
    # over first; B would only below 0.5).
    m = matrix_of([[5, 1], [1, 5], [4, 4]])
    intervals = weight_stability(m, [0.8, 0.2])
    assert intervals[0].low == pytest.approx(0.75)
    assert intervals[0].high == 1.0
    assert intervals[0].changes_to == "C"
    assert intervals[0].changes_to_high == ""
    assert intervals[1].high == pytest.approx(0.25)
    text = describe_interval(intervals[1], "criterion two")
    assert text == (
        "The top network stays A unless criterion two weighs more than 25% (now 20%); "
        "then C would lead."
    )


def _top_at(m: DecisionMatrix, w: np.ndarray, j: int, t: float, method: Method) -> int:
    """The top network with criterion j's weight set to t (the others rescaled)."""
    moved = np.delete(w, j) / np.delete(w, j).sum() * (1 - t)
    return int(evaluate(m, np.insert(moved, j, t), method).ranks.argmin())


def _check_brackets(m: DecisionMatrix, w: np.ndarray, method: Method, eps: float) -> int:
    """Just inside each end the top stays; just outside an end below 1 (above 0) it changes,
    to the network the interval names: an interval too wide or too narrow fails. Returns how
    many ends were probed outside."""
    top = _top_at(m, w, 0, float(w[0]), method)
    outside = 0
    for interval in weight_stability(m, w, method=method):
        j = m.criteria.index(interval.criterion)
        assert interval.low <= interval.current <= interval.high
        for t in (interval.low + eps, interval.high - eps, interval.current):
            if 0.0 <= t <= 1.0 and interval.low + eps <= interval.high - eps:
                assert _top_at(m, w, j, t, method) == top, (interval, t)
        if interval.low >= eps:
            below = _top_at(m, w, j, interval.low - eps, method)
            assert below != top, (interval, "the interval could reach lower")
            outside += 1
        if interval.high <= 1 - eps:
            above = _top_at(m, w, j, interval.high + eps, method)
            assert above != top, (interval, "the interval could reach higher")
            assert m.alternatives[above] == interval.changes_to_high, interval
            outside += 1
    return outside


@pytest.mark.parametrize("method", [Method.TOPSIS, Method.WEIGHTED_PRODUCT])
def test_weight_stability_search_brackets_the_change(method: Method) -> None:
    m = random_matrix(4, n=8, missing=0)
    w = np.array([0.3, 0.2, 0.2, 0.2, 0.1])
    # The search bisects to 1e-4; probe 1e-3 inside and outside each end.
    assert _check_brackets(m, w, method, eps=1e-3) >= 3


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(2, 5))
def test_weighted_sum_interval_is_exact_on_both_sides(seed: int, n: int, m_: int) -> None:
    """The weighted sum's interval is exact: 1e-6 inside the top stays, 1e-6 outside it moves."""
    rng = np.random.default_rng(seed)
    m = matrix_of(rng.integers(1, 6, (n, m_)).astype(float).tolist())
    w = rng.dirichlet(np.ones(m_))
    _check_brackets(m, w, Method.WEIGHTED_SUM, eps=1e-6)


def test_weighted_sum_interval_probes_outside() -> None:
    # The worked example above: A leads for t in [0.75, 1] on c0 and [0, 0.25] on c1.
    m = matrix_of([[5, 1], [1, 5], [4, 4]])
    assert _check_brackets(m, np.array([0.8, 0.2]), Method.WEIGHTED_SUM, eps=1e-6) == 2


def test_weight_stability_for_an_action() -> None:
    m = matrix_of([[5, 1], [1, 5]])
    scores = evaluate(m, [0.7, 0.3]).scores  # A 0.7, B 0.3
    rule = ActionRule.for_memberships([True, True], scores, leave_below=0.4, join_above=0.9)
    [first, _] = weight_stability(m, [0.7, 0.3], target="B", action_rule=rule)
    # B's value is 1 - t; it stays below 0.4 (LEAVE) while t > 0.6.
    assert first.holds == "LEAVE"
    assert first.low == pytest.approx(0.6)
    assert first.changes_to == "STAY"
    assert describe_interval(first, "agenda").startswith(
        "LEAVE B holds unless agenda weighs less than 60% (now 70%)"
    )


def test_describe_interval_without_change() -> None:
    interval = StabilityInterval("c0", 0.2, 0.0, 1.0, "", "C40", "top")
    assert describe_interval(interval, "openness") == (
        "The top network stays C40 whatever weight openness gets (now 20%)."
    )


def test_smaa_errors() -> None:
    m = matrix_of([[1, 2], [2, 1]])
    with pytest.raises(CriteriaError, match="All weights are zero"):
        smaa(m, [0, 0])
    with pytest.raises(CriteriaError, match="Name the network"):
        weight_stability(
            m,
            [1, 1],
            action_rule=ActionRule(
                (0.5, 0.5), ("STAY", "STAY"), ("LEAVE", "LEAVE"), ("STAY", "STAY")
            ),
        )
    with pytest.raises(CriteriaError, match="not one of the networks"):
        weight_stability(m, [1, 1], target="ZZ")


def test_describe_interval_uses_the_names_a_reader_knows() -> None:
    interval = StabilityInterval(
        "political_leadership", 0.09, 0.0, 0.32, "uclg", "c40", "top", "", "uclg"
    )
    sentence = describe_interval(interval, "political leadership", {"c40": "C40", "uclg": "UCLG"})
    assert sentence == (
        "The top network stays C40 unless political leadership weighs more than 32% (now 9%); "
        "then UCLG would lead."
    )


def test_two_networks_crossing_at_once_name_the_one_that_leads_past_it() -> None:
    # Utilities A (0.75, 0.25), B (0.75, 0), C (1, 0), D (0.25, 0.75); C leads at (0.61, 0.39).
    # With weight t on c0: C = t, A = 0.25 + 0.5 t, D = 0.75 - 0.5 t: A and D both reach C at
    # t = 0.5, and below it D leads (D - A = 0.5 - t > 0). Found by the Hypothesis test above:
    # the interval used to name A, the first network it met.
    m = matrix_of([[4, 2], [4, 1], [5, 1], [2, 4]])
    w = np.array([0.6124273363997433, 0.3875726636002568])
    c0, c1 = weight_stability(m, w)
    assert (c0.low, c0.high, c0.changes_to_low, c0.changes_to_high) == (0.5, 1.0, "D", "")
    assert (c1.low, c1.high, c1.changes_to_low, c1.changes_to_high) == (0.0, 0.5, "", "D")
    assert _check_brackets(m, w, Method.WEIGHTED_SUM, eps=1e-6) == 2


def test_weight_stability_for_an_action_either_side_of_the_bar() -> None:
    # A = (5, 1) -> utilities (1, 0); B = (2, 4) -> (0.25, 0.75); weights (0.7, 0.3).
    # A = 0.7 stays (>= 0.5) while its value t (weight on c0) >= 0.5, or 1 - t >= 0.5 on c1.
    # B = 0.4 leaves (< 0.5); on c1 B = 0.25 + 0.5 t reaches 0.5 at t = 0.5 (mutants of the
    # first row, of the bar comparison and of a slope below 1 survived the suite before).
    m = matrix_of([[5, 1], [2, 4]])
    w = [0.7, 0.3]
    scores = evaluate(m, w).scores
    rule = ActionRule.for_memberships([True, True], scores, leave_below=0.5, join_above=0.9)
    a0, a1 = weight_stability(m, w, target="A", action_rule=rule)
    assert (a0.holds, a0.low, a0.high, a0.changes_to) == ("STAY", pytest.approx(0.5), 1.0, "LEAVE")
    assert (a1.low, a1.high, a1.changes_to) == (0.0, pytest.approx(0.5), "LEAVE")
    b0, b1 = weight_stability(m, w, target="B", action_rule=rule)
    assert b0.holds == "LEAVE"
    assert (b1.low, b1.high, b1.changes_to) == (0.0, pytest.approx(0.5), "STAY")
