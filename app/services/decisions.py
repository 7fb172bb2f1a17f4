"""The decision record and realised value.

A *decision* is what a council (or another body) decided about one network: the action,
the day, the body, the minute or resolution reference, the effective date and the next
review date, with a frozen snapshot of the advice it followed (scenario, method, weights,
settings, the recommended action, value, rank, robustness and the fingerprint of the inputs).
Decisions are kept as a history; the newest (by ``decided_on``) is the one in force.

Decided actions are the council's words, not the analysis's: ``join``, ``stay``,
``leave``, ``not_join`` (a candidate the city does not join) and ``defer`` (decide later).
`agrees` says whether a decision follows a recommendation:

==================  ==========================
recommended         decisions that follow it
==================  ==========================
join                join
stay                stay
leave               leave
at_risk             leave, defer
assess_first        defer, not_join
not_recommended     not_join
not_eligible        not_join
==================  ==========================

*Realised value* (`realised_for`) sets each membership's outcome log against its yearly cash
cost, year by year (`scoring.realised`), and, when a decision exists, sums what came of it
since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound
from app.models import Decision, Membership, Outcome, Workspace, utcnow
from app.services import analysis as an
from app.services import provenance
from app.services.common import audit, check_version, jsonable, snapshot
from app.services.workspaces import list_memberships, outcomes_of
from scoring.realised import (
    OutcomeFact,
    RealisedTotals,
    RealisedYear,
    realised_years,
    since_decision,
    totals,
)

DECIDED_ACTIONS: tuple[str, ...] = ("join", "stay", "leave", "not_join", "defer")
AGREEING: dict[str, frozenset[str]] = {
    "join": frozenset({"join"}),
    "stay": frozenset({"stay"}),
    "leave": frozenset({"leave"}),
    "at_risk": frozenset({"leave", "defer"}),
    "assess_first": frozenset({"defer", "not_join"}),
    "not_recommended": frozenset({"not_join"}),
    "not_eligible": frozenset({"not_join"}),
}
TEXT_FIELDS = {"body": 200, "reference": 200, "notes": 5000}


def agrees(recommended: str, decided: str) -> bool:
    """Whether a decided action follows a recommended one (see the module docstring).

    >>> agrees("leave", "leave"), agrees("leave", "stay"), agrees("at_risk", "defer")
    (True, False, True)
    """
    return decided in AGREEING.get(recommended, frozenset())


def _key(decision: Decision) -> str:
    return f"{decision.network_id}/{decision.decided_on.isoformat()}"


def list_decisions(
    session: Session, workspace: Workspace, *, network_id: str | None = None
) -> list[Decision]:
    """The workspace's decisions, newest first."""
    stmt = select(Decision).where(Decision.workspace_id == workspace.id)
    if network_id:
        stmt = stmt.where(Decision.network_id == network_id)
    stmt = stmt.order_by(
        col(Decision.decided_on).desc(), col(Decision.network_id), col(Decision.id).desc()
    )
    return list(session.exec(stmt))


def current_decisions(session: Session, workspace: Workspace) -> dict[str, Decision]:
    """The decision in force per network (the newest)."""
    current: dict[str, Decision] = {}
    for decision in list_decisions(session, workspace):
        current.setdefault(decision.network_id, decision)
    return current


def get_decision(session: Session, workspace: Workspace, decision_id: int) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None or decision.workspace_id != workspace.id:
        raise NotFound("decision", decision_id)
    return decision


def check_decision(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate decision fields (already typed: dates are dates); raises `InvalidInput`.

    >>> check_decision({"action": "stay", "decided_on": date(2026, 3, 1), "body": "Council",
    ...                 "next_review_on": date(2027, 3, 1)})["action"]
    'stay'
    >>> check_decision({"action": "keep", "decided_on": date(2026, 3, 1), "body": "Council"})
    Traceback (most recent call last):
    ...
    app.errors.InvalidInput: The decided action is one of: join, stay, leave, not_join, defer.
    """
    out = dict(data)
    if out.get("action") not in DECIDED_ACTIONS:
        raise InvalidInput("action", f"The decided action is one of: {', '.join(DECIDED_ACTIONS)}.")
    for name, limit in TEXT_FIELDS.items():
        if name in out:
            text = str(out[name] or "").strip()
            if len(text) > limit:
                raise InvalidInput(name, f"Keep the {name} under {limit:,} characters.")
            out[name] = text
    if not out.get("body"):
        raise InvalidInput("body", "Name the body that decided (for example, City Council).")
    decided = out.get("decided_on")
    if not isinstance(decided, date):
        raise InvalidInput("decided_on", "Give the date of the decision (YYYY-MM-DD).")
    review = out.get("next_review_on")
    if review is not None and review <= decided:
        raise InvalidInput("next_review_on", "The next review comes after the decision date.")
    effective = out.get("effective_on")
    if effective is not None and effective < decided:
        raise InvalidInput("effective_on", "A decision cannot take effect before it is made.")
    return out


def require_membership(session: Session, workspace: Workspace, network_id: str) -> Membership:
    found = session.exec(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.network_id == network_id
        )
    ).first()
    if found is None:
        raise InvalidInput(
            "network_id",
            f"This workspace has no record for network '{network_id}': add it as a member or "
            "candidate first.",
        )
    return found


def advice_snapshot(
    ctx: an.AnalysisContext,
    network_id: str,
    *,
    scenario_id: int | None,
    scenario_name: str | None,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    """The frozen advice for one network from an analysis (stored with a decision)."""
    a = ctx.analysis
    rec = next((r for r in a.recommendations if r.network == network_id), None)
    membership = ctx.memberships.get(network_id)
    data: dict[str, Any] = {
        "scenario_id": scenario_id,
        "scenario": scenario_name,
        "method": ctx.method,
        "analysis_date": a.today,
        "weights": ctx.weights,
        "settings": ctx.settings.as_dict(),
        "fingerprint": provenance.fingerprint(ctx, dict(options)),
        "status": None if membership is None else membership.status,
        "recommended": None if rec is None else str(rec.action),
        "value": None if rec is None else round(rec.value, 6),
        "rank": None if rec is None else rec.rank,
        "action_stability": None if rec is None else rec.action_stability,
        "explanation": None if rec is None else rec.explanation,
        "annual_cost": None if membership is None else membership.annual_fee_minor,
        "staff_hours": None if membership is None else membership.staff_hours,
    }
    result: dict[str, Any] = jsonable(data)
    return result


def record_decision(
    session: Session,
    workspace: Workspace,
    data: Mapping[str, Any],
    *,
    advice: Mapping[str, Any],
    actor: str,
) -> Decision:
    """Store a decision with its advice snapshot (audited); one per network and day."""
    clean = check_decision(data)
    require_membership(session, workspace, str(clean.get("network_id", "")))
    decision = Decision(
        workspace_id=workspace.id or 0,
        network_id=clean["network_id"],
        action=clean["action"],
        decided_on=clean["decided_on"],
        body=clean["body"],
        reference=clean.get("reference", ""),
        effective_on=clean.get("effective_on"),
        next_review_on=clean.get("next_review_on"),
        notes=clean.get("notes", ""),
        snapshot=dict(advice),
        created_by=actor,
    )
    session.add(decision)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"A decision on '{clean['network_id']}' dated {clean['decided_on']} is already "
            "recorded; change that one instead."
        ) from exc
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="decision",
        entity_key=_key(decision),
        after=snapshot(decision),
    )
    session.commit()
    session.refresh(decision)
    return decision


def update_decision(
    session: Session,
    workspace: Workspace,
    decision: Decision,
    changes: Mapping[str, Any],
    *,
    actor: str,
) -> Decision:
    """Change a decision's record (not its snapshot: the advice it followed stays frozen)."""
    changes = dict(changes)
    check_version(decision, changes.pop("version", None), "decision")
    changes.pop("snapshot", None)
    changes.pop("network_id", None)
    merged = {
        "action": decision.action,
        "decided_on": decision.decided_on,
        "body": decision.body,
        "reference": decision.reference,
        "effective_on": decision.effective_on,
        "next_review_on": decision.next_review_on,
        "notes": decision.notes,
    } | changes
    clean = check_decision(merged)
    before = snapshot(decision)
    for name in merged:
        setattr(decision, name, clean[name])
    decision.version += 1
    decision.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Another decision on this network has that date.") from exc
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="decision",
        entity_key=_key(decision),
        before=before,
        after=snapshot(decision),
    )
    session.commit()
    session.refresh(decision)
    return decision


def delete_decision(
    session: Session, workspace: Workspace, decision: Decision, *, actor: str
) -> None:
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity="decision",
        entity_key=_key(decision),
        before=snapshot(decision),
    )
    session.delete(decision)
    session.commit()


def decision_dict(decision: Decision) -> dict[str, Any]:
    """A decision as JSON values (API, exports)."""
    return {
        "id": decision.id,
        "network_id": decision.network_id,
        "action": decision.action,
        "decided_on": decision.decided_on,
        "body": decision.body,
        "reference": decision.reference,
        "effective_on": decision.effective_on,
        "next_review_on": decision.next_review_on,
        "notes": decision.notes,
        "snapshot": dict(decision.snapshot),
        "created_by": decision.created_by,
        "version": decision.version,
    }


# --- realised value -------------------------------------------------------------------------


@dataclass(frozen=True)
class Realised:
    """One membership's realised value: the years, their totals, and since the last decision."""

    network_id: str
    years: list[RealisedYear]
    total: RealisedTotals
    decision: Decision | None
    since: RealisedTotals | None
    yearly_cost: int
    outcomes: list[Outcome]


def realised_for(
    session: Session,
    workspace: Workspace,
    *,
    today: date,
    travel: Mapping[str, int] | None = None,
    decisions: Mapping[str, Decision] | None = None,
) -> dict[str, Realised]:
    """Realised value of every member and former member, by network id.

    ``travel`` adds each network's yearly travel and event costs (minor units) to its fee
    (the analysis's `NetworkInput.travel`); ``decisions`` are the decisions in force.
    """
    travel = travel or {}
    decisions = dict(decisions if decisions is not None else current_decisions(session, workspace))
    rows = [(m, n) for m, n in list_memberships(session, workspace) if m.status != "candidate"]
    log = outcomes_of(session, [m.id or 0 for m, _ in rows])
    out: dict[str, Realised] = {}
    for membership, _network in rows:
        outcomes = log[membership.id or 0]
        facts = [OutcomeFact(o.year, o.kind, o.title, o.amount_minor) for o in outcomes]
        cost = membership.annual_fee_minor + int(travel.get(membership.network_id, 0))
        until = today.year
        if membership.status == "former":
            until = max([o.year for o in outcomes], default=today.year)
        years = realised_years(
            facts,
            yearly_cost=cost,
            since_year=None if membership.since is None else membership.since.year,
            until=until,
        )
        decision = decisions.get(membership.network_id)
        out[membership.network_id] = Realised(
            network_id=membership.network_id,
            years=years,
            total=totals(years),
            decision=decision,
            since=None
            if decision is None
            else since_decision(
                realised_years(
                    facts,
                    yearly_cost=cost,
                    since_year=None if membership.since is None else membership.since.year,
                    until=max(until, decision.decided_on.year),
                    first_year=decision.decided_on.year,
                ),
                decision.decided_on.year,
            ),
            yearly_cost=cost,
            outcomes=outcomes,
        )
    return out
