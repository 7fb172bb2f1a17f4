"""Lossless workspace export and import (JSON), and the seed loader's shared path.

The export names rows by natural keys (network ids, criterion keys, assessor names, scenario
names), never by database ids, so it can be imported into any database. It carries the
catalogue entries it refers to, so it also imports into an empty database. Export, import into
an empty database and export again gives byte-identical JSON.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.models import (
    Assessment,
    AuditEntry,
    CityProfile,
    CustomCriterion,
    CustomGate,
    Decision,
    GateAnswer,
    Membership,
    Network,
    NetworkSource,
    Outcome,
    Scenario,
    Workspace,
)
from app.services.catalogue import network_dict, sources_of
from app.services.common import as_utc, from_minor, jsonable, to_minor
from app.services.workspaces import get_profile, outcomes_of
from criteria import CriteriaError, parse_function_needs

FORMAT = "network-compass-workspace/1"
log = logging.getLogger(__name__)


def _ts(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def export_workspace(session: Session, workspace: Workspace) -> dict[str, Any]:
    """Everything a workspace holds, as plain JSON values in a stable order."""
    wid = workspace.id
    profile = get_profile(session, workspace)
    memberships = list(
        session.exec(
            select(Membership)
            .where(Membership.workspace_id == wid)
            .order_by(col(Membership.network_id))
        )
    )
    outcomes = outcomes_of(session, [m.id or 0 for m in memberships])
    assessments = list(
        session.exec(
            select(Assessment)
            .where(Assessment.workspace_id == wid)
            .order_by(
                col(Assessment.network_id), col(Assessment.criterion), col(Assessment.assessor)
            )
        )
    )
    scenarios = list(
        session.exec(
            select(Scenario).where(Scenario.workspace_id == wid).order_by(col(Scenario.name))
        )
    )
    customs = list(
        session.exec(
            select(CustomCriterion)
            .where(CustomCriterion.workspace_id == wid)
            .order_by(col(CustomCriterion.position), col(CustomCriterion.key))
        )
    )
    gates = list(
        session.exec(
            select(CustomGate).where(CustomGate.workspace_id == wid).order_by(col(CustomGate.key))
        )
    )
    answers = list(
        session.exec(
            select(GateAnswer)
            .where(GateAnswer.workspace_id == wid)
            .order_by(col(GateAnswer.network_id), col(GateAnswer.gate))
        )
    )
    decisions = list(
        session.exec(
            select(Decision)
            .where(Decision.workspace_id == wid)
            .order_by(col(Decision.network_id), col(Decision.decided_on))
        )
    )
    audit_rows = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == wid)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
    )
    network_ids = sorted(
        {m.network_id for m in memberships}
        | {a.network_id for a in assessments}
        | {g.network_id for g in answers}
        | {d.network_id for d in decisions}
    )
    sources = sources_of(session, network_ids)
    networks = [
        network_dict(n, sources[n.id])
        for n in session.exec(
            select(Network).where(col(Network.id).in_(network_ids)).order_by(col(Network.id))
        )
    ]
    data = {
        "format": FORMAT,
        "workspace": {
            "slug": workspace.slug,
            "name": workspace.name,
            "fictional": workspace.fictional,
            "notice": workspace.notice,
            "framework": workspace.framework,
            "created_at": _ts(workspace.created_at),
            "updated_at": _ts(workspace.updated_at),
            "version": workspace.version,
        },
        "profile": {
            "region": profile.region,
            "country": profile.country,
            "population_band": profile.population_band,
            "currency": profile.currency,
            "fee_budget": None
            if profile.fee_budget_minor is None
            else str(from_minor(profile.fee_budget_minor)),
            "travel_budget": None
            if profile.travel_budget_minor is None
            else str(from_minor(profile.travel_budget_minor)),
            "staff_hours_budget": profile.staff_hours_budget,
            "priority_themes": profile.priority_themes,
            "population": profile.population,
            "income_group": profile.income_group,
            "gni_per_capita_usd": profile.gni_per_capita_usd,
            "world_heritage_site": profile.world_heritage_site,
            "capital_city": profile.capital_city,
            "function_needs": profile.function_needs,
            "version": profile.version,
        },
        "networks": networks,
        "memberships": [
            {
                "network_id": m.network_id,
                "status": m.status,
                "since": m.since,
                "annual_fee": str(from_minor(m.annual_fee_minor)),
                "fee_is_estimate": m.fee_is_estimate,
                "travel_cost": str(from_minor(m.travel_cost_minor)),
                "staff_hours": m.staff_hours,
                "engagement": m.engagement,
                "roles": m.roles,
                "renewal_date": m.renewal_date,
                "notice_days": m.notice_days,
                "lock": m.lock,
                "notes": m.notes,
                "created_at": _ts(m.created_at),
                "updated_at": _ts(m.updated_at),
                "version": m.version,
                "outcomes": [
                    {
                        "year": o.year,
                        "kind": o.kind,
                        "title": o.title,
                        "amount": None
                        if o.amount_minor is None
                        else str(from_minor(o.amount_minor)),
                    }
                    for o in outcomes[m.id or 0]
                ],
            }
            for m in memberships
        ],
        "assessments": [
            {
                "network_id": a.network_id,
                "criterion": a.criterion,
                "assessor": a.assessor,
                "score": a.score,
                "evidence": a.evidence,
                "source_url": a.source_url,
                "confidence": a.confidence,
                "created_at": _ts(a.created_at),
                "updated_at": _ts(a.updated_at),
                "version": a.version,
            }
            for a in assessments
        ],
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "method": s.method,
                "weights": s.weights,
                "options": s.options,
                "created_at": _ts(s.created_at),
                "updated_at": _ts(s.updated_at),
                "version": s.version,
            }
            for s in scenarios
        ],
        "custom_criteria": [
            {"key": c.key, "position": c.position, "definition": c.definition} for c in customs
        ],
        "custom_gates": [{"key": g.key, "definition": g.definition} for g in gates],
        "gate_answers": [
            {"network_id": g.network_id, "gate": g.gate, "answer": g.answer, "note": g.note}
            for g in answers
        ],
        "decisions": [
            {
                "network_id": d.network_id,
                "action": d.action,
                "decided_on": d.decided_on,
                "body": d.body,
                "reference": d.reference,
                "effective_on": d.effective_on,
                "next_review_on": d.next_review_on,
                "notes": d.notes,
                "snapshot": d.snapshot,
                "created_by": d.created_by,
                "created_at": _ts(d.created_at),
                "updated_at": _ts(d.updated_at),
                "version": d.version,
            }
            for d in decisions
        ],
        "audit": [
            {
                "at": _ts(e.at),
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "entity_key": e.entity_key,
                "before": e.before,
                "after": e.after,
            }
            for e in audit_rows
        ],
    }
    result: dict[str, Any] = jsonable(data)
    return result


def dumps(data: dict[str, Any]) -> str:
    """The canonical text form of an export (sorted keys, two-space indent, final newline)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _date(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(field, f"'{value}' is not a date (YYYY-MM-DD).") from exc


def _required_date(value: Any, field: str) -> date:
    day = _date(value, field)
    if day is None:
        raise InvalidInput(field, "A date is required here (YYYY-MM-DD).")
    return day


def _datetime(value: Any, field: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError as exc:
        raise InvalidInput(field, f"'{value}' is not a timestamp (ISO 8601).") from exc


def _money(value: Any, field: str) -> int:
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise InvalidInput(field, f"'{value}' is not an amount of money.") from exc
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(field, f"'{value}' must be a non-negative amount.")
    return to_minor(amount)


def _function_needs(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise InvalidInput("profile.function_needs", "Needed functions must be a mapping.")
    try:
        return parse_function_needs(value)
    except CriteriaError as exc:
        raise InvalidInput("profile.function_needs", str(exc)) from exc


def ensure_network(session: Session, data: dict[str, Any]) -> bool:
    """Insert a catalogue network if it is missing; return True when inserted.

    An existing network is left untouched: the catalogue is shared by all workspaces.
    """
    if session.get(Network, data["id"]) is not None:
        return False
    fields = {k: v for k, v in data.items() if k != "sources"}
    session.add(Network(**fields))
    session.flush()
    for position, url in enumerate(data.get("sources", [])):
        session.add(NetworkSource(network_id=data["id"], position=position, url=url))
    return True


def import_workspace(session: Session, data: dict[str, Any], *, actor: str) -> Workspace:
    """Create a workspace from an export. Refuses an existing slug; all or nothing."""
    if data.get("format") != FORMAT:
        raise InvalidInput("format", f"Expected an export in format '{FORMAT}'.")
    meta = data["workspace"]
    if session.exec(select(Workspace).where(Workspace.slug == meta["slug"])).first() is not None:
        raise Conflict(f"A workspace with the slug '{meta['slug']}' already exists.")
    try:
        for network in data.get("networks", []):
            ensure_network(session, network)
        workspace = Workspace(
            slug=meta["slug"],
            name=meta["name"],
            fictional=bool(meta.get("fictional", False)),
            notice=meta.get("notice", ""),
            framework=meta.get("framework", "ideal-network"),
            created_at=_datetime(meta["created_at"], "workspace.created_at"),
            updated_at=_datetime(meta["updated_at"], "workspace.updated_at"),
            version=int(meta.get("version", 1)),
        )
        session.add(workspace)
        session.flush()
        wid = workspace.id or 0
        p = data["profile"]
        session.add(
            CityProfile(
                workspace_id=wid,
                region=p.get("region", ""),
                country=p.get("country"),
                population_band=p.get("population_band", ""),
                currency=p.get("currency", "EUR"),
                fee_budget_minor=None
                if p.get("fee_budget") is None
                else _money(p["fee_budget"], "profile.fee_budget"),
                travel_budget_minor=None
                if p.get("travel_budget") is None
                else _money(p["travel_budget"], "profile.travel_budget"),
                staff_hours_budget=p.get("staff_hours_budget"),
                priority_themes=dict(p.get("priority_themes", {})),
                population=p.get("population"),
                income_group=p.get("income_group"),
                gni_per_capita_usd=p.get("gni_per_capita_usd"),
                world_heritage_site=p.get("world_heritage_site"),
                capital_city=p.get("capital_city"),
                function_needs=_function_needs(p.get("function_needs", {})),
                version=int(p.get("version", 1)),
            )
        )
        for m in data.get("memberships", []):
            membership = Membership(
                workspace_id=wid,
                network_id=m["network_id"],
                status=m["status"],
                since=_date(m.get("since"), "memberships.since"),
                annual_fee_minor=_money(m.get("annual_fee", "0"), "memberships.annual_fee"),
                fee_is_estimate=bool(m.get("fee_is_estimate", False)),
                travel_cost_minor=_money(m.get("travel_cost", "0"), "memberships.travel_cost"),
                staff_hours=int(m.get("staff_hours", 0)),
                engagement=m.get("engagement"),
                roles=list(m.get("roles", [])),
                renewal_date=_date(m.get("renewal_date"), "memberships.renewal_date"),
                notice_days=m.get("notice_days"),
                lock=m.get("lock"),
                notes=m.get("notes", ""),
                created_at=_datetime(m["created_at"], "memberships.created_at"),
                updated_at=_datetime(m["updated_at"], "memberships.updated_at"),
                version=int(m.get("version", 1)),
            )
            session.add(membership)
            session.flush()
            for o in m.get("outcomes", []):
                session.add(
                    Outcome(
                        membership_id=membership.id or 0,
                        year=int(o["year"]),
                        kind=o["kind"],
                        title=o["title"],
                        amount_minor=None
                        if o.get("amount") is None
                        else _money(o["amount"], "outcomes.amount"),
                    )
                )
        for a in data.get("assessments", []):
            session.add(
                Assessment(
                    workspace_id=wid,
                    network_id=a["network_id"],
                    criterion=a["criterion"],
                    assessor=a["assessor"],
                    score=a.get("score"),
                    evidence=a.get("evidence", ""),
                    source_url=a.get("source_url"),
                    confidence=a.get("confidence", "medium"),
                    created_at=_datetime(a["created_at"], "assessments.created_at"),
                    updated_at=_datetime(a["updated_at"], "assessments.updated_at"),
                    version=int(a.get("version", 1)),
                )
            )
        for s in data.get("scenarios", []):
            session.add(
                Scenario(
                    workspace_id=wid,
                    name=s["name"],
                    description=s.get("description", ""),
                    method=s.get("method", "weighted_sum"),
                    weights=dict(s["weights"]),
                    options=dict(s.get("options", {})),
                    created_at=_datetime(s["created_at"], "scenarios.created_at"),
                    updated_at=_datetime(s["updated_at"], "scenarios.updated_at"),
                    version=int(s.get("version", 1)),
                )
            )
        for c in data.get("custom_criteria", []):
            session.add(
                CustomCriterion(
                    workspace_id=wid,
                    key=c["key"],
                    position=int(c.get("position", 0)),
                    definition=c["definition"],
                )
            )
        for g in data.get("custom_gates", []):
            session.add(CustomGate(workspace_id=wid, key=g["key"], definition=g["definition"]))
        for g in data.get("gate_answers", []):
            session.add(
                GateAnswer(
                    workspace_id=wid,
                    network_id=g["network_id"],
                    gate=g["gate"],
                    answer=g.get("answer"),
                    note=g.get("note", ""),
                )
            )
        for d in data.get("decisions", []):
            session.add(
                Decision(
                    workspace_id=wid,
                    network_id=d["network_id"],
                    action=d["action"],
                    decided_on=_required_date(d["decided_on"], "decisions.decided_on"),
                    body=d["body"],
                    reference=d.get("reference", ""),
                    effective_on=_date(d.get("effective_on"), "decisions.effective_on"),
                    next_review_on=_date(d.get("next_review_on"), "decisions.next_review_on"),
                    notes=d.get("notes", ""),
                    snapshot=dict(d.get("snapshot") or {}),
                    created_by=d.get("created_by", ""),
                    created_at=_datetime(d["created_at"], "decisions.created_at"),
                    updated_at=_datetime(d["updated_at"], "decisions.updated_at"),
                    version=int(d.get("version", 1)),
                )
            )
        for e in data.get("audit", []):
            session.add(
                AuditEntry(
                    workspace_id=wid,
                    at=_datetime(e["at"], "audit.at"),
                    actor=e["actor"],
                    action=e["action"],
                    entity=e["entity"],
                    entity_key=e["entity_key"],
                    before=e.get("before"),
                    after=e.get("after"),
                )
            )
        session.flush()
    except (KeyError, TypeError) as exc:
        session.rollback()
        raise InvalidInput("file", f"The export is incomplete or malformed: {exc!s}") from exc
    except Exception:
        session.rollback()
        raise
    session.commit()
    session.refresh(workspace)
    log.info("workspace '%s' imported by %s", workspace.slug, actor)
    return workspace
