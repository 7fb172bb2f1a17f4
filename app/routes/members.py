"""Workspace members: everyone reads the list; owners add accounts, change roles, remove.

Every form works without JavaScript (post/redirect/get); a refused change re-renders the page
with 422 and the reason next to the form. The last owner can be neither demoted nor removed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, OwnWorkspace, ReadWorkspace
from app.errors import InvalidInput
from app.forms import DbId
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import accounts
from app.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "members/index.html"


def role_help() -> dict[str, str]:
    """What each role may do, in the reader's language."""
    return {
        "viewer": _("reads everything, explores priorities, saves nothing"),
        "analyst": _("also edits memberships, scores, scenarios and the city profile"),
        "owner": _("also manages members and may rename or delete the workspace"),
    }


def role_names() -> dict[str, str]:
    return {"viewer": _("Viewer"), "analyst": _("Analyst"), "owner": _("Owner")}


def _page(
    request: Request,
    session: Session,
    workspace: Workspace,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = getattr(request.state, "user", None)
    role = accounts.role_in(session, getattr(user, "id", 0) or 0, workspace.id or 0)
    context: dict[str, Any] = {
        "workspace": workspace,
        "members": accounts.list_members(session, workspace),
        "roles": accounts.ROLES,
        "role_options": [(r, role_names()[r]) for r in accounts.ROLES],
        "role_help": role_help(),
        "role_names": role_names(),
        "is_owner": role == "owner",
        "errors": errors or {},
        "form": form or {},
        "nav_active": "members",
    }
    return render(request, PAGE, context, status_code=status_code)


@router.get("/workspaces/{workspace_id}/members", name="members")
def members_page(request: Request, workspace: ReadWorkspace, session: SessionDep) -> Response:
    return _page(request, session, workspace)


@router.post("/workspaces/{workspace_id}/members")
def add_member(
    request: Request, workspace: OwnWorkspace, session: SessionDep, actor: ActorDep, form: FormDep
) -> Response:
    email = str(form.get("email", "")).strip()
    role = str(form.get("role", ""))
    try:
        if not email:
            raise InvalidInput("email", _("Enter the email address of an existing account."))
        accounts.add_member(session, workspace, email, role, actor=actor)
    except InvalidInput as exc:
        session.rollback()
        errors = {str(exc.loc[-1]): exc.message}
        return _page(
            request,
            session,
            workspace,
            errors=errors,
            form={"email": email, "role": role},
            status_code=422,
        )
    return see_other(workspace_url(workspace.id, "/members"))


@router.post("/workspaces/{workspace_id}/members/{user_id}")
def change_member(
    request: Request,
    user_id: DbId,
    workspace: OwnWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    try:
        if form.get("action") == "remove":
            accounts.remove_member(session, workspace, user_id, actor=actor)
        else:
            accounts.change_role(
                session, workspace, user_id, str(form.get("role", "")), actor=actor
            )
    except InvalidInput as exc:
        session.rollback()
        return _page(
            request,
            session,
            workspace,
            errors={f"member-{user_id}": exc.message},
            status_code=422,
        )
    return see_other(workspace_url(workspace.id, "/members"))
