"""Assessment editor: one assessor's anchored 1-5 scores, evidence, sources and confidence."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import framework_text
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace, UserDep
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import catalogue, guidance, ui
from app.services import workspaces as ws
from app.templating import is_htmx, render
from app.views import assess as words
from app.views import consequences

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/assess.html"


def _context(
    session: Session,
    workspace: Workspace,
    network_id: str,
    assessor: str,
    actor: str,
    *,
    form: Any = None,
    errors: dict[str, str] | None = None,
    saved: int | None = None,
    moved: list[str] | None = None,
) -> dict[str, Any]:
    extras = guidance.assess_extras(session, workspace, network_id)
    names = consequences.network_names(session, workspace)
    titles = framework_text.titles(ws.framework_of(session, workspace))
    check = extras["correlation"]
    return {
        "workspace": workspace,
        "nav_active": "dashboard",
        "function_lines": [
            words.function_overlap_text(o, names) for o in extras["function_overlaps"]
        ],
        "correlation_summary": words.correlation_summary(check),
        "correlation_pairs": [words.correlated_pair_text(p, titles) for p in check.pairs],
        "network": catalogue.get_network(session, network_id),
        "assessor": assessor,
        "assessors": ui.assessors_of(session, workspace, network_id, actor),
        "rows": ui.assess_rows(session, workspace, network_id, assessor, form),
        "hint": ui.hint_for(session, workspace, network_id),
        "extras": extras,
        "errors": errors or {},
        "confidence": ui.CONFIDENCE,
        "confidence_label": ui.confidence_label,
        "saved": saved,
        "moved": moved,
    }


@router.get("/workspaces/{workspace_id}/networks/{network_id}/assess", name="assess")
def assess_page(
    network_id: str,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    user: UserDep,
    assessor: str = Query("", max_length=200),
    saved: int | None = Query(None, ge=0, le=10_000),
    checked: bool = False,
    change: Annotated[list[str] | None, Query()] = None,
) -> Response:
    ui.membership_of(session, workspace, network_id)
    who = assessor or user.label  # by default the signed-in person scores
    moved = None
    if checked:
        names = consequences.network_names(session, workspace)
        moved = consequences.sentences(consequences.parse(change or [], names), names)
    context = _context(session, workspace, network_id, who, user.label, saved=saved, moved=moved)
    return render(request, PAGE, context, block="assess_form" if is_htmx(request) else None)


@router.post("/workspaces/{workspace_id}/networks/{network_id}/assess")
def save_assessments(
    network_id: str,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    user: UserDep,
    form: FormDep,
) -> Response:
    ui.membership_of(session, workspace, network_id)
    assessor = str(form.get("assessor", "")).strip()[:200] or user.label
    keys = ws.framework_of(session, workspace).assessed_keys
    try:
        entries = ui.parse_assessments(form, keys)
    except ui.FormErrors as exc:
        context = _context(
            session, workspace, network_id, assessor, user.label, form=form, errors=exc.errors
        )
        return render(
            request,
            PAGE,
            context,
            status_code=422,
            block="assess_form" if is_htmx(request) else None,
        )
    before = consequences.default_analysis(session, workspace)
    changed = ui.save_assessments(session, workspace, network_id, assessor, entries, actor=actor)
    params: list[tuple[str, str | int]] = [("assessor", assessor), ("saved", changed)]
    if changed and before is not None:
        after = consequences.default_analysis(session, workspace)
        params.append(("checked", 1))
        params += [("change", c.token()) for c in consequences.compare(before, after)]
    query = "?" + urlencode(params)
    return see_other(workspace_url(workspace.id, f"/networks/{network_id}/assess{query}"))
