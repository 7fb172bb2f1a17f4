"""JSON API for reports: the analysis behind a report with its fingerprint, and the reports
themselves as JSON, HTML, PDF or Word.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.routes.reports import AsOf, ScenarioQuery, build, file_response
from app.services.reports import Report
from app.views import report as rv

router = APIRouter(prefix="/workspaces", tags=["reports"])

ReportFormat = Literal["json", "html", "pdf", "docx"]


def _plain(value: Any) -> Any:
    """A view model as JSON values; charts (SVG markup) are left out."""
    if isinstance(value, Markup):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), Markup)
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _respond(request: Request, report: Report, fmt: str) -> Response:
    if fmt == "json":
        return JSONResponse(_plain(report) | {"kind": report.kind})
    return file_response(request, report, fmt)


@router.get("/{workspace_id}/reports/analysis")
def report_analysis(
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The analysis a report prints (same scenario resolution: default the newest), with the
    SHA-256 fingerprint of its inputs and the command that reproduces it."""
    return rv.reproducible_analysis(
        session, workspace, scenario_id=scenario, today=as_of or date.today()
    )


REPORT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON, HTML, PDF or Word (by the path's extension).",
        "content": {
            "application/json": {},
            "text/html": {},
            "application/pdf": {},
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
        },
    }
}


@router.get("/{workspace_id}/reports/workspace.{fmt}", responses=REPORT_RESPONSE)
def workspace_report(
    fmt: ReportFormat,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
    lang: Annotated[Literal["en", "es", "fr"] | None, Query()] = None,
) -> Response:
    """The workspace (portfolio) report for a scenario and date. ``lang`` picks the language
    (as the ``lang`` query parameter does everywhere)."""
    del lang  # read by the locale middleware
    return _respond(request, build(request, session, workspace, None, scenario, as_of), fmt)


@router.get("/{workspace_id}/reports/networks/{network_id}.{fmt}", responses=REPORT_RESPONSE)
def network_report(
    network_id: str,
    fmt: ReportFormat,
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: ScenarioQuery = None,
    as_of: AsOf = None,
    lang: Annotated[Literal["en", "es", "fr"] | None, Query()] = None,
) -> Response:
    """The one-page report on one network of the workspace."""
    del lang
    report = build(request, session, workspace, network_id, scenario, as_of)
    return _respond(request, report, fmt)
