"""The council report: everything the workspace report and the one-page network report print.

One view model feeds three formats: the HTML page (with print CSS), the PDF (WeasyPrint
renders that same HTML) and the Word document (`app.services.reports` walks the same
dataclasses). The shape follows the agenda statements councils read: subject; recommended
action (the motion, one line per network); background; discussion and analysis; fiscal
impact; alternatives considered (the other scenarios' advice side by side); realised value;
the decision calendar; attached evidence with sources and assessors; and the method, weights,
settings, framework version, date, author and a fingerprint of the inputs with the command
and API call that reproduce the numbers.

Every number comes from `app.services.analysis.run_analysis` for the chosen scenario (the
other scenarios are analysed without robustness sampling: only their advice is shown). The
sentences the scoring core writes (explanations, robustness, stability) are printed as the
core wrote them; every other string is translated here, in the current locale
(`app.i18n.use_locale` picks the workspace's or the reader's language).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from markupsafe import Markup
from sqlmodel import Session

from app import charts, framework_text
from app.errors import NotFound
from app.i18n import current_locale, format_day, format_money, format_number, format_share, ngettext
from app.i18n import gettext as _
from app.models import Decision, Network, Scenario, Workspace, utcnow
from app.services import analysis as an
from app.services import catalogue, provenance
from app.services import decisions as dec
from app.services import workspaces as ws
from app.services.common import from_minor, jsonable
from app.views import advice
from criteria.errors import CriteriaError
from scoring import portfolio as pf
from scoring.analysis import Summary
from scoring.calendar import Schedule, schedule
from scoring.realised import KINDS, RealisedTotals, RealisedYear
from scoring.recommend import Recommendation
from scoring.robustness import ActionRule, weight_stability

ALTERNATIVE_SAMPLES = 0
"""Robustness samples for the other scenarios (only their advice is printed)."""
MOTION_ORDER = (
    "leave",
    "at_risk",
    "join",
    "stay",
    "assess_first",
    "not_recommended",
    "not_eligible",
)
"""The order of the motion's lines: changes first, then what continues, then what is not done."""
BAR_DECIDED = {pf.SELECTED, pf.BELOW_BAR, pf.SWITCH_COST}
"""Portfolio reasons under which the action follows the value bar alone."""


# --- labels ---------------------------------------------------------------------------------


action_label = advice.action_label


def status_label(status: str) -> str:
    return {
        "member": _("Member"),
        "candidate": _("Candidate"),
        "former": _("Former member"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    return {
        "funding": _("Funding"),
        "project": _("Projects"),
        "policy": _("Policy changes"),
        "event": _("Events"),
        "knowledge": _("Knowledge"),
    }.get(kind, kind)


def confidence_label(confidence: str) -> str:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(confidence, confidence)


def method_label(method: str) -> str:
    return {
        "weighted_sum": _("Weighted sum (additive value)"),
        "weighted_product": _("Weighted product"),
        "topsis": _("TOPSIS (distance to the ideal)"),
        "vikor": _("VIKOR (compromise)"),
        "electre": _("ELECTRE (outranking)"),
        "promethee_ii": _("PROMETHEE II (outranking flows)"),
    }.get(method, method)


def money(minor: int | None, currency: str) -> str:
    """Minor units as money in the current locale ("not set" for None)."""
    if minor is None:
        return _("not set")
    return format_money(from_minor(minor), currency)


def hours(value: float | None) -> str:
    if value is None:
        return _("not set")
    return _("%(hours)s h", hours=format_number(value))


def summary_sentence(summary: Summary, currency: str) -> str:
    """The advice in one line, in the current locale.

    English prints the scoring core's own sentence (`Summary.sentence`, the one the API
    returns); other languages build it from the same counts and sums.
    """
    if current_locale() == "en":
        return summary.sentence(currency)
    figures = {
        "keep": summary.keep,
        "leave": summary.leave,
        "join": summary.join,
        "leave_cost": money(summary.leave_fee, currency),
        "leave_hours": format_number(summary.leave_hours),
        "join_cost": money(summary.join_fee, currency),
        "join_hours": format_number(summary.join_hours),
    }
    if summary.leave and summary.join:
        text = _(
            "Keep %(keep)s, leave %(leave)s (saves %(leave_cost)s and %(leave_hours)s h a year) "
            "and join %(join)s (costs %(join_cost)s and %(join_hours)s h a year).",
            **figures,
        )
    elif summary.leave:
        text = _(
            "Keep %(keep)s and leave %(leave)s (saves %(leave_cost)s and %(leave_hours)s h a "
            "year); join none.",
            **figures,
        )
    elif summary.join:
        text = _(
            "Keep %(keep)s and join %(join)s (costs %(join_cost)s and %(join_hours)s h a year); "
            "leave none.",
            **figures,
        )
    else:
        text = _("Keep %(keep)s; leave none and join none.", **figures)
    extra = []
    if summary.at_risk:
        extra.append(
            ngettext(
                "%(num)s membership is at risk (a condition is not met).",
                "%(num)s memberships are at risk (a condition is not met).",
                summary.at_risk,
            )
        )
    if summary.assess_first:
        extra.append(
            ngettext(
                "Assess %(num)s candidate before deciding.",
                "Assess %(num)s candidates before deciding.",
                summary.assess_first,
            )
        )
    return " ".join([text, *extra])


def labels() -> dict[str, str]:
    """Headings and column titles shared by the HTML/PDF templates and the Word writer."""
    return {
        "subject": _("Subject"),
        "motion": _("Recommended action"),
        "motion_lead": _("That the council:"),
        "background": _("Background"),
        "discussion": _("Discussion and analysis"),
        "fiscal": _("Fiscal impact"),
        "alternatives": _("Alternatives considered"),
        "realised": _("Realised value"),
        "calendar": _("Decision calendar"),
        "evidence": _("Attached evidence"),
        "method": _("Method, weights and settings"),
        "provenance": _("How to reproduce these numbers"),
        "robustness": _("How sure we are"),
        "decisions": _("Decision record"),
        "strengths": _("Strongest reasons"),
        "weaknesses": _("Weakest points"),
        "warnings": _("Points to check"),
        "network": _("Network"),
        "action": _("Recommended"),
        "decided": _("Decided"),
        "rank": _("Rank"),
        "value": _("Value"),
        "stability": _("Action holds in"),
        "fee": _("Fee per year"),
        "cost_now": _("Cost now"),
        "cost_after": _("Cost after"),
        "hours_now": _("Staff hours now"),
        "hours_after": _("Staff hours after"),
        "staff_hours": _("Staff hours per year"),
        "hours_short": _("Staff h/year"),
        "total": _("Total"),
        "year": _("Year"),
        "cost": _("Fees and travel"),
        "funding": _("Funding obtained"),
        "balance": _("Funding less cost"),
        "outcomes": _("Outcomes"),
        "next_renewal": _("Next renewal"),
        "notice_by": _("Last day to give notice"),
        "exit_on": _("Earliest exit"),
        "next_review": _("Next review"),
        "criterion": _("Criterion"),
        "score": _("Score"),
        "assessor": _("Assessor"),
        "confidence": _("Confidence"),
        "evidence_text": _("Evidence"),
        "weight_points": _("Points"),
        "weight_share": _("Share"),
        "setting": _("Setting"),
        "setting_value": _("Value used"),
        "fingerprint": _("Fingerprint of the inputs (SHA-256)"),
        "command": _("Command line"),
        "api": _("API call"),
        "scenario": _("Scenario"),
        "date": _("Date of the analysis"),
        "generated": _("Generated"),
        "author": _("Prepared by"),
        "framework": _("Framework"),
        "method_name": _("Method"),
        "body": _("Body"),
        "reference": _("Reference"),
        "effective": _("Effective"),
        "snapshot": _("Advice followed"),
        "differs": _("differs from the advice"),
        "missing": _("missing"),
        "fictional": _(
            "Fictional data: invented figures for demonstration, not facts about any real city."
        ),
        "sources": _("Sources of the network facts"),
        "not_recorded": _("not recorded"),
    }


# --- view model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """What every report states about itself."""

    title: str
    subject: str
    workspace_id: int
    workspace_name: str
    fictional: bool
    scenario_id: int | None
    scenario_name: str
    scenario_description: str
    method: str
    method_label: str
    analysis_date: date
    generated_at: datetime
    author: str
    locale: str
    framework: str
    framework_version: str
    framework_source: str
    currency: str
    fingerprint: str
    command: str
    api: str
    summary: str


@dataclass(frozen=True)
class Motion:
    network_id: str
    name: str
    action: str
    text: str


@dataclass(frozen=True)
class Row:
    """One network in the discussion table."""

    network_id: str
    name: str
    short: str
    status: str
    status_label: str
    action: str
    action_label: str
    rank: int | None
    value: float
    stability: float | None
    robustness: str
    explanation: str
    method_note: str
    fee: int
    travel: int
    hours: float
    cost_per_point: float | None
    flags: list[str]
    brief_flags: list[str]  # without the notice and uncertainty flags (stated beside them)
    reason_lines: list[ReasonLine]  # strengths then weaknesses, as table rows
    strengths: list[str]
    weaknesses: list[str]
    decided: str | None
    decided_label: str | None
    decided_on: date | None
    differs: bool
    schedule: Schedule | None
    next_review: date | None
    selected: bool


@dataclass(frozen=True)
class BudgetLine:
    name: str
    action_label: str
    cost_now: int
    cost_after: int
    hours_now: float
    hours_after: float


@dataclass(frozen=True)
class Fiscal:
    fee_now: int
    fee_after: int
    travel_now: int
    travel_after: int
    hours_now: float
    hours_after: float
    fee_budget: int | None
    hours_budget: float | None
    lines: list[BudgetLine]
    sentences: list[str]
    has_travel: bool
    fee_gauge: Markup
    hours_gauge: Markup


@dataclass(frozen=True)
class ReasonLine:
    """A strength or weakness as a table row: the criterion, its value points and how far
    they are from a middling network's, signed (printed with one decimal)."""

    criterion: str
    points: float
    versus: float
    strength: bool


@dataclass(frozen=True)
class AlternativeScenario:
    scenario_id: int | None
    name: str
    method_label: str
    summary: str
    chosen: bool


@dataclass(frozen=True)
class AlternativeRow:
    network_id: str
    name: str
    actions: list[str]  # labels, one per scenario, the chosen one first
    values: list[float | None]
    differs: bool


@dataclass(frozen=True)
class Alternatives:
    scenarios: list[AlternativeScenario]
    rows: list[AlternativeRow]
    failed: list[str]


@dataclass(frozen=True)
class RealisedView:
    network_id: str
    name: str
    years: list[RealisedYear]
    total: RealisedTotals
    since_sentence: str
    outcome_titles: list[str]
    cost_note: str
    totals_sentence: str = ""


@dataclass(frozen=True)
class CalendarRow:
    network_id: str
    name: str
    action_label: str
    next_renewal: date | None
    notice_by: date | None
    exit_on: date | None
    missed: bool
    notice_days: int | None
    next_review: date | None


@dataclass(frozen=True)
class EvidenceItem:
    criterion: str
    score: int | None
    assessor: str
    confidence: str
    evidence: str
    source_url: str | None


@dataclass(frozen=True)
class EvidenceGroup:
    """One network's evidence: every item, and the summary the workspace report prints
    (who assessed it with how many scores, and the distinct sources cited)."""

    network_id: str
    name: str
    items: list[EvidenceItem]

    @property
    def assessors(self) -> list[str]:
        counts: dict[str, int] = {}
        for item in self.items:
            if item.score is not None:
                counts[item.assessor] = counts.get(item.assessor, 0) + 1
        return [
            ngettext("%(name)s (%(num)s score)", "%(name)s (%(num)s scores)", n, name=name)
            for name, n in sorted(counts.items())
        ]

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(i.source_url for i in self.items if i.source_url))

    @property
    def summary(self) -> str:
        """The evidence in one sentence: scores, assessors, sources cited, confidence mix."""
        scored = [i for i in self.items if i.score is not None]
        if not scored:
            return _("No scores are recorded.")
        mix: dict[str, int] = {}
        for item in scored:
            mix[item.confidence] = mix.get(item.confidence, 0) + 1
        return _(
            "%(scores)s %(assessors)s; %(sourced)s; confidence: %(mix)s.",
            scores=ngettext("%(num)s score", "%(num)s scores", len(scored)),
            assessors=ngettext(
                "from %(num)s assessor", "from %(num)s assessors", len({i.assessor for i in scored})
            ),
            sourced=ngettext(
                "%(num)s cites a source",
                "%(num)s cite a source",
                sum(1 for i in scored if i.source_url),
            ),
            mix=", ".join(f"{label} {n}" for label, n in mix.items()),
        )


@dataclass(frozen=True)
class WeightLine:
    title: str
    points: float
    share: float


@dataclass(frozen=True)
class DecisionLine:
    decided_on: date
    action_label: str
    body: str
    reference: str
    effective_on: date | None
    next_review_on: date | None
    recommended_label: str | None
    scenario: str | None
    fingerprint: str | None
    differs: bool


@dataclass(frozen=True)
class Method:
    weights: list[WeightLine]
    settings: list[tuple[str, str]]
    value_functions: list[str]
    stability: list[str]
    agreement: list[str]
    weights_chart: Markup
    stability_chart: Markup
    robustness_note: str


@dataclass(frozen=True)
class WorkspaceReport:
    kind = "workspace"
    meta: Meta
    labels: dict[str, str]
    motions: list[Motion]
    background: list[str]
    rows: list[Row]
    fiscal: Fiscal
    alternatives: Alternatives
    realised: list[RealisedView]
    calendar: list[CalendarRow]
    evidence: list[EvidenceGroup]
    method: Method
    warnings: list[str]


@dataclass(frozen=True)
class BreakdownLine:
    title: str
    raw: str
    utility: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class NetworkReport:
    kind = "network"
    meta: Meta
    labels: dict[str, str]
    network_name: str
    network_acronym: str
    website: str
    sources: list[str]
    status_label: str
    since: date | None
    engagement: str | None
    roles: list[str]
    motion: Motion | None
    row: Row | None
    action_sentence: str
    breakdown: list[BreakdownLine]
    contribution_chart: Markup | None
    radar_chart: Markup | None
    fiscal_sentences: list[str]
    alternatives: Alternatives
    realised: RealisedView | None
    decisions: list[DecisionLine]
    calendar: CalendarRow | None
    evidence: EvidenceGroup
    method: Method
    warnings: list[str] = field(default_factory=list)

    @property
    def alternatives_brief(self) -> list[str]:
        """One line per scenario: its name (★ the one followed), this network's action and
        value there, and the method (page 1 of the report; the full table is in Annex C)."""
        alt = self.alternatives
        row = alt.rows[0] if alt.rows else None
        lines = []
        for i, s in enumerate(alt.scenarios):
            line = s.name + (" \u2605" if s.chosen else "")
            if row is not None:
                value = row.values[i]
                line += ": " + row.actions[i]
                if value is not None:
                    line += f" ({format_number(value, 2)})"
            lines.append(f"{line} \u00b7 {s.method_label}")
        return lines + list(alt.failed)


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    """The scenario a report shows, with its settings (equal weights when there is none)."""

    scenario: Scenario | None
    weights: dict[str, float]
    method: str
    options: dict[str, Any]
    scenarios: list[Scenario]


def choose_scenario(session: Session, workspace: Workspace, scenario_id: int | None) -> Chosen:
    """The scenario with this id (404 when it is not the workspace's), else the newest."""
    scenarios = ws.list_scenarios(session, workspace)
    framework = ws.framework_of(session, workspace)
    scenario: Scenario | None
    if scenario_id is not None:
        scenario = ws.get_scenario(session, workspace, scenario_id)
    else:
        scenario = scenarios[-1] if scenarios else None
    base = an.scenario_settings(scenario, framework)
    weights = {k: float(base["weights"].get(k, 0.0)) for k in framework.keys}
    return Chosen(scenario, weights, base["method"], dict(base["options"]), scenarios)


def analyse_chosen(
    session: Session, workspace: Workspace, chosen: Chosen, today: date
) -> an.AnalysisContext:
    return an.run_analysis(
        session,
        workspace,
        weights=chosen.weights,
        method=chosen.method,
        options=chosen.options,
        today=today,
    )


def _travel(ctx: an.AnalysisContext) -> dict[str, int]:
    prepared = ctx.prepared
    if prepared is None:
        return {}
    return {n.id: n.travel for n in prepared.inputs}


def _meta(
    ctx: an.AnalysisContext,
    chosen: Chosen,
    *,
    title: str,
    subject: str,
    author: str,
) -> Meta:
    workspace = ctx.workspace
    today = ctx.analysis.today
    again = provenance.reproduce(
        workspace_id=workspace.id or 0,
        slug=workspace.slug,
        scenario_id=None if chosen.scenario is None else chosen.scenario.id,
        scenario_name=None if chosen.scenario is None else chosen.scenario.name,
        today=today,
    )
    return Meta(
        title=title,
        subject=subject,
        workspace_id=workspace.id or 0,
        workspace_name=workspace.name,
        fictional=workspace.fictional,
        scenario_id=None if chosen.scenario is None else chosen.scenario.id,
        scenario_name=_("Equal weights (no scenario saved)")
        if chosen.scenario is None
        else chosen.scenario.name,
        scenario_description="" if chosen.scenario is None else chosen.scenario.description,
        method=ctx.method,
        method_label=method_label(ctx.method),
        analysis_date=today,
        generated_at=utcnow(),
        author=author,
        locale=current_locale(),
        framework=ctx.framework.title,
        framework_version=ctx.framework.version,
        framework_source=ctx.framework.source,
        currency=ctx.currency,
        fingerprint=provenance.fingerprint(ctx, chosen.options),
        command=again.command,
        api=again.api,
        summary=summary_sentence(ctx.analysis.summary, ctx.currency),
    )


def motion_text(rec: Recommendation, name: str, cost: int, staff: float, currency: str) -> str:
    """The line of the motion for one network (current locale)."""
    action = str(rec.action)
    sched = rec.schedule
    figures = {"network": name, "cost": money(cost, currency), "hours": format_number(staff)}
    if action == "stay":
        return _(
            "Continue the membership in %(network)s (%(cost)s and %(hours)s staff hours a year).",
            **figures,
        )
    if action == "join":
        return _("Join %(network)s (%(cost)s and %(hours)s staff hours a year).", **figures)
    if action == "leave":
        if sched is None:
            return _(
                "Leave %(network)s at its next renewal; the notice period is not recorded, so "
                "check the statutes (saves %(cost)s and %(hours)s staff hours a year).",
                **figures,
            )
        return _(
            "Leave %(network)s: give written notice by %(notice_by)s so that the membership "
            "ends on %(exit_on)s (saves %(cost)s and %(hours)s staff hours a year).",
            notice_by=format_day(sched.notice_by, "long"),
            exit_on=format_day(sched.exit_on, "long"),
            **figures,
        )
    if action == "at_risk":
        if sched is None:
            return _(
                "Confirm whether the city still meets the conditions of %(network)s, and "
                "prepare to leave it if it does not.",
                network=name,
            )
        return _(
            "Confirm whether the city still meets the conditions of %(network)s; if it does "
            "not, give notice by %(notice_by)s to leave on %(exit_on)s.",
            network=name,
            notice_by=format_day(sched.notice_by, "long"),
            exit_on=format_day(sched.exit_on, "long"),
        )
    if action == "assess_first":
        return _(
            "Defer a decision on joining %(network)s until it has been assessed.", network=name
        )
    if action == "not_eligible":
        return _("Do not join %(network)s: the city does not meet its conditions.", network=name)
    return _("Do not join %(network)s at this time.", network=name)


def _rows(
    ctx: an.AnalysisContext, decided: Mapping[str, Decision], travel: Mapping[str, int]
) -> list[Row]:
    a = ctx.analysis
    out = []
    titles = ctx.framework_titles()
    for rec in a.recommendations:
        network = ctx.networks[rec.network]
        membership = ctx.memberships[rec.network]
        decision = decided.get(rec.network)
        review = decision.next_review_on if decision is not None else None
        out.append(
            Row(
                network_id=rec.network,
                name=network.name,
                short=network.acronym or network.name,
                status=membership.status,
                status_label=status_label(membership.status),
                action=str(rec.action),
                action_label=action_label(str(rec.action)),
                rank=rec.rank,
                value=rec.value,
                stability=rec.action_stability,
                robustness=advice.robustness_text(rec),
                explanation=advice.explanation(rec.message, rec.explanation),
                method_note=rec.method_note,
                fee=membership.annual_fee_minor,
                travel=int(travel.get(rec.network, 0)),
                hours=float(membership.staff_hours),
                cost_per_point=rec.cost_per_value_point,
                flags=[advice.flag_text(f, titles) for f in rec.flags],
                brief_flags=[
                    advice.flag_text(f, titles)
                    for f in rec.flags
                    if f.code not in ("notice", "uncertain")
                ],
                strengths=[advice.reason_text(r, titles) for r in rec.strengths],
                weaknesses=[advice.reason_text(r, titles) for r in rec.weaknesses],
                reason_lines=[
                    ReasonLine(
                        titles.get(r.criterion, r.criterion),
                        r.contribution * 100,
                        r.versus_average * 100,
                        strength,
                    )
                    for strength, reasons in ((True, rec.strengths), (False, rec.weaknesses))
                    for r in reasons
                ],
                decided=None if decision is None else decision.action,
                decided_label=None if decision is None else action_label(decision.action),
                decided_on=None if decision is None else decision.decided_on,
                differs=decision is not None and not dec.agrees(str(rec.action), decision.action),
                schedule=rec.schedule
                or schedule(membership.renewal_date, membership.notice_days, a.today),
                next_review=review,
                selected=rec.network in a.portfolio.selected,
            )
        )
    return out


def _fiscal(ctx: an.AnalysisContext, rows: Sequence[Row]) -> Fiscal:
    a = ctx.analysis
    b = a.budget_use
    currency = ctx.currency
    lines = []
    for row in rows:
        now = row.status == "member"
        lines.append(
            BudgetLine(
                name=row.short,
                action_label=row.action_label,
                cost_now=row.fee + row.travel if now else 0,
                cost_after=row.fee + row.travel if row.selected else 0,
                hours_now=row.hours if now else 0.0,
                hours_after=row.hours if row.selected else 0.0,
            )
        )
    lines = [
        line
        for line in lines
        if line.cost_now or line.cost_after or line.hours_now or line.hours_after
    ]
    travel_now = sum(r.travel for r in rows if r.status == "member")
    travel_after = sum(r.travel for r in rows if r.selected)
    s = a.summary
    sentences = [
        _(
            "Memberships cost %(now)s a year now; the recommended portfolio costs %(after)s "
            "(a change of %(change)s).",
            now=money(b.fee_current, currency),
            after=money(b.fee_selected, currency),
            change=money(b.fee_selected - b.fee_current, currency),
        ),
        _(
            "Staff time: %(now)s hours a year now, %(after)s hours after.",
            now=format_number(b.hours_current),
            after=format_number(b.hours_selected),
        ),
    ]
    if s.leave:
        sentences.append(
            _(
                "Leaving saves %(cost)s and %(hours)s staff hours a year.",
                cost=money(s.leave_fee, currency),
                hours=format_number(s.leave_hours),
            )
        )
    if s.join:
        sentences.append(
            _(
                "Joining costs %(cost)s and %(hours)s staff hours a year.",
                cost=money(s.join_fee, currency),
                hours=format_number(s.join_hours),
            )
        )
    if b.fee_budget is not None:
        sentences.append(
            _(
                "The fee budget is %(budget)s a year; the recommended portfolio uses %(share)s of it.",
                budget=money(b.fee_budget, currency),
                share=format_share(b.fee_selected / b.fee_budget) if b.fee_budget else "-",
            )
        )
    else:
        sentences.append(_("No fee budget is set."))
    if b.hours_budget is not None:
        sentences.append(
            _(
                "The staff-time budget is %(budget)s hours a year; the recommended portfolio uses %(share)s of it.",
                budget=format_number(b.hours_budget),
                share=format_share(b.hours_selected / b.hours_budget) if b.hours_budget else "-",
            )
        )
    if travel_now or travel_after:
        sentences.append(
            _(
                "Costs include travel and events: %(now)s a year now, %(after)s after.",
                now=money(travel_now, currency),
                after=money(travel_after, currency),
            )
        )
    fee_budget = None if b.fee_budget is None else b.fee_budget / 100
    return Fiscal(
        fee_now=b.fee_current,
        fee_after=b.fee_selected,
        travel_now=travel_now,
        travel_after=travel_after,
        hours_now=b.hours_current,
        hours_after=b.hours_selected,
        fee_budget=b.fee_budget,
        hours_budget=b.hours_budget,
        lines=lines,
        sentences=sentences,
        has_travel=bool(travel_now or travel_after),
        fee_gauge=charts.budget_gauge(b.fee_selected / 100, fee_budget, _("Annual fees"), currency),
        hours_gauge=charts.budget_gauge(
            b.hours_selected, b.hours_budget, _("Staff time"), _("hours")
        ),
    )


def _alternatives(
    session: Session,
    workspace: Workspace,
    ctx: an.AnalysisContext,
    chosen: Chosen,
    only: str | None = None,
) -> Alternatives:
    """The chosen scenario's advice next to every other saved scenario's."""
    today = ctx.analysis.today
    contexts: list[tuple[AlternativeScenario, an.AnalysisContext]] = [
        (
            AlternativeScenario(
                None if chosen.scenario is None else chosen.scenario.id,
                _("Equal weights (no scenario saved)")
                if chosen.scenario is None
                else chosen.scenario.name,
                method_label(ctx.method),
                summary_sentence(ctx.analysis.summary, ctx.currency),
                True,
            ),
            ctx,
        )
    ]
    framework = ctx.framework
    failed = []
    for scenario in chosen.scenarios:
        if chosen.scenario is not None and scenario.id == chosen.scenario.id:
            continue
        base = an.scenario_settings(scenario, framework)
        options = dict(base["options"]) | {"samples": ALTERNATIVE_SAMPLES}
        try:
            other = an.run_analysis(
                session,
                workspace,
                weights={k: float(base["weights"].get(k, 0.0)) for k in framework.keys},
                method=base["method"],
                options=options,
                today=today,
                prepared=ctx.prepared,
            )
        except CriteriaError as exc:
            failed.append(
                _("%(name)s could not be analysed: %(reason)s", name=scenario.name, reason=str(exc))
            )
            continue
        contexts.append(
            (
                AlternativeScenario(
                    scenario.id,
                    scenario.name,
                    method_label(scenario.method),
                    summary_sentence(other.analysis.summary, other.currency),
                    False,
                ),
                other,
            )
        )
    rows = []
    for rec in ctx.analysis.recommendations:
        if only is not None and rec.network != only:
            continue
        actions = []
        values: list[float | None] = []
        for _scenario, other in contexts:
            found = next(
                (r for r in other.analysis.recommendations if r.network == rec.network), None
            )
            actions.append(action_label(None if found is None else str(found.action)))
            values.append(None if found is None else found.value)
        network = ctx.networks[rec.network]
        rows.append(
            AlternativeRow(
                rec.network,
                network.acronym or network.name,
                actions,
                values,
                len(set(actions)) > 1,
            )
        )
    return Alternatives([s for s, _c in contexts], rows, failed)


def realised_view(realised: dec.Realised, name: str, currency: str) -> RealisedView:
    """One membership's realised value, ready to print."""
    decision = realised.decision
    since_sentence = ""
    if decision is not None and realised.since is not None:
        snap = decision.snapshot or {}
        advised = snap.get("recommended")
        since_sentence = _(
            "Recommended: %(recommended)s; %(body)s decided %(decided)s on %(day)s. Since then: "
            "%(funding)s of funding obtained against %(cost)s of fees and travel.",
            recommended=action_label(advised) if advised else _("no advice recorded"),
            body=decision.body,
            decided=action_label(decision.action),
            day=format_day(decision.decided_on, "long"),
            funding=money(realised.since.funding, currency),
            cost=money(realised.since.cost, currency),
        )
    return RealisedView(
        network_id=realised.network_id,
        name=name,
        years=realised.years,
        total=realised.total,
        since_sentence=since_sentence,
        outcome_titles=[
            f"{o.year} · {kind_label(o.kind)}: {o.title}"
            + ("" if o.amount_minor is None else f" ({money(o.amount_minor, currency)})")
            for o in realised.outcomes
        ],
        cost_note=_(
            "Past years are counted at the current yearly cost of %(cost)s (no fee history is kept).",
            cost=money(realised.yearly_cost, currency),
        ),
        totals_sentence=_totals_sentence(realised.total, currency),
    )


def _totals_sentence(total: RealisedTotals, currency: str) -> str:
    """All years of a membership in one sentence (empty when no year is recorded)."""
    if total.first_year is None or total.last_year is None:
        return ""
    counts = [
        f"{n} \u00d7 {kind_label(kind)}"
        for kind, n in total.counts.items()
        if n and kind != "funding"
    ]
    return _(
        "%(first)s to %(last)s: %(cost)s of fees and travel, %(funding)s of funding obtained "
        "(net %(balance)s); other outcomes: %(outcomes)s.",
        first=total.first_year,
        last=total.last_year,
        cost=money(total.cost, currency),
        funding=money(total.funding, currency),
        balance=money(total.balance, currency),
        outcomes=", ".join(counts) or _("none recorded"),
    )


def _calendar(rows: Sequence[Row], memberships: Mapping[str, Any]) -> list[CalendarRow]:
    out = []
    for row in rows:
        if row.status != "member" and row.next_review is None:
            continue
        sched = row.schedule
        out.append(
            CalendarRow(
                network_id=row.network_id,
                name=row.short,
                action_label=row.action_label,
                next_renewal=None if sched is None else sched.next_renewal,
                notice_by=None if sched is None else sched.notice_by,
                exit_on=None if sched is None else sched.exit_on,
                missed=False if sched is None else sched.missed,
                notice_days=memberships[row.network_id].notice_days,
                next_review=row.next_review,
            )
        )
    far = date.max
    return sorted(out, key=lambda c: (c.notice_by or far, c.name))


def _evidence(
    session: Session, workspace: Workspace, ctx: an.AnalysisContext, ids: Sequence[str]
) -> list[EvidenceGroup]:
    titles = framework_text.titles(ctx.framework)
    by_network: dict[str, list[EvidenceItem]] = {i: [] for i in ids}
    for a in ws.list_assessments(session, workspace):
        if a.network_id not in by_network:
            continue
        if a.score is None and not a.evidence and not a.source_url:
            continue
        by_network[a.network_id].append(
            EvidenceItem(
                criterion=titles.get(a.criterion, a.criterion),
                score=a.score,
                assessor=a.assessor,
                confidence=confidence_label(a.confidence),
                evidence=a.evidence,
                source_url=a.source_url,
            )
        )
    return [
        EvidenceGroup(i, ctx.networks[i].acronym or ctx.networks[i].name, by_network[i])
        for i in ids
        if by_network[i]
    ]


def _method(ctx: an.AnalysisContext) -> Method:
    a = ctx.analysis
    titles = framework_text.titles(ctx.framework)
    total = sum(ctx.weights.values()) or 1.0
    weights = [WeightLine(titles.get(k, k), v, v / total) for k, v in ctx.weights.items()]
    settings = a.settings
    currency = ctx.currency
    rows = [
        (_("Join bar"), format_number(settings.join_bar, 2)),
        (_("Leave bar"), format_number(settings.leave_bar, 2)),
        (_("Cost of joining (value points)"), format_number(settings.join_cost, 2)),
        (_("Cost of leaving (value points)"), format_number(settings.leave_cost, 2)),
        (_("Overlap penalty"), format_number(settings.overlap_penalty, 2)),
        (_("Evidence threshold"), format_share(settings.evidence_threshold)),
        (_("Yearly cost counted as worst"), money(settings.fee_reference, currency)),
        (_("Staff hours counted as worst"), hours(settings.hours_reference)),
    ]
    r = a.robustness
    note = (
        _("Robustness was not sampled for this scenario.")
        if r is None
        else _(
            "Robustness: %(samples)s weight samples around these weights (concentration "
            "%(concentration)s, seed %(seed)s), missing and disputed scores sampled over their "
            "plausible range.",
            samples=format_number(r.samples),
            concentration=format_number(r.concentration),
            seed=r.seed,
        )
    )
    agreement = [
        _(
            "%(a)s and %(b)s: Kendall's tau %(tau)s.",
            a=method_label(str(m1)),
            b=method_label(str(m2)),
            tau=format_number(tau, 2),
        )
        for (m1, m2), tau in a.method_agreement.items()
    ]
    return Method(
        weights=weights,
        settings=rows,
        value_functions=[f.describe() for f in a.value_functions],
        stability=list(a.stability_sentences),
        agreement=agreement,
        weights_chart=charts.weight_bars([w.title for w in weights], [w.points for w in weights]),
        stability_chart=charts.stability_chart(
            [(titles.get(s.criterion, s.criterion), s.low, s.high, s.current) for s in a.stability]
        ),
        robustness_note=note,
    )


def _background(
    ctx: an.AnalysisContext, chosen: Chosen, decided: Mapping[str, Decision]
) -> list[str]:
    members = sum(1 for m in ctx.memberships.values() if m.status == "member")
    candidates = sum(1 for m in ctx.memberships.values() if m.status == "candidate")
    b = ctx.analysis.budget_use
    paragraphs = [
        _(
            "%(city)s is a member of %(members)s international city networks and is considering "
            "%(candidates)s more. The memberships cost %(cost)s and %(hours)s staff hours a year.",
            city=ctx.workspace.name,
            members=members,
            candidates=candidates,
            cost=money(b.fee_current, ctx.currency),
            hours=format_number(b.hours_current),
        ),
        _(
            "Each network was scored on the criteria of the framework “%(framework)s” "
            "(version %(version)s) on an anchored 1-5 scale, with evidence, sources and the "
            "assessors' confidence. Costs and staff time come from the membership records.",
            framework=ctx.framework.title,
            version=ctx.framework.version,
        ),
        _(
            "The advice below follows the scenario “%(scenario)s” (method: %(method)s).",
            scenario=_("Equal weights (no scenario saved)")
            if chosen.scenario is None
            else chosen.scenario.name,
            method=method_label(ctx.method),
        ),
    ]
    if chosen.scenario is not None and chosen.scenario.description:
        paragraphs.append(chosen.scenario.description)
    if decided:
        last = max(d.decided_on for d in decided.values())
        paragraphs.append(
            _(
                "Decisions are on record for %(n)s networks; the most recent was taken on %(day)s.",
                n=len(decided),
                day=format_day(last, "long"),
            )
        )
    return paragraphs


def build_workspace_report(
    session: Session,
    workspace: Workspace,
    *,
    scenario_id: int | None,
    today: date,
    author: str,
) -> WorkspaceReport:
    """The portfolio report of a workspace for one scenario and date (current locale)."""
    chosen = choose_scenario(session, workspace, scenario_id)
    ctx = analyse_chosen(session, workspace, chosen, today)
    decided = dec.current_decisions(session, workspace)
    travel = _travel(ctx)
    rows = _rows(ctx, decided, travel)
    subject = _(
        "Memberships of %(city)s in international city networks: which to keep, leave and join",
        city=workspace.name,
    )
    meta = _meta(ctx, chosen, title=subject, subject=subject, author=author)
    motions = sorted(
        (
            Motion(
                r.network_id,
                r.short,
                r.action,
                motion_text(
                    ctx.analysis.recommendation(r.network_id),
                    r.short,
                    r.fee + r.travel,
                    r.hours,
                    ctx.currency,
                ),
            )
            for r in rows
        ),
        key=lambda motion: MOTION_ORDER.index(motion.action),
    )
    realised = dec.realised_for(session, workspace, today=today, travel=travel, decisions=decided)
    names = {r.network_id: r.short for r in rows}
    realised_views = [
        realised_view(item, names.get(key, key), ctx.currency)
        for key, item in realised.items()
        if key in names and (item.outcomes or item.decision is not None)
    ]
    realised_views.sort(key=lambda v: v.name.lower())
    return WorkspaceReport(
        meta=meta,
        labels=labels(),
        motions=motions,
        background=_background(ctx, chosen, decided),
        rows=rows,
        fiscal=_fiscal(ctx, rows),
        alternatives=_alternatives(session, workspace, ctx, chosen),
        realised=realised_views,
        calendar=_calendar(rows, ctx.memberships),
        evidence=_evidence(session, workspace, ctx, [r.network_id for r in rows]),
        method=_method(ctx),
        warnings=list(ctx.analysis.warnings),
    )


def _breakdown(ctx: an.AnalysisContext, network_id: str) -> list[BreakdownLine]:
    a = ctx.analysis
    i = a.matrix.alternatives.index(network_id)
    titles = framework_text.titles(ctx.framework)
    out = []
    for j, key in enumerate(a.matrix.criteria):
        raw = float(a.matrix.values[i, j])
        w = a.weights[key]
        u = float(a.utilities[i, j])
        if np.isnan(raw):
            text = _("missing")
        elif key == "annual_fee":
            text = money(round(raw), ctx.currency)
        elif key == "staff_time":
            text = hours(raw)
        else:
            text = format_number(raw, 1)
        out.append(BreakdownLine(titles.get(key, key), text, u, w, w * u))
    return out


def action_interval_sentence(ctx: an.AnalysisContext, network_id: str) -> str:
    """The weight change that would flip this network's action, in plain words.

    Only when the action follows the value bar alone (not a budget, lock, overlap or
    eligibility) and the network is ranked: the nearest such change over all criteria, from
    `scoring.robustness.weight_stability` with the bars as the action rule.
    """
    a = ctx.analysis
    reason = a.portfolio.reasons.get(network_id)
    if reason is None or reason.code not in BAR_DECIDED:
        return ""
    ranked = [i for i, x in enumerate(a.matrix.alternatives) if a.ranking.ranks[i] > 0]
    ids = [a.matrix.alternatives[i] for i in ranked]
    if network_id not in ids or len(ids) < 2:
        return ""
    sub = a.matrix.subset(np.array(ranked, dtype=np.intp))
    s = a.settings
    members = [ctx.memberships[i].status == "member" for i in ids]
    values = np.array([a.values[i] for i in ids])
    rule = ActionRule.for_memberships(
        members, values, leave_below=s.leave_bar, join_above=s.join_bar + s.join_cost
    )
    w = np.array([a.weights[k] for k in a.matrix.criteria])
    intervals = weight_stability(sub, w, target=network_id, action_rule=rule)
    moving = [
        iv
        for iv in intervals
        if (iv.low > 0 and iv.changes_to_low) or (iv.high < 1 and iv.changes_to_high)
    ]
    titles = framework_text.titles(ctx.framework)
    names = {i: ctx.networks[i].acronym or ctx.networks[i].name for i in ids}
    if not moving:
        return _("No change of a single weight, the others rescaled, would change this action.")

    def distance(iv: Any) -> float:
        gaps = []
        if iv.low > 0 and iv.changes_to_low:
            gaps.append(iv.current - iv.low)
        if iv.high < 1 and iv.changes_to_high:
            gaps.append(iv.high - iv.current)
        return float(min(gaps))

    nearest = min(moving, key=distance)
    return advice.interval_text(nearest, titles.get(nearest.criterion, nearest.criterion), names)


def build_network_report(
    session: Session,
    workspace: Workspace,
    network_id: str,
    *,
    scenario_id: int | None,
    today: date,
    author: str,
) -> NetworkReport:
    """The one-page report on one network of the workspace (current locale)."""
    membership = next(
        (m for m, _n in ws.list_memberships(session, workspace) if m.network_id == network_id),
        None,
    )
    if membership is None:
        raise NotFound("network", network_id)
    network: Network = catalogue.get_network(session, network_id)
    chosen = choose_scenario(session, workspace, scenario_id)
    ctx = analyse_chosen(session, workspace, chosen, today)
    decided = dec.current_decisions(session, workspace)
    travel = _travel(ctx)
    rows = [r for r in _rows(ctx, decided, travel) if r.network_id == network_id]
    row = rows[0] if rows else None
    name = network.acronym or network.name
    subject = _("Membership of %(city)s in %(network)s", city=workspace.name, network=network.name)
    meta = _meta(ctx, chosen, title=subject, subject=subject, author=author)
    motion = None
    breakdown: list[BreakdownLine] = []
    contribution = radar = None
    fiscal: list[str] = []
    sentence = ""
    if row is not None:
        rec = ctx.analysis.recommendation(network_id)
        motion = Motion(
            network_id,
            name,
            row.action,
            motion_text(rec, name, row.fee + row.travel, row.hours, ctx.currency),
        )
        breakdown = _breakdown(ctx, network_id)
        contribution = charts.difference_chart(
            [(b.title, b.contribution, 0.5 * b.weight) for b in breakdown],
            title=_("Value points above or below a middling network, by criterion"),
            more_label=_("more"),
            less_label=_("less"),
            missing_label=_("missing"),
        )
        scored_keys = set(ctx.framework.assessed_keys) | {"thematic_fit"}
        titles = framework_text.titles(ctx.framework)
        scored = [
            (titles.get(k, k), b)
            for k, b in zip(ctx.analysis.matrix.criteria, breakdown, strict=True)
            if k in scored_keys
        ]
        radar = charts.radar_chart(
            [t for t, _b in scored],
            [None if b.raw == _("missing") else 1 + 4 * b.utility for _t, b in scored],
            series_label=name,
        )
        use = ctx.analysis.budget_use
        fee_budget = use.fee_budget
        # Travel counts against the fee budget unless the city sets a travel budget apart.
        cost = row.fee if use.travel_budget is not None else row.fee + row.travel
        fiscal.append(
            _(
                "Yearly cost: %(fee)s fee and %(travel)s travel and events; %(hours)s staff hours.",
                fee=money(row.fee, ctx.currency),
                travel=money(row.travel, ctx.currency),
                hours=format_number(row.hours),
            )
        )
        if row.cost_per_point is not None:
            fiscal.append(
                _(
                    "Cost per value point: %(amount)s.",
                    amount=format_money(row.cost_per_point, ctx.currency),
                )
            )
        if fee_budget:
            fiscal.append(
                _(
                    "The fee is %(share)s of the fee budget of %(budget)s.",
                    share=format_share(cost / fee_budget, 1),
                    budget=money(fee_budget, ctx.currency),
                )
                if use.travel_budget is not None or not row.travel
                else _(
                    "The fee and travel are %(share)s of the fee budget of %(budget)s.",
                    share=format_share(cost / fee_budget, 1),
                    budget=money(fee_budget, ctx.currency),
                )
            )
        if use.travel_budget:
            fiscal.append(
                _(
                    "Travel is %(share)s of the travel budget of %(budget)s.",
                    share=format_share(row.travel / use.travel_budget, 1),
                    budget=money(use.travel_budget, ctx.currency),
                )
            )
        sentence = action_interval_sentence(ctx, network_id)
    realised = dec.realised_for(session, workspace, today=today, travel=travel, decisions=decided)
    realised_here = (
        realised_view(realised[network_id], name, ctx.currency) if network_id in realised else None
    )
    history = [
        DecisionLine(
            decided_on=d.decided_on,
            action_label=action_label(d.action),
            body=d.body,
            reference=d.reference,
            effective_on=d.effective_on,
            next_review_on=d.next_review_on,
            recommended_label=None
            if not d.snapshot.get("recommended")
            else action_label(str(d.snapshot["recommended"])),
            scenario=d.snapshot.get("scenario"),
            fingerprint=d.snapshot.get("fingerprint"),
            differs=bool(d.snapshot.get("recommended"))
            and not dec.agrees(str(d.snapshot["recommended"]), d.action),
        )
        for d in dec.list_decisions(session, workspace, network_id=network_id)
    ]
    calendar = _calendar(rows, ctx.memberships)
    evidence = _evidence(session, workspace, ctx, [network_id]) if row is not None else []
    sources = catalogue.sources_of(session, [network_id])[network_id]
    return NetworkReport(
        meta=meta,
        labels=labels(),
        network_name=network.name,
        network_acronym=network.acronym,
        website=network.website,
        sources=sources,
        status_label=status_label(membership.status),
        since=membership.since,
        engagement=advice.engagement_label(membership.engagement) or None,
        roles=list(membership.roles),
        motion=motion,
        row=row,
        action_sentence=sentence,
        breakdown=breakdown,
        contribution_chart=contribution,
        radar_chart=radar,
        fiscal_sentences=fiscal,
        alternatives=_alternatives(session, workspace, ctx, chosen, only=network_id),
        realised=realised_here,
        decisions=history,
        calendar=calendar[0] if calendar else None,
        evidence=evidence[0] if evidence else EvidenceGroup(network_id, name, []),
        method=_method(ctx),
        warnings=list(ctx.analysis.warnings),
    )


@dataclass(frozen=True)
class DecidedRow:
    """One network on the dashboard's decision block: decided next to recommended."""

    network_id: str
    name: str
    recommended: str
    decided: str
    decided_on: date
    next_review: date | None
    differs: bool


def decided_rows(
    session: Session, workspace: Workspace, ctx: an.AnalysisContext
) -> list[DecidedRow]:
    """The decisions in force next to today's advice, differences first (the dashboard)."""
    decided = dec.current_decisions(session, workspace)
    out = []
    for rec in ctx.analysis.recommendations:
        decision = decided.get(rec.network)
        if decision is None:
            continue
        network = ctx.networks[rec.network]
        out.append(
            DecidedRow(
                rec.network,
                network.acronym or network.name,
                action_label(str(rec.action)),
                action_label(decision.action),
                decision.decided_on,
                decision.next_review_on,
                not dec.agrees(str(rec.action), decision.action),
            )
        )
    return sorted(out, key=lambda r: (not r.differs, r.name.lower()))


@dataclass(frozen=True)
class NetworkRecord:
    """The network page's block: report downloads, the decision in force, realised value."""

    report_url: str
    decision: DecidedRow | None
    realised: RealisedView | None


def network_record(
    session: Session, workspace: Workspace, network_id: str, ctx: an.AnalysisContext
) -> NetworkRecord:
    decision = next(
        (r for r in decided_rows(session, workspace, ctx) if r.network_id == network_id), None
    )
    realised = dec.realised_for(session, workspace, today=ctx.analysis.today, travel=_travel(ctx))
    name = ctx.networks[network_id].acronym if network_id in ctx.networks else network_id
    return NetworkRecord(
        report_url=f"/workspaces/{workspace.id}/networks/{network_id}/report",
        decision=decision,
        realised=realised_view(realised[network_id], name or network_id, ctx.currency)
        if network_id in realised
        else None,
    )


def reproducible_analysis(
    session: Session, workspace: Workspace, *, scenario_id: int | None, today: date
) -> dict[str, Any]:
    """The analysis a report prints, as JSON values, with the scenario, the fingerprint of
    its inputs and the command that reproduces it (the API and the CLI print this)."""
    chosen = choose_scenario(session, workspace, scenario_id)
    ctx = analyse_chosen(session, workspace, chosen, today)
    again = provenance.reproduce(
        workspace_id=workspace.id or 0,
        slug=workspace.slug,
        scenario_id=None if chosen.scenario is None else chosen.scenario.id,
        scenario_name=None if chosen.scenario is None else chosen.scenario.name,
        today=ctx.analysis.today,
    )
    data = an.analysis_dict(ctx) | {
        "scenario_id": None if chosen.scenario is None else chosen.scenario.id,
        "scenario": None if chosen.scenario is None else chosen.scenario.name,
        "fingerprint": provenance.fingerprint(ctx, chosen.options),
        "command": again.command,
    }
    result: dict[str, Any] = jsonable(data)
    return result


def realised_json(view: RealisedView) -> dict[str, Any]:
    return {
        "network_id": view.network_id,
        "years": [
            {
                "year": y.year,
                "member": y.member,
                "cost": str(from_minor(y.cost)),
                "funding": str(from_minor(y.funding)),
                "balance": str(from_minor(y.balance)),
                "counts": {k: y.counts.get(k, 0) for k in KINDS},
            }
            for y in view.years
        ],
        "total": {
            "cost": str(from_minor(view.total.cost)),
            "funding": str(from_minor(view.total.funding)),
            "balance": str(from_minor(view.total.balance)),
            "counts": view.total.counts,
        },
        "since_decision": view.since_sentence or None,
    }
