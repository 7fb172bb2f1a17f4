"""Council reports as pages and downloads: the workspace report and one report per network.

HTML is a standalone printable page; ``.pdf`` and ``.docx`` stream the same report as a
file. Query parameters: ``scenario`` (default: the newest) and ``as_of`` (the date notice
deadlines are counted from; default today). The language is the reader's (``?lang=``,
cookie, browser), as on every page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.models import Workspace
from app.services import reports
from app.views import report as rv

router = APIRouter(include_in_schema=False)

FileFormat = Literal["pdf", "docx"]
AsOf = Annotated[
    date | None,
    Query(
        description="Date the notice deadlines are counted from (default: today).",
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
    ),
]
ScenarioQuery = Annotated[DbId | None, Query()]


def author_of(request: Request) -> str:
    user = getattr(request.state, "user", None)
    return "" if user is None else str(user.label)


def build(
    request: Request,
    session: Session,
    workspace: Workspace,
    network_id: str | None,
    scenario: int | None,
    as_of: date | None,
) -> reports.Report:
    """The workspace report, or the network report when ``network_id`` is given."""
    today = as_of or date.today()
    if network_id is None:
        return rv.build_workspace_report(
            session, workspace, scenario_id=scenario, today=today, author=author_of(request)
        )
    return rv.build_network_report(
        session, workspace, network_id, scenario_id=scenario, today=today, author=author_of(request)
    )


def file_response(request: Request, report: reports.Report, fmt: str) -> Response:
    """The report as a streamed PDF or Word download, or HTML for ``fmt == "html"``."""
    env = request.app.state.templates.env
    headers = {"Cache-Control": "no-store"}
    if fmt == "html":
        return HTMLResponse(reports.render_html(env, report, for_print=True), headers=headers)
    if fmt == "pdf":
        data = reports.render_pdf(
            env, report, request.app.state.settings.static_dir / "css" / "report.css"
        )
        media = reports.PDF_MEDIA_TYPE
    else:
        data = reports.render_docx(report)
        media = reports.DOCX_MEDIA_TYPE
    name = reports.filename(report, fmt)
    headers |= {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Length": str(len(data)),
    }
    return StreamingResponse(reports.chunks(data), media_type=media, headers=headers)


def _links(base: str, scenario: int | None, as_of: date | None) -> dict[str, str]:
    query: dict[str, object] = {
        k: v for k, v in (("scenario", scenario), ("as_of", as_of)) if v is not None
    }
    suffix = f"?{urlencode(query)}" if query else ""
    return {
        "back": base.rsplit("/report", 1)[0],
        "pdf": f"{base}.pdf{suffix}",
        "docx": f"{base}.docx{suffix}",
        "lang": f"{base}?{urlencode(query | {'lang': ''})}",
    }


def _page(
    request: Request, report: reports.Report, base: str, scenario: int | None, as_of: date | None
) -> Response:
    env = request.app.state.templates.env
    html = reports.render_html(env, report, for_print=False, links=_links(base, scenario, as_of))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/workspaces/{workspace_id}/report", name="workspace_report")
def workspace_report(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
) -> Response:
    report = build(request, session, workspace, None, scenario, as_of)
    return _page(request, report, f"/workspaces/{workspace.id}/report", scenario, as_of)


@router.get("/workspaces/{workspace_id}/report.{fmt}", name="workspace_report_file")
def workspace_report_file(
    fmt: FileFormat,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
) -> Response:
    report = build(request, session, workspace, None, scenario, as_of)
    return file_response(request, report, fmt)


@router.get("/workspaces/{workspace_id}/networks/{network_id}/report", name="network_report")
def network_report(
    network_id: str,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
) -> Response:
    report = build(request, session, workspace, network_id, scenario, as_of)
    base = f"/workspaces/{workspace.id}/networks/{network_id}/report"
    return _page(request, report, base, scenario, as_of)


@router.get(
    "/workspaces/{workspace_id}/networks/{network_id}/report.{fmt}", name="network_report_file"
)
def network_report_file(
    network_id: str,
    fmt: FileFormat,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
) -> Response:
    report = build(request, session, workspace, network_id, scenario, as_of)
    return file_response(request, report, fmt)
