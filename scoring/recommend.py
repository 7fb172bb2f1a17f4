"""Recommendations: the action for each network, with its reasons, robustness and flags.

This module owns the last step of the analysis, turning numbers into advice a council can read:

- `Action`: JOIN, STAY, LEAVE, NOT_RECOMMENDED (a candidate the city should not join) and
  NOT_ELIGIBLE (never JOIN).
- `Thresholds`: the asymmetric bars on the weighted-sum value (0-1). A candidate is only
  recommended to JOIN when its value is at least ``join_above``; a member is only told to LEAVE
  when its value is below ``leave_below``. Between the two bars a member stays and a candidate
  does not join: this hysteresis keeps small weight changes from churning memberships.
- `threshold_action` (the bars alone) and `portfolio_action` (membership of the chosen
  portfolio; the portfolio itself only admits networks that pass their bar).
- `notice_deadline`: the last day to give notice before the next renewal.
- `contribution_reasons`, `cost_per_value_point`, `robustness_sentence`: the pieces of a
  recommendation, and `recommend`, which assembles them into `Recommendation` objects.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError

__all__ = [
    "UNCERTAIN_BELOW",
    "Action",
    "Flag",
    "MembershipFacts",
    "Reason",
    "Recommendation",
    "Thresholds",
    "contribution_reasons",
    "cost_per_value_point",
    "notice_deadline",
    "percent",
    "portfolio_action",
    "recommend",
    "robustness_sentence",
    "threshold_action",
]

UNCERTAIN_BELOW = 0.70
"""An action kept by fewer than this share of weight samples is flagged ``uncertain``."""


class Action(StrEnum):
    """What the city should do about a network."""

    JOIN = "join"
    STAY = "stay"
    LEAVE = "leave"
    NOT_RECOMMENDED = "not_recommended"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Asymmetric value bars on the weighted-sum scale 0-1.

    A candidate passes when ``value >= join_above``; a member passes when
    ``value >= leave_below``. ``leave_below`` may not exceed ``join_above``.

    >>> Thresholds().bar(is_member=True), Thresholds().bar(is_member=False)
    (0.45, 0.6)
    """

    join_above: float = 0.60
    leave_below: float = 0.45

    def __post_init__(self) -> None:
        if not 0.0 <= self.leave_below <= self.join_above <= 1.0:
            raise CriteriaError(
                "The value bars must satisfy 0 <= leave bar <= join bar <= 1 "
                f"(got leave {self.leave_below}, join {self.join_above}).",
                fields={"thresholds": "leave bar above join bar or outside 0-1"},
            )

    def bar(self, *, is_member: bool) -> float:
        """The value a network needs to keep (member) or earn (candidate) its place."""
        return self.leave_below if is_member else self.join_above


@dataclass(frozen=True, slots=True)
class Reason:
    """One criterion's part in a network's value, compared with the average network."""

    criterion: str
    contribution: float
    versus_average: float
    sentence: str


@dataclass(frozen=True, slots=True)
class Flag:
    """Something the reader must notice: ``code`` is stable, ``message`` is for people."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class MembershipFacts:
    """What `recommend` needs to know about one network besides its scores."""

    network: str
    is_member: bool
    eligible: bool | None = True
    engagement: Literal["active", "passive"] | None = None
    fee: int = 0
    renewal_date: date | None = None
    notice_days: int | None = None
    missing_scores: int = 0
    eligibility_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The advice for one network.

    ``value`` is the weighted-sum value (0-1), ``rank`` the rank under the chosen method
    (1 = best). ``explanation`` says in one sentence why this action was chosen;
    ``notice_by`` is the last day to give notice when the action is LEAVE.
    """

    network: str
    action: Action
    value: float
    rank: int
    strengths: tuple[Reason, ...]
    weaknesses: tuple[Reason, ...]
    cost_per_value_point: float | None
    robustness_sentence: str
    flags: tuple[Flag, ...]
    explanation: str
    action_stability: float | None = None
    top_k_probability: float | None = None
    notice_by: date | None = None


def threshold_action(
    value: float, *, is_member: bool, eligible: bool | None, thresholds: Thresholds
) -> Action:
    """The action the value bars alone give (the rule when there is no budget).

    >>> t = Thresholds(join_above=0.60, leave_below=0.45)
    >>> threshold_action(0.50, is_member=True, eligible=True, thresholds=t)
    <Action.STAY: 'stay'>
    >>> threshold_action(0.50, is_member=False, eligible=True, thresholds=t)
    <Action.NOT_RECOMMENDED: 'not_recommended'>
    >>> threshold_action(0.90, is_member=False, eligible=False, thresholds=t)
    <Action.NOT_ELIGIBLE: 'not_eligible'>
    """
    return portfolio_action(
        is_member=is_member,
        eligible=eligible,
        selected=value >= thresholds.bar(is_member=is_member),
    )


def portfolio_action(*, is_member: bool, eligible: bool | None, selected: bool) -> Action:
    """Member in the portfolio: STAY; out: LEAVE. Candidate in: JOIN; out: NOT_RECOMMENDED.

    A network the city is not eligible for is NOT_ELIGIBLE, whatever else holds.

    >>> portfolio_action(is_member=True, eligible=None, selected=False)
    <Action.LEAVE: 'leave'>
    """
    if eligible is False:
        return Action.NOT_ELIGIBLE
    if is_member:
        return Action.STAY if selected else Action.LEAVE
    return Action.JOIN if selected else Action.NOT_RECOMMENDED


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def _notice_schedule(
    renewal: date | None, notice_days: int | None, today: date
) -> tuple[date, date] | None:
    """``(last day to give notice, renewal it applies to)``, rolled forward past ``today``."""
    if renewal is None or notice_days is None:
        return None
    if notice_days < 0:
        raise CriteriaError("A notice period cannot be negative.", fields={"notice_days": "< 0"})
    years = 0
    if renewal - timedelta(days=notice_days) < today:
        # Jump close to the answer, then step: renewals recur yearly on the same date.
        years = max(0, today.year - renewal.year - 1)
    while True:
        upcoming = _add_years(renewal, years)
        deadline = upcoming - timedelta(days=notice_days)
        if deadline >= today:
            return deadline, upcoming
        years += 1


def notice_deadline(renewal: date | None, notice_days: int | None, today: date) -> date | None:
    """The last day to give notice so that the membership ends at a renewal.

    It is ``renewal - notice_days``; when that day has already passed, the membership renews
    yearly on the same date, so the deadline rolls forward a year at a time until it is today
    or later. ``None`` when the renewal date or the notice period is unknown.

    >>> notice_deadline(date(2026, 12, 31), 183, today=date(2026, 3, 1))
    datetime.date(2026, 7, 1)
    >>> notice_deadline(date(2026, 12, 31), 183, today=date(2026, 8, 1))
    datetime.date(2027, 7, 1)
    >>> notice_deadline(None, 90, today=date(2026, 1, 1)) is None
    True
    """
    schedule = _notice_schedule(renewal, notice_days, today)
    return None if schedule is None else schedule[0]


def percent(share: float) -> str:
    """A share as a whole percentage that never rounds a near-certainty to certainty.

    >>> percent(0.94), percent(0.998), percent(1.0), percent(0.001), percent(0.0)
    ('94%', '>99%', '100%', '<1%', '0%')
    """
    rounded = round(share * 100)
    if rounded >= 100 and share < 1.0:
        return ">99%"
    if rounded <= 0 < share:
        return "<1%"
    return f"{rounded}%"


def cost_per_value_point(fee: int, value: float) -> float | None:
    """Annual fee in major currency units per value point (value on a 0-100 scale).

    ``None`` when the value is zero or negative (no value point to pay for).

    >>> cost_per_value_point(2_500_000, 0.5)
    500.0
    >>> cost_per_value_point(1000, 0.0) is None
    True
    """
    if value <= 0:
        return None
    return (fee / 100.0) / (value * 100.0)


def robustness_sentence(
    *,
    action_stability: float | None,
    top_k_probability: float | None,
    top_k: int,
    samples: int,
    preview: bool = False,
) -> str:
    """Plain words from the sampled robustness of an action and a rank.

    ``preview=True`` (the live re-rank of the priorities page, which samples nothing) says so.

    >>> robustness_sentence(action_stability=0.94, top_k_probability=0.81, top_k=3, samples=10_000)
    'Holds in 94% of 10,000 weight samples; ranked in the top 3 in 81%.'
    >>> robustness_sentence(action_stability=None, top_k_probability=0.2, top_k=3, samples=2000)
    'Ranked in the top 3 in 20% of 2,000 weight samples.'
    >>> robustness_sentence(action_stability=None, top_k_probability=None, top_k=3, samples=0,
    ...                     preview=True)
    'Robustness is not computed in the preview: see the robustness page.'
    """
    if preview:
        return "Robustness is not computed in the preview: see the robustness page."
    if samples <= 0 or (action_stability is None and top_k_probability is None):
        return "Robustness was not computed for this analysis."
    if action_stability is None:
        assert top_k_probability is not None
        return f"Ranked in the top {top_k} in {percent(top_k_probability)} of {samples:,} weight samples."
    sentence = f"Holds in {percent(action_stability)} of {samples:,} weight samples"
    if top_k_probability is not None:
        sentence += f"; ranked in the top {top_k} in {percent(top_k_probability)}"
    return sentence + "."


def contribution_reasons(
    weights: npt.NDArray[np.float64],
    utilities: npt.NDArray[np.float64],
    criteria: Sequence[str],
    titles: Mapping[str, str],
    *,
    top: int = 3,
) -> list[tuple[tuple[Reason, ...], tuple[Reason, ...]]]:
    """Per network, its strengths and weaknesses: criteria ranked by ``w_j * (u_ij - mean_i u_ij)``.

    ``weights`` are normalised weights (m,), ``utilities`` the (n, m) utilities in [0, 1].
    Strengths are the (up to) ``top`` criteria where the network beats the average network
    most, weaknesses those where it trails most; a criterion exactly at the average is neither.

    >>> w = np.array([0.5, 0.5])
    >>> u = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    >>> strengths, weaknesses = contribution_reasons(w, u, ["agenda", "fee"], {"agenda": "Agenda"})[0]
    >>> [(r.criterion, r.versus_average) for r in strengths], [r.criterion for r in weaknesses]
    ([('agenda', 0.25)], ['fee'])
    >>> strengths[0].sentence
    'Agenda: 50.0 value points, 25.0 more than the average network'
    """
    contributions = utilities * weights[None, :]
    versus = (utilities - utilities.mean(axis=0, keepdims=True)) * weights[None, :]
    tolerance = 1e-12
    out: list[tuple[tuple[Reason, ...], tuple[Reason, ...]]] = []
    orders = np.argsort(-versus, axis=1, kind="stable").tolist()
    names = [titles.get(key, key) for key in criteria]
    contribution_rows = contributions.tolist()
    versus_rows = versus.tolist()

    def reason(j: int, contribution: list[float], delta: list[float]) -> Reason:
        side = "more" if delta[j] > 0 else "less"
        sentence = (
            f"{names[j]}: {contribution[j] * 100:.1f} value points, "
            f"{abs(delta[j]) * 100:.1f} {side} than the average network"
        )
        return Reason(criteria[j], contribution[j], delta[j], sentence)

    for order, row, contribution in zip(orders, versus_rows, contribution_rows, strict=True):
        strengths = tuple(reason(j, contribution, row) for j in order[:top] if row[j] > tolerance)
        weaknesses = tuple(
            reason(j, contribution, row) for j in order[::-1][:top] if row[j] < -tolerance
        )
        out.append((strengths, weaknesses))
    return out


_PORTFOLIO_WORDS = {
    "over fee budget": "the fee budget is better spent on networks of higher value",
    "over hours budget": "the staff hours are better spent on networks of higher value",
    "over fee and hours budgets": (
        "the fee budget and staff hours are better spent on networks of higher value"
    ),
    "costs more than it adds": "its switching cost outweighs its value",
}


def _explain(
    facts: MembershipFacts,
    action: Action,
    value: float,
    thresholds: Thresholds,
    portfolio_reason: str,
) -> str:
    v = f"Value {value:.2f}"
    join, leave = f"{thresholds.join_above:.2f}", f"{thresholds.leave_below:.2f}"
    if action is Action.NOT_ELIGIBLE:
        why = "; ".join(facts.eligibility_reasons)
        return "The city is not eligible for this network" + (f": {why}." if why else ".")
    if portfolio_reason == "locked: must keep":
        return f"{v}; kept because it is locked to keep."
    if portfolio_reason == "locked: excluded":
        return f"{v}; left out because it is locked out."
    if portfolio_reason == "below value threshold":
        if facts.is_member:
            return f"{v} is clearly below the leave bar ({leave})."
        return f"{v} is below the join bar ({join})."
    if portfolio_reason.startswith("overlaps with "):
        other = portfolio_reason.removeprefix("overlaps with ")
        bar = leave if facts.is_member else join
        return f"{v} passes its bar ({bar}), but it duplicates much of {other}, which is kept."
    if portfolio_reason in _PORTFOLIO_WORDS:
        bar_name = "leave bar" if facts.is_member else "join bar"
        bar = leave if facts.is_member else join
        return f"{v} passes the {bar_name} ({bar}), but {_PORTFOLIO_WORDS[portfolio_reason]}."
    # Selected.
    if action is Action.JOIN:
        return f"{v} is clearly above the join bar ({join})."
    if value >= thresholds.join_above:
        return f"{v} is above the join bar ({join}): worth keeping."
    return (
        f"{v} is below the join bar ({join}) but not below the leave bar ({leave}): "
        "staying avoids churn."
    )


def _flags(
    facts: MembershipFacts,
    action: Action,
    value: float,
    thresholds: Thresholds,
    action_stability: float | None,
    today: date,
) -> tuple[tuple[Flag, ...], date | None]:
    flags: list[Flag] = []
    if action is Action.STAY and facts.engagement == "passive" and value >= thresholds.join_above:
        flags.append(Flag("re-engage", "passive membership with high value: re-engage"))
    if action_stability is not None and action_stability < UNCERTAIN_BELOW:
        flags.append(
            Flag(
                "uncertain",
                f"uncertain: only {percent(action_stability)} of weight samples keep this "
                f"action (fewer than {percent(UNCERTAIN_BELOW)})",
            )
        )
    if facts.eligible is False:
        flags.append(Flag("not-eligible", "not eligible: never recommended to join"))
    elif facts.eligible is None and not facts.is_member:
        flags.append(Flag("eligibility-unknown", "eligibility not confirmed: check before joining"))
    if facts.missing_scores:
        plural = "s" if facts.missing_scores != 1 else ""
        flags.append(
            Flag(
                "missing-scores",
                f"{facts.missing_scores} missing score{plural}: counted at the scale midpoint "
                "and sampled over the whole scale in the robustness check",
            )
        )
    notice_by = None
    if action is Action.LEAVE:
        schedule = _notice_schedule(facts.renewal_date, facts.notice_days, today)
        if schedule is not None:
            notice_by, renewal = schedule
            assert facts.renewal_date is not None
            message = f"give notice by {notice_by.isoformat()} to leave at the renewal on {renewal.isoformat()}"
            if renewal != facts.renewal_date:
                message = (
                    f"the notice deadline for the renewal on {facts.renewal_date.isoformat()} "
                    f"has passed; {message}"
                )
            flags.append(Flag("notice", message))
        elif facts.renewal_date is not None:
            flags.append(
                Flag(
                    "notice",
                    f"renews on {facts.renewal_date.isoformat()}; notice period unknown: check "
                    "the statutes",
                )
            )
    return tuple(flags), notice_by


def recommend(
    facts: Sequence[MembershipFacts],
    *,
    values: npt.NDArray[np.float64],
    ranks: npt.NDArray[np.int64],
    criteria: Sequence[str],
    titles: Mapping[str, str],
    weights: npt.NDArray[np.float64],
    utilities: npt.NDArray[np.float64],
    thresholds: Thresholds,
    selected: AbstractSet[str],
    portfolio_reasons: Mapping[str, str],
    today: date,
    action_stability: npt.NDArray[np.float64] | None = None,
    top_k_probability: npt.NDArray[np.float64] | None = None,
    top_k: int = 3,
    samples: int = 0,
    preview: bool = False,
) -> list[Recommendation]:
    """Assemble one `Recommendation` per network, best rank first (ties by network id).

    Arrays are aligned with ``facts``. ``selected`` is the chosen portfolio, which already
    applied the asymmetric bars (see `scoring.portfolio`): the action follows
    `portfolio_action`, and ``portfolio_reasons`` explains it. ``action_stability`` may hold
    NaN for a network whose action was set by a budget rather than by its bar (no sampled
    stability then). ``preview=True`` marks a live preview without robustness sampling: the
    robustness sentence then says it is not computed in the preview.
    """
    n = len(facts)
    for name, array in (("values", values), ("ranks", ranks), ("utilities", utilities)):
        if len(array) != n:
            raise ValueError(f"{name} has {len(array)} rows for {n} networks")
    reasons = contribution_reasons(weights, utilities, criteria, titles)
    out: list[Recommendation] = []
    for i, fact in enumerate(facts):
        value = float(values[i])
        action = portfolio_action(
            is_member=fact.is_member, eligible=fact.eligible, selected=fact.network in selected
        )
        stability = None
        if action_stability is not None and np.isfinite(action_stability[i]):
            stability = float(action_stability[i])
        top = None if top_k_probability is None else float(top_k_probability[i])
        flags, notice_by = _flags(fact, action, value, thresholds, stability, today)
        strengths, weaknesses = reasons[i]
        out.append(
            Recommendation(
                network=fact.network,
                action=action,
                value=value,
                rank=int(ranks[i]),
                strengths=strengths,
                weaknesses=weaknesses,
                cost_per_value_point=cost_per_value_point(fact.fee, value),
                robustness_sentence=robustness_sentence(
                    action_stability=stability,
                    top_k_probability=top,
                    top_k=top_k,
                    samples=samples,
                    preview=preview,
                ),
                flags=flags,
                explanation=_explain(
                    fact, action, value, thresholds, portfolio_reasons.get(fact.network, "selected")
                ),
                action_stability=stability,
                top_k_probability=top,
                notice_by=notice_by,
            )
        )
    out.sort(key=lambda r: (r.rank, r.network))
    return out
