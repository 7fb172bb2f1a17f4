"""Tests for scoring.recommend: asymmetric bars, notice dates, reasons, flags."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from criteria.errors import CriteriaError
from scoring.recommend import (
    Action,
    MembershipFacts,
    Thresholds,
    contribution_reasons,
    cost_per_value_point,
    notice_deadline,
    percent,
    portfolio_action,
    recommend,
    robustness_sentence,
    threshold_action,
)

TODAY = date(2026, 3, 1)
T = Thresholds(join_above=0.60, leave_below=0.45)


def test_a_member_at_050_stays_and_a_candidate_at_050_does_not_join() -> None:
    assert threshold_action(0.50, is_member=True, eligible=True, thresholds=T) is Action.STAY
    assert (
        threshold_action(0.50, is_member=False, eligible=True, thresholds=T)
        is Action.NOT_RECOMMENDED
    )


@pytest.mark.parametrize(
    ("value", "is_member", "expected"),
    [
        (0.45, True, Action.STAY),  # exactly at the leave bar: not clearly below
        (0.4499, True, Action.LEAVE),
        (0.60, False, Action.JOIN),  # at the join bar: joins
        (0.5999, False, Action.NOT_RECOMMENDED),
        (0.95, True, Action.STAY),
        (0.10, False, Action.NOT_RECOMMENDED),
    ],
)
def test_threshold_boundaries(value: float, is_member: bool, expected: Action) -> None:
    assert threshold_action(value, is_member=is_member, eligible=None, thresholds=T) is expected


def test_not_eligible_is_never_join() -> None:
    for member in (True, False):
        for selected in (True, False):
            action = portfolio_action(is_member=member, eligible=False, selected=selected)
            assert action is Action.NOT_ELIGIBLE


def test_thresholds_validate() -> None:
    with pytest.raises(CriteriaError, match="leave bar"):
        Thresholds(join_above=0.4, leave_below=0.5)
    with pytest.raises(CriteriaError):
        Thresholds(join_above=1.2)


def test_notice_deadline_before_and_after_it_passes() -> None:
    renewal = date(2026, 12, 31)
    # Six months' notice (UCLG-style): 183 days before 31 December is 1 July.
    assert notice_deadline(renewal, 183, TODAY) == date(2026, 7, 1)
    assert notice_deadline(renewal, 183, date(2026, 7, 1)) == date(2026, 7, 1)  # last day
    assert notice_deadline(renewal, 183, date(2026, 7, 2)) == date(2027, 7, 1)  # rolled
    # A renewal date recorded years ago rolls forward to the next one.
    assert notice_deadline(date(2019, 6, 30), 30, TODAY) == date(2026, 5, 31)
    assert notice_deadline(renewal, None, TODAY) is None
    assert notice_deadline(None, 30, TODAY) is None
    with pytest.raises(CriteriaError):
        notice_deadline(renewal, -1, TODAY)


def test_notice_deadline_on_29_february() -> None:
    # 29 February renews on 28 February in common years.
    assert notice_deadline(date(2024, 2, 29), 0, TODAY) == date(2027, 2, 28)
    assert notice_deadline(date(2024, 2, 29), 0, date(2026, 2, 1)) == date(2026, 2, 28)


def test_percent_and_sentence() -> None:
    assert percent(0.5) == "50%"
    sentence = robustness_sentence(
        action_stability=0.94, top_k_probability=0.81, top_k=3, samples=10_000
    )
    assert sentence == "Holds in 94% of 10,000 weight samples; ranked in the top 3 in 81%."
    assert "not computed" in robustness_sentence(
        action_stability=None, top_k_probability=None, top_k=3, samples=0
    )


def test_cost_per_value_point() -> None:
    # 30,000.00 a year for a value of 0.60 (60 points): 500 per point
    assert cost_per_value_point(3_000_000, 0.6) == pytest.approx(500.0)
    assert cost_per_value_point(0, 0.6) == 0.0
    assert cost_per_value_point(100, -0.1) is None


def test_contribution_reasons_by_hand() -> None:
    w = np.array([0.5, 0.3, 0.2])
    u = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 0.5]])
    # column means: 0.5, 0.5, 0.5 ; row 0 versus: [0.25, -0.15, 0.0]
    strengths, weaknesses = contribution_reasons(w, u, ["a", "b", "c"], {})[0]
    assert [r.criterion for r in strengths] == ["a"]
    assert strengths[0].versus_average == pytest.approx(0.25)
    assert strengths[0].contribution == pytest.approx(0.5)
    assert [r.criterion for r in weaknesses] == ["b"]
    assert weaknesses[0].versus_average == pytest.approx(-0.15)
    assert "15.0 less than the average" in weaknesses[0].sentence
    # the average network has neither strengths nor weaknesses
    assert contribution_reasons(w, u, ["a", "b", "c"], {})[2] == ((), ())


def _recommend(facts: list[MembershipFacts], values: list[float], selected: set[str], **kw: object):  # type: ignore[no-untyped-def]
    n = len(facts)
    utilities = np.array([[v, v] for v in values])
    options: dict[str, object] = {
        "values": np.array(values),
        "ranks": np.arange(1, n + 1),
        "criteria": ["agenda", "leadership"],
        "titles": {"agenda": "Relevant agenda", "leadership": "Political leadership"},
        "weights": np.array([0.5, 0.5]),
        "utilities": utilities,
        "thresholds": T,
        "selected": selected,
        "portfolio_reasons": {},
        "today": TODAY,
    }
    options.update(kw)
    return recommend(facts, **options)  # type: ignore[arg-type]


def test_recommend_actions_and_flags() -> None:
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
    ]
    recs = _recommend(
        facts,
        [0.8, 0.7, 0.3, 0.9],
        {"passive-star", "newcomer"},
        portfolio_reasons={
            "passive-star": "selected",
            "newcomer": "selected (eligibility not confirmed)",
            "weak": "below value threshold",
            "closed": "not eligible",
        },
        action_stability=np.array([0.95, 0.65, np.nan, 1.0]),
        top_k_probability=np.array([0.9, 0.5, 0.0, 0.0]),
        samples=2000,
    )
    by_id = {r.network: r for r in recs}
    assert [r.network for r in recs] == ["passive-star", "newcomer", "weak", "closed"]
    assert by_id["passive-star"].action is Action.STAY
    assert by_id["newcomer"].action is Action.JOIN
    assert by_id["weak"].action is Action.LEAVE
    assert by_id["closed"].action is Action.NOT_ELIGIBLE

    codes = {r.network: [f.code for f in r.flags] for r in recs}
    assert codes["passive-star"] == ["re-engage"]
    assert by_id["passive-star"].flags[0].message == "passive membership with high value: re-engage"
    assert codes["newcomer"] == ["uncertain", "eligibility-unknown"]
    assert "fewer than 70%" in by_id["newcomer"].flags[0].message
    assert codes["weak"] == ["missing-scores", "notice"]
    assert by_id["weak"].notice_by == date(2026, 7, 1)
    assert "give notice by 2026-07-01" in by_id["weak"].flags[1].message
    assert codes["closed"] == ["not-eligible"]
    assert "region" in by_id["closed"].explanation

    assert by_id["weak"].action_stability is None  # NaN: no sampled stability
    assert by_id["weak"].robustness_sentence == "Ranked in the top 3 in 0% of 2,000 weight samples."
    assert by_id["passive-star"].robustness_sentence.startswith("Holds in 95% of 2,000")
    assert by_id["passive-star"].cost_per_value_point == pytest.approx(10_000 / 80)
    assert "clearly below the leave bar" in by_id["weak"].explanation


def test_no_re_engage_flag_for_a_passive_member_that_leaves() -> None:
    facts = [MembershipFacts("m", is_member=True, engagement="passive")]
    (rec,) = _recommend(facts, [0.8], set(), portfolio_reasons={"m": "over fee budget"})
    assert rec.action is Action.LEAVE
    assert rec.flags == ()


def test_notice_flag_after_the_deadline_names_the_next_renewal() -> None:
    facts = [MembershipFacts("m", is_member=True, renewal_date=date(2026, 4, 1), notice_days=90)]
    (rec,) = _recommend(facts, [0.2], set(), today=date(2026, 3, 1))
    (flag,) = rec.flags
    assert flag.code == "notice"
    assert "renewal on 2026-04-01 has passed" in flag.message
    assert rec.notice_by == date(2027, 1, 1)


def test_member_between_the_bars_is_explained() -> None:
    facts = [MembershipFacts("kept", is_member=True), MembershipFacts("dropped", is_member=True)]
    recs = _recommend(
        facts,
        [0.50, 0.55],
        {"kept"},
        portfolio_reasons={"kept": "selected", "dropped": "over fee budget"},
    )
    by_id = {r.network: r for r in recs}
    assert "staying avoids churn" in by_id["kept"].explanation
    assert by_id["dropped"].action is Action.LEAVE
    assert "fee budget is better spent" in by_id["dropped"].explanation


def test_recommend_checks_lengths() -> None:
    with pytest.raises(ValueError, match="values"):
        _recommend([MembershipFacts("a", is_member=True)], [0.5, 0.6], set())
