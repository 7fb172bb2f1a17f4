"""Operations: request ids, the JSON access log, /metrics, no-store, /docs without a CDN, and
reset links that end older ones."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterator

import pytest
from conftest import Login, MakeUser, bearer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models import Workspace
from app.ops import ACCESS_LOGGER
from app.services import accounts


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    handler = _Lines()
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


# --- request id and access log --------------------------------------------------------------


def test_one_json_line_per_request_with_route_user_and_workspace(
    client: TestClient, demo: Workspace, admin: object, access_lines: list[str]
) -> None:
    response = client.get(f"/api/v1/workspaces/{demo.id}")
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [json.loads(line) for line in access_lines]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == request_id
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/workspaces/{workspace_id}"
    assert line["status"] == 200
    assert line["workspace_id"] == demo.id
    assert line["user_id"] == admin.id  # type: ignore[attr-defined]
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0

    missing = client.get("/api/v1/workspaces/999999/scenarios")
    assert missing.status_code == 404
    line = json.loads(access_lines[-1])
    assert (line["route"], line["status"], line["workspace_id"]) == (
        "/api/v1/workspaces/{workspace_id}/scenarios",
        404,
        999999,
    )
    assert missing.headers["X-Request-ID"] != request_id


def test_request_id_from_a_proxy_is_kept_and_a_bad_one_replaced(
    anon_client: TestClient, access_lines: list[str]
) -> None:
    kept = anon_client.get("/healthz", headers={"X-Request-ID": "edge-42.a:b"})
    assert kept.headers["X-Request-ID"] == "edge-42.a:b"
    bad = anon_client.get("/healthz", headers={"X-Request-ID": 'x" injected\\'})
    assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["X-Request-ID"])
    unmatched = anon_client.get("/no/such/page/at/all")
    assert unmatched.status_code in {303, 404}
    routes = [json.loads(line)["route"] for line in access_lines]
    assert routes == ["/healthz", "/healthz", "<unmatched>"]
    assert json.loads(access_lines[0])["user_id"] is None


def test_log_never_holds_the_raw_path(anon_client: TestClient, access_lines: list[str]) -> None:
    anon_client.get("/reset/secret-token-value")
    assert access_lines
    assert all("secret-token-value" not in line for line in access_lines)


# --- Cache-Control --------------------------------------------------------------------------


def test_authenticated_responses_are_not_stored(
    client: TestClient,
    anon_client: TestClient,
    demo: Workspace,
    session: Session,
    make_user: MakeUser,
    login: Login,
) -> None:
    for path in ("/", f"/workspaces/{demo.id}", f"/api/v1/workspaces/{demo.id}", "/nope"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in anon_client.get("/login").headers.get("Cache-Control", "")
    make_user(session, "viewer@example.org", role="viewer", workspace=demo)
    login(anon_client, "viewer@example.org")
    page = anon_client.get(f"/workspaces/{demo.id}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"


# --- /metrics -------------------------------------------------------------------------------


@pytest.fixture
def metrics_app(database_url: str, engine: object) -> FastAPI:
    settings = Settings(
        database_url=database_url,
        migrate_on_start=False,
        secret_key="test-secret",
        metrics_token="scrape-me-0123456789",
    )
    return create_app(settings)


def test_metrics_for_admins_and_the_token_only(
    metrics_app: FastAPI, session: Session, demo: Workspace, make_user: MakeUser, login: Login
) -> None:
    admin_headers = bearer(session, accounts.get_user_by_email(session, "admin@example.org"))  # type: ignore[arg-type]
    viewer = make_user(session, "v@example.org", role="viewer", workspace=demo)
    with TestClient(metrics_app) as anon:
        assert anon.get("/metrics").status_code == 401
        assert anon.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert anon.get("/metrics", headers=bearer(session, viewer)).status_code == 403
        anon.get(f"/api/v1/workspaces/{demo.id}", headers=admin_headers)
        anon.get(f"/api/v1/workspaces/{demo.id}", headers=admin_headers)
        by_token = anon.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
        assert by_token.status_code == 200
        assert by_token.headers["content-type"].startswith("text/plain")
        text = by_token.text
        assert (
            'nc_http_requests_total{method="GET",route="/api/v1/workspaces/{workspace_id}",'
            'status="200"} 2.0' in text
        )
        assert (
            'nc_http_request_duration_seconds_bucket{le="+Inf",method="GET",'
            'route="/api/v1/workspaces/{workspace_id}",status="200"} 2.0' in text
        )
        assert 'route="/metrics",status="401"} 2.0' in text
        assert anon.get("/metrics", headers=admin_headers).status_code == 200
        login(anon, "v@example.org")
        assert anon.get("/metrics").status_code == 403
    with TestClient(metrics_app) as admin_browser:
        login(admin_browser, "admin@example.org")
        assert admin_browser.get("/metrics").status_code == 200


def test_metrics_token_unset_means_no_token_works(
    anon_client: TestClient,
) -> None:
    assert anon_client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


# --- /docs ----------------------------------------------------------------------------------


def test_docs_load_vendored_swagger_ui_under_a_strict_policy(anon_client: TestClient) -> None:
    page = anon_client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert "/static/vendor/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui.css" in html
    assert "http://" not in html
    assert "https://" not in html
    csp = page.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None
    assert script_src.group(1).split() == ["'self'", f"'sha256-{digest}'"]
    assert "unsafe-inline" not in script_src.group(1)
    assert "cdn" not in csp
    for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css"):
        response = anon_client.get(asset)
        assert response.status_code == 200
        assert len(response.content) > 100_000
    assert anon_client.get("/redoc").status_code in {303, 404}
    assert anon_client.get("/openapi.json").status_code == 200


# --- reset links ----------------------------------------------------------------------------


def test_a_newer_reset_link_ends_older_ones(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user(session, "max@example.org")
    first = accounts.create_reset(session, user)
    second = accounts.create_reset(session, user)
    assert accounts.find_reset(session, first) is None
    assert accounts.find_reset(session, second) is not None
    assert anon_client.get(f"/reset/{first}").status_code == 404
    assert anon_client.get(f"/reset/{second}").status_code == 200


def test_using_a_reset_link_ends_every_other_open_one(
    session: Session, make_user: MakeUser
) -> None:
    user = make_user(session, "ann@example.org")
    other_user = make_user(session, "bob@example.org")
    theirs = accounts.create_reset(session, other_user)
    used = accounts.create_reset(session, user)
    # an older link made by hand (e.g. left over from before this rule) also ends on use
    from app.models import PasswordReset
    from app.services.common import utcnow

    old_token = "older-link-token"
    session.add(
        PasswordReset(
            token_hash=accounts.digest(old_token),
            user_id=user.id or 0,
            expires_at=utcnow() + accounts.RESET_LIFETIME,
        )
    )
    session.commit()
    assert accounts.find_reset(session, old_token) is not None
    accounts.use_reset(session, used, "a long new password", "a long new password")
    assert accounts.find_reset(session, old_token) is None
    assert accounts.find_reset(session, used) is None
    assert accounts.find_reset(session, theirs) is not None  # other users' links untouched
