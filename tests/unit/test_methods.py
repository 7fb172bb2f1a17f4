"""Tests for scoring.methods: worked examples, agreement with scikit-criteria, properties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, Objective
from scoring.methods import (
    WP_EPSILON,
    Method,
    batch_scores,
    evaluate,
    kendall_tau,
    method_agreement,
    rank_from_scores,
)

ALL = tuple(Method)
VECTOR_METHODS = (Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT, Method.TOPSIS)


def make_matrix(
    values: np.ndarray,
    objectives: list[Objective] | None = None,
    bounds: list[tuple[float, float]] | None = None,
) -> DecisionMatrix:
    n, m = values.shape
    objectives = objectives or [Objective.MAX] * m
    if bounds is None:  # the data's own range: bounds utilities == min-max scaling
        bounds = [(float(values[:, j].min()), float(values[:, j].max())) for j in range(m)]
    return DecisionMatrix(
        tuple(f"N{i}" for i in range(n)),
        tuple(f"c{j}" for j in range(m)),
        values,
        tuple(objectives),
        tuple(bounds),
    )


# --- worked examples ---------------------------------------------------------------------------

# Weighted sum model example of Triantaphyllou (2000), "Multi-criteria decision making methods:
# a comparative study", reproduced in Wikipedia's "Weighted sum model" article: weights
# 0.20/0.15/0.40/0.25, A1 = (25, 20, 15, 30), A2 = (10, 30, 20, 30), A3 = (30, 10, 30, 10);
# scores 21.50, 22.00, 22.00 (A2 and A3 tie). With bounds (0, 100) our utilities are x / 100.
WSM_VALUES = np.array([[25.0, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]])
WSM_WEIGHTS = {"c0": 0.20, "c1": 0.15, "c2": 0.40, "c3": 0.25}


def test_weighted_sum_triantaphyllou_example() -> None:
    m = make_matrix(WSM_VALUES, bounds=[(0.0, 100.0)] * 4)
    e = evaluate(m, WSM_WEIGHTS)
    np.testing.assert_allclose(e.scores, [0.215, 0.22, 0.22], atol=1e-12)
    assert e.ranks.tolist() == [3, 1, 1]  # competition ranking: the tie shares rank 1
    assert e.contributions is not None
    np.testing.assert_allclose(e.contributions.sum(axis=1), e.scores, atol=1e-12)


def test_weighted_product_triantaphyllou_example() -> None:
    # Same source (Wikipedia "Weighted product model"): ratios A1/A2 = 1.007, A1/A3 = 1.067,
    # A2/A3 = 1.059, so A1 > A2 > A3. Our product works on u' = (x/100 + 0.01) / 1.01; by hand
    # prod(u'^w) = 0.21453, 0.21350, 0.20279: the same order.
    m = make_matrix(WSM_VALUES, bounds=[(0.0, 100.0)] * 4)
    e = evaluate(m, WSM_WEIGHTS, Method.WEIGHTED_PRODUCT)
    shifted = (WSM_VALUES / 100 + WP_EPSILON) / (1 + WP_EPSILON)
    expected = np.prod(shifted ** np.array(list(WSM_WEIGHTS.values())), axis=1)
    np.testing.assert_allclose(e.scores, expected, atol=1e-12)
    np.testing.assert_allclose(e.scores, [0.21453, 0.21350, 0.20279], atol=5e-6)
    assert e.ranks.tolist() == [1, 2, 3]


def test_topsis_hwang_yoon_fighter_aircraft() -> None:
    # Hwang & Yoon (1981), "Multiple Attribute Decision Making", fighter aircraft example:
    # max speed, ferry range, max payload, cost (min), reliability, maneuverability;
    # weights 0.2, 0.1, 0.1, 0.1, 0.2, 0.3; relative closeness 0.643, 0.268, 0.613, 0.312.
    values = np.array(
        [
            [2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5],
        ]
    )
    objectives = [Objective.MAX] * 6
    objectives[3] = Objective.MIN
    m = make_matrix(values, objectives, bounds=[(0.0, 30000.0)] * 6)
    e = evaluate(m, np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3]), Method.TOPSIS)
    # The book rounds intermediate values; we agree to the third decimal.
    np.testing.assert_allclose(e.scores, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert e.ranks.tolist() == [1, 4, 2, 3]


def test_vikor_hand_example() -> None:
    # VIKOR (Opricovic & Tzeng 2004, EJOR 156(2)) with v = 0.5, by hand:
    # x = A(3, 1), B(1, 3), C(2, 2), weights 0.5/0.5. Distances to the best: A (0, 1),
    # B (1, 0), C (0.5, 0.5); weighted: S = 0.5 for all, R = 0.5, 0.5, 0.25.
    # S is constant (scaled to 0); R scaled: 1, 1, 0. Q = 0.5 * R' = 0.5, 0.5, 0 -> 1 - Q.
    m = make_matrix(np.array([[3.0, 1], [1, 3], [2, 2]]))
    e = evaluate(m, np.array([1.0, 1.0]), Method.VIKOR)
    np.testing.assert_allclose(e.scores, [0.5, 0.5, 1.0], atol=1e-12)
    assert e.ranks.tolist() == [2, 2, 1]


def test_electre_dominance_chain() -> None:
    # A dominates B dominates C on every criterion: ELECTRE II must rank them 1, 2, 3, and
    # ranks 1..3 map to scores (n - p) / (n - 1) = 1, 0.5, 0.
    m = make_matrix(np.array([[5.0, 5, 5], [3, 3, 3], [1, 1, 1]]))
    e = evaluate(m, np.array([1.0, 1.0, 1.0]), Method.ELECTRE)
    assert e.ranks.tolist() == [1, 2, 3]
    np.testing.assert_allclose(e.scores, [1.0, 0.5, 0.0])


# --- agreement with scikit-criteria ------------------------------------------------------------


def random_problem(seed: int, n: int = 12, m: int = 5) -> tuple[DecisionMatrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 5, (n, m))
    values[:, -1] = rng.uniform(0, 5000, n)
    objectives = [Objective.MAX] * (m - 1) + [Objective.MIN]
    return make_matrix(values, objectives), rng.dirichlet(np.ones(m))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "method",
    [m for m in ALL if m not in (Method.WEIGHTED_PRODUCT, Method.PROMETHEE_II)],
)
def test_ranks_match_direct_skcriteria_pipeline(seed: int, method: Method) -> None:
    import skcriteria as skc
    from skcriteria.agg.electre import ELECTRE2
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import NegateMinimize
    from skcriteria.preprocessing.scalers import MinMaxScaler, SumScaler, VectorScaler

    # Weighted product is left out: scikit-criteria has no bounded shift; it is covered by the
    # worked example and by batch_scores == evaluate. PROMETHEE II too: scikit-criteria has no
    # PROMETHEE (tests/unit/test_method_library.py checks it against published examples).
    matrix, w = random_problem(seed)
    objectives = [max if o is Objective.MAX else min for o in matrix.objectives]
    dm = skc.mkdm(matrix=np.asarray(matrix.values), objectives=objectives, weights=w)
    # Bounds equal to each column's range, so our utilities are min-max scaling
    # (STYLE.md's pipeline: NegateMinimize + MinMaxScaler).
    pipes = {
        Method.WEIGHTED_SUM: [
            NegateMinimize(),
            MinMaxScaler(target="matrix"),
            SumScaler(target="weights"),
            WeightedSumModel(),
        ],
        Method.TOPSIS: [VectorScaler(target="matrix"), SumScaler(target="weights"), TOPSIS()],
        Method.VIKOR: [SumScaler(target="weights"), VIKOR(use_compromise_set=False)],
        Method.ELECTRE: [
            NegateMinimize(),
            MinMaxScaler(target="matrix"),
            SumScaler(target="weights"),
            ELECTRE2(),
        ],
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Although TOPSIS", category=UserWarning)
        reference = mkpipe(*pipes[method]).evaluate(dm).rank_
    ours = evaluate(matrix, w, method).ranks
    assert stats.rankdata(ours, method="dense").tolist() == list(reference)


@pytest.mark.parametrize("method", ALL)
def test_batch_scores_equal_evaluate_loop(method: Method) -> None:
    rng = np.random.default_rng(7)
    values = rng.uniform(1, 5, (15, 4))
    values[:, 3] = rng.uniform(0, 100, 15)
    values[2, 1] = np.nan
    values[5, 3] = np.nan
    matrix = make_matrix(
        values,
        [Objective.MAX, Objective.MAX, Objective.MAX, Objective.MIN],
        bounds=[(1.0, 5.0)] * 3 + [(0.0, 100.0)],
    )
    samples = rng.dirichlet(np.ones(4), 6) * 3.0  # rows need not sum to 1
    batch = batch_scores(matrix, samples, method)
    loop = np.array([evaluate(matrix, s, method).scores for s in samples])
    np.testing.assert_allclose(batch, loop, atol=1e-12, rtol=0)


def test_batch_scores_with_explicit_utilities() -> None:
    matrix, _ = random_problem(3)
    from scoring.matrix import utilities

    u = utilities(matrix)
    w = np.array([[0.2, 0.2, 0.2, 0.2, 0.2]])
    for method in (Method.WEIGHTED_SUM, Method.TOPSIS, Method.VIKOR):
        np.testing.assert_allclose(
            batch_scores(matrix, w, method, utilities=u),
            batch_scores(matrix, w, method),
            atol=1e-12,
        )


# --- ranks, tau, agreement ---------------------------------------------------------------------


def test_rank_from_scores_competition_and_rounding() -> None:
    assert rank_from_scores(np.array([0.5, 0.9, 0.5, 0.1])).tolist() == [2, 1, 2, 4]
    assert rank_from_scores(np.array([0.1 + 0.2, 0.3])).tolist() == [1, 1]
    with pytest.raises(ValueError, match="NaN"):
        rank_from_scores(np.array([np.nan, 1.0]))


def test_kendall_tau_definitions() -> None:
    assert kendall_tau(np.array([1, 2, 3, 4]), np.array([1, 2, 4, 3])) == pytest.approx(2 / 3)
    assert kendall_tau(np.array([1, 1]), np.array([1, 1])) == 1.0
    assert kendall_tau(np.array([1]), np.array([1])) == 1.0
    assert kendall_tau(np.array([1, 1, 1]), np.array([1, 2, 3])) == 0.0


def _tau_b(a: list[int], b: list[int]) -> float:
    """Kendall's tau-b by counting pairs: (C - D) / sqrt((C + D + Ta)(C + D + Tb)), where Ta
    counts pairs tied in b only and Tb pairs tied in a only (the module's conventions when one
    or both rankings are constant)."""
    concordant = discordant = tied_a = tied_b = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            da, db = a[i] - a[j], b[i] - b[j]
            if da * db > 0:
                concordant += 1
            elif da * db < 0:
                discordant += 1
            elif da == 0 and db != 0:
                tied_a += 1
            elif db == 0 and da != 0:
                tied_b += 1
    both = concordant + discordant
    if both + tied_a == 0 and both + tied_b == 0:
        return 1.0
    if both + tied_a == 0 or both + tied_b == 0:
        return 0.0
    return float((concordant - discordant) / np.sqrt((both + tied_b) * (both + tied_a)))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(1, 4), min_size=n, max_size=n),
            st.lists(st.integers(1, 4), min_size=n, max_size=n),
        )
    )
)
def test_kendall_tau_counts_pairs(pair: tuple[list[int], list[int]]) -> None:
    a, b = pair
    assert kendall_tau(np.array(a), np.array(b)) == pytest.approx(_tau_b(a, b), abs=1e-12)


def test_method_agreement_covers_every_pair() -> None:
    matrix, w = random_problem(1)
    agreement = method_agreement(matrix, w)
    assert len(agreement) == 15  # 6 methods: 6 * 5 / 2 pairs
    ranks = {m: evaluate(matrix, w, m).ranks.tolist() for m in Method}
    methods = list(Method)
    for (a, b), tau in agreement.items():
        assert methods.index(a) < methods.index(b)
        assert tau == pytest.approx(_tau_b(ranks[a], ranks[b]), abs=1e-12), (a, b)
    # Not all the same, not all perfect: the methods really disagree somewhere on this problem.
    assert min(agreement.values()) < 1.0


def test_method_agreement_values_by_hand() -> None:
    # A = (5, 1), B = (3, 3), C = (1, 5), weights 3:1. Weighted sum: A 0.75, B 0.5, C 0.25 (A, B,
    # C), and TOPSIS agrees. Against the reverse ranking every pair is discordant: tau -1.
    m = DecisionMatrix(
        ("A", "B", "C"),
        ("x", "y"),
        np.array([[5.0, 1.0], [3.0, 3.0], [1.0, 5.0]]),
        (Objective.MAX, Objective.MAX),
        ((1.0, 5.0), (1.0, 5.0)),
    )
    assert method_agreement(m, {"x": 3, "y": 1}, ["weighted_sum", "topsis"]) == {
        (Method.WEIGHTED_SUM, Method.TOPSIS): 1.0
    }
    assert kendall_tau(np.array([1, 2, 3]), np.array([3, 2, 1])) == -1.0
    # (1, 2, 3) against (1, 1, 3): C = 2, D = 0, one pair tied in b only: 2 / sqrt(3 * 2).
    assert kendall_tau(np.array([1, 2, 3]), np.array([1, 1, 3])) == pytest.approx(2 / np.sqrt(6))


def test_method_errors() -> None:
    matrix, _ = random_problem(0)
    with pytest.raises(CriteriaError, match="Unknown method 'ahp'"):
        evaluate(matrix, np.ones(5), "ahp")
    with pytest.raises(CriteriaError, match="All weights are zero"):
        evaluate(matrix, np.zeros(5))
    with pytest.raises(CriteriaError, match="negative"):
        batch_scores(matrix, -np.ones((2, 5)))


def test_single_network_and_identical_networks() -> None:
    one = make_matrix(np.array([[3.0, 2.0]]), bounds=[(1.0, 5.0)] * 2)
    same = make_matrix(np.array([[3.0, 2.0], [3.0, 2.0]]), bounds=[(1.0, 5.0)] * 2)
    for method in ALL:
        assert evaluate(one, [1.0, 1.0], method).ranks.tolist() == [1]
        assert evaluate(same, [1.0, 1.0], method).ranks.tolist() == [1, 1]


# --- properties --------------------------------------------------------------------------------

problems = st.tuples(st.integers(2, 7), st.integers(2, 4), st.integers(0, 2**32 - 1))


def problem_from(n: int, m: int, seed: int) -> tuple[DecisionMatrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, (n, m)).astype(float)  # integer scores: ties happen
    objectives = [Objective.MAX] * (m - 1) + [Objective.MIN]
    return make_matrix(values, objectives, bounds=[(1.0, 5.0)] * m), rng.dirichlet(np.ones(m))


@settings(max_examples=50, deadline=None, database=None)
@given(problems, st.floats(0.01, 1000.0))
def test_scaling_weights_changes_no_rank(problem: tuple[int, int, int], factor: float) -> None:
    matrix, w = problem_from(*problem)
    for method in (Method.WEIGHTED_SUM, Method.WEIGHTED_PRODUCT, Method.TOPSIS, Method.VIKOR):
        base = batch_scores(matrix, w[None], method)[0]
        scaled = batch_scores(matrix, (w * factor)[None], method)[0]
        assert rank_from_scores(base).tolist() == rank_from_scores(scaled).tolist()
    assert evaluate(matrix, w * factor).ranks.tolist() == evaluate(matrix, w).ranks.tolist()


@settings(max_examples=50, deadline=None, database=None)
@given(problems)
def test_dominating_network_never_ranks_below(problem: tuple[int, int, int]) -> None:
    matrix, w = problem_from(*problem)
    values = np.array(matrix.values)
    better = np.where(
        matrix.is_benefit, np.maximum(values[0], values[1]), np.minimum(values[0], values[1])
    )
    values[0] = better  # network 0 now dominates network 1
    dominated = make_matrix(values, list(matrix.objectives), list(matrix.bounds))
    for method in VECTOR_METHODS:  # batch_scores == evaluate is tested above
        ranks = rank_from_scores(batch_scores(dominated, w[None], method)[0])
        assert ranks[0] <= ranks[1], method


@settings(max_examples=20, deadline=None, database=None)
@given(problems)
def test_identical_networks_rank_equal(problem: tuple[int, int, int]) -> None:
    matrix, w = problem_from(*problem)
    values = np.array(matrix.values)
    values[1] = values[0]
    twins = make_matrix(values, list(matrix.objectives), list(matrix.bounds))
    for method in ALL:
        ranks = evaluate(twins, w, method).ranks
        assert ranks[0] == ranks[1], method
