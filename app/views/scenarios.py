"""Scenarios: every setting a scenario carries, and scenarios compared side by side.

Nothing about a scenario is hidden: wherever one is listed (scenarios page), chosen (the
scenario picker) or compared (compare page), it shows its method, fee budget share and the
resulting budget, bars, costs of changing, overlap penalty, evidence threshold and robustness
samples, each marked when the scenario sets it itself rather than taking the workspace's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import framework_text
from app.i18n import format_number, format_share
from app.i18n import gettext as _
from app.models import Scenario, Workspace
from app.services import analysis as an
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.services.ui import DEFAULT_SAMPLES, weight_rows
from app.views import report as report_view
from criteria.errors import CriteriaError


@dataclass(frozen=True)
class Setting:
    """One setting of a scenario: its label, its value in words, and whether the scenario
    sets it itself (else it is the workspace's setting or the default)."""

    key: str
    label: str
    value: str
    own: bool


@dataclass(frozen=True)
class ScenarioFacts:
    id: int | None
    name: str
    method: str
    settings: list[Setting]

    @property
    def line(self) -> str:
        """All the settings in one line (for a picker's option or a caption)."""
        return " · ".join(f"{s.label} {s.value}" for s in self.settings)

    @property
    def short(self) -> str:
        """The method and the fee budget share: what most often differs between scenarios."""
        budget = next((s for s in self.settings if s.key == "fee_budget"), None)
        return self.method if budget is None else f"{self.method} · {budget.label} {budget.value}"


def _decimal(value: float) -> str:
    return format_number(value, 2)


def scenario_facts(
    session: Session, workspace: Workspace, scenarios: Sequence[Scenario | None]
) -> dict[int | None, ScenarioFacts]:
    """Every setting of each scenario (None: equal weights, no scenario), keyed by id."""
    row = decision_settings.get_settings(session, workspace)
    profile = ws.get_profile(session, workspace)
    framework = ws.framework_of(session, workspace)
    out: dict[int | None, ScenarioFacts] = {}
    for scenario in scenarios:
        base = an.scenario_settings(scenario, framework)
        options: dict[str, Any] = base["options"]
        overrides = options.get("settings") or {}
        try:
            effective = decision_settings.effective(row, profile, overrides)
        except CriteriaError:
            effective = decision_settings.effective(row, profile, {})
        s = effective.settings
        factor = float(options.get("fee_budget_factor", 1.0))
        if profile.fee_budget_minor is None:
            budget_text = _("not set")
        else:
            budget_text = _(
                "%(share)s of the workspace's, %(amount)s",
                share=format_share(factor),
                amount=report_view.money(
                    round(profile.fee_budget_minor * factor), profile.currency
                ),
            )

        def own(name: str, sets: dict[str, Any] = overrides) -> bool:
            return sets.get(name) is not None

        samples = int(options.get("samples", DEFAULT_SAMPLES))
        items = [
            Setting("fee_budget", _("fee budget"), budget_text, "fee_budget_factor" in options),
            Setting(
                "bars",
                _("bars"),
                _(
                    "join %(join)s, leave %(leave)s",
                    join=_decimal(s.join_bar),
                    leave=_decimal(s.leave_bar),
                ),
                own("join_bar") or own("leave_bar"),
            ),
            Setting(
                "costs",
                _("costs of changing"),
                _(
                    "join %(join)s, leave %(leave)s",
                    join=_decimal(s.join_cost),
                    leave=_decimal(s.leave_cost),
                ),
                own("join_cost") or own("leave_cost"),
            ),
            Setting(
                "overlap_penalty",
                _("overlap penalty"),
                _decimal(s.overlap_penalty),
                own("overlap_penalty"),
            ),
            Setting(
                "evidence_threshold",
                _("evidence threshold"),
                format_share(s.evidence_threshold),
                own("evidence_threshold"),
            ),
            Setting("samples", _("weight samples"), format_number(samples), "samples" in options),
        ]
        key = None if scenario is None else scenario.id
        out[key] = ScenarioFacts(
            key,
            _("Equal weights") if scenario is None else scenario.name,
            report_view.method_label(base["method"]),
            items,
        )
    return out


def heaviest_weights(scenario: Scenario, titles: dict[str, str], count: int = 3) -> str:
    """The scenario's heaviest criteria with their points, e.g. "Agenda (30), Cost (20)"."""
    ranked = sorted(scenario.weights.items(), key=lambda kv: (-float(kv[1]), kv[0]))[:count]
    return ", ".join(
        _(
            "%(criterion)s (%(points)s)",
            criterion=titles.get(k, k),
            points=format_number(float(v), 1 if float(v) % 1 else 0),
        )
        for k, v in ranked
    )


# --- comparisons ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    rank: int | None
    action: str | None
    value: float | None
    movement: int  # positive = moved up against the first column
    changed: bool  # action differs from the first column


@dataclass(frozen=True)
class CompareRow:
    network_id: str
    name: str
    cells: list[Cell]
    changed: bool


def compare(contexts: Sequence[an.AnalysisContext]) -> list[CompareRow]:
    """Networks side by side across analyses, ordered by the first; movements against it."""
    first = {r.network: r for r in contexts[0].analysis.recommendations}
    ids = [r.network for r in contexts[0].analysis.recommendations]
    for ctx in contexts[1:]:
        ids += [r.network for r in ctx.analysis.recommendations if r.network not in ids]
    rows = []
    for network_id in ids:
        base = first.get(network_id)
        cells = []
        for ctx in contexts:
            rec = next((r for r in ctx.analysis.recommendations if r.network == network_id), None)
            if rec is None:
                cells.append(Cell(None, None, None, 0, base is not None))
                continue
            movement = (
                0 if base is None or base.rank is None or rec.rank is None else base.rank - rec.rank
            )
            changed = base is None or str(base.action) != str(rec.action)
            cells.append(Cell(rec.rank, str(rec.action), rec.value, movement, changed))
        network = next(c.networks[network_id] for c in contexts if network_id in c.networks)
        rows.append(
            CompareRow(
                network_id, network.acronym or network.name, cells, any(c.changed for c in cells)
            )
        )
    return rows


def compare_weights(contexts: Sequence[an.AnalysisContext]) -> list[tuple[str, list[float]]]:
    """Per criterion, its weight share in each analysis."""
    framework = contexts[0].framework
    titles = framework_text.titles(framework)
    shares = [{r.key: r.share for r in weight_rows(framework, c.weights)} for c in contexts]
    return [(titles.get(c.key, c.title), [s[c.key] for s in shares]) for c in framework.criteria]


@dataclass(frozen=True)
class Totals:
    """What a scenario's recommended portfolio costs and does, for the comparison."""

    fee_budget: str
    fee: str
    travel: str
    travel_budget: str | None
    hours: str
    hours_budget: str
    actions: list[tuple[str, int]]  # (action label, count), in the order of the advice


def totals(ctx: an.AnalysisContext) -> Totals:
    """Budgets, the recommended portfolio's fee, travel and staff-hour totals, and how many
    networks each action applies to."""
    b = ctx.analysis.budget_use
    counts: dict[str, int] = {}
    for rec in ctx.analysis.recommendations:
        counts[str(rec.action)] = counts.get(str(rec.action), 0) + 1
    order = ["join", "stay", "leave", "at_risk", "assess_first", "not_recommended", "not_eligible"]
    return Totals(
        fee_budget=report_view.money(b.fee_budget, ctx.currency),
        fee=report_view.money(b.fee_selected, ctx.currency),
        travel=report_view.money(b.travel_selected, ctx.currency),
        travel_budget=None
        if b.travel_budget is None
        else report_view.money(b.travel_budget, ctx.currency),
        hours=report_view.hours(b.hours_selected),
        hours_budget=report_view.hours(b.hours_budget),
        actions=[(report_view.action_label(a), counts[a]) for a in order if counts.get(a)],
    )


@dataclass(frozen=True)
class AgreementRow:
    a: str
    b: str
    tau: float
    reading: str


def agreement_rows(ctx: an.AnalysisContext) -> list[AgreementRow]:
    """Kendall's tau between every pair of methods, with a plain reading."""
    rows = []
    for (m1, m2), tau in ctx.analysis.method_agreement.items():
        if tau >= 0.9:
            reading = _("agree almost completely")
        elif tau >= 0.7:
            reading = _("largely agree")
        elif tau >= 0.4:
            reading = _("partly agree")
        else:
            reading = _("disagree")
        rows.append(
            AgreementRow(
                report_view.method_label(str(m1)), report_view.method_label(str(m2)), tau, reading
            )
        )
    return rows
