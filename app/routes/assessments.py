"""Assessment editor: one assessor's anchored 1-5 scores, evidence, sources and confidence."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.forms import DbId
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import catalogue, guidance, ui
from app.services import workspaces as ws
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/assess.html"


def _context(
    session: Session,
    workspace: Workspace,
    network_id: str,
    assessor: str,
    actor: str,
    *,
    form: Any = None,
    errors: dict[str, str] | None = None,
    saved: DbId | None = None,
) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "nav_active": "dashboard",
        "network": catalogue.get_network(session, network_id),
        "assessor": assessor,
        "assessors": ui.assessors_of(session, workspace, network_id, actor),
        "rows": ui.assess_rows(session, workspace, network_id, assessor, form),
        "hint": ui.hint_for(session, workspace, network_id),
        "extras": guidance.assess_extras(session, workspace, network_id),
        "errors": errors or {},
        "confidence": ui.CONFIDENCE,
        "saved": saved,
    }


@router.get("/workspaces/{workspace_id}/networks/{network_id}/assess", name="assess")
def assess_page(
    network_id: str,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    actor: ActorDep,
    assessor: str = "",
    saved: DbId | None = None,
) -> Response:
    ui.membership_of(session, workspace, network_id)
    who = assessor or ui.assessors_of(session, workspace, network_id, actor)[0]
    context = _context(session, workspace, network_id, who, actor, saved=saved)
    return render(request, PAGE, context, block="assess_form" if is_htmx(request) else None)


@router.post("/workspaces/{workspace_id}/networks/{network_id}/assess")
def save_assessments(
    network_id: str,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    ui.membership_of(session, workspace, network_id)
    assessor = str(form.get("assessor", "")).strip()[:200] or actor
    keys = ws.framework_of(session, workspace).assessed_keys
    try:
        entries = ui.parse_assessments(form, keys)
    except ui.FormErrors as exc:
        context = _context(
            session, workspace, network_id, assessor, actor, form=form, errors=exc.errors
        )
        return render(
            request,
            PAGE,
            context,
            status_code=422,
            block="assess_form" if is_htmx(request) else None,
        )
    changed = ui.save_assessments(session, workspace, network_id, assessor, entries, actor=actor)
    query = "?" + urlencode({"assessor": assessor, "saved": changed})
    return see_other(workspace_url(workspace.id, f"/networks/{network_id}/assess{query}"))
