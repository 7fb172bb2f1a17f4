"""Network detail: facts with sources, radar and contribution charts, evidence, membership."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import guidance, ui
from app.templating import is_htmx, render
from app.views import report as report_view

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/network.html"


@router.get("/workspaces/{workspace_id}/networks/{network_id}", name="network_detail")
def network_detail(
    network_id: str,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: DbId | None = None,
) -> Response:
    ui.membership_of(session, workspace, network_id)  # 404 before any analysis
    settings = ui.resolve_settings(session, workspace, scenario)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=500
    )
    context = {
        "workspace": workspace,
        "nav_active": "dashboard",
        "settings": settings,
        "detail": ui.network_detail(session, workspace, network_id, ctx),
        "currency": ctx.currency,
        "extras": guidance.network_extras(session, network_id, workspace),
        "record": report_view.network_record(session, workspace, network_id, ctx),
    }
    return render(request, PAGE, context, block="explanation" if is_htmx(request) else None)
