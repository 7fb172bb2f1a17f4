"""Priorities panel: weights by sliders, rank order (ROC), swing or AHP, and a live re-rank.

Moving a slider posts the weights to `/priorities/preview`, which answers with the ranking
block only (htmx) or the whole page (no JavaScript). The ROC, swing and AHP forms answer
with the whole workbench (sliders and ranking). Saving creates a scenario (see scenarios.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app import framework_text
from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId, parse_id
from app.i18n import gettext as _
from app.models import Scenario, Workspace
from app.routes.common import FormDep
from app.services import analysis as an
from app.services import settings as decision_settings
from app.services import ui
from app.services import workspaces as ws
from app.templating import is_htmx, render
from app.views import priorities as pv
from app.views.ranking import RankingRows, ranking_rows
from criteria import Framework
from criteria.errors import CriteriaError

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/priorities.html"


def _context(
    session: Session,
    workspace: Workspace,
    settings: ui.Settings,
    points: dict[str, float],
    method: str,
    *,
    errors: dict[str, str] | None = None,
    message: str = "",
    ahp_keys: list[str] | None = None,
    ahp_result: pv.AhpOutcome | None = None,
    form: Any = None,
    tool: str = "",
    rank: bool = True,
    prepared: an.PreparedInputs | None = None,
    history: list[dict[str, float]] | None = None,
    order: list[str] | None = None,
) -> dict[str, Any]:
    framework = ws.framework_of(session, workspace) if prepared is None else prepared.framework
    keys = framework.keys
    form = form or {}
    rows = RankingRows(Markup(""), None, 0)
    warnings: list[str] = []
    if rank:
        try:
            ctx = ui.analyse(
                session,
                workspace,
                points,
                method,
                settings.options,
                samples=ui.PREVIEW_SAMPLES,
                preview=True,
                prepared=prepared,
            )
            rows = ranking_rows(ctx, f"/workspaces/{workspace.id}/networks/")
            warnings = list(ctx.analysis.warnings)
        except ui.FormErrors as exc:
            errors, message, tool = exc.errors, exc.message, ""
    if history is None:
        history = pv.parse_history(form.get("history", ""), keys)
    chosen = [k for k in (ahp_keys or []) if k in keys][: pv.AHP_MAX] or pv.chosen_keys(
        {}, keys, points
    )
    titles = framework_text.titles(framework)
    if order is None:
        order = pv.order_from(form, keys, points)
    if prepared is None:
        profile, row = (
            ws.get_profile(session, workspace),
            decision_settings.get_settings(session, workspace),
        )
    else:
        profile, row = prepared.profile, prepared.settings_row
    currency = profile.currency
    try:
        effective = decision_settings.effective(row, profile, settings.options.get("settings"))
    except CriteriaError:  # a scenario's overrides no longer fit: show the workspace's own
        effective = decision_settings.effective(row, profile)
    return {
        "workspace": workspace,
        "nav_active": "priorities",
        "settings": settings,
        "method": method,
        "methods": ui.method_options(),
        "weights": ui.weight_rows(framework, points),
        "weights_chart": ui.weights_chart(framework, points),
        "rows": rows,
        "warnings": warnings,
        "errors": errors or {},
        "message": message,
        "tool": tool,
        "form": form,
        "swing_defaults": ui.swing_defaults(points),
        "hundred": _hundred(form, keys, points),
        "draft": pv.encode(points, keys),
        "history": pv.encode_history(history, keys),
        "can_undo": bool(history),
        "changed": not pv.same(points, settings.weights, keys),
        "roc_rows": pv.roc_rows(order, titles),
        "roc_order": ",".join(order),
        "ahp_keys": chosen,
        "ahp_pairs": pv.ahp_pairs(
            chosen, titles, form, ahp_result.fix if ahp_result is not None else None
        ),
        "ahp_result": ahp_result,
        "titles": titles,
        "currency": currency,
        "overrides": _override_values(settings.options, form),
        "overrides_open": any(key.startswith("set_") for key in (errors or {})),
        "effective_settings": effective.as_dict(),
        "value_functions": {
            row.key: row for row in ui.value_function_rows(framework, effective, currency)
        },
    }


def _hundred(form: Any, keys: Sequence[str], points: dict[str, float]) -> dict[str, Any]:
    """The 100-point tool's fields: as posted, else the current weights out of 100."""
    defaults = pv.hundred_defaults(points, keys)
    values = {k: str(form.get(f"hundred_{k}", defaults[k])) for k in keys}
    try:
        total = sum(float(v) for v in values.values())
    except ValueError:
        total = float(sum(defaults.values()))
    return {"values": values, "total": pv.hundred_total(total)}


def _override_values(options: dict[str, Any], form: Any) -> dict[str, str]:
    """The save form's scenario settings: as posted, else as the scenario holds them."""
    names = (*decision_settings.FIELDS, "fee_budget_percent")
    if form:
        return {name: str(form.get("set_" + name, "")) for name in names}
    stored = options.get("settings") or {}
    out = dict.fromkeys(names, "")
    for name, value in stored.items():
        if value is None or name not in out:
            continue
        out[name] = f"{float(value) * 100:g}" if name == "evidence_threshold" else str(value)
    factor = options.get("fee_budget_factor", 1.0)
    out["fee_budget_percent"] = "" if factor == 1.0 else f"{float(factor) * 100:g}"
    return out


@router.get("/workspaces/{workspace_id}/priorities", name="priorities")
def priorities(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: DbId | None = None,
    ahp: list[str] = Query(default=[]),  # noqa: B008
) -> Response:
    settings = ui.resolve_settings(session, workspace, scenario)
    context = _context(
        session, workspace, settings, settings.weights, settings.method, ahp_keys=ahp
    )
    return render(request, PAGE, context, block="workbench" if is_htmx(request) else None)


def _base(
    session: Session,
    workspace: Workspace,
    form: Any,
    framework: Framework | None = None,
    prepared: an.PreparedInputs | None = None,
) -> tuple[ui.Settings, str]:
    raw = str(form.get("scenario_id", "")).strip()
    scenario_id = parse_id(raw)
    if prepared is None:
        settings = ui.resolve_settings(session, workspace, scenario_id, framework)
    else:
        settings = _memoised_settings(session, workspace, scenario_id, prepared)
    method = str(form.get("method", settings.method))
    return settings, method if method in ui.METHOD_LABELS else settings.method


def _memoised_settings(
    session: Session, workspace: Workspace, scenario_id: int | None, prepared: an.PreparedInputs
) -> ui.Settings:
    """`ui.resolve_settings`, kept with the prepared inputs between slider moves.

    Every scenario write is audited, which changes the workspace's data revision and so
    gives new prepared inputs: the memo cannot outlive the scenarios it read. The rows are
    detached copies (read them, never write them back).
    """
    key = ("priorities-settings", scenario_id)
    found = prepared.memo.get(key)
    if found is None:
        settings = ui.resolve_settings(session, workspace, scenario_id, prepared.framework)
        copies = {s.id: an.detached(s) for s in settings.scenarios}

        def copy(row: Scenario | None) -> Scenario | None:
            return None if row is None else copies.get(row.id) or an.detached(row)

        found = replace(
            settings,
            scenario=copy(settings.scenario),
            previous=copy(settings.previous),
            scenarios=list(copies.values()),
        )
        prepared.memo[key] = found
    return found


@router.post("/workspaces/{workspace_id}/priorities/preview", name="priorities_preview")
def preview(
    request: Request, workspace: ReadWorkspace, session: SessionDep, form: FormDep
) -> Response:
    """Re-rank with the posted weights; nothing is saved.

    The hot path of the slider: the workspace's prepared inputs (one query when cached) give
    the framework and currency, so the only other queries are sign-in and the scenarios.
    """
    prepared = an.prepared_inputs(session, workspace)
    settings, _ = _base(session, workspace, form, prepared.framework, prepared)
    keys = prepared.framework.keys
    status = 200
    try:
        method = ui.parse_method(form.get("method"))
        points = ui.parse_points(form, keys)
        before = pv.decode(str(form.get("draft", "")), keys) or settings.weights
        history = pv.push(pv.parse_history(form.get("history"), keys), before, points, keys)
        context = _context(
            session,
            workspace,
            settings,
            points,
            method,
            form=form,
            prepared=prepared,
            history=history,
        )
    except ui.FormErrors as exc:
        fallback = {k: settings.weights[k] for k in keys}
        context = _context(
            session,
            workspace,
            settings,
            fallback,
            settings.method,
            errors=exc.errors,
            message=exc.message,
            form=form,
            rank=False,
            prepared=prepared,
        )
        status = 422
    if context["message"] and not context["tool"]:
        status = 422
    return render(
        request,
        PAGE,
        context,
        status_code=status,
        block="ranking" if is_htmx(request) else None,
    )


TOOLS = ("hundred", "roc", "move", "swing", "ahp", "undo", "reset")


@router.post("/workspaces/{workspace_id}/priorities/{tool}", name="priorities_tool")
def weight_tool(
    tool: str, request: Request, workspace: ReadWorkspace, session: SessionDep, form: FormDep
) -> Response:
    """One weighting tool's answer, the unsaved draft kept (see app/views/priorities.py).

    ``hundred`` takes points that add up to 100, ``roc`` sets the weights from the ranked list (``order``; or ``rank_<key>`` positions,
    ties allowed), ``move`` only reorders that list (the up and down buttons without
    JavaScript), ``swing`` and ``ahp`` (``action=choose`` only picks the criteria), ``undo``
    goes back to the previous draft and ``reset`` to the scenario's weights.
    """
    settings, method = _base(session, workspace, form)
    framework = ws.framework_of(session, workspace)
    keys = framework.keys
    titles = framework_text.titles(framework)
    current = {k: settings.weights[k] for k in keys}
    with contextlib.suppress(ui.FormErrors):  # no sliders posted: keep the scenario's weights
        current = ui.parse_points(form, keys)
    history = pv.parse_history(form.get("history"), keys)
    ahp_keys = pv.chosen_keys(form, keys, current)
    order = pv.order_from(form, keys, current)
    result: pv.AhpOutcome | None = None
    points = current
    try:
        if tool == "roc":
            if any(name.startswith("rank_") for name in form):
                points = ui.points_from_roc(form, keys)
            else:
                points = pv.roc_points(order)
        elif tool == "move":
            order = pv.move(order, str(form.get("move", "")))
        elif tool == "swing":
            points = pv.swing_points(form, keys)
        elif tool == "hundred":
            points = pv.hundred_points(form, keys)
        elif tool == "ahp":
            if form.get("action") != "choose":
                result = pv.ahp_outcome(form, ahp_keys, current, titles)
                points = result.points
        elif tool == "undo":
            if history:
                points = history.pop()
        elif tool == "reset":
            points = {k: settings.weights[k] for k in keys}
        else:
            raise ui.FormErrors({}, _("There is no weighting tool called '%(tool)s'.", tool=tool))
    except ui.FormErrors as exc:
        context = _context(
            session,
            workspace,
            settings,
            current,
            method,
            errors=exc.errors,
            message=exc.message,
            ahp_keys=ahp_keys,
            form=form,
            tool=tool,
            history=history,
            order=order,
        )
        return render(
            request,
            PAGE,
            context,
            status_code=422,
            block="workbench" if is_htmx(request) else None,
        )
    if tool != "undo":
        history = pv.push(history, current, points, keys)
    if tool in ("hundred", "swing", "ahp", "undo", "reset") or (
        tool == "roc" and not form.get("order")
    ):
        order = pv.order_from({}, keys, points)
    context = _context(
        session,
        workspace,
        settings,
        points,
        method,
        ahp_keys=ahp_keys,
        ahp_result=result,
        form=form,
        tool=tool,
        history=history,
        order=order,
    )
    return render(request, PAGE, context, block="workbench" if is_htmx(request) else None)
