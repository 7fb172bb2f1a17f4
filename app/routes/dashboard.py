"""Dashboard of a workspace: the advice in one line, points to check, the ranking, and what
changed against the default scenario. The view model is `app.views.dashboard`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.templating import is_htmx, render
from app.views import dashboard as view

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/dashboard.html"


@router.get("/workspaces/{workspace_id}", name="dashboard")
def dashboard(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    context = view.build(session, workspace, scenario)
    return render(request, PAGE, context, block="ranking" if is_htmx(request) else None)
