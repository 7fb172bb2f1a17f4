"""Decision calendar page, its ICS download, and a private feed address for calendar apps."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import NotFound
from app.models import Workspace
from app.security import public
from app.services import calendar as cal
from app.services import decisions as dec
from app.services import settings as decision_settings
from app.services import ui
from app.services import workspaces as ws
from app.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/calendar.html"


def _rows(session: Session, workspace: Workspace, today: date) -> tuple[list[cal.CalendarRow], str]:
    """The calendar rows with the advice of the scenario the dashboard opens."""
    chosen = ui.resolve_settings(session, workspace, None)
    actions: dict[str, str] = {}
    try:
        ctx = ui.analyse(
            session, workspace, chosen.weights, chosen.method, chosen.options, samples=0
        )
        actions = {r.network: str(r.action) for r in ctx.analysis.recommendations}
    except ui.FormErrors:
        pass  # no analysable networks yet: the calendar still lists the dates
    currency = ws.get_profile(session, workspace).currency
    return cal.calendar_rows(ws.list_memberships(session, workspace), today, actions), currency


def _reviews(session: Session, workspace: Workspace, today: date) -> list[cal.ReviewRow]:
    """The council's decisions in force that set a next review date."""
    names = {
        network.id: network.acronym or network.name
        for _membership, network in ws.list_memberships(session, workspace)
    }
    return cal.review_rows(dec.current_decisions(session, workspace), names, today)


def _context(session: Session, workspace: Workspace, *, feed_url: str = "") -> dict[str, Any]:
    today = date.today()
    rows, currency = _rows(session, workspace, today)
    row = decision_settings.get_settings(session, workspace)
    return {
        "workspace": workspace,
        "nav_active": "calendar",
        "rows": rows,
        "reviews": _reviews(session, workspace, today),
        "today": today,
        "currency": currency,
        "has_feed": row.calendar_token_hash is not None,
        "feed_url": feed_url,
    }


@router.get("/workspaces/{workspace_id}/calendar", name="calendar")
def calendar_page(request: Request, workspace: ReadWorkspace, session: SessionDep) -> Response:
    return render(request, PAGE, _context(session, workspace))


def _ics(session: Session, workspace: Workspace) -> Response:
    today = date.today()
    rows, currency = _rows(session, workspace, today)
    body = cal.ics_feed(
        workspace,
        rows,
        currency,
        labels=ui.action_label,
        reviews=_reviews(session, workspace, today),
        decided_labels=ui.action_label,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{workspace.slug}-calendar.ics"'},
    )


@router.get("/workspaces/{workspace_id}/calendar.ics", name="calendar_ics")
def calendar_download(workspace: ReadWorkspace, session: SessionDep) -> Response:
    return _ics(session, workspace)


@router.post("/workspaces/{workspace_id}/calendar/feed")
def create_feed(
    request: Request, workspace: EditWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    """A new private feed address (shown once); any older address stops working."""
    token = decision_settings.rotate_calendar_token(session, workspace, actor=actor)
    url = str(request.url_for("calendar_feed", token=token))
    return render(request, PAGE, _context(session, workspace, feed_url=url))


@router.get("/calendar/{token}.ics", name="calendar_feed")
@public
def calendar_feed(token: str, session: SessionDep) -> Response:
    """The calendar of the workspace whose private address this is (for calendar apps)."""
    workspace = decision_settings.workspace_for_calendar_token(session, token)
    if workspace is None:
        raise NotFound("calendar", "feed")
    return _ics(session, workspace)
