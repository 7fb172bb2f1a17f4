"""Who is calling and what they may do, for every request: the one gate in front of all routes.

`guard` runs before every route (an app-level dependency, so routes added later are covered):

1. it resolves the caller from `Authorization: Bearer <API token>` or from the signed session
   cookie (looked up in the `usersession` table, so sign-out and disabling a user act at once)
   and sets `request.state.user` (a `CurrentUser` or None) and `request.state.csrf_token`;
2. it refuses anonymous callers on every route not marked `@public`: 401 JSON for `/api/...`,
   a 303 redirect to `/login?next=...` for page GETs, a 401 page otherwise;
3. as a safety net it scopes every path with a `{workspace_id}`: not a member gives 404 (the
   workspace is not revealed); a route that declares no role (no `ReadWorkspace`... from
   `app.deps`, which add the exact role) needs analyst for a state-changing method; catalogue
   writes need a site administrator (403);
4. it checks the CSRF token on state-changing requests that rely on a cookie: form field
   `csrf_token` or header `X-CSRF-Token`, an HMAC of the session's secret (or, before sign-in,
   the value of the signed `nc_csrf` cookie), compared in constant time; 403 otherwise.

`SecurityHeaders` adds the CSP and friends to every response and sets the pre-session CSRF
cookie when the guard made a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.db import SessionDep
from app.errors import InvalidInput, NotFound
from app.forms import has_nul, parse_id
from app.i18n import gettext as _
from app.services import accounts
from app.services.accounts import CurrentUser

SESSION_COOKIE: Final = "nc_session"
CSRF_COOKIE: Final = "nc_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CATALOGUE_PREFIXES: Final = ("/api/v1/networks", "/networks")
"""State-changing requests under these paths edit the shared catalogue: site admins only."""

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
"""Fallback for the API reference; `app.ops` sets the app's own `state.docs_csp`, which also
allows Swagger UI's one inline start-up script by its hash. Its files are vendored under
static/vendor: no CDN."""
DOCS_PATHS: Final = frozenset({"/docs"})
STATIC_HEADERS: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
CSRF_FAILED: Final = (
    "This form has expired or did not come from this site. Reload the page and try again."
)

E = TypeVar("E", bound=Callable[..., Any])


class SignInRequired(Exception):
    """No signed-in user where one is needed."""


def public(endpoint: E) -> E:
    """Mark a route open to anonymous callers (sign-in, reset links, health check).

    The CSRF check still applies to its state-changing requests.
    """
    endpoint.__nc_public__ = True  # type: ignore[attr-defined]
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, "__nc_public__", False))


def secret_key(request: Request) -> str:
    key: str = request.app.state.secret_key
    return key


def _serializer(request: Request, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key(request), salt=salt)


def session_csrf_token(csrf_secret: str) -> str:
    """The CSRF token for a session: an HMAC of its secret (stable for the session's life).

    >>> session_csrf_token("s") == session_csrf_token("s") != session_csrf_token("t")
    True
    """
    return hmac.new(csrf_secret.encode(), b"network-compass csrf", hashlib.sha256).hexdigest()


def session_cookie_value(request: Request, token: str) -> str:
    return str(_serializer(request, "nc-session").dumps(token))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Attach the signed session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(request, token),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def session_token(request: Request) -> str | None:
    """The raw session token from the signed cookie, or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        value = _serializer(request, "nc-session").loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _pre_session_token(request: Request) -> str | None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie:
        return None
    try:
        value = _serializer(request, "nc-csrf").loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _resolve(request: Request, session: Session) -> None:
    """Set request.state.user/auth/csrf_token from the bearer token or the session cookie."""
    user: CurrentUser | None = None
    auth: str | None = None
    csrf = ""
    header = request.headers.get("authorization", "")
    # The workspace in the path, if any: its role is read by the sign-in query itself.
    workspace_id = parse_id(request.path_params.get("workspace_id", ""))
    roles: dict[int, str | None] = {}
    request.state.workspace_roles = roles
    if header:
        scheme, _, credentials = header.partition(" ")
        user = (
            accounts.resolve_api_token(
                session, credentials.strip(), workspace_id=workspace_id, roles=roles
            )
            if scheme.lower() == "bearer"
            else None
        )
        if user is None:
            raise HTTPException(
                401,
                "Invalid, revoked or unsupported credentials.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        auth = "bearer"
    else:
        token = session_token(request)
        resolved = (
            accounts.resolve_session(session, token, workspace_id=workspace_id, roles=roles)
            if token
            else None
        )
        if resolved is not None:
            user, row = resolved
            auth = "cookie"
            csrf = session_csrf_token(row.csrf_secret)
    if auth is None:
        existing = _pre_session_token(request)
        if existing is None:
            csrf = secrets.token_urlsafe(32)
            request.state.new_csrf_cookie = str(_serializer(request, "nc-csrf").dumps(csrf))
        else:
            csrf = existing
    request.state.user = user
    request.state.auth = auth
    request.state.csrf_token = csrf


def workspace_role(request: Request, session: Session, user: CurrentUser, workspace_id: int) -> str:
    """The user's role in the workspace (cached per request); NotFound when not a member."""
    cache: dict[int, str | None] = getattr(request.state, "workspace_roles", None) or {}
    if workspace_id not in cache:
        cache[workspace_id] = accounts.role_in(session, user.id, workspace_id)
        request.state.workspace_roles = cache
    role = cache[workspace_id]
    if role is None:
        raise NotFound("workspace", workspace_id)
    request.state.workspace_role = role
    return role


def declared_role(route: object) -> str | None:
    """The workspace role a route's dependencies demand (`app.deps.require_*`), if any."""
    stack = list(getattr(getattr(route, "dependant", None), "dependencies", []))
    roles: list[str] = []
    while stack:
        dependency = stack.pop()
        role = getattr(dependency.call, "__nc_role__", None)
        if isinstance(role, str):
            roles.append(role)
        stack.extend(dependency.dependencies)
    return max(roles, key=accounts.role_rank) if roles else None


def forbidden(message: str) -> HTTPException:
    return HTTPException(403, message)


def authenticate(request: Request, session: SessionDep) -> CurrentUser | None:
    """Steps 1-3 of the module docstring (sync: it queries the database)."""
    _resolve(request, session)
    user: CurrentUser | None = request.state.user
    route = request.scope.get("route")
    if user is None:
        if is_public(getattr(route, "endpoint", None)):
            return None
        raise SignInRequired
    unsafe = request.method in UNSAFE_METHODS
    path = request.url.path
    if unsafe and path.startswith(CATALOGUE_PREFIXES) and not user.is_admin:
        raise forbidden(_("Only site administrators may change the shared network catalogue."))
    raw = request.path_params.get("workspace_id")
    if raw is not None:
        workspace_id = parse_id(raw)
        if workspace_id is None:
            raise NotFound("workspace", raw)
        role = workspace_role(request, session, user, workspace_id)
        declared = declared_role(route)
        if unsafe and declared is None and accounts.role_rank(role) < accounts.role_rank("analyst"):
            raise forbidden(_("Your role in this workspace is viewer: you may read, not change."))
    return user


async def guard(
    request: Request, user: Annotated[CurrentUser | None, Depends(authenticate)]
) -> None:
    """Step 4: the CSRF check, after `authenticate` (async: it may read the form body); then
    step 5: no path, query or form value holds a NUL character (422 naming the field).

    It first applies the signed-in user's language preference (`i18n.apply_preference`): the
    locale middleware ran before anyone was signed in. Being async, it runs in the request's
    own context, so the route and the error handlers see the locale it sets.
    """
    if user is not None:
        i18n.apply_preference(request, user.locale)
    if request.method in UNSAFE_METHODS and request.state.auth != "bearer":
        await _check_csrf(request, user)
    await refuse_nul(request)


async def refuse_nul(request: Request) -> None:
    """InvalidInput (422 naming the field) for a NUL or other control character in any path,
    query or form value: PostgreSQL cannot store NUL, reports (XML) cannot hold any of them,
    and no person types one."""
    found = [name for name, value in request.path_params.items() if has_nul(value)]
    found += [name for name, value in request.query_params.multi_items() if has_nul(value)]
    content_type = request.headers.get("content-type", "")
    if request.method in UNSAFE_METHODS and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        found += [name for name, value in form.multi_items() if has_nul(value) or has_nul(name)]
    if found:
        raise InvalidInput(found[0], _("Text may not contain NUL or other control characters."))


async def _check_csrf(request: Request, user: CurrentUser | None) -> None:
    expected = request.state.csrf_token if user is not None else _pre_session_token(request)
    sent = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise forbidden(
            _(
                "This form has expired or did not come from this site. Reload the page and try again."
            )
        )


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (other sites) becomes "/".

    >>> safe_next("/workspaces/1"), safe_next("//evil.example"), safe_next("https://x.y")
    ('/workspaces/1', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


class SecurityHeaders:
    """ASGI middleware: security headers on every response, and the pre-session CSRF cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "") in DOCS_PATHS
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    getattr(scope["app"].state, "docs_csp", DOCS_CSP) if docs else CSP
                )
                for name, value in STATIC_HEADERS:
                    headers[name] = value
                if https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                cookie = scope.get("state", {}).get("new_csrf_cookie")
                if cookie:
                    secure = "; Secure" if https else ""
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={cookie}; HttpOnly; Path=/; SameSite=Lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Add the headers middleware and the handler that turns SignInRequired into 401/303."""
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "Sign in first: send an API token as `Authorization: Bearer <token>`."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method in {"GET", "HEAD"} and request.headers.get("HX-Request") != "true":
            return RedirectResponse(login_url(request), status_code=303)
        from app.errors import page

        response = page(
            request, 401, _("Please sign in"), _("Your session has ended. Sign in again.")
        )
        response.headers["HX-Redirect"] = login_url(request)
        return response
