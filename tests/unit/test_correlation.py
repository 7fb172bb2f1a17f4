"""The double-counting warning on small cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.correlation import MIN_NETWORKS, THRESHOLD, correlated_criteria

AGENDA = [1, 2, 2, 3, 4, 4, 5, 5]
FIT_CLOSE = [1, 2, 3, 3, 4, 4, 5, 5]  # one step off AGENDA at the third network
UNRELATED = [3, 1, 4, 1, 5, 2, 2, 4]


def scores(**columns: list[float | None]) -> dict[str, dict[str, float | None]]:
    n = len(next(iter(columns.values())))
    return {f"n{i}": {k: v[i] for k, v in columns.items()} for i in range(n)}


def pearson(x: list[float], y: list[float]) -> float:
    """Pearson's r written out, to check the module against."""
    mx, my = sum(x) / len(x), sum(y) / len(y)
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return cov / (sx * sy)


def test_two_criteria_that_move_together_are_flagged_with_their_coefficient() -> None:
    check = correlated_criteria(
        scores(relevant_agenda=AGENDA, thematic_fit=FIT_CLOSE, sharp_focus=UNRELATED),
        ["relevant_agenda", "thematic_fit", "sharp_focus"],
        titles={"relevant_agenda": "Relevant agenda", "thematic_fit": "Thematic fit"},
    )

    r = pearson([float(v) for v in AGENDA], [float(v) for v in FIT_CLOSE])
    # by hand: means 3.25 and 3.375; sum of products 14.25; sums of squares 15.5 and 13.875
    assert r == pytest.approx(14.25 / math.sqrt(15.5 * 13.875))
    assert r == pytest.approx(0.9717, abs=1e-4)
    assert [(p.a, p.b) for p in check.pairs] == [("relevant_agenda", "thematic_fit")]
    pair = check.pairs[0]
    assert pair.r == pytest.approx(r)
    assert pair.networks == 8
    assert pair.explanation.startswith(
        "Relevant agenda and Thematic fit rise and fall together across the 8 networks "
        "scored on both (correlation 0.97)"
    )
    assert check.checked == 3
    assert check.summary.endswith("may count the same thing twice: 1 of the 3 checked.")


def test_below_the_threshold_nothing_is_flagged() -> None:
    check = correlated_criteria(scores(a=AGENDA, b=UNRELATED), ["a", "b"])

    assert check.pairs == ()
    assert check.checked == 1
    assert "No two criteria move together" in check.summary


def test_too_few_networks_and_constant_columns_are_not_checked() -> None:
    few = correlated_criteria(scores(a=AGENDA[:7], b=AGENDA[:7]), ["a", "b"])
    assert few.pairs == ()
    assert few.checked == 0
    assert f"at least {MIN_NETWORKS} networks" in few.summary

    constant = correlated_criteria(scores(a=AGENDA, b=[3] * 8), ["a", "b"])
    assert constant.checked == 0


def test_missing_scores_leave_their_networks_out_of_the_pair() -> None:
    with_gaps: list[float | None] = [*AGENDA, None, None]
    other: list[float | None] = [*AGENDA, 1, 5]

    check = correlated_criteria(scores(a=with_gaps, b=other), ["a", "b"])

    assert check.pairs[0].networks == 8
    assert check.pairs[0].r == pytest.approx(1.0)


def test_a_negative_correlation_is_not_double_counting() -> None:
    mirrored = [6 - v for v in AGENDA]
    check = correlated_criteria(scores(a=AGENDA, b=mirrored), ["a", "b"])
    assert check.pairs == ()
    assert check.checked == 1


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        correlated_criteria({}, [], threshold=1.5)
    with pytest.raises(ValueError, match="at least 3"):
        correlated_criteria({}, [], min_networks=2)


column = st.lists(st.integers(min_value=1, max_value=5), min_size=10, max_size=10)


@given(column, column)
def test_agrees_with_numpy_and_is_symmetric(x: list[int], y: list[int]) -> None:
    forward = correlated_criteria(scores(a=x, b=y), ["a", "b"], threshold=0.01)
    backward = correlated_criteria(scores(a=y, b=x), ["b", "a"], threshold=0.01)
    if len(set(x)) == 1 or len(set(y)) == 1:
        assert forward.checked == 0
        return
    r = float(np.corrcoef(x, y)[0, 1])
    assert [p.r for p in forward.pairs] == ([pytest.approx(r)] if r >= 0.01 else [])
    assert [p.r for p in backward.pairs] == [p.r for p in forward.pairs]
    assert THRESHOLD == 0.9
