"""Network detail: facts with sources, radar and contribution charts, evidence, membership.
The view model is `app.views.network`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.templating import is_htmx, render
from app.views import network as view

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
    context = view.build(session, workspace, network_id, scenario)
    return render(request, PAGE, context, block="explanation" if is_htmx(request) else None)
