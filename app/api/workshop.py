"""JSON API for workshops: the list, and the live state of a round (what the projector shows).

The votes of a round (the weights, the consensus, the robust core, each participant's top
choices) are ``null`` until the facilitator reveals them, as on the projector.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.errors import NotFound
from app.forms import INT32_MAX, DbId, UtcDateTime
from app.services import workshop as wk
from app.views import workshop as views

router = APIRouter(prefix="/workspaces/{workspace_id}/workshops", tags=["workshops"])


class WorkshopOut(BaseModel):
    id: int
    title: str
    code: str
    status: Literal["open", "closed"]
    method: str
    aggregation: Literal["mean", "geometric", "median"]
    groups: list[str]
    scenario_id: int | None
    created_at: UtcDateTime


class CriterionWeights(BaseModel):
    mean: float
    geometric: float | None
    median: float | None
    chosen: float
    std: float
    iqr: float
    min: float
    max: float
    disagreement: Literal["low", "medium", "high"]


class ConsensusOut(BaseModel):
    index: float
    homogeneity: float
    word: str
    method: str


class RankOut(BaseModel):
    network_id: str
    rank: int | None
    action: str
    value: float


class CoreOut(BaseModel):
    voters: int
    unanimous: dict[str, str]
    split: dict[str, dict[str, int]]


class TopOut(BaseModel):
    name: str
    group: str | None
    top: list[str]


class RoomOut(BaseModel):
    workshop_id: DbId
    title: str
    status: Literal["open", "closed"]
    seq: int
    round: int
    round_status: Literal["open", "closed"]
    rounds: int
    revealed: bool
    aggregation: str
    participants: int
    submitted: int
    submissions: int
    weights: dict[str, CriterionWeights] | None
    consensus: ConsensusOut | None
    ranking: list[RankOut]
    robust_core: CoreOut | None
    participants_top: list[TopOut]
    message: str


@router.get("", response_model=list[WorkshopOut])
def list_workshops(workspace: ReadWorkspace, session: SessionDep) -> list[Any]:
    """The workspace's workshops, newest first."""
    return [
        WorkshopOut.model_validate(w.model_dump()) for w in wk.list_workshops(session, workspace)
    ]


@router.get("/{workshop_id}", response_model=RoomOut)
def room(
    workshop_id: DbId,
    workspace: ReadWorkspace,
    session: SessionDep,
    number: int | None = Query(
        default=None,
        alias="round",
        ge=1,
        le=INT32_MAX,
        description="A round number (default: the newest).",
    ),
) -> Any:
    """A round's state: counts, and once revealed the room's weights, consensus, ranking and
    robust core."""
    workshop = wk.get_workshop(session, workspace, workshop_id)
    numbers = {r.number for r in wk.rounds_of(session, workshop)}
    if number is not None and number not in numbers:
        raise NotFound("round", number)
    return views.room_dict(views.room_view(session, workspace, workshop, round_number=number))
