"""Tests for scoring.recommend and scoring.calendar: actions, sentences computed from the
numbers they print, flags, and notice dates across year ends and leap days."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import scoring.portfolio as pf
from criteria.errors import CriteriaError
from scoring.calendar import anniversary, schedule
from scoring.recommend import (
    Action,
    MembershipFacts,
    Thresholds,
    contribution_reasons,
    cost_per_value_point,
    decide_action,
    ordinal,
    pair_text,
    percent,
    recommend,
    robustness_sentence,
    texts_against,
)

TODAY = date(2026, 3, 1)
T = Thresholds(join_above=0.60, leave_below=0.45)


# --- actions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "eligible", "enough", "selected", "expected"),
    [
        (True, True, True, True, Action.STAY),
        (True, True, True, False, Action.LEAVE),
        (False, True, True, True, Action.JOIN),
        (False, True, True, False, Action.NOT_RECOMMENDED),
        (True, False, True, True, Action.AT_RISK),
        (False, False, True, False, Action.NOT_ELIGIBLE),
        (False, None, False, False, Action.ASSESS_FIRST),
        (True, None, False, True, Action.STAY),  # a member keeps STAY until assessed
        (False, False, False, False, Action.NOT_ELIGIBLE),  # eligibility comes first
    ],
)
def test_decide_action(
    member: bool, eligible: bool | None, enough: bool, selected: bool, expected: Action
) -> None:
    action = decide_action(
        is_member=member, eligible=eligible, enough_evidence=enough, selected=selected
    )
    assert action is expected


def test_thresholds_validate() -> None:
    with pytest.raises(CriteriaError, match="leave bar"):
        Thresholds(join_above=0.4, leave_below=0.5)
    with pytest.raises(CriteriaError):
        Thresholds(join_above=1.2)


# --- numbers in words ------------------------------------------------------------------------


@given(
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_printed_numbers_compare_like_the_numbers(a: float, b: float) -> None:
    ta, tb = pair_text(a, b)
    assert (float(ta) < float(tb)) == (a < b)
    assert (float(ta) > float(tb)) == (a > b)
    assert len(ta.split(".")[1]) >= 2


@given(
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_one_value_printed_against_two_bars_keeps_both_comparisons(
    value: float, low: float, high: float
) -> None:
    assume(low == high or abs(low - high) >= 1e-6)  # bars closer than that are not told apart
    shown, low_text, high_text = texts_against(value, low, high)
    for ref, text in ((low, low_text), (high, high_text)):
        assert (float(shown) < float(text)) == (value < ref)
        assert (float(shown) > float(text)) == (value > ref)


def test_pair_text_by_hand() -> None:
    assert pair_text(0.45, 0.45) == ("0.45", "0.45")
    assert pair_text(0.449, 0.45) == ("0.449", "0.450")
    assert pair_text(0.6028, 0.6) == ("0.603", "0.600")
    assert pair_text(0.60000001, 0.6) == ("0.600001", "0.600000")  # beyond 6 decimals
    assert pair_text(0.5999999999, 0.6) == ("0.599999", "0.600000")


def test_percent_ordinal_and_sentence() -> None:
    assert percent(0.5) == "50%"
    assert [ordinal(n) for n in (1, 2, 3, 11, 22)] == ["1st", "2nd", "3rd", "11th", "22nd"]
    sentence = robustness_sentence(
        action_stability=0.94, top_k_probability=0.81, top_k=3, samples=10_000
    )
    assert sentence == "Stable: the advice holds in 94% of plausible weightings."
    assert robustness_sentence(
        action_stability=0.75, top_k_probability=None, top_k=3, samples=10
    ).startswith("Fairly stable: the advice holds in 75%")
    assert robustness_sentence(
        action_stability=0.69, top_k_probability=None, top_k=3, samples=10
    ).startswith("Uncertain: the advice holds in 69%")
    assert "not computed" in robustness_sentence(
        action_stability=None, top_k_probability=None, top_k=3, samples=0
    )


def test_cost_per_value_point() -> None:
    # 30,000.00 a year for a value of 0.60 (60 points): 500 per point
    assert cost_per_value_point(3_000_000, 0.6) == pytest.approx(500.0)
    assert cost_per_value_point(0, 0.6) == 0.0
    assert cost_per_value_point(100, -0.1) is None


def test_reasons_compare_with_the_middle_of_the_scale_not_with_the_list() -> None:
    w = np.array([0.5, 0.3, 0.2])
    u = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 0.5]])
    # against 0.5 everywhere: row 0 versus [0.25, -0.15, 0.0]
    strengths, weaknesses = contribution_reasons(w, u, ["a", "b", "c"], {})[0]
    assert [r.criterion for r in strengths] == ["a"]
    assert strengths[0].versus_average == pytest.approx(0.25)
    assert strengths[0].contribution == pytest.approx(0.5)
    assert [r.criterion for r in weaknesses] == ["b"]
    assert weaknesses[0].versus_average == pytest.approx(-0.15)
    assert "15.0 less than a middling network" in weaknesses[0].sentence
    assert contribution_reasons(w, u, ["a", "b", "c"], {})[2] == ((), ())
    # The first row's reasons do not change when another network is added.
    more = np.vstack([u, [[0.9, 0.9, 0.9]]])
    assert contribution_reasons(w, more, ["a", "b", "c"], {})[0] == (strengths, weaknesses)


# --- the calendar ----------------------------------------------------------------------------


def test_notice_schedule_before_and_after_the_deadline() -> None:
    renewal = date(2026, 12, 31)
    # Six months' notice (UCLG-style): 183 days before 31 December is 1 July.
    s = schedule(renewal, 183, TODAY)
    assert s is not None
    assert (s.next_renewal, s.notice_by, s.exit_on, s.missed) == (
        date(2026, 12, 31),
        date(2026, 7, 1),
        date(2026, 12, 31),
        False,
    )
    last_day = schedule(renewal, 183, date(2026, 7, 1))
    assert last_day is not None
    assert last_day.notice_by == date(2026, 7, 1)
    assert last_day.days_left == 0
    late = schedule(renewal, 183, date(2026, 7, 2))
    assert late is not None
    assert late.missed
    assert late.committed_from == date(2026, 12, 31)
    assert (late.notice_by, late.exit_on) == (date(2027, 7, 1), date(2027, 12, 31))
    assert schedule(renewal, None, TODAY) is None
    assert schedule(None, 30, TODAY) is None
    with pytest.raises(CriteriaError):
        schedule(renewal, -1, TODAY)


def test_the_missed_renewal_is_the_upcoming_one_not_the_recorded_one() -> None:
    # Recorded 2026-01-01 (past), 90 days' notice, today 2026-12-01: the renewal of
    # 2027-01-01 is missed (deadline 2026-10-03), so the exit is 2028-01-01.
    s = schedule(date(2026, 1, 1), 90, date(2026, 12, 1))
    assert s is not None
    assert s.committed_from == date(2027, 1, 1)
    assert (s.notice_by, s.exit_on) == (date(2027, 10, 3), date(2028, 1, 1))


def test_29_february_renewals() -> None:
    # 29 February renews on 28 February in common years, and on 29 February in leap years.
    assert anniversary(date(2024, 2, 29), 2027) == date(2027, 2, 28)
    s = schedule(date(2024, 2, 29), 0, date(2027, 3, 1))
    assert s is not None
    assert s.exit_on == date(2028, 2, 29)
    s = schedule(date(2024, 2, 29), 1, date(2028, 2, 28))
    assert s is not None
    assert (s.notice_by, s.exit_on) == (date(2028, 2, 28), date(2028, 2, 29))


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(min_value=0, max_value=800),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_schedule_properties(renewal: date, notice: int, today: date) -> None:
    s = schedule(renewal, notice, today)
    assert s is not None
    assert s.notice_by >= today  # the deadline is never in the past
    assert s.notice_by == s.exit_on - timedelta(days=notice)
    assert s.next_renewal >= today
    assert s.next_renewal - today <= timedelta(days=366)
    assert (s.exit_on.month, s.exit_on.day) in {
        (renewal.month, renewal.day),
        (2, 28),
    }
    # No earlier exit is still open: the renewal before the exit has a passed deadline.
    before = anniversary(renewal, s.exit_on.year - 1)
    if before >= today:
        assert before - timedelta(days=notice) < today
    assert s.missed == (s.exit_on != s.next_renewal)


# --- recommendations -------------------------------------------------------------------------


def _run(
    facts: list[MembershipFacts],
    values: list[float],
    reasons: dict[str, pf.Why],
    selected: set[str],
    **kw: object,
) -> dict[str, object]:
    n = len(facts)
    utilities = np.array([[v, v] for v in values])
    portfolio = pf.PortfolioResult(
        selected=frozenset(selected),
        objective=0.0,
        fee_used=0,
        hours_used=0.0,
        status="optimal",
        reasons=reasons,
        binding=[],
        fee_budget=kw.pop("fee_budget", None),  # type: ignore[arg-type]
    )
    options: dict[str, object] = {
        "values": np.array(values),
        "ranks": list(range(1, n + 1)),
        "value_ranks": list(range(1, n + 1)),
        "criteria": ["agenda", "leadership"],
        "titles": {"agenda": "Relevant agenda", "leadership": "Political leadership"},
        "weights": np.array([0.5, 0.5]),
        "utilities": utilities,
        "thresholds": T,
        "join_cost": 0.02,
        "leave_cost": 0.02,
        "evidence_threshold": 0.7,
        "portfolio": portfolio,
        "today": TODAY,
    }
    options.update(kw)
    return {r.network: r for r in recommend(facts, **options)}  # type: ignore[arg-type]


def test_recommend_actions_flags_and_sentences() -> None:
    facts = [
        MembershipFacts("passive-star", is_member=True, engagement="passive", fee=1_000_000),
        MembershipFacts("newcomer", is_member=False, eligible=None),
        MembershipFacts(
            "weak",
            is_member=True,
            renewal_date=date(2026, 12, 31),
            notice_days=183,
            missing_scores=2,
        ),
        MembershipFacts("closed", is_member=False, eligible=False, eligibility_reasons=("region",)),
        MembershipFacts(
            "reviewed",
            is_member=True,
            eligible=False,
            eligibility_reasons=("the yearly review found it short",),
            renewal_date=date(2027, 1, 1),
            notice_days=90,
        ),
    ]
    by_id = _run(
        facts,
        [0.8, 0.7, 0.3, 0.9, 0.75],
        {
            "passive-star": pf.Why(pf.SELECTED),
            "newcomer": pf.Why(pf.SELECTED),
            "weak": pf.Why(pf.BELOW_BAR),
            "closed": pf.Why(pf.NOT_ELIGIBLE),
            "reviewed": pf.Why(pf.NOT_ELIGIBLE),
        },
        {"passive-star", "newcomer"},
        action_stability=np.array([0.95, 0.65, np.nan, np.nan, np.nan]),
        top_k_probability=np.array([0.9, 0.5, 0.0, 0.0, 0.0]),
        samples=2000,
    )
    star, newcomer, weak, closed, reviewed = (by_id[k] for k in by_id)  # type: ignore[misc]
    assert [r.action for r in (star, newcomer, weak, closed, reviewed)] == [  # type: ignore[attr-defined]
        Action.STAY,
        Action.JOIN,
        Action.LEAVE,
        Action.NOT_ELIGIBLE,
        Action.AT_RISK,
    ]
    codes = {k: [f.code for f in r.flags] for k, r in by_id.items()}  # type: ignore[attr-defined]
    assert codes["passive-star"] == ["re-engage"]
    assert codes["newcomer"] == ["uncertain", "eligibility-unknown"]
    assert codes["weak"] == ["missing-scores", "notice"]
    assert codes["closed"] == []
    assert codes["reviewed"] == ["notice"]
    assert weak.notice_by == date(2026, 7, 1)  # type: ignore[attr-defined]
    assert weak.explanation == "Value 0.30 is below the leave bar (0.45)."  # type: ignore[attr-defined]
    assert newcomer.explanation == (  # type: ignore[attr-defined]
        "Value 0.70 clears the join bar (0.60) by 0.10, more than the cost of joining (0.02)."
    )
    assert "region" in closed.explanation  # type: ignore[attr-defined]
    assert reviewed.explanation.startswith(  # type: ignore[attr-defined]
        "The city no longer meets a condition of this network (the yearly review found it short)."
    )
    assert "give notice by 2026-10-03 to leave on 2027-01-01" in reviewed.explanation  # type: ignore[attr-defined]
    assert star.robustness_sentence == (  # type: ignore[attr-defined]
        "Stable: the advice holds in 95% of plausible weightings."
    )
    assert star.robustness_level == "stable"  # type: ignore[attr-defined]
    assert newcomer.robustness_level == "uncertain"  # type: ignore[attr-defined]
    assert star.cost_per_value_point == pytest.approx(10_000 / 80)  # type: ignore[attr-defined]


def test_the_re_engage_flag_needs_the_join_bar_not_the_leave_bar() -> None:
    facts = [
        MembershipFacts("high", is_member=True, engagement="passive"),
        MembershipFacts("middle", is_member=True, engagement="passive"),
        MembershipFacts("active", is_member=True, engagement="active"),
    ]
    selected = {"high", "middle", "active"}
    reasons = {k: pf.Why(pf.SELECTED) for k in selected}
    by_id = _run(facts, [0.60, 0.59, 0.9], reasons, selected)
    assert [f.code for f in by_id["high"].flags] == ["re-engage"]  # type: ignore[attr-defined]
    assert by_id["middle"].flags == ()  # type: ignore[attr-defined]
    assert by_id["active"].flags == ()  # type: ignore[attr-defined]


def test_a_forced_trade_names_its_figures_and_only_funded_joins() -> None:
    facts = [
        MembershipFacts("uclg", is_member=True, fee=2_150_000, hours=300, title="UCLG"),
        MembershipFacts("free", is_member=False, title="Free network"),
        MembershipFacts("paid", is_member=False, fee=600_000, title="Paid network"),
    ]
    by_id = _run(
        facts,
        [0.47, 0.72, 0.62],
        {
            "uclg": pf.Why(pf.OVER_BUDGET, fee_left=1_300_000, over=("fee",)),
            "free": pf.Why(pf.SELECTED),
            "paid": pf.Why(pf.SELECTED),
        },
        {"free", "paid"},
        fee_budget=8_400_000,
    )
    assert by_id["uclg"].explanation == (  # type: ignore[attr-defined]
        "Value 0.47 clears the leave bar (0.45), but keeping it needs EUR 21,500 a year where "
        "the fee budget has EUR 13,000 left; leaving frees EUR 21,500 a year, used instead to "
        "join Paid network (0.62)."
    )


def test_overlap_and_priority_sentences_name_the_other_network() -> None:
    facts = [
        MembershipFacts("a", is_member=False, title="Alpha"),
        MembershipFacts("b", is_member=False, title="Beta"),
        MembershipFacts("m", is_member=True, title="Member"),
        MembershipFacts("c", is_member=False, title="Gamma"),
    ]
    by_id = _run(
        facts,
        [0.9, 0.65, 0.7, 0.66],
        {
            "a": pf.Why(pf.SELECTED),
            "b": pf.Why(pf.OVERLAP, partner="a", overlap=0.8, penalty=0.08),
            "m": pf.Why(pf.OVER_BUDGET, fee_left=0, over=("fee",)),
            "c": pf.Why(pf.PRIORITY, partner="m"),
        },
        {"a"},
        describe_shared=lambda *_pair: "themes climate",
    )
    assert by_id["b"].explanation == (  # type: ignore[attr-defined]
        "Value 0.65 clears the join bar (0.60), but it repeats much of Alpha (themes climate). "
        "Joining it is worth 0.03 (its margin over the bar less the cost of joining), less than "
        "the overlap penalty (0.08)."
    )
    assert by_id["c"].explanation == (  # type: ignore[attr-defined]
        "Value 0.66 clears the join bar (0.60), but joining would mean leaving Member (0.70), "
        "a member of at least the same value."
    )


def test_flags_carry_their_printed_figures() -> None:
    """Messages and the fields the app translates from (app/views/advice.py) are exact; the
    uncertain flag starts strictly below 70% (mutants of each survived the suite before)."""
    facts = [
        MembershipFacts("passive", is_member=True, engagement="passive"),
        MembershipFacts("shaky", is_member=True),
        MembershipFacts("at-limit", is_member=True),
        MembershipFacts("thin", is_member=True, coverage=0.555),
    ]
    by_id = _run(
        facts,
        [0.8, 0.7, 0.7, 0.7],
        {k: pf.Why(pf.SELECTED) for k in ("passive", "shaky", "at-limit", "thin")},
        {"passive", "shaky", "at-limit", "thin"},
        action_stability=np.array([0.95, 0.65, 0.70, np.nan]),
        top_k_probability=np.zeros(4),
        samples=2000,
    )
    flags = {k: r.flags for k, r in by_id.items()}  # type: ignore[attr-defined]
    [engage] = flags["passive"]
    assert (engage.code, engage.message, dict(engage.params)) == (
        "re-engage",
        "passive membership with a value (0.80) at or above the join bar (0.60): re-engage",
        {"value": "0.80", "bar": "0.60"},
    )
    [shaky] = flags["shaky"]
    assert shaky.code == "uncertain"
    assert shaky.message == (
        "uncertain: the advice holds in only 65% of plausible weightings (fewer than 70%)"
    )
    assert dict(shaky.params) == {"stability": 0.65, "share": "65%", "limit": "70%"}
    assert flags["at-limit"] == ()  # exactly 70%: not uncertain
    [thin] = flags["thin"]
    assert (thin.code, dict(thin.params)) == ("assess-first", {"coverage": "56", "threshold": "70"})
    assert thin.message == (
        "assess first: only 56% of the assessed weight has scores (threshold 70%)"
    )


def test_assess_first_and_held_members() -> None:
    facts = [
        MembershipFacts("new", is_member=False, coverage=0.4),
        MembershipFacts("old", is_member=True, coverage=0.5),
    ]
    by_id = _run(
        facts,
        [0.8, 0.2],
        {"new": pf.Why(pf.UNASSESSED), "old": pf.Why(pf.HELD)},
        {"old"},
        ranks=[None, None],
        value_ranks=[None, None],
    )
    new, old = by_id["new"], by_id["old"]
    assert new.action is Action.ASSESS_FIRST  # type: ignore[attr-defined]
    assert new.rank is None  # type: ignore[attr-defined]
    assert new.explanation.startswith(  # type: ignore[attr-defined]
        "Only 40% of the weight of the assessed criteria has scores, below the evidence "
        "threshold of 70%"
    )
    assert old.action is Action.STAY  # type: ignore[attr-defined]
    assert [f.code for f in old.flags] == ["assess-first"]  # type: ignore[attr-defined]
    assert "Not sampled" in old.robustness_sentence  # type: ignore[attr-defined]


def test_disagreeing_assessors_are_named() -> None:
    facts = [
        MembershipFacts("n", is_member=True, disputes=(("leadership", 1.0, 4.0),)),
    ]
    by_id = _run(facts, [0.6], {"n": pf.Why(pf.SELECTED)}, {"n"})
    (flag,) = by_id["n"].flags  # type: ignore[attr-defined]
    assert flag.message == "assessors differ by 2 points or more on Political leadership (1 to 4)"


def test_a_method_note_when_the_ranking_method_disagrees_with_the_value() -> None:
    facts = [MembershipFacts("a", is_member=True), MembershipFacts("b", is_member=True)]
    reasons = {"a": pf.Why(pf.SELECTED), "b": pf.Why(pf.SELECTED)}
    by_id = _run(
        facts,
        [0.5, 0.7],
        reasons,
        {"a", "b"},
        ranks=[1, 2],
        value_ranks=[2, 1],
        method_label="TOPSIS",
    )
    assert by_id["a"].method_note == (  # type: ignore[attr-defined]
        "TOPSIS ranks it 1st of 2; by additive value it is 2nd. The advice follows the "
        "additive value."
    )


def test_notice_flag_after_the_deadline_names_the_missed_renewal() -> None:
    facts = [MembershipFacts("m", is_member=True, renewal_date=date(2025, 4, 1), notice_days=90)]
    by_id = _run(facts, [0.2], {"m": pf.Why(pf.BELOW_BAR)}, set(), today=date(2026, 3, 1))
    (flag,) = by_id["m"].flags  # type: ignore[attr-defined]
    assert flag.message == (
        "the notice deadline for the renewal on 2026-04-01 (2026-01-01) has passed, so the fee "
        "year from 2026-04-01 is committed; give notice by 2027-01-01 to leave on 2027-04-01"
    )
    assert by_id["m"].notice_by == date(2027, 1, 1)  # type: ignore[attr-defined]


def test_recommend_checks_lengths() -> None:
    with pytest.raises(ValueError, match="values"):
        _run([MembershipFacts("a", is_member=True)], [0.5, 0.6], {}, set())


# --- every sentence is true of the numbers it prints ----------------------------------------

_COMPARISONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Value (\d+\.\d+) is below the (?:leave|join) bar \((\d+\.\d+)\)"), "<"),
    (re.compile(r"Value (\d+\.\d+) is at or above the (?:leave|join) bar \((\d+\.\d+)\)"), ">="),
    (re.compile(r"Value (\d+\.\d+) clears the (?:leave|join) bar \((\d+\.\d+)\)"), ">="),
    (
        re.compile(
            r"Value (\d+\.\d+) is at or above the leave bar \(\d+\.\d+\) but below the join "
            r"bar \((\d+\.\d+)\)"
        ),
        "<",
    ),
    (re.compile(r"by (\d+\.\d+), more than the cost of joining \((\d+\.\d+)\)"), ">"),
    (re.compile(r"by (\d+\.\d+), which does not cover the cost of joining \((\d+\.\d+)\)"), "<"),
    (
        re.compile(
            r"is worth (-?\d+\.\d+) \(its margin over the bar (?:plus the cost of leaving it "
            r"avoids|less the cost of joining)\), less than the overlap penalty \((\d+\.\d+)\)"
        ),
        "<=",
    ),
]


def check_sentence(text: str) -> int:
    """Assert every comparison in a sentence holds for its printed numbers; count them."""
    checked = 0
    for pattern, op in _COMPARISONS:
        for match in pattern.finditer(text):
            a, b = float(match.group(1)), float(match.group(2))
            holds = {"<": a < b, ">=": a >= b, ">": a > b, "<=": a <= b}[op]
            assert holds, f"{text!r}: {a} {op} {b} is false"
            checked += 1
    return checked


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.booleans(),
    st.sampled_from([pf.SELECTED, pf.BELOW_BAR, pf.SWITCH_COST, pf.OVERLAP]),
    st.floats(min_value=0.0, max_value=0.3),
)
def test_every_sentence_is_true_of_its_numbers(
    value: float, member: bool, code: str, penalty: float
) -> None:
    bar = T.bar(is_member=member)
    # Only combinations the portfolio can produce (see scoring.portfolio).
    margin = value - bar
    gain = margin + (0.02 if member else -0.02)
    if code == pf.SELECTED and (margin < 0 or (not member and gain < 0)):
        code = pf.BELOW_BAR
    if code == pf.BELOW_BAR and margin >= 0:
        code = pf.SELECTED if member or gain >= 0 else pf.SWITCH_COST
    if code == pf.SWITCH_COST and (member or margin < 0 or gain >= 0):
        return
    if code == pf.OVERLAP and (margin < 0 or penalty < gain):
        return
    why = pf.Why(code, partner="p", overlap=1.0, penalty=penalty)
    facts = [MembershipFacts("n", is_member=member), MembershipFacts("p", is_member=False)]
    selected = {"n"} if code == pf.SELECTED else set()
    by_id = _run(facts, [value, 0.9], {"n": why, "p": pf.Why(pf.SELECTED)}, selected | {"p"})
    assert check_sentence(by_id["n"].explanation) >= 1  # type: ignore[attr-defined]


def test_the_uncertain_flag_prints_shares_that_compare_like_the_shares() -> None:
    """0.695 is below the 70% limit, so it must not print as "70%" (found in review)."""
    by_id = _run(
        [MembershipFacts("close", is_member=True)],
        [0.7],
        {"close": pf.Why(pf.SELECTED)},
        {"close"},
        action_stability=np.array([0.695]),
        top_k_probability=np.zeros(1),
        samples=2000,
    )
    [flag] = by_id["close"].flags  # type: ignore[attr-defined]
    assert flag.message == (
        "uncertain: the advice holds in only 69.5% of plausible weightings (fewer than 70.0%)"
    )
    assert (flag.params["share"], flag.params["limit"]) == ("69.5%", "70.0%")
