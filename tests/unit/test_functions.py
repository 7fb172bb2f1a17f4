"""Function vocabulary, function fit and function overlap on small cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.schemas import FunctionKey
from criteria import FUNCTION_KEYS, FUNCTIONS, CriteriaError, parse_function_needs
from criteria.functions import SOURCE_MIGRATION_BRIEF
from scoring.functions import function_fit, function_overlap, function_overlap_matrix

NEEDS = {"sharing_information": 40, "funding_access": 30, "advocacy": 20, "training": 10}


def test_vocabulary_has_the_six_functions_of_the_brief_and_five_more() -> None:
    from_brief = [f.key for f in FUNCTIONS if f.source == SOURCE_MIGRATION_BRIEF]
    assert from_brief == [
        "sharing_information",
        "showcasing",
        "story_telling",
        "shaming",
        "seeking_support",
        "standard_setting",
    ]
    assert set(FUNCTION_KEYS) - set(from_brief) == {
        "advocacy",
        "funding_access",
        "technical_assistance",
        "data_reporting",
        "training",
    }
    for f in FUNCTIONS:
        assert f.definition.endswith("."), f.key
        assert f.definition.startswith(("The network", "Experts of the network")), f.key
        assert f.source, f.key


def test_the_api_literal_lists_the_same_functions() -> None:
    assert FunctionKey.__args__ == FUNCTION_KEYS


def test_function_fit_worked_by_hand() -> None:
    # serves information sharing (40) and training (10) of 100 points: share 0.5, score 3.0
    fit = function_fit(NEEDS, frozenset({"sharing_information", "training", "showcasing"}))

    assert fit is not None
    assert fit.share == pytest.approx(0.5)
    assert fit.score == pytest.approx(1 + 4 * 0.5)
    assert fit.matched == ("sharing_information", "training")
    assert fit.missing == ("funding_access", "advocacy")
    assert "50%" in fit.explanation
    assert "access to funding and advocacy" in fit.explanation


def test_function_fit_extremes_and_unknown() -> None:
    everything = function_fit(NEEDS, frozenset(NEEDS))
    nothing = function_fit(NEEDS, frozenset({"shaming"}))

    assert everything is not None
    assert everything.score == 5.0
    assert "every function" in everything.explanation
    assert nothing is not None
    assert nothing.score == 1.0
    assert "none of the functions" in nothing.explanation
    assert function_fit(NEEDS, frozenset()) is None  # nothing recorded: unknown, not 1


@pytest.mark.parametrize(
    ("needs", "message"),
    [
        ({}, "has not said which functions it needs"),
        ({"advocacy": 0}, "has not said which functions it needs"),
        ({"advocacy": -1}, "must not be negative"),
        ({"advocacy": math.nan}, "must not be negative"),
        ({"gossip": 5}, "'gossip' is not a network function"),
    ],
)
def test_function_fit_refuses_bad_needs(needs: dict[str, float], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        function_fit(needs, frozenset({"advocacy"}))


def test_an_unknown_function_tag_is_refused() -> None:
    with pytest.raises(CriteriaError, match="'networking' is not a network function"):
        function_fit(NEEDS, frozenset({"networking"}))


def test_function_overlap_worked_by_hand() -> None:
    a = ("c40", frozenset({"sharing_information", "funding_access", "data_reporting"}))
    b = ("uclg", frozenset({"sharing_information", "advocacy", "data_reporting"}))

    o = function_overlap(NEEDS, a, b, names={"c40": "C40", "uclg": "UCLG"})

    # needed and served by either: information 40, funding 30, advocacy 20 -> 90
    # served by both: information 40 (data/reporting is not needed, so it does not count)
    assert o.share == pytest.approx(40 / 90)
    assert o.shared == ("sharing_information",)
    assert o.explanation.startswith("C40 and UCLG both serve information sharing for the city")
    assert "(44% in common)" in o.explanation


def test_function_overlap_says_mainly_from_half() -> None:
    a = ("x", frozenset({"sharing_information", "training"}))
    b = ("y", frozenset({"sharing_information"}))

    o = function_overlap(NEEDS, a, b)

    assert o.share == pytest.approx(40 / 50)
    assert o.explanation == (
        "x and y both mainly serve information sharing for the city "
        "(80% of the needed function weight either one serves)."
    )


def test_function_overlap_with_nothing_in_common() -> None:
    o = function_overlap(NEEDS, ("x", frozenset({"advocacy"})), ("y", frozenset({"training"})))
    assert (o.share, o.shared) == (0.0, ())
    assert "none of the functions the city needs in common" in o.explanation


functions = st.frozensets(st.sampled_from(FUNCTION_KEYS))
needs = st.dictionaries(
    st.sampled_from(FUNCTION_KEYS), st.integers(min_value=1, max_value=100), min_size=1
)


@given(needs, st.lists(functions, min_size=1, max_size=6))
def test_matrix_matches_the_pairwise_overlap(
    weights: dict[str, int], sets: list[frozenset[str]]
) -> None:
    served = {f"n{i}": s for i, s in enumerate(sets)}
    ids, matrix = function_overlap_matrix(weights, served)

    assert ids == tuple(served)
    assert np.allclose(matrix, matrix.T)
    for i, a in enumerate(ids):
        assert matrix[i, i] == 0.0
        for j in range(i + 1, len(ids)):
            b = ids[j]
            expected = function_overlap(weights, (a, served[a]), (b, served[b])).share
            assert matrix[i, j] == pytest.approx(expected)


@given(needs, functions, functions)
def test_fit_is_monotone_in_the_functions_served(
    weights: dict[str, int], some: frozenset[str], more: frozenset[str]
) -> None:
    small = function_fit(weights, some)
    large = function_fit(weights, some | more)
    if large is None:  # nothing recorded at all: unknown
        assert not some
        assert not more
        return
    assert 1.0 <= large.score <= 5.0
    if small is not None:
        assert large.score >= small.score - 1e-12


def test_parse_function_needs_reports_each_bad_entry() -> None:
    with pytest.raises(CriteriaError) as info:
        parse_function_needs({"advocacy": True, "training": 101, "x": 1})

    assert dict(info.value.fields) == {
        "advocacy": "the weight must be a number from 0 to 100",
        "training": "the weight must be a number from 0 to 100",
        "x": "not a network function",
    }
