"""The decision record page: what the council decided, next to what was recommended.

Everyone reads the history; analysts and owners record a decision (the advice of the chosen
scenario on the decision's date is frozen with it) or delete a wrong entry. Plain forms,
post/redirect/get; a refused entry re-renders the page with 422 and the reason by the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.api.decisions import snapshot_for
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import Conflict, InvalidInput
from app.forms import DbId, parse_id
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import decisions as dec
from app.services import workspaces as ws
from app.templating import render
from app.views import report as rv

router = APIRouter(include_in_schema=False)
PAGE = "decisions/index.html"
DATE_FIELDS = ("decided_on", "effective_on", "next_review_on")


def parse_form(form: Any) -> tuple[dict[str, Any], int | None]:
    """The decision fields and the scenario id from the form; raises `InvalidInput`."""
    data: dict[str, Any] = {
        "network_id": str(form.get("network_id", "")).strip(),
        "action": str(form.get("action", "")).strip(),
        "body": str(form.get("body", "")).strip(),
        "reference": str(form.get("reference", "")).strip(),
        "notes": str(form.get("notes", "")).strip(),
    }
    for name in DATE_FIELDS:
        raw = str(form.get(name, "")).strip()
        if not raw:
            data[name] = None
            continue
        try:
            data[name] = date.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput(name, _("Use a date like 2026-03-31.")) from exc
    if data["decided_on"] is None:
        raise InvalidInput("decided_on", _("Give the date of the decision."))
    raw_scenario = str(form.get("scenario_id", "")).strip()
    scenario_id = parse_id(raw_scenario)
    if raw_scenario and scenario_id is None:
        raise InvalidInput("scenario_id", _("Choose one of the listed scenarios."))
    return data, scenario_id


def _page(
    request: Request,
    session: Session,
    workspace: Workspace,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = ws.list_memberships(session, workspace)
    names = {m.network_id: n.acronym or n.name for m, n in rows}
    decisions = dec.list_decisions(session, workspace)
    context: dict[str, Any] = {
        "workspace": workspace,
        "nav_active": "decisions",
        "decisions": [
            {
                "row": d,
                "name": names.get(d.network_id, d.network_id),
                "action": rv.action_label(d.action),
                "recommended": rv.action_label(d.snapshot.get("recommended"))
                if d.snapshot.get("recommended")
                else None,
                "differs": bool(d.snapshot.get("recommended"))
                and not dec.agrees(str(d.snapshot["recommended"]), d.action),
            }
            for d in decisions
        ],
        "network_options": [
            (m.network_id, names[m.network_id]) for m, _n in rows if m.status != "former"
        ],
        "action_options": [(a, rv.action_label(a)) for a in dec.DECIDED_ACTIONS],
        "scenario_options": [("", _("The newest scenario"))]
        + [(str(s.id), s.name) for s in ws.list_scenarios(session, workspace)],
        "errors": errors or {},
        "form": form or {},
    }
    return render(request, PAGE, context, status_code=status_code)


@router.get("/workspaces/{workspace_id}/decisions", name="decisions")
def decisions_page(request: Request, workspace: ReadWorkspace, session: SessionDep) -> Response:
    return _page(request, session, workspace)


@router.post("/workspaces/{workspace_id}/decisions")
def record_decision(
    request: Request, workspace: EditWorkspace, session: SessionDep, actor: ActorDep, form: FormDep
) -> Response:
    typed = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        data, scenario_id = parse_form(form)
        dec.check_decision(data)
        dec.require_membership(session, workspace, data["network_id"])
        advice = snapshot_for(
            session, workspace, data["network_id"], scenario_id=scenario_id, day=data["decided_on"]
        )
        dec.record_decision(session, workspace, data, advice=advice, actor=actor)
    except InvalidInput as exc:
        session.rollback()
        return _page(
            request,
            session,
            workspace,
            errors={str(exc.loc[-1]): exc.message},
            form=typed,
            status_code=422,
        )
    except Conflict as exc:
        session.rollback()
        return _page(
            request,
            session,
            workspace,
            errors={"decided_on": str(exc)},
            form=typed,
            status_code=409,
        )
    return see_other(workspace_url(workspace.id, "/decisions"))


@router.post("/workspaces/{workspace_id}/decisions/{decision_id}/delete")
def delete_decision(
    decision_id: DbId, workspace: EditWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    decision = dec.get_decision(session, workspace, decision_id)
    dec.delete_decision(session, workspace, decision, actor=actor)
    return see_other(workspace_url(workspace.id, "/decisions"))
