"""Dashboard of a workspace: ranked recommendations, budget use and what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import ui
from app.templating import is_htmx, render
from app.views import report as report_view

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/dashboard.html"


@router.get("/workspaces/{workspace_id}", name="dashboard")
def dashboard(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    ctx = ui.analyse(session, workspace, settings.weights, settings.method, settings.options)
    changes = None
    if settings.previous is not None:
        before = ui.resolve_settings(session, workspace, settings.previous.id)
        previous = ui.analyse(
            session, workspace, before.weights, before.method, before.options, samples=0
        )
        changes = ui.changes(previous, ctx)
    context = {
        "workspace": workspace,
        "nav_active": "dashboard",
        "settings": settings,
        "rows": ui.ranking_rows(ctx, with_breakdown=True),
        "budget": ui.budget_view(ctx),
        "warnings": list(ctx.analysis.warnings),
        "changes": changes,
        "currency": ctx.currency,
        "method_label": ui.METHOD_LABELS[ctx.method],
        "weights": ui.weight_rows(ctx.framework, settings.weights),
        "summary": ctx.analysis.summary.sentence(ctx.currency),
        "decision_settings": ctx.settings.as_dict(),
        "decided": report_view.decided_rows(session, workspace, ctx),
    }
    return render(request, PAGE, context, block="ranking" if is_htmx(request) else None)
