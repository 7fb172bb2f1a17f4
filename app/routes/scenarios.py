"""Scenarios: list, save (from the priorities panel), duplicate, compare side by side."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import framework_text
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, OwnWorkspace, ReadWorkspace
from app.errors import Conflict
from app.forms import DbId, parse_id
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.routes.priorities import PAGE as PRIORITIES_PAGE
from app.routes.priorities import _context as priorities_context
from app.routes.settings import parse_settings
from app.services import settings as decision_settings
from app.services import ui
from app.services import workspaces as ws
from app.templating import is_htmx, render
from app.views import report as report_view
from app.views import scenarios as scenario_view
from criteria.errors import CriteriaError

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/scenarios.html"
COMPARE = "workspaces/compare.html"


@router.get("/workspaces/{workspace_id}/scenarios", name="scenarios")
def list_scenarios(
    request: Request, workspace: ReadWorkspace, session: SessionDep, scenario: DbId | None = None
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    ctx = ui.analyse(
        session, workspace, settings.weights, settings.method, settings.options, samples=0
    )
    context = {
        "workspace": workspace,
        "nav_active": "scenarios",
        "settings": settings,
        "scenarios": settings.scenarios,
        "default_id": None
        if (default := ui.default_scenario(workspace, settings.scenarios)) is None
        else default.id,
        "agreement": scenario_view.agreement_rows(ctx),
        "method_label": report_view.method_label(settings.method),
        "facts": scenario_view.scenario_facts(session, workspace, settings.scenarios),
        "heaviest": {
            s.id: scenario_view.heaviest_weights(s, framework_text.titles(ctx.framework))
            for s in settings.scenarios
        },
        "errors": {},
        "message": "",
    }
    return render(request, PAGE, context, block="scenario_list" if is_htmx(request) else None)


def scenario_options(
    session: Session, workspace: Workspace, form: Any, base: dict[str, Any]
) -> dict[str, Any]:
    """A scenario's options from the save form: the fee budget share and the settings it
    overrides (blank fields keep the workspace's settings). Raises `ui.FormErrors`."""
    options = {k: v for k, v in base.items() if k not in ("settings", "fee_budget_factor")}
    raw = str(form.get("set_fee_budget_percent", "")).strip().replace(",", ".")
    if raw:
        try:
            percent = float(raw) if len(raw) <= 12 and raw.isascii() else -1.0
        except ValueError:
            percent = -1.0
        if not 1 <= percent <= 1000:
            raise ui.FormErrors(
                {
                    "set_fee_budget_percent": _(
                        "Enter a percentage of the fee budget from 1 to 1,000."
                    )
                }
            )
        if percent != 100:
            options["fee_budget_factor"] = percent / 100
    overrides = parse_settings(form, prefix="set_", inherit=True)
    if overrides:
        stored = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in overrides.items()}
        try:
            decision_settings.check_overrides(session, workspace, stored)
        except CriteriaError as exc:
            raise ui.FormErrors(
                {f"set_{name}": str(exc) for name in exc.fields} or {"set_join_bar": str(exc)}
            ) from exc
        options["settings"] = stored
    return options


@router.post("/workspaces/{workspace_id}/scenarios", name="scenario_create")
def create_scenario(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    """Save the posted weights and method as a new scenario, then show it on the dashboard."""
    keys = ws.framework_of(session, workspace).keys
    raw = str(form.get("scenario_id", "")).strip()
    settings = ui.resolve_settings(session, workspace, parse_id(raw))
    name = str(form.get("name", "")).strip()
    try:
        method = ui.parse_method(form.get("method"))
        points = ui.parse_points(form, keys)
        if not name:
            raise ui.FormErrors({"name": _("Give the scenario a name.")})
        if len(name) > 120:
            raise ui.FormErrors({"name": _("Keep the name under 120 characters.")})
        options = scenario_options(session, workspace, form, settings.options)
        try:
            scenario = ws.create_scenario(
                session,
                workspace,
                {
                    "name": name,
                    "description": str(form.get("description", "")).strip()[:2000],
                    "method": method,
                    "weights": points,
                    "options": options,
                },
                actor=actor,
            )
        except Conflict:
            raise ui.FormErrors(
                {"name": _("A scenario named '%(name)s' already exists.", name=name)}
            ) from None
    except ui.FormErrors as exc:
        try:
            points = ui.parse_points(form, keys)
        except ui.FormErrors:
            points = settings.weights
        context = priorities_context(
            session,
            workspace,
            settings,
            points,
            settings.method,
            errors=exc.errors,
            message=exc.message,
            form=form,
            tool="save",
        )
        return render(
            request,
            PRIORITIES_PAGE,
            context,
            status_code=422,
            block="workbench" if is_htmx(request) else None,
        )
    return see_other(workspace_url(workspace.id, f"?scenario={scenario.id}"))


@router.post("/workspaces/{workspace_id}/scenarios/{scenario_id}/default", name="scenario_default")
def make_default(
    scenario_id: DbId, workspace: OwnWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    """Owners choose the scenario the dashboard opens."""
    scenario = ws.get_scenario(session, workspace, scenario_id)
    ws.set_default_scenario(session, workspace, scenario, actor=actor)
    return see_other(workspace_url(workspace.id, "/scenarios"))


@router.post("/workspaces/{workspace_id}/scenarios/{scenario_id}/duplicate", name="scenario_copy")
def duplicate_scenario(
    scenario_id: DbId, workspace: EditWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    original = ws.get_scenario(session, workspace, scenario_id)
    names = {s.name for s in ws.list_scenarios(session, workspace)}
    name = f"{original.name} (copy)"
    counter = 2
    while name in names:
        name = f"{original.name} (copy {counter})"
        counter += 1
    ws.create_scenario(
        session,
        workspace,
        {
            "name": name[:120],
            "description": original.description,
            "method": original.method,
            "weights": dict(original.weights),
            "options": dict(original.options),
        },
        actor=actor,
    )
    return see_other(workspace_url(workspace.id, "/scenarios"))


@router.get("/workspaces/{workspace_id}/scenarios/compare", name="scenario_compare")
def compare(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    ids: list[DbId] = Query(default=[]),  # noqa: B008
) -> Response:
    chosen = [ws.get_scenario(session, workspace, i) for i in dict.fromkeys(ids)]
    context = {
        "workspace": workspace,
        "nav_active": "scenarios",
        "scenarios": chosen,
        "rows": [],
        "weights": [],
        "message": "",
        "facts": {},
        "totals": [],
    }
    if len(chosen) < 2:
        context["message"] = _("Choose at least two scenarios to compare.")
        return render(request, COMPARE, context, status_code=422)
    contexts = []
    for scenario in chosen:
        settings = ui.resolve_settings(session, workspace, scenario.id)
        contexts.append(
            ui.analyse(
                session, workspace, settings.weights, settings.method, settings.options, samples=0
            )
        )
    context["rows"] = scenario_view.compare(contexts)
    context["weights"] = scenario_view.compare_weights(contexts)
    context["facts"] = scenario_view.scenario_facts(session, workspace, chosen)
    context["totals"] = [scenario_view.totals(c) for c in contexts]
    return render(request, COMPARE, context, block="comparison" if is_htmx(request) else None)
