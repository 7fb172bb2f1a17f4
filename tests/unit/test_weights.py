"""Tests for scoring.weights: points, swing, ROC, AHP and group aggregation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from criteria.errors import CriteriaError
from scoring.weights import (
    aggregate_group,
    ahp,
    normalise_points,
    rank_order_centroid,
    swing_weights,
    weight_vector,
)


def test_points_normalise() -> None:
    assert normalise_points({"a": 60, "b": 30, "c": 10}) == pytest.approx(
        {"a": 0.6, "b": 0.3, "c": 0.1}
    )


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": 0, "b": 0}, "All weights are zero"),
        ({"a": -1, "b": 2}, "negative"),
        ({"a": math.nan, "b": 1}, "NaN"),
        ({"a": math.inf, "b": 1}, "infinite"),
        ({"a": 1}, "No weight was given for 'b'"),
        ({"a": 1, "b": 1, "zz": 1}, "'zz' is not a criterion"),
        ({"a": True, "b": 1}, "must be a number"),
    ],
)
def test_weight_rules(weights: dict[str, float], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        weight_vector(["a", "b"], weights)


def test_weight_vector_array_shape() -> None:
    with pytest.raises(CriteriaError, match="Expected 2 weights"):
        weight_vector(["a", "b"], np.array([1.0, 2.0, 3.0]))


def test_swing_weights() -> None:
    # best swing 100, the others relative: 100 / 80 / 20 -> 0.5 / 0.4 / 0.1
    assert swing_weights({"a": 100, "b": 80, "c": 20}) == pytest.approx(
        {"a": 0.5, "b": 0.4, "c": 0.1}
    )
    with pytest.raises(CriteriaError, match="Give 100 points"):
        swing_weights({"a": 80, "b": 20})
    with pytest.raises(CriteriaError, match="from 0 to 100"):
        swing_weights({"a": 100, "b": 120})


def test_weight_tool_errors_name_the_field() -> None:
    """The forms show these next to the field: the field and the whole message matter."""
    with pytest.raises(CriteriaError) as above:
        swing_weights({"a": 100, "b": 120})
    assert dict(above.value.fields) == {"b": "above 100"}
    with pytest.raises(CriteriaError, match=r"^No swings were rated: rate at least one"):
        swing_weights({})
    with pytest.raises(CriteriaError, match=r"^Give 100 points to the swing that matters most"):
        swing_weights({"a": 80})
    with pytest.raises(CriteriaError, match=r"^A rank position is empty: every position"):
        rank_order_centroid(["a", []])
    with pytest.raises(CriteriaError, match=r"^The ranking is empty: rank at least one"):
        rank_order_centroid([])
    with pytest.raises(CriteriaError) as twice:
        rank_order_centroid(["a", "b", "a"])
    assert dict(twice.value.fields) == {"a": "ranked twice"}


def test_roc_barron_barrett() -> None:
    # Barron & Barrett (1996), Management Science 42(11), w_k = (1/n) sum_{i=k..n} 1/i:
    # n = 3: (1 + 1/2 + 1/3)/3 = 0.6111, (1/2 + 1/3)/3 = 0.2778, (1/3)/3 = 0.1111
    w3 = rank_order_centroid(["a", "b", "c"])
    assert [round(w3[k], 4) for k in "abc"] == [0.6111, 0.2778, 0.1111]
    # n = 4: 25/48 = 0.5208, 13/48 = 0.2708, 7/48 = 0.1458, 3/48 = 0.0625
    w4 = rank_order_centroid(["a", "b", "c", "d"])
    assert [round(w4[k], 4) for k in "abcd"] == [0.5208, 0.2708, 0.1458, 0.0625]
    assert sum(w4.values()) == pytest.approx(1.0)


def test_roc_ties_share_positions() -> None:
    # b and c tie for positions 2-3 of 4: each gets (13/48 + 7/48) / 2 = 10/48
    w = rank_order_centroid(["a", ("b", "c"), "d"])
    assert w["b"] == pytest.approx(10 / 48)
    assert w["c"] == w["b"]
    assert sum(w.values()) == pytest.approx(1.0)
    with pytest.raises(CriteriaError, match="more than once"):
        rank_order_centroid(["a", ("a", "b")])


def test_ahp_three_by_three_closed_form() -> None:
    # Classic 3x3 example [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] (e.g. Saaty 1980, ch. 2 style).
    # For n = 3 the principal eigenvector equals the row geometric means (Crawford & Williams
    # 1985): 15^(1/3) = 2.4662, 1, (1/15)^(1/3) = 0.4055 -> 0.6370, 0.2583, 0.1047.
    # lambda_max = 1 + r + 1/r with r = (a13 / (a12 a23))^(1/3) = (5/9)^(1/3) = 0.8221
    #            = 1 + 0.8221 + 1.2164 = 3.0385; CI = 0.0193; CR = CI / 0.58 = 0.0332.
    r = ahp(["a", "b", "c"], {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 3})
    assert [round(r.weights[k], 4) for k in "abc"] == [0.6370, 0.2583, 0.1047]
    assert r.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert r.consistency_ratio == pytest.approx(0.0332, abs=1e-4)
    assert r.random_index == 0.58
    assert r.consistent


def test_ahp_saaty_random_index_and_inconsistency() -> None:
    # a > b (9), b > c (9) but c > a (9): a cycle, wildly inconsistent.
    r = ahp(["a", "b", "c"], {("a", "b"): 9, ("b", "c"): 9, ("c", "a"): 9})
    assert not r.consistent
    assert r.consistency_ratio > 1
    assert "contradict" in r.message
    errors = [e.error for e in r.worst_judgements]
    assert errors == sorted(errors, reverse=True)


def test_ahp_consistent_four_by_four() -> None:
    # Weights 8:4:2:1 give a perfectly consistent matrix: lambda_max = 4, CR = 0.
    w = {"a": 8, "b": 4, "c": 2, "d": 1}
    judgements = {(x, y): w[x] / w[y] for x in w for y in w if x < y}
    r = ahp(list(w), judgements)
    assert r.weights == pytest.approx({k: v / 15 for k, v in w.items()})
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert r.worst_judgements[0].error == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("judgements", "message"),
    [
        ({("a", "b"): 2}, "comparison of 'a' with 'c' is missing"),
        ({("a", "b"): 12, ("a", "c"): 1, ("b", "c"): 1}, "1/9 to 9"),
        ({("a", "b"): 2, ("b", "a"): 2, ("a", "c"): 1, ("b", "c"): 1}, "contradicting"),
        ({("a", "x"): 2}, "not one of the criteria"),
    ],
)
def test_ahp_errors(judgements: dict[tuple[str, str], float], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        ahp(["a", "b", "c"], judgements)


def test_group_aggregation_and_dispersion() -> None:
    sets = [{"a": 60, "b": 40}, {"a": 0.2, "b": 0.8}, {"a": 5, "b": 5}]
    mean = aggregate_group(sets, "mean")
    assert mean.weights["a"] == pytest.approx((0.6 + 0.2 + 0.5) / 3)
    assert mean.dispersion["a"].min == pytest.approx(0.2)
    assert mean.dispersion["a"].max == pytest.approx(0.6)
    assert mean.dispersion["a"].iqr == pytest.approx(0.55 - 0.35)
    median = aggregate_group(sets, "median")
    assert median.weights == pytest.approx({"a": 0.5, "b": 0.5})
    geo = aggregate_group(sets, "geometric")
    # geometric means (0.6*0.2*0.5)^(1/3) and (0.4*0.8*0.5)^(1/3), renormalised
    ga, gb = (0.06) ** (1 / 3), (0.16) ** (1 / 3)
    assert geo.weights["a"] == pytest.approx(ga / (ga + gb))


def test_geometric_mean_zero_is_not_a_veto() -> None:
    geo = aggregate_group([{"a": 0, "b": 1}, {"a": 1, "b": 1}], "geometric")
    assert 0 < geo.weights["a"] < 0.01
    assert sum(geo.weights.values()) == pytest.approx(1.0)


def test_group_errors() -> None:
    with pytest.raises(CriteriaError, match="Nobody"):
        aggregate_group([], "mean")
    with pytest.raises(CriteriaError, match="same criteria"):
        aggregate_group([{"a": 1, "b": 1}, {"a": 1, "c": 1}], "mean")
    with pytest.raises(CriteriaError, match="Unknown aggregation"):
        aggregate_group([{"a": 1}], "mode")  # type: ignore[arg-type]
