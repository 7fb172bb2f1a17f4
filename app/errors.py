"""Errors the services raise and the handlers that turn them into responses.

API paths (`/api/...`) get JSON in FastAPI's shape (`{"detail": [...]}`); pages get
`error.html` (whole page, or its `main` block for htmx). No stack trace ever reaches a user.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import gettext as _
from criteria.errors import CriteriaError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
"""What a 503 for an unreachable database asks callers to wait before trying again."""


class NotFound(Exception):
    """An id that does not exist (or that the caller may not know exists)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!s} not found")
        self.what = what
        self.key = key


class NothingToAnalyse(Exception):
    """A page or call that analyses a workspace with no member or candidate network yet:
    pages show what to do next (200), the API answers 422."""

    def __init__(self, workspace: Any) -> None:
        super().__init__("There is no member or candidate network to analyse.")
        self.workspace = workspace


class Conflict(Exception):
    """A write based on a stale version, or a duplicate of a unique value."""


class InvalidInput(ValueError):
    """Input that passed the schema but breaks a rule; names the field like a 422 from FastAPI."""

    def __init__(self, field: str | tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc: tuple[str | int, ...] = (field,) if isinstance(field, str) else field
        self.message = message


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in {"/healthz"}


def _detail(loc: tuple[str | int, ...], msg: str, kind: str) -> list[dict[str, Any]]:
    return [{"loc": ["body", *loc], "msg": msg, "type": kind}]


def _not_found_message(what: str) -> str:
    """ "The <thing> you asked for does not exist." in the reader's language."""
    messages = {
        "API token": _("The API token you asked for does not exist."),
        "assessment": _("The assessment you asked for does not exist."),
        "calendar": _("The calendar you asked for does not exist."),
        "criterion": _("The criterion you asked for does not exist."),
        "decision": _("The decision you asked for does not exist."),
        "gate": _("The eligibility condition you asked for does not exist."),
        "link": _("The link you followed does not exist or no longer works."),
        "member": _("The member you asked for does not exist."),
        "membership": _("The membership you asked for does not exist."),
        "network": _("The network you asked for does not exist."),
        "round": _("The round you asked for does not exist."),
        "scenario": _("The scenario you asked for does not exist."),
        "workshop": _("The workshop you asked for does not exist."),
        "workspace": _("The workspace you asked for does not exist."),
    }
    return messages.get(what) or _("The page you asked for does not exist.")


def _status_title(status: int) -> str:
    titles = {
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Changed meanwhile"),
        422: _("Please check your input"),
        429: _("Too many requests"),
        503: _("Service unavailable"),
    }
    return titles.get(status) or _("Error")


def page(request: Request, status: int, title: str, message: str) -> Response:
    """The error page (`error.html`) with a status, a title and a message."""
    from app.templating import render  # late: templating imports the app's Jinja setup

    context = {"status_code": status, "title": title, "message": message}
    return render(request, "error.html", context, status_code=status, block=None)


def _validation_problem(kind: str, message: str) -> str:
    """FastAPI's validation message for a form field, in the reader's language when known."""
    problems = {
        "missing": _("this field is required."),
        "string_too_long": _("the text is too long."),
        "string_too_short": _("the text is too short."),
        "int_parsing": _("enter a whole number."),
        "float_parsing": _("enter a number."),
        "bool_parsing": _("choose yes or no."),
        "date_from_datetime_parsing": _("enter a date as YYYY-MM-DD."),
        "date_parsing": _("enter a date as YYYY-MM-DD."),
    }
    return problems.get(kind) or message


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return page(request, 404, _status_title(404), _not_found_message(exc.what))

    @app.exception_handler(NothingToAnalyse)
    async def nothing_to_analyse(request: Request, exc: NothingToAnalyse) -> Response:
        if _wants_json(request):
            detail = [{"loc": ["path", "workspace_id"], "msg": str(exc), "type": "no_networks"}]
            return JSONResponse({"detail": detail}, status_code=422)
        from app.i18n import gettext as _
        from app.templating import render

        role = getattr(request.state, "workspace_role", None)
        context = {
            "workspace": exc.workspace,
            "page_title": _("Nothing to analyse yet"),
            "can_edit": role in {"analyst", "owner"},
            "nav_active": "dashboard",
        }
        return render(request, "workspaces/empty.html", context)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return page(request, 409, _status_title(409), str(exc))

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": _detail(exc.loc, exc.message, "value_error")}, status_code=422
            )
        return page(request, 422, _status_title(422), exc.message)

    @app.exception_handler(CriteriaError)
    async def criteria_error(request: Request, exc: CriteriaError) -> Response:
        if _wants_json(request):
            detail = [
                {"loc": ["body", field], "msg": problem, "type": "rule"}
                for field, problem in exc.fields.items()
            ] or _detail((), str(exc), "rule")
            return JSONResponse({"detail": detail}, status_code=422)
        return page(request, 422, _status_title(422), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        message = "; ".join(
            _(
                "%(field)s: %(problem)s",
                field=".".join(str(p) for p in e["loc"][1:]),
                problem=_validation_problem(e["type"], e["msg"]),
            )
            for e in errors
        )
        return page(request, 422, _status_title(422), message)

    def database_unavailable(request: Request, exc: DBAPIError) -> Response:
        """503 with Retry-After: the request's transaction was not committed (the database
        rolls it back), and the pool reconnects by itself once the database is back."""
        first_line = (str(exc.orig or exc).strip().splitlines() or [""])[0]
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, first_line)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        message = _(
            "The database cannot be reached right now, so nothing was changed. "
            "Please try again in a moment."
        )
        if _wants_json(request):
            body = {"detail": message, "error": "database_unavailable", "database": "unreachable"}
            if request.url.path == "/healthz":
                body["status"] = "degraded"
            return JSONResponse(body, status_code=503, headers=headers)
        response = page(request, 503, _("Temporarily unavailable"), message)
        response.headers.update(headers)
        return response

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, exc: OperationalError) -> Response:
        return database_unavailable(request, exc)

    @app.exception_handler(InterfaceError)
    async def database_interface(request: Request, exc: InterfaceError) -> Response:
        return database_unavailable(request, exc)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:  # the connection dropped mid-statement
            return database_unavailable(request, exc)
        return await unexpected(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = _not_found_message("")
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = _("This address does not accept that kind of request.")
        response = page(request, exc.status_code, _status_title(exc.status_code), detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        message = _("Something went wrong on our side. The error has been logged.")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return page(request, 500, _("Unexpected error"), message)
