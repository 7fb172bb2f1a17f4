"""Recommendations: the action for each network, with one consistent story per row.

This module owns the last step of the analysis, turning numbers into advice a council can read:

- `Action`: JOIN, STAY, LEAVE, AT_RISK (a member that no longer meets a condition of the
  network), ASSESS_FIRST (a candidate without enough evidence to judge), NOT_RECOMMENDED (a
  candidate the city should not join) and NOT_ELIGIBLE (a candidate the city may not join).
- `Thresholds`: the asymmetric bars on the additive value (0-1): a candidate needs the join
  bar, a member keeps its place down to the lower leave bar, so small weight changes do not
  churn memberships.
- `decide_action`: the action from the facts and the portfolio (`scoring.portfolio`).
- `pair_text`: two numbers printed with just enough decimals that the printed numbers
  compare the way the true numbers do. Every sentence that compares prints its numbers this
  way, so a sentence never says "0.45 is below the leave bar (0.45)".
- `explain`: the one sentence of a row, from the `scoring.portfolio.Why` of its network and
  the exact numbers it prints; `flags` the things a reader must notice (re-engage, uncertain,
  assessors who disagree, eligibility not confirmed, notice deadlines...).
- `recommend`: assembles one `Recommendation` per network.

Every sentence has a stable ``code`` and the ``params`` it was printed from (`Message`), so a
translation can print the same facts in another language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError
from scoring import portfolio as pf
from scoring.calendar import Schedule, schedule

__all__ = [
    "CLAUSES",
    "SENTENCES",
    "UNCERTAIN_BELOW",
    "Action",
    "Flag",
    "MembershipFacts",
    "Message",
    "Reason",
    "Recommendation",
    "Thresholds",
    "contribution_reasons",
    "cost_per_value_point",
    "decide_action",
    "english_list",
    "ordinal",
    "pair_text",
    "percent",
    "recommend",
    "robustness_level",
    "robustness_sentence",
]

UNCERTAIN_BELOW = 0.70
"""An action kept by fewer than this share of weight samples is flagged ``uncertain``."""


class Action(StrEnum):
    """What the city should do about a network."""

    JOIN = "join"
    STAY = "stay"
    LEAVE = "leave"
    AT_RISK = "at_risk"
    ASSESS_FIRST = "assess_first"
    NOT_RECOMMENDED = "not_recommended"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Asymmetric value bars on the additive value scale 0-1.

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
                fields={"leave_bar": "leave bar above join bar or outside 0-1"},
            )

    def bar(self, *, is_member: bool) -> float:
        """The value a network needs to keep (member) or earn (candidate) its place."""
        return self.leave_below if is_member else self.join_above


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence: a stable ``code``, the ``params`` it was printed from, the English ``text``."""

    code: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)


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
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MembershipFacts:
    """What `recommend` needs to know about one network besides its scores.

    ``fee`` is the yearly cash cost (fee and travel) in minor units, ``travel`` its travel and
    event part. ``coverage`` is the
    share of the assessed criteria's weight that has scores (`scoring.evidence.coverage`);
    ``disputes`` the criteria (key, lowest, highest) on which assessors differ by 2 points or
    more; ``title`` the network's name for sentences about other networks.
    """

    network: str
    is_member: bool
    eligible: bool | None = True
    engagement: Literal["active", "passive"] | None = None
    fee: int = 0
    hours: float = 0.0
    travel: int = 0
    renewal_date: date | None = None
    notice_days: int | None = None
    missing_scores: int = 0
    eligibility_reasons: tuple[str, ...] = ()
    coverage: float = 1.0
    disputes: tuple[tuple[str, float, float], ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The advice for one network.

    ``value`` is the additive value (0-1). ``rank`` is the rank under the chosen method among
    the networks with enough evidence (None for the others); ``value_rank`` the rank by value
    among the same networks. ``explanation`` says in one sentence why this action was
    chosen; ``method_note`` says so when the chosen method ranks the network elsewhere than
    its value does. ``schedule`` holds the notice dates for LEAVE and AT_RISK.
    """

    network: str
    action: Action
    value: float
    rank: int | None
    value_rank: int | None
    strengths: tuple[Reason, ...]
    weaknesses: tuple[Reason, ...]
    cost_per_value_point: float | None
    robustness_sentence: str
    flags: tuple[Flag, ...]
    explanation: str
    robustness_level: str | None = None
    action_stability: float | None = None
    top_k_probability: float | None = None
    notice_by: date | None = None
    message: Message | None = None
    method_note: str = ""
    coverage: float = 1.0
    schedule: Schedule | None = None
    why: str = ""


# --- numbers in words ------------------------------------------------------------------------


def pair_text(a: float, b: float, *, decimals: int = 2, limit: int = 6) -> tuple[str, str]:
    """``a`` and ``b`` with the fewest decimals (at least ``decimals``) that keep their order.

    Printed numbers compare like the true ones: equal only when the numbers are equal to
    ``limit`` decimals.

    >>> pair_text(0.449, 0.45), pair_text(0.6, 0.6), pair_text(0.6028, 0.6)
    (('0.449', '0.450'), ('0.60', '0.60'), ('0.603', '0.600'))
    >>> pair_text(0.4499999, 0.45)
    ('0.449999', '0.450000')
    """
    for places in range(decimals, limit + 1):
        ta, tb = f"{a:.{places}f}", f"{b:.{places}f}"
        if (float(ta) < float(tb)) == (a < b) and (float(ta) > float(tb)) == (a > b):
            return ta, tb
    # Closer than `limit` decimals: round each towards the other's far side (floor the smaller,
    # ceil the larger), which keeps the order and never prints a number past the true one.
    scale = 10**limit
    low, high = (math.floor(min(a, b) * scale) / scale, math.ceil(max(a, b) * scale) / scale)
    ta, tb = (
        (f"{low:.{limit}f}", f"{high:.{limit}f}")
        if a < b
        else (f"{high:.{limit}f}", f"{low:.{limit}f}")
    )
    return ta, tb


def texts_against(
    value: float, *references: float, decimals: int = 2, limit: int = 6
) -> tuple[str, ...]:
    """``value`` and each reference printed with one number of decimals that keeps every
    comparison of ``value`` with a reference (for sentences comparing one value with two bars).

    >>> texts_against(0.5999995, 0.45, 0.6)
    ('0.599999', '0.450000', '0.600000')
    >>> texts_against(0.52, 0.45, 0.6)
    ('0.52', '0.45', '0.60')

    References closer to each other than ``limit`` decimals cannot both be told apart from a
    value between them (bars are never that close).
    """

    def keeps(places: int) -> bool:
        shown = float(f"{value:.{places}f}")
        return all(
            (shown < float(f"{ref:.{places}f}")) == (value < ref)
            and (shown > float(f"{ref:.{places}f}")) == (value > ref)
            for ref in references
        )

    for places in range(decimals, limit + 1):
        if keeps(places):
            return (f"{value:.{places}f}", *(f"{ref:.{places}f}" for ref in references))
    # Closer to a reference than `limit` decimals show: round towards the far side of the
    # nearest reference (pair_text's directed rounding), the others at `limit` decimals.
    nearest = min(range(len(references)), key=lambda k: abs(references[k] - value))
    value_text, near_text = pair_text(value, references[nearest], decimals=limit, limit=limit)
    return (
        value_text,
        *(near_text if ref == references[nearest] else f"{ref:.{limit}f}" for ref in references),
    )


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


def percent_pair(share: float, limit: float) -> tuple[str, str]:
    """Two shares as percentages that compare like the shares (`pair_text` on 0-100), with a
    share above zero never printed as 0%.

    >>> percent_pair(0.695, 0.70), percent_pair(0.64, 0.70), percent_pair(0.001, 0.70)
    (('69.5%', '70.0%'), ('64%', '70%'), ('<1%', '70%'))
    """
    a, b = pair_text(share * 100, limit * 100, decimals=0)
    if share > 0 and float(a) == 0:
        a = "<1"
    return f"{a}%", f"{b}%"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st...

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _money(minor: int, currency: str) -> str:
    major = minor / 100
    text = f"{major:,.0f}" if minor % 100 == 0 else f"{major:,.2f}"
    return f"{currency} {text}"


def _hours(hours: float) -> str:
    return f"{hours:,.0f} h" if float(hours).is_integer() else f"{hours:,.1f} h"


def cost_per_value_point(fee: int, value: float) -> float | None:
    """Yearly cash cost in major currency units per value point (value on a 0-100 scale).

    ``None`` when the value is zero or negative (no value point to pay for).

    >>> cost_per_value_point(2_500_000, 0.5)
    500.0
    >>> cost_per_value_point(1000, 0.0) is None
    True
    """
    if value <= 0:
        return None
    return (fee / 100.0) / (value * 100.0)


STABLE_FROM = 0.90
"""An action kept by at least this share of weight samples is called *stable*."""


def robustness_level(action_stability: float | None) -> str | None:
    """``stable`` (90% or more), ``fairly_stable`` (70-90%) or ``uncertain`` (below 70%).

    >>> [robustness_level(x) for x in (0.95, 0.8, 0.5, None)]
    ['stable', 'fairly_stable', 'uncertain', None]
    """
    if action_stability is None:
        return None
    if action_stability >= STABLE_FROM:
        return "stable"
    if action_stability >= UNCERTAIN_BELOW:
        return "fairly_stable"
    return "uncertain"


LEVEL_WORDS = {"stable": "Stable", "fairly_stable": "Fairly stable", "uncertain": "Uncertain"}


def robustness_sentence(
    *,
    action_stability: float | None,
    top_k_probability: float | None,
    top_k: int,
    samples: int,
    preview: bool = False,
) -> str:
    """Plain words from the sampled robustness of an action (the sample count is stated once
    per analysis, not on every row).

    >>> robustness_sentence(action_stability=0.94, top_k_probability=0.81, top_k=3, samples=10_000)
    'Stable: the advice holds in 94% of plausible weightings.'
    >>> robustness_sentence(action_stability=None, top_k_probability=0.2, top_k=3, samples=2000)
    'Ranked in the top 3 in 20% of plausible weightings (the advice does not depend on the weights).'
    """
    if preview:
        return "Robustness is not computed in the preview: see the robustness page."
    if samples <= 0 or (action_stability is None and top_k_probability is None):
        return "Robustness was not computed for this analysis."
    if action_stability is None:
        assert top_k_probability is not None
        return (
            f"Ranked in the top {top_k} in {percent(top_k_probability)} of plausible weightings "
            "(the advice does not depend on the weights)."
        )
    level = robustness_level(action_stability)
    assert level is not None
    return (
        f"{LEVEL_WORDS[level]}: the advice holds in {percent(action_stability)} of plausible "
        "weightings."
    )


def contribution_reasons(
    weights: npt.NDArray[np.float64],
    utilities: npt.NDArray[np.float64],
    criteria: Sequence[str],
    titles: Mapping[str, str],
    *,
    top: int = 3,
) -> list[tuple[tuple[Reason, ...], tuple[Reason, ...]]]:
    """Per network, strengths and weaknesses: criteria ranked by ``w_j * (u_ij - 0.5)``.

    The comparison point is the middle of every value scale (a score of 3, a cost at half its
    reference level), not the average of the networks listed, so a network's reasons do not
    change when another network is added. ``weights`` are normalised (m,), ``utilities``
    (n, m) in [0, 1]. Strengths are the (up to) ``top`` criteria furthest above the middle,
    weaknesses those furthest below; a criterion exactly at the middle is neither.

    >>> w = np.array([0.5, 0.5])
    >>> u = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> strengths, weaknesses = contribution_reasons(w, u, ["agenda", "fee"], {"agenda": "Agenda"})[0]
    >>> [(r.criterion, r.versus_average) for r in strengths], [r.criterion for r in weaknesses]
    ([('agenda', 0.25)], ['fee'])
    >>> strengths[0].sentence
    'Agenda: 50.0 value points, 25.0 more than a middling network'
    """
    contributions = utilities * weights[None, :]
    versus = (utilities - 0.5) * weights[None, :]
    tolerance = 1e-12
    out: list[tuple[tuple[Reason, ...], tuple[Reason, ...]]] = []
    orders = np.argsort(-versus, axis=1, kind="stable").tolist()
    names = [titles.get(key, key) for key in criteria]

    def reason(j: int, contribution: list[float], delta: list[float]) -> Reason:
        side = "more" if delta[j] > 0 else "less"
        sentence = (
            f"{names[j]}: {contribution[j] * 100:.1f} value points, "
            f"{abs(delta[j]) * 100:.1f} {side} than a middling network"
        )
        return Reason(criteria[j], contribution[j], delta[j], sentence)

    for order, row, contribution in zip(
        orders, versus.tolist(), contributions.tolist(), strict=True
    ):
        strengths = tuple(reason(j, contribution, row) for j in order[:top] if row[j] > tolerance)
        weaknesses = tuple(
            reason(j, contribution, row) for j in order[::-1][:top] if row[j] < -tolerance
        )
        out.append((strengths, weaknesses))
    return out


# --- actions ---------------------------------------------------------------------------------


def decide_action(
    *,
    is_member: bool,
    eligible: bool | None,
    enough_evidence: bool,
    selected: bool,
) -> Action:
    """The action from the facts and the portfolio.

    Eligibility comes first (a member that fails a condition is AT_RISK, a candidate
    NOT_ELIGIBLE), then evidence (a candidate without enough is ASSESS_FIRST; a member keeps
    STAY, held by the portfolio), then the portfolio.

    >>> decide_action(is_member=True, eligible=False, enough_evidence=True, selected=True)
    <Action.AT_RISK: 'at_risk'>
    >>> decide_action(is_member=False, eligible=None, enough_evidence=False, selected=False)
    <Action.ASSESS_FIRST: 'assess_first'>
    >>> decide_action(is_member=True, eligible=True, enough_evidence=True, selected=False)
    <Action.LEAVE: 'leave'>
    """
    if eligible is False:
        return Action.AT_RISK if is_member else Action.NOT_ELIGIBLE
    if not enough_evidence and not is_member:
        return Action.ASSESS_FIRST
    if is_member:
        return Action.STAY if selected else Action.LEAVE
    return Action.JOIN if selected else Action.NOT_RECOMMENDED


@dataclass(frozen=True)
class Context:
    """What every sentence of one analysis shares."""

    thresholds: Thresholds
    join_cost: float
    leave_cost: float
    evidence_threshold: float
    currency: str
    names: Mapping[str, str]
    values: Mapping[str, float]
    joined: tuple[str, ...]  # networks told JOIN, best value first
    costs: Mapping[str, tuple[int, float]]  # network -> (yearly cash cost, staff hours)
    describe_shared: Callable[[str, str], str]
    fee_budget: int | None
    hours_budget: float | None
    travel_budget: int | None = None


def _name(ctx: Context, network: str) -> str:
    return ctx.names.get(network, network)


SENTENCES: dict[str, str] = {
    "at_risk": (
        "The city no longer meets a condition of this network (%(reasons)s). Unless that "
        "changes, plan to leave: give notice by %(notice_by)s to leave on %(exit_on)s."
    ),
    "at_risk_undated": (
        "The city no longer meets a condition of this network (%(reasons)s). Unless that "
        "changes, plan to leave; check the notice period."
    ),
    "not_eligible": "The city is not eligible to join this network: %(reasons)s.",
    "assess_first": (
        "Only %(coverage)s%% of the weight of the assessed criteria has scores, below the "
        "evidence threshold of %(threshold)s%%: score it before deciding whether to join "
        "(provisional value %(value)s)."
    ),
    "held": (
        "Only %(coverage)s%% of the weight of the assessed criteria has scores, below the "
        "evidence threshold of %(threshold)s%%: kept as a member until it is scored "
        "(provisional value %(value)s)."
    ),
    "locked_in_member": "Value %(value)s; kept because it is locked to keep.",
    "locked_in_candidate": "Value %(value)s; joined because it is locked to keep.",
    "locked_out_member": "Value %(value)s; left because it is locked out.",
    "locked_out_candidate": "Value %(value)s; not joined because it is locked out.",
    "below_leave_bar": "Value %(value)s is below the leave bar (%(bar)s).",
    "below_join_bar": "Value %(value)s is below the join bar (%(bar)s).",
    "switch_cost": (
        "Value %(value)s clears the join bar (%(bar)s) by %(margin)s, which does not cover "
        "the cost of joining (%(cost)s)."
    ),
    "over_budget_member": (
        "Value %(value)s clears the leave bar (%(bar)s), but keeping it needs %(needs)s; "
        "leaving frees %(freed)s a year%(joins)s."
    ),
    "over_budget_candidate": (
        "Value %(value)s clears the join bar (%(bar)s), but joining needs %(needs)s."
    ),
    "member_priority": (
        "Value %(value)s clears the join bar (%(bar)s), but joining would mean leaving "
        "%(partner)s (%(partner_value)s), a member of at least the same value."
    ),
    "unconfirmed": (
        "Value %(value)s clears the join bar (%(bar)s), but the city's eligibility is not "
        "confirmed, and joining would mean leaving %(partner)s (%(partner_value)s), a current "
        "member."
    ),
    "overlap_member": (
        "Value %(value)s clears the leave bar (%(bar)s), but it repeats much of %(partner)s "
        "(%(shared)s). Keeping it is worth %(gain)s (its margin over the bar plus the cost of "
        "leaving it avoids), less than the overlap penalty (%(penalty)s)."
    ),
    "overlap_candidate": (
        "Value %(value)s clears the join bar (%(bar)s), but it repeats much of %(partner)s "
        "(%(shared)s). Joining it is worth %(gain)s (its margin over the bar less the cost of "
        "joining), less than the overlap penalty (%(penalty)s)."
    ),
    "not_chosen_member": (
        "Value %(value)s clears the leave bar (%(bar)s), but a better combination of networks "
        "fits the budgets without it."
    ),
    "not_chosen_candidate": (
        "Value %(value)s clears the join bar (%(bar)s), but a better combination of networks "
        "fits the budgets without it."
    ),
    "join": (
        "Value %(value)s clears the join bar (%(bar)s) by %(margin)s, more than the cost of "
        "joining (%(cost)s)."
    ),
    "stay_strong": "Value %(value)s is at or above the join bar (%(bar)s): worth keeping.",
    "stay": (
        "Value %(value)s is at or above the leave bar (%(leave)s) but below the join bar "
        "(%(join)s): not strong enough to join today, but worth keeping."
    ),
}
"""Every explanation, by code, in English (``%(name)s`` fields are the printed numbers and
names of `Message.params`); the app translates the same codes with the same fields."""

CLAUSES: dict[str, str] = {
    "needs_fee": "%(amount)s a year where the fee budget has %(left)s left",
    "needs_travel": "%(amount)s of travel a year where the travel budget has %(left)s left",
    "needs_hours": "%(amount)s of staff time a year where %(left)s are left",
    "freed_fee": "%(amount)s",
    "freed_travel": "%(amount)s of travel",
    "freed_hours": "%(amount)s",
    "joins": ", used instead to join %(networks)s",
    "joined_network": "%(name)s (%(value)s)",
}
"""The parts of the budget sentences (``over_budget_*``), by code, in English."""


def english_list(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c".

    >>> english_list(["a"]), english_list(["a", "b"]), english_list(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _budget_parts(
    facts: MembershipFacts, why: pf.Why, ctx: Context
) -> tuple[list[tuple[str, Any, Any]], list[tuple[str, Any]], list[tuple[str, str]]]:
    """What a budget sentence needs, as data: (what is needed and what is left), (what leaving
    frees), (the joins that use it). Money in minor units, hours as numbers."""
    apart = ctx.travel_budget is not None
    fee = facts.fee - facts.travel if apart else facts.fee
    needs: list[tuple[str, Any, Any]] = []
    freed: list[tuple[str, Any]] = []
    if "fee" in why.over and why.fee_left is not None:
        needs.append(("fee", fee, max(why.fee_left, 0)))
        freed.append(("fee", fee))
    if "travel" in why.over and why.travel_left is not None:
        needs.append(("travel", facts.travel, max(why.travel_left, 0)))
        freed.append(("travel", facts.travel))
    if "hours" in why.over and why.hours_left is not None:
        needs.append(("hours", facts.hours, max(why.hours_left, 0.0)))
        freed.append(("hours", facts.hours))
    funded = [
        j
        for j in ctx.joined
        if (("fee" in why.over or "travel" in why.over) and ctx.costs[j][0] > 0)
        or ("hours" in why.over and ctx.costs[j][1] > 0)
    ]
    joins = [(_name(ctx, j), f"{ctx.values[j]:.2f}") for j in funded]
    return needs, freed, joins


def _english_amount(kind: str, amount: Any, currency: str) -> str:
    return _hours(float(amount)) if kind == "hours" else _money(int(amount), currency)


def join_reasons(reasons: Sequence[str]) -> str:
    """Eligibility reasons as one clause list: each reason's closing full stop dropped, so the
    sentence around them ends once.

    >>> join_reasons(["A needs 250,000 inhabitants (source: x).", "B is closed"])
    'A needs 250,000 inhabitants (source: x); B is closed'
    """
    return "; ".join(r.rstrip(". ") for r in reasons) or "a condition of the network is not met"


def explain(
    facts: MembershipFacts,
    action: Action,
    value: float,
    why: pf.Why,
    ctx: Context,
    sched: Schedule | None,
) -> Message:
    """The one sentence of a row, printed from the exact numbers it names.

    The sentence is `SENTENCES`[code] filled with ``params``: the printed numbers (as they
    appear, so every comparison holds for them), names, dates and, for budget sentences, the
    amounts as data (``needs``, ``freed``, ``joins``) so a translation can print them itself.
    """
    t = ctx.thresholds
    bar = t.bar(is_member=facts.is_member)
    side = "member" if facts.is_member else "candidate"
    v, b = pair_text(value, bar)
    fields: dict[str, Any] = {"value": v, "bar": b}

    def done(code: str, **extra: Any) -> Message:
        fields.update(extra)
        printable = {k: x for k, x in fields.items() if isinstance(x, str)}
        return Message(code, SENTENCES[code] % printable, dict(fields))

    if action is Action.AT_RISK:
        reasons = join_reasons(facts.eligibility_reasons)
        if sched is None:
            return done("at_risk_undated", reasons=reasons, reason_list=facts.eligibility_reasons)
        return done(
            "at_risk",
            reasons=reasons,
            reason_list=facts.eligibility_reasons,
            notice_by=sched.notice_by.isoformat(),
            exit_on=sched.exit_on.isoformat(),
        )
    if action is Action.NOT_ELIGIBLE:
        reasons = join_reasons(facts.eligibility_reasons)
        return done("not_eligible", reasons=reasons, reason_list=facts.eligibility_reasons)
    cov, thr = pair_text(facts.coverage * 100, ctx.evidence_threshold * 100, decimals=0)
    if action is Action.ASSESS_FIRST or why.code == pf.HELD:
        code = "assess_first" if action is Action.ASSESS_FIRST else "held"
        return done(code, coverage=cov, threshold=thr, value=f"{value:.2f}")
    if why.code == pf.LOCKED_IN:
        return done(f"locked_in_{side}", value=f"{value:.2f}")
    if why.code == pf.LOCKED_OUT:
        return done(f"locked_out_{side}", value=f"{value:.2f}")
    if why.code == pf.BELOW_BAR:
        return done("below_leave_bar" if facts.is_member else "below_join_bar")
    margin = value - bar
    if why.code == pf.SWITCH_COST:
        m, c = pair_text(margin, ctx.join_cost)
        return done("switch_cost", margin=m, cost=c)
    if why.code == pf.OVER_BUDGET:
        needs, freed, joins = _budget_parts(facts, why, ctx)
        cur = ctx.currency
        needs_text = english_list(
            [
                CLAUSES[f"needs_{kind}"]
                % {
                    "amount": _english_amount(kind, n, cur),
                    "left": _english_amount(kind, left, cur),
                }
                for kind, n, left in needs
            ]
        )
        freed_text = (
            english_list(
                [
                    CLAUSES[f"freed_{kind}"] % {"amount": _english_amount(kind, n, cur)}
                    for kind, n in freed
                ]
            )
            if freed
            else ""
        )
        joins_text = (
            CLAUSES["joins"]
            % {
                "networks": english_list(
                    [CLAUSES["joined_network"] % {"name": n, "value": x} for n, x in joins]
                )
            }
            if joins
            else ""
        )
        fields.update(need_list=needs, freed_list=freed, join_list=joins, currency=cur)
        return done(f"over_budget_{side}", needs=needs_text, freed=freed_text, joins=joins_text)
    if why.code in (pf.PRIORITY, pf.UNCONFIRMED) and why.partner is not None:
        partner_value = ctx.values.get(why.partner, 0.0)
        pv, own = pair_text(partner_value, value)
        if why.code == pf.PRIORITY:
            fields["value"] = own
        code = "unconfirmed" if why.code == pf.UNCONFIRMED else "member_priority"
        return done(code, partner=_name(ctx, why.partner), partner_value=pv)
    if why.code == pf.OVERLAP and why.partner is not None:
        gain = margin + (ctx.leave_cost if facts.is_member else -ctx.join_cost)
        g, p = pair_text(gain, why.penalty)
        shared = ctx.describe_shared(facts.network, why.partner)
        return done(
            f"overlap_{side}", partner=_name(ctx, why.partner), shared=shared, gain=g, penalty=p
        )
    if why.code == pf.NOT_CHOSEN:
        return done(f"not_chosen_{side}")
    # Selected.
    if action is Action.JOIN:
        m, c = pair_text(margin, ctx.join_cost)
        return done("join", margin=m, cost=c)
    join = t.join_above
    if value >= join:
        v2, j = pair_text(value, join)
        return done("stay_strong", value=v2, bar=j)
    v3, lb, j = texts_against(value, t.leave_below, join)
    return done("stay", value=v3, leave=lb, join=j)


def _notice_flag(sched: Schedule | None, facts: MembershipFacts, today: date) -> Flag | None:
    if sched is not None:
        if sched.missed:
            assert sched.committed_from is not None
            missed_deadline = sched.committed_from.toordinal() - sched.notice_days
            message = (
                f"the notice deadline for the renewal on {sched.committed_from.isoformat()} "
                f"({date.fromordinal(missed_deadline).isoformat()}) has passed, so the fee year "
                f"from {sched.committed_from.isoformat()} is committed; give notice by "
                f"{sched.notice_by.isoformat()} to leave on {sched.exit_on.isoformat()}"
            )
        else:
            message = (
                f"give notice by {sched.notice_by.isoformat()} to leave at the renewal on "
                f"{sched.exit_on.isoformat()}"
            )
        return Flag(
            "notice",
            message,
            {
                "notice_by": sched.notice_by,
                "exit_on": sched.exit_on,
                "missed": sched.missed,
                "committed_from": sched.committed_from,
                "missed_deadline": None
                if sched.committed_from is None
                else date.fromordinal(sched.committed_from.toordinal() - sched.notice_days),
            },
        )
    if facts.renewal_date is not None:
        from scoring.calendar import anniversary

        upcoming = anniversary(facts.renewal_date, today.year)
        if upcoming < today:
            upcoming = anniversary(facts.renewal_date, today.year + 1)
        return Flag(
            "notice",
            f"renews on {upcoming.isoformat()}; notice period unknown: check the statutes",
            {"renews_on": upcoming},
        )
    return None


def flags(
    facts: MembershipFacts,
    action: Action,
    value: float,
    ctx: Context,
    action_stability: float | None,
    sched: Schedule | None,
    today: date,
    titles: Mapping[str, str],
) -> tuple[Flag, ...]:
    """The flags of one row (see the module docstring)."""
    out: list[Flag] = []
    t = ctx.thresholds
    if action is Action.STAY and facts.engagement == "passive" and value >= t.join_above:
        v, j = pair_text(value, t.join_above)
        out.append(
            Flag(
                "re-engage",
                f"passive membership with a value ({v}) at or above the join bar ({j}): re-engage",
                {"value": v, "bar": j},
            )
        )
    if action_stability is not None and action_stability < UNCERTAIN_BELOW:
        share, limit = percent_pair(action_stability, UNCERTAIN_BELOW)
        out.append(
            Flag(
                "uncertain",
                f"uncertain: the advice holds in only {share} of plausible "
                f"weightings (fewer than {limit})",
                {"stability": action_stability, "share": share, "limit": limit},
            )
        )
    if facts.is_member and facts.coverage < ctx.evidence_threshold and action is Action.STAY:
        cov, thr = pair_text(facts.coverage * 100, ctx.evidence_threshold * 100, decimals=0)
        out.append(
            Flag(
                "assess-first",
                f"assess first: only {cov}% of the assessed weight has scores (threshold {thr}%)",
                {"coverage": cov, "threshold": thr},
            )
        )
    if facts.eligible is None:
        if facts.is_member:
            message = "a condition of this network is not confirmed for the city: check it"
        else:
            message = "eligibility not confirmed: check before joining"
        out.append(Flag("eligibility-unknown", message, {"member": facts.is_member}))
    if facts.disputes:
        listed = ", ".join(
            f"{titles.get(key, key)} ({low:g} to {high:g})" for key, low, high in facts.disputes
        )
        out.append(
            Flag(
                "disputed",
                f"assessors differ by 2 points or more on {listed}",
                {
                    "criteria": [key for key, _, _ in facts.disputes],
                    "disputes": list(facts.disputes),
                },
            )
        )
    if facts.missing_scores:
        plural = "s" if facts.missing_scores != 1 else ""
        out.append(
            Flag(
                "missing-scores",
                f"{facts.missing_scores} missing score{plural}: counted at the scale midpoint "
                "and sampled over the whole scale in the robustness check",
                {"count": facts.missing_scores},
            )
        )
    if action in (Action.LEAVE, Action.AT_RISK):
        notice = _notice_flag(sched, facts, today)
        if notice is not None:
            out.append(notice)
    return tuple(out)


def _method_note(
    rank: int | None, value_rank: int | None, ranked: int, method_label: str | None
) -> str:
    if method_label is None or rank is None or value_rank is None or rank == value_rank:
        return ""
    return (
        f"{method_label} ranks it {ordinal(rank)} of {ranked}; by additive value it is "
        f"{ordinal(value_rank)}. The advice follows the additive value."
    )


def _no_shared(*_pair: str) -> str:
    return "shared themes"


def recommend(
    facts: Sequence[MembershipFacts],
    *,
    values: npt.NDArray[np.float64],
    ranks: Sequence[int | None],
    value_ranks: Sequence[int | None],
    criteria: Sequence[str],
    titles: Mapping[str, str],
    weights: npt.NDArray[np.float64],
    utilities: npt.NDArray[np.float64],
    thresholds: Thresholds,
    join_cost: float,
    leave_cost: float,
    evidence_threshold: float,
    portfolio: pf.PortfolioResult,
    today: date,
    currency: str = "EUR",
    describe_shared: Callable[[str, str], str] | None = None,
    action_stability: npt.NDArray[np.float64] | None = None,
    top_k_probability: npt.NDArray[np.float64] | None = None,
    top_k: int = 3,
    samples: int = 0,
    method_label: str | None = None,
) -> list[Recommendation]:
    """One `Recommendation` per network, ranked networks first (by rank, then value, id).

    Arrays are aligned with ``facts``. ``portfolio`` is the chosen portfolio; its `Why` per
    network explains the action. ``action_stability`` may hold NaN for a network whose action
    was not set by its bar (no sampled stability then). ``method_label`` names the ranking
    method when it is not the additive value (rows then say where the two disagree).
    """
    n = len(facts)
    for name, array in (("values", values), ("utilities", utilities)):
        if len(array) != n:
            raise ValueError(f"{name} has {len(array)} rows for {n} networks")
    if len(ranks) != n or len(value_ranks) != n:
        raise ValueError("ranks and value_ranks need one entry per network")
    value_of = {f.network: float(values[i]) for i, f in enumerate(facts)}
    actions = [
        decide_action(
            is_member=f.is_member,
            eligible=f.eligible,
            enough_evidence=f.coverage >= evidence_threshold,
            selected=f.network in portfolio.selected,
        )
        for f in facts
    ]
    joined = tuple(
        sorted(
            (f.network for f, a in zip(facts, actions, strict=True) if a is Action.JOIN),
            key=lambda k: (-value_of[k], k),
        )
    )
    ctx = Context(
        thresholds=thresholds,
        join_cost=join_cost,
        leave_cost=leave_cost,
        evidence_threshold=evidence_threshold,
        currency=currency,
        names={f.network: f.title or f.network for f in facts},
        values=value_of,
        joined=joined,
        costs={f.network: (f.fee, f.hours) for f in facts},
        describe_shared=describe_shared or _no_shared,
        fee_budget=portfolio.fee_budget,
        hours_budget=portfolio.hours_budget,
        travel_budget=portfolio.travel_budget,
    )
    ranked_count = sum(1 for r in ranks if r is not None)
    reasons = contribution_reasons(weights, utilities, criteria, titles)
    out: list[Recommendation] = []
    for i, fact in enumerate(facts):
        value = float(values[i])
        action = actions[i]
        stability = None
        if action_stability is not None and np.isfinite(action_stability[i]):
            stability = float(action_stability[i])
        top = None
        if top_k_probability is not None and np.isfinite(top_k_probability[i]):
            top = float(top_k_probability[i])
        sched = (
            schedule(fact.renewal_date, fact.notice_days, today)
            if action in (Action.LEAVE, Action.AT_RISK)
            else None
        )
        why = portfolio.reasons.get(fact.network, pf.Why(pf.SELECTED))
        message = explain(fact, action, value, why, ctx, sched)
        strengths, weaknesses = reasons[i]
        assessed_enough = action is not Action.ASSESS_FIRST and why.code != pf.HELD
        out.append(
            Recommendation(
                network=fact.network,
                action=action,
                value=value,
                rank=ranks[i],
                value_rank=value_ranks[i],
                strengths=strengths,
                weaknesses=weaknesses,
                cost_per_value_point=cost_per_value_point(fact.fee, value),
                robustness_sentence=robustness_sentence(
                    action_stability=stability,
                    top_k_probability=top,
                    top_k=top_k,
                    samples=samples,
                )
                if assessed_enough
                else "Not sampled: there are too few scores to judge this network yet.",
                flags=flags(fact, action, value, ctx, stability, sched, today, titles),
                explanation=message.text,
                action_stability=stability,
                top_k_probability=top,
                notice_by=None if sched is None else sched.notice_by,
                message=message,
                method_note=_method_note(ranks[i], value_ranks[i], ranked_count, method_label),
                robustness_level=robustness_level(stability) if assessed_enough else None,
                coverage=fact.coverage,
                schedule=sched,
                why=why.code,
            )
        )
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.value, r.network))
    return out
