"""The audit log of a workspace: a filterable, paginated ledger, a CSV export (raw, for
machines) and the revert of one entry (analysts and owners; the revert is itself audited)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import Conflict, InvalidInput
from app.forms import DbId
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import see_other, workspace_url
from app.services import audit
from app.services import revert as reverting
from app.services.accounts import role_rank
from app.templating import render
from app.views import audit as ledger

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


def _filters(
    entity: str, actor: str, since: str, until: str
) -> tuple[audit.AuditFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    days: dict[str, Any] = {}
    for name, value in (("since", since), ("until", until)):
        try:
            days[name] = audit.parse_day(value)
        except ValueError:
            errors[name] = _("Use a date like 2026-03-31.")
            days[name] = None
    return audit.AuditFilter(entity.strip(), actor.strip(), days["since"], days["until"]), errors


def _page(
    request: Request,
    workspace: Workspace,
    session: SessionDep,
    entity: str,
    actor: str,
    since: str,
    until: str,
    page: int,
    *,
    notice: str = "",
    problem: str = "",
    status_code: int = 200,
) -> Response:
    filters, errors = _filters(entity, actor, since, until)
    workspace_id = workspace.id or 0
    total = audit.count_entries(session, workspace_id, filters)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page, pages)
    entries = audit.list_entries(
        session, workspace_id, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    entities, actors = audit.choices(session, workspace_id)
    query = {"entity": entity, "actor": actor, "since": since, "until": until}
    role = getattr(request.state, "workspace_role", None)
    can_revert = role is not None and role_rank(role) >= role_rank("analyst")
    context = {
        "workspace": workspace,
        "rows": ledger.ledger(session, workspace, entries, can_revert=can_revert),
        "entity_choices": ledger.entity_choices(entities),
        "actor_choices": ledger.actor_choices(session, actors),
        "notice": notice,
        "problem": problem,
        "page_query": urlencode({k: v for k, v in (query | {"page": str(page)}).items() if v}),
        "total": total,
        "page": page,
        "pages": pages,
        "entities": entities,
        "actors": actors,
        "filters": query,
        "errors": errors,
        "query": urlencode({k: v for k, v in query.items() if v}),
        "nav_active": "audit",
    }
    return render(request, "audit/index.html", context, status_code=422 if errors else status_code)


@router.get("/workspaces/{workspace_id}/audit", name="audit_log")
def audit_page(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    entity: str = Query("", max_length=40),
    actor: str = Query("", max_length=200),
    since: str = Query("", max_length=10),
    until: str = Query("", max_length=10),
    page: int = Query(1, ge=1, le=100_000),
    undone: int | None = Query(None, ge=1),
) -> Response:
    notice = (
        _("The change was undone; the undo is recorded at the top of the log.") if undone else ""
    )
    return _page(request, workspace, session, entity, actor, since, until, page, notice=notice)


@router.post("/workspaces/{workspace_id}/audit/{entry_id}/revert", name="audit_revert")
def revert_entry(
    entry_id: DbId,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    entity: str = Query("", max_length=40),
    who: str = Query("", max_length=200, alias="actor"),
    since: str = Query("", max_length=10),
    until: str = Query("", max_length=10),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    """Undo one entry; a clear message (409) when the data moved on or it cannot be undone."""
    try:
        reverting.revert(session, workspace, entry_id, actor=actor)
    except (Conflict, InvalidInput) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else str(exc)
        return _page(
            request,
            workspace,
            session,
            entity,
            who,
            since,
            until,
            page,
            problem=message,
            status_code=409,
        )
    query = {"entity": entity, "actor": who, "since": since, "until": until}
    kept = urlencode({k: v for k, v in query.items() if v})
    return see_other(workspace_url(workspace.id, f"/audit?{kept}{'&' if kept else ''}undone=1"))


@router.get("/workspaces/{workspace_id}/audit.csv", name="audit_csv")
def audit_csv(
    workspace: ReadWorkspace,
    session: SessionDep,
    entity: str = Query("", max_length=40),
    actor: str = Query("", max_length=200),
    since: str = Query("", max_length=10),
    until: str = Query("", max_length=10),
) -> Response:
    filters, errors = _filters(entity, actor, since, until)
    if errors:
        return Response("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422)
    entries = audit.list_entries(session, workspace.id or 0, filters)
    filename = f"audit-{workspace.slug}.csv"
    return Response(
        audit.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
