"""Sign-in, sign-out, one-time reset links and the account page (password, API tokens)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.deps import UserDep
from app.errors import InvalidInput, NotFound
from app.forms import DbId
from app.i18n import COOKIE as LOCALE_COOKIE
from app.i18n import gettext as _
from app.i18n import ngettext
from app.models import User
from app.security import (
    clear_session_cookie,
    public,
    safe_next,
    session_token,
    set_session_cookie,
)
from app.services import accounts
from app.templating import render

router = APIRouter(include_in_schema=False)

LOGIN = "auth/login.html"
ACCOUNT = "auth/account.html"
RESET = "auth/reset.html"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in(request: Request, session: SessionDep, user: User, target: str) -> Response:
    token, _ = accounts.start_session(session, user)
    response = RedirectResponse(safe_next(target), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.get("/login", name="login")
@public
def login_page(request: Request, next: str = "/") -> Response:
    if getattr(request.state, "user", None) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    context = {"email": "", "next": safe_next(next), "error": None}
    return render(request, LOGIN, context)


@router.post("/login")
@public
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    context: dict[str, Any] = {"email": email, "next": safe_next(next), "error": None}
    wait = accounts.login_blocked_minutes(session, email, _client_ip(request))
    if wait:
        context["error"] = ngettext(
            "Too many failed sign-ins for this address. Try again in %(num)s minute.",
            "Too many failed sign-ins for this address. Try again in %(num)s minutes.",
            wait,
        )
        return render(request, LOGIN, context, status_code=429)
    user = accounts.authenticate(session, email, password, _client_ip(request))
    if user is None:
        context["error"] = _("The email or password is not right.")
        return render(request, LOGIN, context, status_code=400)
    return _signed_in(request, session, user, next)


@router.post("/logout", name="logout")
@public
def logout(request: Request, session: SessionDep) -> Response:
    token = session_token(request)
    if token:
        accounts.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


# --- one-time links -------------------------------------------------------------------------


def _invalid_link(request: Request) -> Response:
    context = {"token": "", "email": "", "errors": {}, "invalid": True}
    return render(request, RESET, context, status_code=404)


@router.get("/reset/{token}", name="reset")
@public
def reset_page(token: str, request: Request, session: SessionDep) -> Response:
    found = accounts.find_reset(session, token)
    if found is None:
        return _invalid_link(request)
    context = {"token": token, "email": found[1].email, "errors": {}, "invalid": False}
    return render(request, RESET, context)


@router.post("/reset/{token}")
@public
def reset(
    token: str,
    request: Request,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    found = accounts.find_reset(session, token)
    if found is None:
        return _invalid_link(request)
    try:
        user = accounts.use_reset(session, token, password, confirm)
    except NotFound:
        return _invalid_link(request)
    except InvalidInput as exc:
        session.rollback()
        errors = {str(exc.loc[-1]): exc.message}
        context = {"token": token, "email": found[1].email, "errors": errors, "invalid": False}
        return render(request, RESET, context, status_code=422)
    return _signed_in(request, session, user, "/")


# --- account --------------------------------------------------------------------------------


def _account(
    request: Request,
    session: SessionDep,
    user: accounts.CurrentUser,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "account": user,
        "tokens": accounts.list_api_tokens(session, user.id),
        "workspaces": accounts.workspaces_of(session, user.id),
        "errors": {},
        "new_token": None,
        "message": None,
        "nav_active": "account",
        "preferred_locale": _preferred_locale(session, user),
        "saved": "",
    }
    return render(request, ACCOUNT, context | extra, status_code=status_code)


def _preferred_locale(session: SessionDep, user: accounts.CurrentUser) -> str:
    row = session.get(User, user.id)
    return (row.locale if row is not None else None) or ""


@router.get("/account", name="account")
def account_page(request: Request, session: SessionDep, user: UserDep, saved: str = "") -> Response:
    return _account(request, session, user, saved="language" if saved == "language" else "")


@router.post("/account/language")
def change_language(
    request: Request,
    session: SessionDep,
    user: UserDep,
    locale: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Store the account's language; the switcher's cookie is cleared so the choice shows at
    once on this browser too (the switcher still overrides it afterwards)."""
    try:
        accounts.set_locale(session, user.id, locale.strip())
    except InvalidInput as exc:
        errors = {"locale": exc.message}
        return _account(request, session, user, status_code=422, errors=errors)
    response = RedirectResponse("/account?saved=language", status_code=303)
    response.delete_cookie(LOCALE_COOKIE, samesite="lax")
    return response


@router.post("/account/password")
def change_password(
    request: Request,
    session: SessionDep,
    user: UserDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    row = session.get(User, user.id)
    if row is None or not accounts.verify_password(row, current):
        errors = {"current": _("This is not your current password.")}
        return _account(request, session, user, status_code=422, errors=errors)
    try:
        accounts.check_new_password(password, confirm)
    except InvalidInput as exc:
        errors = {str(exc.loc[-1]): exc.message}
        return _account(request, session, user, status_code=422, errors=errors)
    accounts.set_password(session, row, password)  # ends every session, this one too
    session.commit()
    return _signed_in(request, session, row, "/account")


@router.post("/account/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    user: UserDep,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        secret, _ = accounts.create_api_token(session, user.id, name)
    except InvalidInput as exc:
        errors = {"name": exc.message}
        return _account(request, session, user, status_code=422, errors=errors)
    return _account(request, session, user, status_code=201, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: DbId, session: SessionDep, user: UserDep) -> Response:
    accounts.revoke_api_token(session, user.id, token_id)
    return RedirectResponse("/account", status_code=303)
