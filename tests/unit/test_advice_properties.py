"""Properties the advice must keep, whatever the data (DESIGN.md section 3, issue 8).

Each property is its own test over random decision problems: a non-binding budget changes no
action; adding or removing a network changes no other network's value; no member is dropped for
a candidate of equal or lower value; every sentence's comparison is true of its numbers; no
JOIN below the evidence threshold; the actions do not depend on the order of the inputs.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.analysis import CriterionInput, NetworkInput, Problem, analyse
from scoring.evidence import AssessorScore, combine
from scoring.recommend import Action
from scoring.settings import DecisionSettings
from tests.unit.test_recommend import check_sentence

TODAY = date(2026, 12, 1)
CRITERIA = (
    CriterionInput("agenda", "Relevant agenda"),
    CriterionInput("focus", "Sharp focus"),
    CriterionInput("leadership", "Political leadership"),
    CriterionInput("annual_fee", "Annual cost", "cost", "fact"),
    CriterionInput("staff_time", "Staff time", "cost", "fact"),
)
THEMES = ("climate", "culture", "mobility", "health")
SERVICES = ("advocacy", "knowledge exchange", "funding access")
SCORE = st.one_of(st.none(), st.integers(1, 5))


@st.composite
def networks(draw: st.DrawFn, index: int) -> tuple[NetworkInput, dict[str, float | None]]:
    status = draw(st.sampled_from(["member", "member", "candidate", "candidate", "former"]))
    network = NetworkInput(
        id=f"n{index:02d}",
        name=f"Network {index}",
        status=status,
        fee=draw(st.sampled_from([0, 350_000, 1_200_000, 2_600_000, 4_000_000])),
        hours=float(draw(st.sampled_from([0, 100, 300, 600]))),
        engagement=draw(st.sampled_from([None, "active", "passive"])),
        renewal_date=draw(st.sampled_from([None, date(2026, 1, 1), date(2024, 2, 29)])),
        notice_days=draw(st.sampled_from([None, 90, 183])),
        eligible=draw(st.sampled_from([True, True, True, None, False])),
        themes=frozenset(draw(st.sets(st.sampled_from(THEMES), max_size=2))),
        services=frozenset(draw(st.sets(st.sampled_from(SERVICES), max_size=2))),
    )
    scores = {c.key: draw(SCORE) for c in CRITERIA[:3]}
    return network, scores


@st.composite
def problems(draw: st.DrawFn, min_size: int = 1, max_size: int = 8) -> Problem:
    n = draw(st.integers(min_size, max_size))
    pairs = [draw(networks(k)) for k in range(n)]
    if all(net.status == "former" for net, _ in pairs):
        net, scores = pairs[0]
        pairs[0] = (dataclasses.replace(net, status="member"), scores)
    weights = {c.key: float(draw(st.integers(0, 10))) for c in CRITERIA}
    if not any(weights.values()):
        weights["agenda"] = 1.0
    fee_budget = draw(st.one_of(st.none(), st.sampled_from([0, 500_000, 3_000_000, 8_000_000])))
    hours_budget = draw(st.one_of(st.none(), st.sampled_from([0.0, 400.0, 1_200.0])))
    return Problem(
        networks=tuple(net for net, _ in pairs),
        criteria=CRITERIA,
        scores={net.id: scores for net, scores in pairs},
        weights=weights,
        today=TODAY,
        fee_budget=fee_budget,
        hours_budget=hours_budget,
        settings=DecisionSettings(
            fee_reference=3_000_000,
            hours_reference=500,
            overlap_penalty=draw(st.sampled_from([0.0, 0.1, 0.3])),
            evidence_threshold=draw(st.sampled_from([0.5, 0.7, 1.0])),
        ),
        samples=0,
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _actions(problem: Problem) -> dict[str, Action]:
    return {r.network: r.action for r in analyse(problem).recommendations}


@SETTINGS
@given(problems())
def test_a_budget_that_does_not_bind_changes_no_action(problem: Problem) -> None:
    free = dataclasses.replace(problem, fee_budget=None, hours_budget=None)
    roomy = dataclasses.replace(problem, fee_budget=10**12, hours_budget=10.0**9)
    free_run, roomy_run = analyse(free), analyse(roomy)
    assert {r.network: (r.action, r.explanation) for r in roomy_run.recommendations} == {
        r.network: (r.action, r.explanation) for r in free_run.recommendations
    }


@SETTINGS
@given(problems(min_size=2), st.data())
def test_adding_or_removing_a_network_changes_no_other_value(
    problem: Problem, data: st.DataObject
) -> None:
    keep = list(problem.networks)
    dropped = data.draw(st.sampled_from(keep))
    rest = tuple(n for n in keep if n.id != dropped.id)
    if all(n.status == "former" for n in rest):
        return
    smaller = dataclasses.replace(
        problem,
        networks=rest,
        scores={k: v for k, v in problem.scores.items() if k != dropped.id},
    )
    before, after = analyse(problem).values, analyse(smaller).values
    for network, value in after.items():
        assert value == pytest.approx(before[network], abs=1e-12)


@SETTINGS
@given(problems())
def test_no_member_is_dropped_for_a_candidate_of_equal_or_lower_value(problem: Problem) -> None:
    result = analyse(problem)
    recs = result.recommendations
    left = [r for r in recs if r.action is Action.LEAVE and r.why == "over budget"]
    joined = [r for r in recs if r.action is Action.JOIN]
    for member in left:
        for candidate in joined:
            assert candidate.value > member.value, (member, candidate)


@SETTINGS
@given(problems())
def test_every_sentence_is_true_of_its_numbers(problem: Problem) -> None:
    for rec in analyse(problem).recommendations:
        check_sentence(rec.explanation)
        # "clears the leave bar (0.45)" and "below the join bar" print their own numbers;
        # the value printed is the value of the row.
        if rec.explanation.startswith("Value "):
            printed = float(rec.explanation.split()[1].rstrip(";"))
            assert abs(printed - rec.value) <= 0.005 + 1e-12


@SETTINGS
@given(problems())
def test_no_join_below_the_evidence_threshold(problem: Problem) -> None:
    result = analyse(problem)
    threshold = problem.settings.evidence_threshold
    for rec in result.recommendations:
        if rec.coverage < threshold - 1e-12:
            assert rec.action is not Action.JOIN
            assert rec.rank is None
        if rec.action is Action.JOIN:
            assert rec.coverage >= threshold - 1e-12


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_actions_do_not_depend_on_the_order_of_the_inputs(
    problem: Problem, rnd: random.Random
) -> None:
    shuffled = list(problem.networks)
    rnd.shuffle(shuffled)
    again = dataclasses.replace(
        problem,
        networks=tuple(shuffled),
        scores=dict(sorted(problem.scores.items(), key=lambda _item: rnd.random())),
    )
    assert _actions(again) == _actions(problem)


@SETTINGS
@given(problems())
def test_rank_value_action_and_sentence_agree(problem: Problem) -> None:
    result = analyse(problem)
    ranked = [r for r in result.recommendations if r.rank is not None]
    # Ranked rows come first, in rank order; unranked rows have no sampled robustness.
    assert result.recommendations[: len(ranked)] == tuple(ranked)
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)  # type: ignore[type-var]
    for rec in result.recommendations:
        assert rec.value == pytest.approx(result.values[rec.network])
        if rec.action is Action.JOIN:
            assert "clears the join bar" in rec.explanation or "locked" in rec.explanation
        if rec.action is Action.LEAVE:
            assert rec.explanation.startswith("Value")
        if rec.action is Action.AT_RISK:
            assert "no longer meets a condition" in rec.explanation
        if rec.action is Action.ASSESS_FIRST:
            assert rec.explanation.startswith("Only ")


def test_disagreeing_assessors_are_flagged_but_the_value_uses_the_mean() -> None:
    nets = (NetworkInput("a", "A", "member"), NetworkInput("b", "B", "member"))
    scores = {
        "a": {"agenda": 3, "focus": 3, "leadership": 3},
        "b": {"agenda": 3, "focus": 3, "leadership": 3},
    }
    cells = {"a": {"leadership": combine([AssessorScore(1, "high"), AssessorScore(5, "high")])}}
    problem = Problem(
        nets, CRITERIA, scores, {c.key: 1.0 for c in CRITERIA}, TODAY,
        settings=DecisionSettings(fee_reference=100, hours_reference=10), cells=cells,
        samples=300,
    )  # fmt: skip
    result = analyse(problem)
    a, b = result.recommendation("a"), result.recommendation("b")
    assert a.value == pytest.approx(b.value)
    assert [f.code for f in a.flags] == ["disputed"]
    assert b.flags == ()
