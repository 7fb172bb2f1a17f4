"""Tests for scoring.overlap: Jaccard by hand, the overlap matrix, the two hints."""

from __future__ import annotations

import numpy as np
import pytest

from criteria.errors import CriteriaError
from scoring.overlap import (
    SharedItems,
    complementarity_hint,
    jaccard,
    overlap_matrix,
    pair_overlap,
    shared_items,
    thematic_fit,
)

THEMES = {
    "c40": frozenset({"climate", "resilience", "mobility"}),
    "iclei": frozenset({"climate", "resilience", "sustainability", "food"}),
    "uclg": frozenset({"governance/decentralisation", "general/multi-issue"}),
    "icorn": frozenset({"human rights", "culture"}),
}
SERVICES = {
    "c40": frozenset({"advocacy", "knowledge exchange", "technical assistance"}),
    "iclei": frozenset({"knowledge exchange", "technical assistance"}),
    "uclg": frozenset({"advocacy", "knowledge exchange"}),
    "icorn": frozenset(),
}


def test_jaccard_by_hand() -> None:
    # c40 & iclei themes: {climate, resilience} = 2; union: 5 -> 0.4
    assert jaccard(THEMES["c40"], THEMES["iclei"]) == pytest.approx(2 / 5)
    # services: {knowledge exchange, technical assistance} = 2; union 3 -> 2/3
    assert jaccard(SERVICES["c40"], SERVICES["iclei"]) == pytest.approx(2 / 3)
    assert jaccard(THEMES["c40"], THEMES["icorn"]) == 0.0
    assert jaccard(frozenset(), frozenset()) == 0.0
    assert jaccard(frozenset({"a"}), frozenset()) == 0.0


def test_overlap_matrix_by_hand() -> None:
    ids, matrix = overlap_matrix(THEMES, SERVICES)
    assert ids == ("c40", "iclei", "uclg", "icorn")
    assert matrix.shape == (4, 4)
    np.testing.assert_allclose(matrix, matrix.T)
    np.testing.assert_array_equal(np.diag(matrix), 0.0)
    # c40-iclei: themes 2/5, scaled by 0.5 + 0.5 x services 2/3 -> 0.4 x 5/6 = 1/3
    assert matrix[0, 1] == pytest.approx(2 / 5 * (0.5 + 0.5 * 2 / 3))
    # c40-uclg share two services but no theme: no overlap at all
    assert matrix[0, 2] == 0.0
    assert matrix[3, 0] == 0.0


def test_same_services_on_different_themes_is_no_overlap() -> None:
    # The case that misled before: two networks both doing knowledge exchange, one on
    # climate, the other on culture, are not duplicates.
    _, matrix = overlap_matrix(
        {"com": frozenset({"climate"}), "icc": frozenset({"culture"})},
        {"com": frozenset({"knowledge exchange"}), "icc": frozenset({"knowledge exchange"})},
    )
    assert matrix[0, 1] == 0.0
    assert shared_items({"climate"}, {"culture"}, {"ke"}, {"ke"}) == SharedItems((), ())


def test_overlap_matrix_service_weight_and_missing_keys() -> None:
    ids, matrix = overlap_matrix(
        {"a": frozenset({"x"}), "b": frozenset({"x"})},
        {"a": frozenset({"s"}), "c": frozenset({"s"})},
        service_weight=0.0,
    )
    assert ids == ("a", "b", "c")
    assert matrix[0, 1] == 1.0  # same theme; services ignored at weight 0
    assert matrix[0, 2] == 0.0  # c has no theme
    with pytest.raises(CriteriaError, match="service weight"):
        overlap_matrix({}, {}, service_weight=1.5)


def test_overlap_matrix_agrees_with_the_pair_formula() -> None:
    ids, matrix = overlap_matrix(THEMES, SERVICES, service_weight=0.3)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i != j:
                expected = jaccard(THEMES[a], THEMES[b]) * (
                    0.7 + 0.3 * jaccard(SERVICES[a], SERVICES[b])
                )
                assert matrix[i, j] == pytest.approx(expected)
                assert pair_overlap(THEMES[a], THEMES[b], SERVICES[a], SERVICES[b], 0.3) == (
                    pytest.approx(expected)
                )


def test_shared_items_name_what_a_pair_shares() -> None:
    shared = shared_items(THEMES["c40"], THEMES["iclei"], SERVICES["c40"], SERVICES["iclei"])
    assert shared == SharedItems(
        ("climate", "resilience"), ("knowledge exchange", "technical assistance")
    )
    assert shared.describe() == (
        "themes climate, resilience; services knowledge exchange, technical assistance"
    )


def test_empty_overlap_matrix() -> None:
    ids, matrix = overlap_matrix({}, {})
    assert ids == ()
    assert matrix.shape == (0, 0)


def test_complementarity_hint_uses_the_most_similar_membership() -> None:
    hint = complementarity_hint("iclei", ["c40", "uclg", "iclei"], THEMES, SERVICES)
    assert hint.most_similar == "c40"
    assert hint.max_overlap == pytest.approx(1 / 3)
    assert hint.suggested_score == 3  # 0.25 <= 0.333 < 0.45
    assert "c40" in hint.explanation


@pytest.mark.parametrize(
    ("overlap_share", "score"),
    [(0.0, 5), (0.05, 5), (0.10, 4), (0.2, 4), (0.25, 3), (0.5, 2), (0.7, 1), (1.0, 1)],
)
def test_complementarity_anchors(overlap_share: float, score: int) -> None:
    # Same theme, no service in common: overlap = 1 - service_weight.
    themes = {"a": frozenset({"x"}), "b": frozenset({"x"})}
    services = {"a": frozenset({"s"}), "b": frozenset({"t"})}
    hint = complementarity_hint("a", ["b"], themes, services, service_weight=1 - overlap_share)
    assert hint.suggested_score == score


def test_complementarity_without_other_memberships() -> None:
    hint = complementarity_hint("c40", [], THEMES, SERVICES)
    assert (hint.suggested_score, hint.max_overlap, hint.most_similar) == (5, 0.0, None)
    assert complementarity_hint("icorn", ["c40"], THEMES, SERVICES).suggested_score == 5


def test_thematic_fit_by_hand() -> None:
    priorities = {"climate": 40, "housing": 30, "mobility": 20, "culture": 10}
    fit = thematic_fit(priorities, THEMES["c40"])
    assert fit.matched == ("climate", "mobility")
    assert fit.share == pytest.approx(0.6)
    assert fit.score == pytest.approx(1 + 4 * 0.6)
    # general/multi-issue: half of every priority it does not name
    uclg = thematic_fit(priorities, THEMES["uclg"])
    assert uclg.share == pytest.approx(0.5)
    assert uclg.score == pytest.approx(3.0)
    assert "multi-issue" in uclg.explanation
    assert thematic_fit(priorities, frozenset()).score == 1.0


def test_thematic_fit_general_network_naming_a_priority_counts_it_fully() -> None:
    fit = thematic_fit({"climate": 1, "housing": 1}, frozenset({"climate", "general/multi-issue"}))
    assert fit.share == pytest.approx(0.75)


def test_thematic_fit_needs_positive_priorities() -> None:
    with pytest.raises(CriteriaError, match="no priority themes"):
        thematic_fit({}, THEMES["c40"])
    with pytest.raises(CriteriaError, match="no priority themes"):
        thematic_fit({"climate": 0}, THEMES["c40"])
    with pytest.raises(CriteriaError, match="negative"):
        thematic_fit({"climate": -1, "housing": 2}, THEMES["c40"])
