"""The audit log of a workspace: a filterable, paginated page and a CSV export (read-only)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.services import audit
from app.templating import render

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
            errors[name] = "Use a date like 2026-03-31."
            days[name] = None
    return audit.AuditFilter(entity.strip(), actor.strip(), days["since"], days["until"]), errors


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
    context = {
        "workspace": workspace,
        "rows": [audit.entry_row(e) for e in entries],
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
    return render(request, "audit/index.html", context, status_code=422 if errors else 200)


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
