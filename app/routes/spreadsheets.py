"""Spreadsheets page and JSON API: export (XLSX, CSV per sheet), the template, and import.

The upload is read in pieces and refused past `spreadsheets.MAX_BYTES` before it is parsed.
A rejected import shows the row-by-row report on the page (422) or returns it from the API
(422 with ``problems``); nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.params import File
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.api.decisions import snapshot_for
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.i18n import gettext as _
from app.models import Workspace
from app.services import spreadsheets as sp
from app.templating import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/workspaces", tags=["spreadsheets"])
PAGE = "spreadsheets/index.html"
Sheet = Literal["assessments", "memberships", "outcomes", "decisions", "networks", "scales"]
UploadDep = Annotated[UploadFile | None, File(description="An .xlsx workbook or a UTF-8 CSV file.")]


async def _read(upload: UploadFile) -> tuple[bytes, int]:
    """The uploaded bytes and the file's size; past the limit only the size is kept."""
    chunks = []
    size = 0
    while True:
        chunk = await upload.read(1024 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size <= sp.MAX_BYTES:
            chunks.append(chunk)
    return (b"".join(chunks) if size <= sp.MAX_BYTES else b""), size


def _advice(session: Session, workspace: Workspace) -> Any:
    def advice(network_id: str, day: date) -> dict[str, Any]:
        return snapshot_for(session, workspace, network_id, scenario_id=None, day=day)

    return advice


def _page(
    request: Request,
    workspace: Workspace,
    *,
    result: dict[str, Any] | None = None,
    problems: list[sp.Problem] | None = None,
    filename: str = "",
    status_code: int = 200,
) -> Response:
    context = {
        "workspace": workspace,
        "nav_active": "data",
        "sheets": [s for s in sp.SHEETS if s != "scales"],
        "result": result,
        "problems": problems or [],
        "filename": filename,
        "limit_mb": sp.MAX_BYTES // 1024 // 1024,
    }
    return render(request, PAGE, context, status_code=status_code)


def _xlsx(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=sp.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _csv(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- pages ----------------------------------------------------------------------------------


@router.get("/workspaces/{workspace_id}/data", name="spreadsheets")
def data_page(request: Request, workspace: ReadWorkspace) -> Response:
    return _page(request, workspace)


@router.get("/workspaces/{workspace_id}/data/workspace.xlsx")
def download_xlsx(workspace: ReadWorkspace, session: SessionDep, actor: ActorDep) -> Response:
    return _xlsx(sp.export_xlsx(session, workspace, actor=actor), f"{workspace.slug}.xlsx")


@router.get("/workspaces/{workspace_id}/data/template.xlsx")
def download_template(workspace: ReadWorkspace, session: SessionDep, actor: ActorDep) -> Response:
    data = sp.export_xlsx(session, workspace, actor=actor, template=True)
    return _xlsx(data, f"{workspace.slug}-template.xlsx")


@router.get("/workspaces/{workspace_id}/data/{sheet}.csv")
def download_csv(
    sheet: Sheet, workspace: ReadWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    return _csv(
        sp.export_csv(session, workspace, sheet, actor=actor), f"{workspace.slug}-{sheet}.csv"
    )


@router.post("/workspaces/{workspace_id}/data/import")
async def import_page(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    file: UploadDep = None,
) -> Response:
    if file is None or not file.filename:
        problem = sp.Problem("", 0, "", "", _("Choose a file to import."))
        return _page(request, workspace, problems=[problem], status_code=422)
    data, size = await _read(file)
    name = file.filename
    try:
        result = sp.import_file(
            session,
            workspace,
            name,
            data,
            actor=actor,
            advice=_advice(session, workspace),
            size=size,
        )
    except sp.ImportRejected as exc:
        return _page(request, workspace, problems=exc.problems, filename=name, status_code=422)
    return _page(request, workspace, result=result.as_dict(), filename=name)


# --- API ------------------------------------------------------------------------------------

XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An Excel workbook.",
        "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
    }
}
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "UTF-8 CSV.", "content": {"text/csv": {}}}
}


@api.get("/{workspace_id}/export.xlsx", response_class=Response, responses=XLSX_RESPONSE)
def api_export_xlsx(workspace: ReadWorkspace, session: SessionDep, actor: ActorDep) -> Response:
    """Every sheet as one workbook (assessments, scales, memberships, outcomes, decisions,
    networks)."""
    return _xlsx(sp.export_xlsx(session, workspace, actor=actor), f"{workspace.slug}.xlsx")


@api.get("/{workspace_id}/export/template.xlsx", response_class=Response, responses=XLSX_RESPONSE)
def api_template(workspace: ReadWorkspace, session: SessionDep, actor: ActorDep) -> Response:
    """The empty workbook: headers, the criteria's scale anchors, score validation (1-5)."""
    data = sp.export_xlsx(session, workspace, actor=actor, template=True)
    return _xlsx(data, f"{workspace.slug}-template.xlsx")


@api.get("/{workspace_id}/export/{sheet}.csv", response_class=Response, responses=CSV_RESPONSE)
def api_export_csv(
    sheet: Sheet, workspace: ReadWorkspace, session: SessionDep, actor: ActorDep
) -> Response:
    """One sheet as UTF-8 CSV."""
    return _csv(
        sp.export_csv(session, workspace, sheet, actor=actor), f"{workspace.slug}-{sheet}.csv"
    )


@api.post("/{workspace_id}/import")
async def api_import(
    workspace: EditWorkspace, session: SessionDep, actor: ActorDep, file: UploadDep = None
) -> JSONResponse:
    """Import an .xlsx workbook or a CSV file, all or nothing. 200 with what changed; 422 with
    ``problems`` (sheet, row, column, value, why) when anything is wrong."""
    if file is None or not file.filename:
        return JSONResponse(
            {
                "detail": [
                    {
                        "loc": ["body", "file"],
                        "msg": _("Choose a file to import."),
                        "type": "missing",
                    }
                ]
            },
            status_code=422,
        )
    data, size = await _read(file)
    try:
        result = await run_in_threadpool(
            sp.import_file,
            session,
            workspace,
            file.filename,
            data,
            actor=actor,
            advice=_advice(session, workspace),
            size=size,
        )
    except sp.ImportRejected as exc:
        return JSONResponse(
            {
                "detail": [{"loc": ["body", "file"], "msg": str(exc), "type": "import_rejected"}],
                "problems": sp.problems_json(exc.problems),
            },
            status_code=422,
        )
    return JSONResponse(result.as_dict())
