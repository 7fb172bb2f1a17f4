"""JSON API for the decision record and realised value.

A decision stores what a council decided about a network with a frozen snapshot of the advice
of a scenario on a date (`app.services.decisions`). Realised value sets each membership's
outcomes against its yearly cost, year by year.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import InvalidInput
from app.forms import DbId
from app.models import Workspace
from app.schemas import Input, Slug, Versioned
from app.services import analysis as an
from app.services import decisions as dec
from app.views import report as rv

router = APIRouter(prefix="/workspaces", tags=["decisions"])

DecidedAction = Literal["join", "stay", "leave", "not_join", "defer"]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reference = Annotated[str, StringConstraints(max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=5000)]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]


class DecisionCreate(Input):
    network_id: Slug
    action: DecidedAction
    decided_on: Day
    body: Body = Field(description="Who decided, e.g. City Council.")
    reference: Reference = Field(default="", description="Minute or resolution reference.")
    effective_on: Day | None = None
    next_review_on: Day | None = None
    notes: Notes = ""
    scenario_id: DbId | None = Field(
        default=None,
        description="The scenario whose advice the decision followed (default: the newest).",
    )
    advice_date: Day | None = Field(
        default=None, description="Date of the advice snapshot (default: the decision date)."
    )


class DecisionUpdate(Versioned):
    action: DecidedAction | None = None
    decided_on: Day | None = None
    body: Body | None = None
    reference: Reference | None = None
    effective_on: Day | None = None
    next_review_on: Day | None = None
    notes: Notes | None = None


class DecisionOut(BaseModel):
    id: int
    network_id: str
    action: str
    decided_on: date
    body: str
    reference: str
    effective_on: date | None
    next_review_on: date | None
    notes: str
    snapshot: dict[str, Any]
    created_by: str
    version: int


def snapshot_for(
    session: Session,
    workspace: Workspace,
    network_id: str,
    *,
    scenario_id: int | None,
    day: date,
) -> dict[str, Any]:
    """The advice of a scenario (default: the newest) on ``day`` for one network."""
    chosen = rv.choose_scenario(session, workspace, scenario_id)
    ctx = rv.analyse_chosen(session, workspace, chosen, day)
    return dec.advice_snapshot(
        ctx,
        network_id,
        scenario_id=None if chosen.scenario is None else chosen.scenario.id,
        scenario_name=None if chosen.scenario is None else chosen.scenario.name,
        options=chosen.options,
    )


@router.get("/{workspace_id}/decisions", response_model=list[DecisionOut])
def list_decisions(
    workspace: ReadWorkspace,
    session: SessionDep,
    network_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[DecisionOut]:
    """Decisions, newest first (optionally for one network)."""
    return [
        DecisionOut.model_validate(dec.decision_dict(d))
        for d in dec.list_decisions(session, workspace, network_id=network_id)
    ]


@router.post("/{workspace_id}/decisions", response_model=DecisionOut, status_code=201)
def record_decision(
    workspace: EditWorkspace, body: DecisionCreate, session: SessionDep, actor: ActorDep
) -> DecisionOut:
    """Record a decision; the advice it followed is frozen with it."""
    data = body.model_dump(exclude={"scenario_id", "advice_date"})
    dec.check_decision(data)
    dec.require_membership(session, workspace, body.network_id)
    advice = snapshot_for(
        session,
        workspace,
        body.network_id,
        scenario_id=body.scenario_id,
        day=body.advice_date or body.decided_on,
    )
    decision = dec.record_decision(session, workspace, data, advice=advice, actor=actor)
    return DecisionOut.model_validate(dec.decision_dict(decision))


@router.get("/{workspace_id}/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(workspace: ReadWorkspace, decision_id: DbId, session: SessionDep) -> DecisionOut:
    return DecisionOut.model_validate(
        dec.decision_dict(dec.get_decision(session, workspace, decision_id))
    )


@router.patch("/{workspace_id}/decisions/{decision_id}", response_model=DecisionOut)
def update_decision(
    workspace: EditWorkspace,
    decision_id: DbId,
    body: DecisionUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> DecisionOut:
    """Correct a decision's record; its advice snapshot stays as it was."""
    decision = dec.get_decision(session, workspace, decision_id)
    changes = body.model_dump(exclude_unset=True)
    for name in ("action", "decided_on", "body"):
        if name in changes and changes[name] is None:
            raise InvalidInput(name, f"{name} cannot be null; leave it out to keep its value.")
    updated = dec.update_decision(session, workspace, decision, changes, actor=actor)
    return DecisionOut.model_validate(dec.decision_dict(updated))


@router.delete("/{workspace_id}/decisions/{decision_id}", status_code=204)
def delete_decision(
    workspace: EditWorkspace, decision_id: DbId, session: SessionDep, actor: ActorDep
) -> Response:
    decision = dec.get_decision(session, workspace, decision_id)
    dec.delete_decision(session, workspace, decision, actor=actor)
    return Response(status_code=204)


@router.get("/{workspace_id}/realised")
def realised_value(
    workspace: ReadWorkspace,
    session: SessionDep,
    as_of: Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31))] = None,
) -> list[dict[str, Any]]:
    """Per member and former member: cost, funding obtained and outcomes per year, totals,
    and what came of it since the decision in force."""
    today = as_of or date.today()
    prepared = an.prepared_inputs(session, workspace)
    travel = {n.id: n.travel for n in prepared.inputs}
    found = dec.realised_for(session, workspace, today=today, travel=travel)
    currency = prepared.currency
    return [
        rv.realised_json(rv.realised_view(item, key, currency))
        for key, item in sorted(found.items())
    ]
