"""JSON API for a workspace's members and their roles: members read, owners manage.

The last owner of a workspace can be neither demoted nor removed (422).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from app.db import SessionDep
from app.deps import ActorDep, OwnWorkspace, ReadWorkspace
from app.forms import DbId, UtcDateTime
from app.models import User, WorkspaceMember
from app.services import accounts

router = APIRouter(prefix="/workspaces/{workspace_id}/members", tags=["members"])

Role = Literal["owner", "analyst", "viewer"]


class MemberOut(BaseModel):
    user_id: DbId
    email: str
    display_name: str
    role: Role
    since: UtcDateTime


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254, description="An existing account's email.")
    role: Role


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


def _out(member: WorkspaceMember, user: User) -> MemberOut:
    return MemberOut.model_validate(
        {
            "user_id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": member.role,
            "since": member.created_at,
        }
    )


@router.get("", response_model=list[MemberOut])
def list_members(workspace: ReadWorkspace, session: SessionDep) -> list[MemberOut]:
    """Everyone with a role in the workspace."""
    return [_out(m, u) for m, u in accounts.list_members(session, workspace)]


@router.post("", response_model=MemberOut, status_code=201)
def add_member(
    workspace: OwnWorkspace, body: MemberCreate, session: SessionDep, actor: ActorDep
) -> MemberOut:
    """Give an existing account a role here (accounts are created with the CLI)."""
    member = accounts.add_member(session, workspace, body.email, body.role, actor=actor)
    user = session.get(User, member.user_id)
    assert user is not None
    return _out(member, user)


@router.patch("/{user_id}", response_model=MemberOut)
def change_role(
    workspace: OwnWorkspace,
    user_id: DbId,
    body: MemberUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> MemberOut:
    member = accounts.change_role(session, workspace, user_id, body.role, actor=actor)
    user = session.get(User, user_id)
    assert user is not None
    return _out(member, user)


@router.delete("/{user_id}", status_code=204)
def remove_member(
    workspace: OwnWorkspace, user_id: DbId, session: SessionDep, actor: ActorDep
) -> Response:
    accounts.remove_member(session, workspace, user_id, actor=actor)
    return Response(status_code=204)
