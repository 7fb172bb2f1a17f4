"""Robustness view: rank acceptability and weight stability intervals in plain words."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import ui
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/robustness.html"


@router.get("/workspaces/{workspace_id}/robustness", name="robustness")
def robustness(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: DbId | None = None,
    samples: str = "",
    concentration: str = "",
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    context = {
        "workspace": workspace,
        "nav_active": "robustness",
        "settings": settings,
        "errors": {},
        "samples": samples,
        "concentration": concentration,
        "view": None,
    }
    status = 200
    try:
        options = ui.parse_robustness_options(
            {"samples": samples, "concentration": concentration}, settings.options
        )
        context["samples"] = str(options["samples"])
        context["concentration"] = f"{options['concentration']:g}"
        ctx = ui.analyse(session, workspace, settings.weights, settings.method, options)
        context["view"] = ui.robustness_view(ctx)
    except ui.NoNetworks:
        raise  # the empty state says what to do next
    except ui.FormErrors as exc:
        context["errors"] = exc.errors
        status = 422
    return render(
        request, PAGE, context, status_code=status, block="results" if is_htmx(request) else None
    )
