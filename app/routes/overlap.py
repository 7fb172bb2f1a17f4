"""Overlap matrix of the workspace's networks (themes and services in common)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import ui
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/overlap.html"


@router.get("/workspaces/{workspace_id}/overlap", name="overlap")
def overlap(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=0
    )
    context = {"workspace": workspace, "nav_active": "overlap", "view": ui.overlap_view(ctx)}
    return render(request, PAGE, context, block="matrix" if is_htmx(request) else None)
