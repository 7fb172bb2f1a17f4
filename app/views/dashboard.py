"""The dashboard: everything its template prints, in the reader's language.

The page leads with the decision: the advice in one line, the points to check, the ranking
(one card per network on a phone), then what changed against the default scenario, folded to
the networks whose action changed. The route loads nothing itself: it calls `build` and
renders. The ranking rows and the value breakdowns are also used by the network page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from app import charts, framework_text
from app.i18n import current_locale, format_day, format_money, format_number, format_share
from app.i18n import gettext as _
from app.models import Workspace
from app.services import analysis as an
from app.services import ui
from app.views import advice
from app.views import report as report_view
from app.views import scenarios as scenario_view


@dataclass(frozen=True)
class BreakdownRow:
    """One criterion's part in a network's value: raw -> normalised x weight = contribution."""

    key: str
    title: str
    raw: str
    missing: bool
    utility: float
    weight: float  # share of the total weight, 0-1
    contribution: float  # weight x utility, in value units (0-1)
    average: float  # the same for a middling network (every criterion at mid-scale)


@dataclass(frozen=True)
class RankRow:
    """One network in the ranking, with everything the dashboard prints about it."""

    network_id: str
    name: str
    short: str
    status: str
    action: str
    value: float
    rank: int | None
    fee_minor: int
    hours: int
    engagement: str | None
    robustness: str
    action_stability: float | None
    flags: list[str]
    explanation: str
    strengths: list[str]
    weaknesses: list[str]
    cost_per_value_point: str | None
    notice_by: str | None
    portfolio_reason: str
    method_note: str = ""
    coverage: float = 1.0
    breakdown: list[BreakdownRow] = field(default_factory=list)
    status_label: str = ""

    @property
    def reason(self) -> str:
        """The one-line reason of a phone card: the explanation, cut to one line by CSS (the
        card's details unfold it)."""
        return self.explanation


def _raw_text(ctx: an.AnalysisContext, network_id: str, key: str, value: float) -> str:
    if key == "annual_fee":
        return _(
            "%(amount)s/year (fee, travel and events)",
            amount=format_money(value, ctx.currency),
        )
    if key == "staff_time":
        return _("%(hours)s h/year", hours=format_number(value))
    cell = ctx.scores.get(network_id, {}).get(key)
    printed = advice.number(f"{value:.2g}")
    if cell is not None and cell.count > 1:
        return _("%(value)s (mean of %(count)s)", value=printed, count=cell.count)
    return printed


def breakdown(ctx: an.AnalysisContext, network_id: str) -> list[BreakdownRow]:
    """How a network's value adds up: per criterion, the raw value, the normalised score
    (0-1), the weight share and their product, the contribution (the rows sum to the value)."""
    a = ctx.analysis
    matrix = a.matrix
    i = matrix.alternatives.index(network_id)
    utilities = a.utilities
    titles = framework_text.titles(ctx.framework)
    rows = []
    for j, key in enumerate(matrix.criteria):
        w = a.weights[key]
        raw = matrix.values[i, j]
        missing = bool(math.isnan(raw))
        u = float(utilities[i, j])
        rows.append(
            BreakdownRow(
                key=key,
                title=titles.get(key, key),
                raw=_("missing (counted at the scale midpoint)")
                if missing
                else _raw_text(ctx, network_id, key, float(raw)),
                missing=missing,
                utility=u,
                weight=w,
                contribution=w * u,
                average=0.5 * w,
            )
        )
    return rows


_METHOD_NOTE = re.compile(
    r"^(?P<method>.+) ranks it (?P<rank>\d+)\w\w of (?P<of>\d+); by additive value it is "
    r"(?P<value_rank>\d+)\w\w\. The advice follows the additive value\.$"
)


def method_note(note: str, method: str) -> str:
    """The core's note that the chosen method ranks a network elsewhere, in the current
    locale (English: the core's own words)."""
    if not note or current_locale() == "en":
        return note
    found = _METHOD_NOTE.match(note)
    if found is None:
        return note
    return _(
        "%(method)s ranks it %(rank)s of %(of)s; by additive value it is number %(value_rank)s. "
        "The advice follows the additive value.",
        method=report_view.method_label(method),
        rank=found["rank"],
        of=found["of"],
        value_rank=found["value_rank"],
    )


def ranking_rows(ctx: an.AnalysisContext, *, with_breakdown: bool = False) -> list[RankRow]:
    """The recommendations best first, as printable rows."""
    rows = []
    reasons = ctx.analysis.portfolio.reasons
    titles = ctx.framework_titles()
    for rec in ctx.analysis.recommendations:  # ranked first, by rank, value and id
        network = ctx.networks[rec.network]
        membership = ctx.memberships[rec.network]
        rows.append(
            RankRow(
                network_id=rec.network,
                name=network.name,
                short=network.acronym or network.name,
                status=membership.status,
                action=str(rec.action),
                value=rec.value,
                rank=rec.rank,
                fee_minor=membership.annual_fee_minor,
                hours=membership.staff_hours,
                engagement=membership.engagement,
                robustness=advice.robustness_text(rec),
                action_stability=rec.action_stability,
                flags=[advice.flag_text(f, titles) for f in rec.flags],
                explanation=advice.explanation(rec.message, rec.explanation),
                strengths=[advice.reason_text(r, titles) for r in rec.strengths],
                weaknesses=[advice.reason_text(r, titles) for r in rec.weaknesses],
                cost_per_value_point=None
                if rec.cost_per_value_point is None
                else format_money(rec.cost_per_value_point, ctx.currency),
                notice_by=None if rec.notice_by is None else format_day(rec.notice_by),
                portfolio_reason=reasons[rec.network].code if rec.network in reasons else "",
                method_note=method_note(rec.method_note, ctx.method),
                coverage=rec.coverage,
                breakdown=breakdown(ctx, rec.network) if with_breakdown else [],
                status_label=report_view.status_label(membership.status),
            )
        )
    return rows


# --- budgets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetView:
    fee_gauge: Markup
    hours_gauge: Markup
    fee_current: str
    fee_selected: str
    fee_budget: str
    hours_current: str
    hours_selected: str
    hours_budget: str
    binding: str  # "fee", "fee and staff-hours", ... in words; empty when no budget binds
    travel_gauge: Markup | None = None
    travel_current: str = ""
    travel_selected: str = ""
    travel_budget: str = ""


def _binding_words(binding: list[str]) -> str:
    words = {
        "fee": _("fee"),
        "hours": _("staff-hours"),
        "staff hours": _("staff-hours"),
        "travel": _("travel"),
    }
    return advice.join_list([words.get(b, b) for b in binding])


def budget_view(ctx: an.AnalysisContext) -> BudgetView:
    """The fee, travel and staff-hour gauges of the chosen portfolio against the budgets."""
    b = ctx.analysis.budget_use
    fee_budget = None if b.fee_budget is None else b.fee_budget / 100
    money = report_view.money
    return BudgetView(
        fee_gauge=charts.budget_gauge(
            b.fee_selected / 100, fee_budget, _("Annual fees"), ctx.currency
        ),
        hours_gauge=charts.budget_gauge(
            b.hours_selected, b.hours_budget, _("Staff time"), _("hours")
        ),
        fee_current=money(b.fee_current, ctx.currency),
        fee_selected=money(b.fee_selected, ctx.currency),
        fee_budget=money(b.fee_budget, ctx.currency),
        hours_current=report_view.hours(b.hours_current),
        hours_selected=report_view.hours(b.hours_selected),
        hours_budget=report_view.hours(b.hours_budget),
        binding=_binding_words(list(ctx.analysis.portfolio.binding)),
        travel_gauge=None
        if b.travel_budget is None
        else charts.budget_gauge(
            b.travel_selected / 100, b.travel_budget / 100, _("Travel and events"), ctx.currency
        ),
        travel_current=money(b.travel_current, ctx.currency),
        travel_selected=money(b.travel_selected, ctx.currency),
        travel_budget=money(b.travel_budget, ctx.currency),
    )


# --- what changed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    network_id: str
    name: str
    before_rank: int | None
    after_rank: int | None
    before_action: str | None
    after_action: str | None
    movement: int
    action_changed: bool


def changes(before: an.AnalysisContext, after: an.AnalysisContext) -> list[Change]:
    """Networks whose action or rank differs between two analyses, action changes first."""
    rows = scenario_view.compare([before, after])
    out = []
    for row in rows:
        b, a = row.cells
        if b.rank == a.rank and b.action == a.action:
            continue
        out.append(
            Change(
                row.network_id,
                row.name,
                b.rank,
                a.rank,
                b.action,
                a.action,
                (b.rank or 0) - (a.rank or 0) if b.rank and a.rank else 0,
                b.action != a.action,
            )
        )
    return sorted(out, key=lambda c: (not c.action_changed, -abs(c.movement), c.name))


# --- points to check ------------------------------------------------------------------------

_WARNINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^The city has no priority themes with a positive weight: thematic fit comes "
            r"from the entered scores \(missing if none\)\.$"
        ),
        "themes",
    ),
    (
        re.compile(
            r"^'(?P<title>.+)' is not counted: set a reference level \(or a budget\) in the "
            r"decision settings to give it a value scale\.$"
        ),
        "unset",
    ),
    (
        re.compile(
            r"^(?P<n>\d+) former membership\(s\) are not ranked \((?P<ids>.*)\); mark one as a "
            r"candidate to consider rejoining\.$"
        ),
        "former",
    ),
    (
        re.compile(
            r"^(?P<name>.+) is locked to join, but it has too few scores to judge: assess it "
            r"first \(the lock is ignored until then\)\.$"
        ),
        "locked",
    ),
    (re.compile(r"^No network has enough scores to be ranked: .*$"), "none_ranked"),
    (re.compile(r"^Preview: the budgets or overlaps force a choice.*$"), "preview"),
    (re.compile(r"^The portfolio optimiser stopped at its time limit .*$"), "time_limit"),
    (
        re.compile(
            r"^The memberships that must be kept .* need more than the (?P<budgets>.+) budget; "
            r"nothing else fits\.$"
        ),
        "over_committed",
    ),
    (
        re.compile(
            r"^(?P<gaps>\d+) score\(s\) are missing across (?P<networks>\d+) ranked network\(s\).*$"
        ),
        "gaps",
    ),
    (
        re.compile(
            r"^Eligibility is not confirmed for (?P<names>.+), recommended to join: check it "
            r"before acting\.$"
        ),
        "unconfirmed",
    ),
    (re.compile(r"^Current memberships cost more than the fee budget\.$"), "fee_over"),
    (
        re.compile(r"^Current memberships need more staff hours than are available\.$"),
        "hours_over",
    ),
    (
        re.compile(r"^Current memberships' travel and events cost more than the travel budget\.$"),
        "travel_over",
    ),
)


def warning_text(warning: str, ctx: an.AnalysisContext | None = None) -> str:
    """One of the analysis's points to check in the current locale (English: the core's
    own words; an unknown sentence is printed as it is)."""
    if current_locale() == "en":
        return warning
    for pattern, code in _WARNINGS:
        found = pattern.match(warning)
        if found is None:
            continue
        p = found.groupdict()
        if code == "themes":
            return _(
                "The city has no priority themes with a positive weight: thematic fit comes "
                "from the entered scores (missing if none)."
            )
        if code == "unset":
            titles = {} if ctx is None else framework_text.titles(ctx.framework)
            english = {} if ctx is None else {c.title: c.key for c in ctx.framework.criteria}
            title = titles.get(english.get(p["title"], ""), p["title"])
            return _(
                "“%(title)s” is not counted: set a reference level (or a budget) in the "
                "decision settings to give it a value scale.",
                title=title,
            )
        if code == "former":
            names = p["ids"]
            if ctx is not None:
                names = ", ".join(
                    (ctx.networks[i].acronym or ctx.networks[i].name) if i in ctx.networks else i
                    for i in p["ids"].split(", ")
                )
            return _(
                "Former memberships are not ranked (%(names)s); mark one as a candidate to "
                "consider rejoining.",
                names=names,
            )
        if code == "locked":
            return _(
                "%(name)s is locked to join, but it has too few scores to judge: assess it "
                "first (the lock is ignored until then).",
                name=p["name"],
            )
        if code == "none_ranked":
            return _(
                "No network has enough scores to be ranked: assess the networks first (see the "
                "evidence threshold in the decision settings)."
            )
        if code == "preview":
            return _(
                "Preview: the budgets or overlaps force a choice, and this quick re-rank makes "
                "it with a quick search that may miss the best set; the dashboard computes the "
                "best portfolio."
            )
        if code == "time_limit":
            return _(
                "The portfolio search stopped at its time limit; the recommended portfolio may "
                "not be the very best."
            )
        if code == "over_committed":
            return _(
                "The memberships that must be kept (locked, or held until they are assessed) "
                "need more than the %(budgets)s budget; nothing else fits.",
                budgets=_binding_words(p["budgets"].split(" and ")),
            )
        if code == "gaps":
            return _(
                "%(gaps)s score(s) are missing across %(networks)s ranked network(s): they "
                "count at the scale midpoint, and the robustness run samples them over the "
                "whole scale.",
                gaps=p["gaps"],
                networks=p["networks"],
            )
        if code == "unconfirmed":
            return _(
                "Eligibility is not confirmed for %(names)s, recommended to join: check it "
                "before acting.",
                names=p["names"],
            )
        if code == "fee_over":
            return _("Current memberships cost more than the fee budget.")
        if code == "hours_over":
            return _("Current memberships need more staff hours than are available.")
        if code == "travel_over":
            return _("Current memberships' travel and events cost more than the travel budget.")
    return warning


# --- the page -------------------------------------------------------------------------------


def settings_line(decision: dict[str, Any]) -> str:
    """The decision settings the advice used, in one line."""
    return _(
        "Join bar %(join)s · leave bar %(leave)s · cost of joining %(jc)s, of leaving %(lc)s · "
        "overlap penalty %(op)s · evidence threshold %(ev)s.",
        join=format_number(decision["join_bar"], 2),
        leave=format_number(decision["leave_bar"], 2),
        jc=format_number(decision["join_cost"], 2),
        lc=format_number(decision["leave_cost"], 2),
        op=format_number(decision["overlap_penalty"], 2),
        ev=format_share(decision["evidence_threshold"]),
    )


def build(session: Session, workspace: Workspace, scenario_id: int | None) -> dict[str, Any]:
    """Everything the dashboard prints for a scenario (None: the default one)."""
    settings = ui.resolve_settings(session, workspace, scenario_id)
    ctx = ui.analyse(session, workspace, settings.weights, settings.method, settings.options)
    changed = None
    if settings.previous is not None:
        before = ui.resolve_settings(session, workspace, settings.previous.id)
        previous = ui.analyse(
            session, workspace, before.weights, before.method, before.options, samples=0
        )
        changed = changes(previous, ctx)
    facts = scenario_view.scenario_facts(
        session, workspace, settings.scenarios or [settings.scenario]
    )
    samples = 0 if ctx.analysis.robustness is None else ctx.analysis.robustness.samples
    return {
        "workspace": workspace,
        "nav_active": "dashboard",
        "settings": settings,
        "scenario_facts": facts,
        "current_facts": facts.get(None if settings.scenario is None else settings.scenario.id),
        "rows": ranking_rows(ctx, with_breakdown=True),
        "budget": budget_view(ctx),
        "warnings": [warning_text(w, ctx) for w in ctx.analysis.warnings],
        "changes": changed,
        "action_changes": [] if changed is None else [c for c in changed if c.action_changed],
        "currency": ctx.currency,
        "method_label": report_view.method_label(ctx.method),
        "weights": ui.weight_rows(ctx.framework, settings.weights),
        "summary": report_view.summary_sentence(ctx.analysis.summary, ctx.currency),
        "settings_line": settings_line(ctx.settings.as_dict()),
        "samples": format_number(samples),
        "decided": report_view.decided_rows(session, workspace, ctx),
    }
