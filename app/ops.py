"""Operations: a request id and one JSON log line per request, Prometheus metrics, no caching of
what a signed-in caller sees, and the self-hosted API reference (`/docs`).

`RequestOps` is the outermost middleware of the app (see `app.main`). For every HTTP request it

- takes a well-formed `X-Request-ID` from the caller (a proxy's) or makes one, and returns it
  as the `X-Request-ID` response header;
- logs one JSON line on the `network_compass.access` logger: request id, method, route
  template (never the raw path: reset links carry secrets), status, duration in ms, the
  signed-in user's id and the workspace id when the path has one;
- counts the request and its latency in Prometheus metrics by route template, method, status;
- sets `Cache-Control: no-store` on every response to a caller that sent credentials (session
  cookie or `Authorization`) or that the guard signed in, so no shared or browser cache keeps
  a city's data.

`/metrics` answers a site administrator (session or API token) or `Authorization: Bearer
$NC_METRICS_TOKEN`; anyone else gets 401 (no credentials) or 403. With several uvicorn
workers, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory to add up all workers' counts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as generate_metrics
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import gettext as _

ACCESS_LOGGER: Final = "network_compass.access"
REQUEST_ID_HEADER: Final = "X-Request-ID"
_GOOD_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED: Final = "<unmatched>"
"""Route label of requests no route matched (keeps the metrics' label set small)."""

SWAGGER_JS: Final = "/static/vendor/swagger-ui-bundle.js"
SWAGGER_CSS: Final = "/static/vendor/swagger-ui.css"
SWAGGER_ICON: Final = "/static/img/compass.svg"
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

access_log = logging.getLogger(ACCESS_LOGGER)


def configure_access_log(level: str = "INFO") -> None:
    """Send the access log's JSON lines to stderr, one per line, unless a handler is set."""
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.propagate = False
    access_log.setLevel(level.upper())


class Metrics:
    """The app's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("route", "method", "status")
        self.requests = Counter(
            "nc_http_requests",
            "HTTP requests answered, by route template, method and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "nc_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response ends), in seconds.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method, str(status)).observe(seconds)

    def exposition(self) -> bytes:
        """The text format; all workers' counts when `PROMETHEUS_MULTIPROC_DIR` is set."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_metrics(registry)
        return generate_metrics(self.registry)


def route_template(scope: Scope) -> str:
    """The path template of the route that handled the request (`/workspaces/{workspace_id}`),
    the mount for static files, or `<unmatched>`."""
    # FastAPI >= 0.16x keeps the route as declared (without the router's prefix) in
    # scope["route"] and the included, prefixed form in its own part of the scope.
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(getattr(effective, "starlette_route", None), "path_format", None) or getattr(
        effective, "path_format", None
    )
    if isinstance(path, str):
        return path
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    mounted = str(scope.get("root_path", ""))
    if mounted:  # a mount such as /static: its children are one route
        return mounted + "/{path}"
    app = scope.get("app")
    for candidate in getattr(app, "routes", ()):
        try:
            match, _child = candidate.matches(scope)
        except Exception:  # a route that cannot judge this scope is not the one
            continue
        if match == Match.FULL:
            return str(getattr(candidate, "path", UNMATCHED)) or UNMATCHED
    return UNMATCHED


def _has_credentials(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return True
        if name == b"cookie" and b"nc_session=" in value:
            return True
    return False


class RequestOps:
    """ASGI middleware: request id, access log line, metrics and `Cache-Control: no-store`."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        request_id = incoming if _GOOD_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        credentials = _has_credentials(scope)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                if credentials or state.get("user") is not None:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(route, scope["method"], status, seconds)
            user = state.get("user")
            workspace = (scope.get("path_params") or {}).get("workspace_id")
            line = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "method": scope["method"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": getattr(user, "id", None),
                "workspace_id": int(workspace)
                if isinstance(workspace, str) and workspace.isascii() and workspace.isdigit()
                else workspace
                if isinstance(workspace, int)
                else None,
            }
            access_log.info(json.dumps(line, separators=(",", ":")))


# --- /metrics -------------------------------------------------------------------------------


def _metrics_status(request: Request) -> int:
    """200 for a site administrator or the metrics token, 401 for no or unknown credentials,
    403 for a signed-in caller who is not a site administrator."""
    from app import security
    from app.services import accounts

    header = request.headers.get("authorization", "")
    token: str = request.app.state.settings.metrics_token
    if header:
        scheme, _sep, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return 401
        if token and hmac.compare_digest(credentials.encode(), token.encode()):
            return 200
        with Session(request.app.state.engine) as session:
            user = accounts.resolve_api_token(session, credentials)
    else:
        cookie = security.session_token(request)
        if not cookie:
            return 401
        with Session(request.app.state.engine) as session:
            resolved = accounts.resolve_session(session, cookie)
        user = resolved[0] if resolved else None
    if user is None:
        return 401
    request.state.user = user
    return 200 if user.is_admin else 403


def metrics_endpoint(request: Request) -> Response:
    """Prometheus text format, for a site administrator or the metrics token's bearer."""
    status = _metrics_status(request)
    if status == 401:
        return JSONResponse(
            {"detail": _("Sign in as a site administrator or send the metrics token.")},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if status == 403:
        return JSONResponse(
            {"detail": _("Only site administrators and the metrics token may read metrics.")},
            status_code=403,
        )
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


# --- /docs ----------------------------------------------------------------------------------


def docs_html(app: FastAPI) -> bytes:
    """Swagger UI from the vendored files (no CDN)."""
    response = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} · API",
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url=SWAGGER_ICON,
    )
    return bytes(response.body)


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-...') for each inline <script> of `html`.

    >>> inline_script_hashes(b"<script>x()</script><script src='/a.js'></script>")
    ["'sha256-ubHjbbL7s3qUXTgZ+QX5pe3wQQyKdcnMLFEZFgeFPPA='"]
    """
    found = re.findall(rb"<script>(.*?)</script>", html, flags=re.DOTALL)
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in found
    ]


def docs_csp(html: bytes) -> str:
    """The page's policy: only this site's files, plus Swagger UI's one inline start-up script
    by its hash; inline styles (set by Swagger UI) and data: images allowed."""
    scripts = " ".join(["'self'", *inline_script_hashes(html)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )


def install(app: FastAPI) -> None:
    """Add `/docs`, `/metrics` and the middleware (call last: it must be outermost)."""
    metrics = Metrics()
    app.state.metrics = metrics
    html = docs_html(app)
    csp = docs_csp(html)

    def docs(_request: Request) -> Response:
        return Response(html, media_type="text/html")

    app.state.docs_csp = csp  # read by `security.SecurityHeaders` for this path
    app.add_route("/docs", docs, methods=["GET"], include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestOps, metrics=metrics)
