"""The network page: facts with sources, the advice and how its value adds up, charts,
the membership record and the evidence, in the reader's language. The route calls `build`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from app import charts, framework_text
from app.i18n import format_day, format_money
from app.i18n import gettext as _
from app.models import Network, Workspace
from app.services import analysis as an
from app.services import catalogue, guidance, ui
from app.services import workspaces as ws
from app.views import advice
from app.views import report as report_view
from app.views.dashboard import RankRow, ranking_rows
from criteria.citations import SEED_DOCUMENTS, SEED_SOURCE
from scoring.calendar import schedule

SAMPLES = 500
"""Robustness samples on the network page (the page names the count it used)."""


@dataclass(frozen=True)
class NetworkDetail:
    network: Network
    sources: list[str]
    membership: dict[str, Any]
    notice_by: str | None
    next_renewal: str | None
    exit_on: str | None
    deadline_missed: bool
    recommendation: RankRow | None
    radar: Markup | None
    contribution: Markup | None
    evidence: list[dict[str, Any]]


def source_text(source: str) -> str:
    """A source as a reader cites it: a seed document by its title, never its file id."""
    seed = SEED_SOURCE.match(source)
    if seed is None:
        return source
    file = seed.group("file")
    title = SEED_DOCUMENTS.get(file)
    number = file.split("_", 1)[0]
    if title:
        return _("%(title)s (seed document %(number)s)", title=title, number=number)
    return _("seed document %(number)s", number=number)


def _money(amount: Any, currency: str) -> str:
    return format_money(amount, currency, 2 if amount % 1 else 0)


def network_detail(
    session: Session, workspace: Workspace, network_id: str, ctx: an.AnalysisContext
) -> NetworkDetail:
    """Facts, membership record, recommendation, charts and evidence of one network."""
    membership = ui.membership_of(session, workspace, network_id)
    network = catalogue.get_network(session, network_id)
    sources = [source_text(s) for s in catalogue.sources_of(session, [network_id])[network_id]]
    outcomes = ws.outcomes_of(session, [membership.id or 0])[membership.id or 0]
    record = ws.membership_dict(membership, network, outcomes, ctx.currency)
    currency = ctx.currency
    record |= {
        "status_label": report_view.status_label(membership.status),
        "engagement_label": advice.engagement_label(membership.engagement),
        "annual_fee_text": _money(record["annual_fee"], currency),
        "travel_cost_text": _money(record["travel_cost"], currency),
        "since_text": format_day(membership.since) if membership.since else "",
        "renewal_text": format_day(membership.renewal_date) if membership.renewal_date else "",
        "lock_label": {"keep": _("must keep"), "exclude": _("must not join")}.get(
            membership.lock or "", _("none")
        ),
    }
    for outcome in record["outcomes"]:
        outcome["kind_label"] = report_view.kind_label(str(outcome.get("kind", "")))
        amount = outcome.get("amount")
        outcome["amount_text"] = None if amount is None else format_money(amount, currency)
    row = next(
        (r for r in ranking_rows(ctx, with_breakdown=True) if r.network_id == network_id), None
    )
    radar = contribution = None
    if row is not None:
        scored = [
            b
            for b in row.breakdown
            if b.key in ctx.framework.assessed_keys or b.key == "thematic_fit"
        ]
        radar = charts.radar_chart(
            [b.title for b in scored],
            [None if b.missing else 1 + 4 * b.utility for b in scored],
            series_label=network.acronym or network.name,
        )
        contribution = charts.contribution_chart(
            [(b.title, b.contribution, b.average) for b in row.breakdown]
        )
    titles = framework_text.titles(ctx.framework)
    evidence = [
        {
            "criterion": titles.get(a.criterion, a.criterion),
            "assessor": a.assessor,
            "score": a.score,
            "evidence": a.evidence,
            "source_url": a.source_url,
            "confidence": report_view.confidence_label(a.confidence),
        }
        for a in ws.list_assessments(session, workspace, network_id=network_id)
    ]
    dates = schedule(membership.renewal_date, membership.notice_days, ctx.analysis.today)
    return NetworkDetail(
        network=network,
        sources=sources,
        membership=record,
        notice_by=None if dates is None else format_day(dates.notice_by),
        next_renewal=None if dates is None else format_day(dates.next_renewal),
        exit_on=None if dates is None else format_day(dates.exit_on),
        deadline_missed=False if dates is None else dates.missed,
        recommendation=row,
        radar=radar,
        contribution=contribution,
        evidence=evidence,
    )


def build(
    session: Session, workspace: Workspace, network_id: str, scenario_id: int | None
) -> dict[str, Any]:
    """Everything the network page prints (404 before any analysis for an unknown network)."""
    ui.membership_of(session, workspace, network_id)
    settings = ui.resolve_settings(session, workspace, scenario_id)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=SAMPLES
    )
    return {
        "workspace": workspace,
        "nav_active": "dashboard",
        "settings": settings,
        "detail": network_detail(session, workspace, network_id, ctx),
        "currency": ctx.currency,
        "extras": guidance.network_extras(session, network_id, workspace),
        "record": report_view.network_record(session, workspace, network_id, ctx),
        "samples": SAMPLES,
    }
