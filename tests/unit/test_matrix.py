"""Tests for scoring.matrix: validation, building from mappings, bounds-based utilities."""

from __future__ import annotations

import numpy as np
import pytest

from criteria.errors import CriteriaError
from scoring.matrix import (
    CriterionSpec,
    DecisionMatrix,
    Objective,
    build_matrix,
    imputed_values,
    utilities,
)

SPECS = [
    CriterionSpec("relevant_agenda", Objective.MAX, (1.0, 5.0)),
    CriterionSpec("annual_fee", Objective.MIN, (0.0, 40_000.0)),
]


def test_build_matrix_keeps_order_and_gaps() -> None:
    m = build_matrix(
        {"C40": {"relevant_agenda": 5, "annual_fee": 40_000}, "ICLEI": {"annual_fee": 0}},
        SPECS,
    )
    assert m.alternatives == ("C40", "ICLEI")
    assert m.criteria == ("relevant_agenda", "annual_fee")
    assert m.mask.tolist() == [[False, False], [True, False]]


def test_utilities_use_bounds_and_zero_fee_is_best() -> None:
    m = build_matrix(
        {
            "A": {"relevant_agenda": 3, "annual_fee": 0},
            "B": {"relevant_agenda": 5, "annual_fee": 10_000},
        },
        SPECS,
    )
    # benefit: (3 - 1) / (5 - 1) = 0.5; cost: (40000 - 0) / 40000 = 1 and (40000 - 10000) / 40000
    np.testing.assert_allclose(utilities(m), [[0.5, 1.0], [1.0, 0.75]])


def test_utilities_do_not_depend_on_other_networks() -> None:
    one = build_matrix({"A": {"relevant_agenda": 4, "annual_fee": 20_000}}, SPECS)
    two = build_matrix(
        {
            "A": {"relevant_agenda": 4, "annual_fee": 20_000},
            "B": {"relevant_agenda": 1, "annual_fee": 0},
        },
        SPECS,
    )
    np.testing.assert_array_equal(utilities(one)[0], utilities(two)[0])


def test_missing_is_midpoint_never_zero() -> None:
    m = build_matrix({"A": {"relevant_agenda": None, "annual_fee": None}}, SPECS)
    assert utilities(m).tolist() == [[0.5, 0.5]]
    assert imputed_values(m).tolist() == [[3.0, 20_000.0]]
    assert np.isnan(utilities(m, fill="nan")).all()


def test_degenerate_bounds_give_utility_one() -> None:
    specs = [CriterionSpec("fee", Objective.MIN, (0.0, 0.0))]
    m = build_matrix({"A": {"fee": 0}, "B": {"fee": None}}, specs)
    assert utilities(m).tolist() == [[1.0], [1.0]]


def test_values_are_read_only() -> None:
    m = build_matrix({"A": {"relevant_agenda": 2, "annual_fee": 1}}, SPECS)
    with pytest.raises(ValueError, match="read-only"):
        m.values[0, 0] = 3.0


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"A": {"relevant_agenda": 7}}, "outside the criterion's range 1 to 5"),
        ({"A": {"relevant_agnda": 3}}, "unknown criterion 'relevant_agnda'"),
        ({"A": {"relevant_agenda": "high"}}, "must be a number"),
        ({"A": {"relevant_agenda": float("inf")}}, "infinite"),
        ({}, "no network to compare"),
    ],
)
def test_build_matrix_rejects_bad_input(scores: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        build_matrix(scores, SPECS)  # type: ignore[arg-type]


def test_matrix_validation_messages() -> None:
    values = np.array([[1.0], [2.0]])
    with pytest.raises(CriteriaError, match="appears twice"):
        DecisionMatrix(("A", "A"), ("x",), values, (Objective.MAX,), ((1.0, 5.0),))
    with pytest.raises(CriteriaError, match="shape"):
        DecisionMatrix(("A",), ("x",), values, (Objective.MAX,), ((1.0, 5.0),))
    with pytest.raises(CriteriaError, match="upside down"):
        CriterionSpec("x", Objective.MAX, (5.0, 1.0))
    with pytest.raises(CriteriaError, match="direction 'up'"):
        CriterionSpec("x", "up", (1.0, 5.0))  # type: ignore[arg-type]
