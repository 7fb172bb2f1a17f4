"""Portfolio view: what fits the budgets, what was left out and why, and the locks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import ui
from app.templating import is_htmx, render
from app.views import dashboard as dashboard_view
from app.views import scenarios as scenario_view

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/portfolio.html"


@router.get("/workspaces/{workspace_id}/portfolio", name="portfolio")
def portfolio(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=0
    )
    chosen, left = ui.portfolio_rows(ctx)
    context = {
        "workspace": workspace,
        "nav_active": "portfolio",
        "settings": settings,
        "chosen": chosen,
        "left": left,
        "budget": dashboard_view.budget_view(ctx),
        "currency": ctx.currency,
        "lock_labels": ui.LOCK_LABELS,
        "status_labels": ui.STATUS_LABELS,
        "scenario_facts": scenario_view.scenario_facts(session, workspace, settings.scenarios),
        "warnings": [dashboard_view.warning_text(w, ctx) for w in ctx.analysis.warnings],
    }
    return render(request, PAGE, context, block="portfolio" if is_htmx(request) else None)
