"""Overlap matrix of the workspace's networks (themes and services in common)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.templating import is_htmx, render
from app.views import overlap as view

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/overlap.html"


@router.get("/workspaces/{workspace_id}/overlap", name="overlap")
def overlap(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    context = view.build(session, workspace, scenario)
    return render(request, PAGE, context, block="matrix" if is_htmx(request) else None)
