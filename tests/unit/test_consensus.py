"""Goepel's consensus indicator, the disagreement levels and the robust core.

Worked examples by hand (natural logarithms, 0 ln 0 = 0), from the formulas on
https://bpmsg.com (AHP consensus indicator, eq. 1.1-1.5: S = 1/exp(H_beta),
S* = (S - 1/n)/(1 - 1/n)) and Jost (2007) for the entropy partition.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.errors import CriteriaError
from scoring.consensus import consensus, disagreement, robust_core
from scoring.weights import aggregate_group


def test_two_people_with_different_shares() -> None:
    # Ana 60/40, Ben 20/80.
    # H(Ana) = -(0.6 ln 0.6 + 0.4 ln 0.4) = 0.306495 + 0.366516 = 0.673012
    # H(Ben) = -(0.2 ln 0.2 + 0.8 ln 0.8) = 0.321888 + 0.178515 = 0.500402
    # H_alpha = (0.673012 + 0.500402) / 2 = 0.586707
    # pooled = (0.4, 0.6): H_gamma = 0.673012; H_beta = 0.086305
    # S = exp(-0.086305) = 0.917315; S* = (0.917315 - 1/2) / (1 - 1/2) = 0.834630
    c = consensus([{"agenda": 60, "fee": 40}, {"agenda": 20, "fee": 80}])
    assert c.alpha == pytest.approx(0.586707, abs=1e-6)
    assert c.gamma == pytest.approx(0.673012, abs=1e-6)
    assert c.beta == pytest.approx(0.086305, abs=1e-6)
    assert c.homogeneity == pytest.approx(0.917315, abs=1e-6)
    assert c.index == pytest.approx(0.834630, abs=1e-6)
    assert c.word == "high"  # 0.75 <= S* < 0.875


def test_opposite_priorities_have_no_consensus() -> None:
    # Three people, each all-in on a different criterion of three:
    # H_alpha = 0, pooled = (1/3, 1/3, 1/3), H_gamma = ln 3, S = 1/3, S* = 0.
    c = consensus([{"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 0}, {"a": 0, "b": 0, "c": 1}])
    assert c.homogeneity == pytest.approx(1 / 3)
    assert c.index == pytest.approx(0.0, abs=1e-12)
    assert c.word == "very low"


def test_the_same_shares_are_full_consensus_whatever_the_points() -> None:
    c = consensus([{"a": 50, "b": 25, "c": 25}, {"a": 2, "b": 1, "c": 1}])
    assert c.index == 1.0
    assert c.word == "very high"


def test_one_participant_is_full_consensus() -> None:
    assert consensus([{"a": 3, "b": 1}]).index == 1.0


def test_sets_must_name_the_same_criteria() -> None:
    with pytest.raises(CriteriaError) as raised:
        consensus([{"a": 1, "b": 1}, {"a": 1, "c": 1}])
    assert "b" in raised.value.fields or "c" in raised.value.fields
    with pytest.raises(CriteriaError):
        consensus([])


weights = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 100), min_size=4, max_size=4
).filter(lambda w: sum(w.values()) > 0)


@settings(max_examples=80, deadline=None)
@given(st.lists(weights, min_size=1, max_size=8))
def test_consensus_is_between_0_and_1_and_ignores_the_order(sets: list[dict[str, int]]) -> None:
    c = consensus(sets)
    assert 0.0 <= c.index <= 1.0
    assert 1 / 4 - 1e-9 <= c.homogeneity <= 1.0 + 1e-9
    assert c.beta >= 0.0
    assert consensus(list(reversed(sets))).index == pytest.approx(c.index, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(weights, st.integers(2, 6))
def test_copies_of_one_person_agree_fully(one: dict[str, int], copies: int) -> None:
    assert consensus([one] * copies).index == 1.0


def test_disagreement_levels_follow_the_spread_of_each_share() -> None:
    # Shares of "a": 0.5 and 0.56 -> population std |0.56 - 0.5| / 2 = 0.03 (< 0.05: low);
    # 0.5 and 0.64 -> 0.07 (medium); 0.5 and 0.8 -> 0.15 (>= 0.10: high).
    group = aggregate_group([{"a": 50, "b": 50}, {"a": 56, "b": 44}])
    assert disagreement(group) == {"a": "low", "b": "low"}
    group = aggregate_group([{"a": 50, "b": 50}, {"a": 64, "b": 36}])  # std 0.07: medium
    assert disagreement(group) == {"a": "medium", "b": "medium"}
    group = aggregate_group([{"a": 50, "b": 50}, {"a": 80, "b": 20}])
    assert disagreement(group) == {"a": "high", "b": "high"}


def test_robust_core_keeps_unanimous_advice_and_counts_the_splits() -> None:
    advice = {
        "Ana": {"c40": "stay", "uclg": "join", "iclei": "leave"},
        "Ben": {"c40": "stay", "uclg": "not_recommended", "iclei": "leave"},
        "Cleo": {"c40": "stay", "uclg": "join", "iclei": "stay"},
    }
    core = robust_core(advice, ["c40", "uclg", "iclei"])
    assert core.voters == 3
    assert core.unanimous == {"c40": "stay"}
    assert core.split == {
        "uclg": (("join", 2), ("not_recommended", 1)),
        "iclei": (("leave", 2), ("stay", 1)),
    }
    assert list(core.split) == ["uclg", "iclei"]  # the order given


def test_robust_core_needs_every_network_from_every_voter() -> None:
    with pytest.raises(CriteriaError, match="Ben"):
        robust_core({"Ana": {"c40": "stay"}, "Ben": {}}, ["c40"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text("ABCDE", min_size=1, max_size=3),
        st.tuples(*[st.sampled_from(["join", "stay", "leave"])] * 4),
        min_size=1,
        max_size=6,
    )
)
def test_every_network_is_either_unanimous_or_split(advice: dict[str, tuple[str, ...]]) -> None:
    networks = ["n1", "n2", "n3", "n4"]
    core = robust_core(
        {v: dict(zip(networks, a, strict=True)) for v, a in advice.items()}, networks
    )
    assert set(core.unanimous) | set(core.split) == set(networks)
    assert not set(core.unanimous) & set(core.split)
    for counts in core.split.values():
        assert sum(n for _action, n in counts) == len(advice)
    assert math.isclose(core.voters, len(advice))
