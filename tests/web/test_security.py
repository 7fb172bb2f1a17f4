"""Accounts and hardening: sign-in, rate limit, sessions, CSRF, API tokens, reset links,
members, the audit log, security headers and the first-run CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import PASSWORD, Login, MakeUser, bearer, csrf_of
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app import cli
from app.models import (
    ApiToken,
    AuditEntry,
    LoginAttempt,
    PasswordReset,
    Scenario,
    User,
    UserSession,
    Workspace,
    utcnow,
)
from app.security import CSP, SESSION_COOKIE
from app.services import accounts


def _count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _cli_url(session: Session) -> str:
    """The test database's URL for the CLI, stamped as migrated (the fixture used create_all)."""
    from alembic import command

    from app.db import alembic_config

    engine = session.get_bind()
    command.stamp(alembic_config(engine), "head")  # type: ignore[arg-type]
    return engine.url.render_as_string(hide_password=False)


def _scenario_body(name: str = "Test") -> dict[str, Any]:
    return {"name": name, "method": "weighted_sum", "weights": {"sharp_focus": 3}}


# --- headers and anonymous callers ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/js/app.js", "/nope", "/"])
def test_security_headers_on_every_response(anon_client: TestClient, path: str) -> None:
    response = anon_client.get(path, follow_redirects=False)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_docs_get_their_own_policy(anon_client: TestClient) -> None:
    response = anon_client.get("/docs")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert anon_client.get("/openapi.json").status_code == 200


def test_anonymous_api_is_401_and_pages_redirect_to_login(
    anon_client: TestClient, demo: Workspace
) -> None:
    api = anon_client.get(f"/api/v1/workspaces/{demo.id}")
    assert api.status_code == 401
    assert api.headers["WWW-Authenticate"] == "Bearer"
    page = anon_client.get(f"/workspaces/{demo.id}/memberships", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=%2Fworkspaces%2F{demo.id}%2Fmemberships"


def test_a_bad_bearer_token_is_401(anon_client: TestClient) -> None:
    response = anon_client.get("/api/v1/networks", headers={"Authorization": "Bearer nc_nope"})
    assert response.status_code == 401


# --- sign-in --------------------------------------------------------------------------------


def test_sign_in_sets_a_hardened_cookie_and_goes_to_next(
    anon_client: TestClient, session: Session, make_user: MakeUser, demo: Workspace
) -> None:
    make_user(session, "vera@example.org", "viewer", demo)
    page = anon_client.get("/login?next=/account")
    response = anon_client.post(
        "/login",
        data={
            "email": "Vera@Example.org ",
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http here; https gets Secure
    home = anon_client.get("/")
    assert "vera@example.org" in home.text
    assert "Example City" in home.text


def test_sign_in_over_https_marks_the_cookie_secure(
    app: FastAPI, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "sam@example.org")
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"email": "sam@example.org", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()
    assert "Strict-Transport-Security" in response.headers


def test_next_cannot_leave_the_site(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "olga@example.org")
    token = csrf_of(anon_client.get("/login").text)
    response = anon_client.post(
        "/login",
        data={
            "email": "olga@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_password_shows_an_inline_error(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "wes@example.org")
    token = csrf_of(anon_client.get("/login").text)
    response = anon_client.post(
        "/login", data={"email": "wes@example.org", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "The email or password is not right." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_login_rate_limit_per_address(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "rita@example.org")
    token = csrf_of(anon_client.get("/login").text)
    for _ in range(4):  # four earlier failures, recorded as the app records them
        session.add(LoginAttempt(email="rita@example.org", ip="10.0.0.9", at=utcnow()))
    session.commit()
    form = {"email": "rita@example.org", "password": "wrong", "csrf_token": token}
    assert anon_client.post("/login", data=form).status_code == 400  # the fifth failure

    blocked = anon_client.post("/login", data=form | {"password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins for this address. Try again in 15 minutes." in blocked.text
    assert _count(session, UserSession) == 0

    # the failures age out of the 15-minute window: the right password works again
    for attempt in session.exec(select(LoginAttempt)):
        attempt.at = utcnow() - timedelta(minutes=16)
        session.add(attempt)
    session.commit()
    response = anon_client.post(
        "/login", data=form | {"password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_login_rate_limit_per_ip(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "ida@example.org")
    token = csrf_of(anon_client.get("/login").text)
    for i in range(20):  # TestClient's address is "testclient"
        session.add(LoginAttempt(email=f"u{i}@example.org", ip="testclient", at=utcnow()))
    session.commit()
    blocked = anon_client.post(
        "/login", data={"email": "ida@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Try again in" in blocked.text


# --- sessions end at once -------------------------------------------------------------------


def test_logout_revokes_the_session_even_for_a_copied_cookie(
    app: FastAPI,
    anon_client: TestClient,
    session: Session,
    make_user: MakeUser,
    login: Login,
    demo: Workspace,
) -> None:
    make_user(session, "lea@example.org", "analyst", demo)
    csrf = login(anon_client, "lea@example.org", PASSWORD)
    stolen = anon_client.cookies[SESSION_COOKIE]
    assert (
        anon_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    with TestClient(app, cookies={SESSION_COOKIE: stolen}) as other:
        assert other.get(f"/api/v1/workspaces/{demo.id}").status_code == 401
        assert other.get("/account", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_sessions_and_tokens_at_once(
    anon_client: TestClient,
    session: Session,
    make_user: MakeUser,
    login: Login,
    demo: Workspace,
) -> None:
    user = make_user(session, "dan@example.org", "owner", demo)
    headers = bearer(session, user)
    login(anon_client, "dan@example.org", PASSWORD)
    assert anon_client.get(f"/api/v1/workspaces/{demo.id}").status_code == 200
    assert anon_client.get(f"/api/v1/workspaces/{demo.id}", headers=headers).status_code == 200

    url = _cli_url(session)
    assert cli.main(["--database-url", url, "disable-user", "DAN@example.org"]) == 0

    assert anon_client.get(f"/api/v1/workspaces/{demo.id}").status_code == 401
    assert anon_client.get(f"/api/v1/workspaces/{demo.id}", headers=headers).status_code == 401
    fresh = anon_client.post(
        "/login",
        data={
            "email": "dan@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_of(anon_client.get("/login").text),
        },
    )
    assert fresh.status_code == 400


# --- CSRF -----------------------------------------------------------------------------------


def test_csrf_is_required_for_cookie_sessions_and_nothing_changes_without_it(
    anon_client: TestClient,
    session: Session,
    make_user: MakeUser,
    login: Login,
    demo: Workspace,
) -> None:
    make_user(session, "ann@example.org", "analyst", demo)
    csrf = login(anon_client, "ann@example.org", PASSWORD)
    url = f"/api/v1/workspaces/{demo.id}/scenarios"
    scenarios, audits, tokens = (_count(session, m) for m in (Scenario, AuditEntry, ApiToken))

    missing = anon_client.post(url, json=_scenario_body())
    wrong = anon_client.post(url, json=_scenario_body(), headers={"X-CSRF-Token": "x" * 64})
    form_missing = anon_client.post("/account/tokens", data={"name": "cli"})
    form_wrong = anon_client.post("/account/tokens", data={"name": "cli", "csrf_token": "bad"})

    for response in (missing, wrong, form_missing, form_wrong):
        assert response.status_code == 403
        assert "did not come from this site" in response.text
    assert (_count(session, Scenario), _count(session, AuditEntry)) == (scenarios, audits)
    assert _count(session, ApiToken) == tokens

    ok = anon_client.post(url, json=_scenario_body(), headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    form_ok = anon_client.post("/account/tokens", data={"name": "cli", "csrf_token": csrf})
    assert form_ok.status_code == 201
    assert _count(session, Scenario) == scenarios + 1
    assert _count(session, ApiToken) == tokens + 1


def test_login_form_needs_its_pre_session_token(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user(session, "tom@example.org")
    form = {"email": "tom@example.org", "password": PASSWORD}
    assert anon_client.post("/login", data=form).status_code == 403
    assert anon_client.post("/login", data=form | {"csrf_token": "forged"}).status_code == 403
    assert _count(session, UserSession) == 0
    assert _count(session, LoginAttempt) == 0


# --- API tokens -----------------------------------------------------------------------------


def test_api_tokens_are_hashed_at_rest_and_revocable(
    anon_client: TestClient,
    session: Session,
    make_user: MakeUser,
    login: Login,
    demo: Workspace,
) -> None:
    make_user(session, "ike@example.org", "viewer", demo)
    csrf = login(anon_client, "ike@example.org", PASSWORD)
    page = anon_client.post("/account/tokens", data={"name": "dashboard", "csrf_token": csrf})
    secret = page.text.split('<code id="new-token">')[1].split("</code>")[0]
    row = session.exec(select(ApiToken).where(ApiToken.name == "dashboard")).one()
    assert secret not in row.token_hash
    assert row.token_hash == accounts.digest(secret)

    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(anon_client.app) as api:
        assert api.get(f"/api/v1/workspaces/{demo.id}", headers=headers).status_code == 200
        # bearer requests need no CSRF token; a viewer still may not write
        assert (
            api.post(
                f"/api/v1/workspaces/{demo.id}/scenarios", json=_scenario_body(), headers=headers
            ).status_code
            == 403
        )
        revoke = anon_client.post(
            f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert revoke.status_code == 303
        assert api.get(f"/api/v1/workspaces/{demo.id}", headers=headers).status_code == 401


def test_one_user_cannot_revoke_another_users_token(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    other = make_user(session, "zoe@example.org")
    _, row = accounts.create_api_token(session, other.id or 0, "hers")
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    session.refresh(row)
    assert row.revoked_at is None


# --- one-time reset links -------------------------------------------------------------------


def test_reset_link_is_single_use_and_signs_in(
    anon_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user(session, "max@example.org")
    old_session, _ = accounts.start_session(session, user)
    token = accounts.create_reset(session, user)
    page = anon_client.get(f"/reset/{token}")
    assert page.status_code == 200
    assert "max@example.org" in page.text
    csrf = csrf_of(page.text)

    short = anon_client.post(
        f"/reset/{token}", data={"password": "short", "confirm": "short", "csrf_token": csrf}
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text

    done = anon_client.post(
        f"/reset/{token}",
        data={
            "password": "a new long password",
            "confirm": "a new long password",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert accounts.resolve_session(session, old_session) is None  # other sessions ended
    assert anon_client.get("/account").status_code == 200  # signed in by the link

    again = anon_client.get(f"/reset/{token}")
    assert again.status_code == 404
    assert "no longer works" in again.text
    session.expire_all()
    assert accounts.verify_password(session.get(User, user.id), "a new long password")


def test_reset_link_expires(anon_client: TestClient, session: Session, make_user: MakeUser) -> None:
    user = make_user(session, "eve@example.org")
    token = accounts.create_reset(session, user)
    row = session.exec(select(PasswordReset)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert anon_client.get(f"/reset/{token}").status_code == 404


# --- workspaces, members, audit -------------------------------------------------------------


def test_workspace_list_shows_only_your_workspaces_and_creating_makes_you_owner(
    client: TestClient, session: Session, make_user: MakeUser, demo: Workspace
) -> None:
    outsider = make_user(session, "out@example.org")
    headers = bearer(session, outsider)
    assert client.get("/api/v1/workspaces").json()[0]["slug"] == "example-city"
    assert client.get("/api/v1/workspaces", headers=headers).json() == []

    created = client.post(
        "/api/v1/workspaces",
        json={"slug": "b-town", "name": "B Town", "profile": {}},
        headers=headers,
    )
    assert created.status_code == 201
    mine = client.get("/api/v1/workspaces", headers=headers).json()
    assert [w["slug"] for w in mine] == ["b-town"]
    members = client.get(
        f"/api/v1/workspaces/{created.json()['id']}/members", headers=headers
    ).json()
    assert [(m["email"], m["role"]) for m in members] == [("out@example.org", "owner")]
    # the admin of the catalogue cannot see B Town
    assert client.get(f"/api/v1/workspaces/{created.json()['id']}").status_code == 404


def test_members_are_managed_by_owners_and_the_last_owner_is_kept(
    client: TestClient, session: Session, make_user: MakeUser, admin: User, demo: Workspace
) -> None:
    make_user(session, "new@example.org")
    url = f"/api/v1/workspaces/{demo.id}/members"
    added = client.post(url, json={"email": "NEW@example.org", "role": "viewer"})
    assert added.status_code == 201, added.text
    uid = added.json()["user_id"]
    assert client.patch(f"{url}/{uid}", json={"role": "analyst"}).json()["role"] == "analyst"
    unknown = client.post(url, json={"email": "ghost@example.org", "role": "viewer"})
    assert unknown.status_code == 422
    assert "create-user" in unknown.text

    last = client.patch(f"{url}/{admin.id}", json={"role": "viewer"})
    assert last.status_code == 422
    assert "at least one owner" in last.text
    assert client.delete(f"{url}/{admin.id}").status_code == 422
    assert client.delete(f"{url}/{uid}").status_code == 204

    log = client.get(f"/workspaces/{demo.id}/audit.csv", params={"entity": "member"})
    lines = log.text.strip().splitlines()
    assert lines[0] == "at,actor,action,entity,entity_key,before,after"
    assert [line.split(",")[2] for line in lines[1:]] == ["delete", "update", "create"]
    assert all(",admin@example.org," in line for line in lines[1:])


def test_audit_page_filters_and_paginates(client: TestClient, demo: Workspace) -> None:
    url = f"/api/v1/workspaces/{demo.id}/scenarios"
    for i in range(3):
        assert client.post(url, json=_scenario_body(f"S{i}")).status_code == 201
    page = client.get(f"/workspaces/{demo.id}/audit", params={"entity": "scenario"})
    assert page.status_code == 200
    assert "3 entries" in page.text
    assert page.text.count("admin@example.org</td>") == 3
    none = client.get(
        f"/workspaces/{demo.id}/audit", params={"entity": "scenario", "until": "2000-01-01"}
    )
    assert "0 entries" in none.text
    bad = client.get(f"/workspaces/{demo.id}/audit", params={"since": "yesterday"})
    assert bad.status_code == 422
    assert "Use a date like" in bad.text


def test_no_route_can_change_the_audit_log(app: FastAPI) -> None:
    """Entries are only ever appended: the one writing route, the revert, adds an entry."""
    for route in app.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or set()
        if "audit" in path and not path.endswith("/audit/{entry_id}/revert"):
            assert methods <= {"GET", "HEAD"}, path


# --- first run ------------------------------------------------------------------------------


def test_first_run_creates_the_demo_owner_with_a_sign_in_link(
    anon_client: TestClient, session: Session, demo: Workspace
) -> None:
    for user in session.exec(select(User)):
        session.delete(user)
    session.commit()
    token = cli.bootstrap_first_user(session, "owner@example.org")
    assert token
    assert cli.bootstrap_first_user(session, "second@example.org") is None

    page = anon_client.get(f"/reset/{token}")
    response = anon_client.post(
        f"/reset/{token}",
        data={
            "password": "the owner's password",
            "confirm": "the owner's password",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert anon_client.get(f"/api/v1/workspaces/{demo.id}/members").json()[0]["role"] == "owner"


def test_cli_create_user_prints_a_link_that_works(
    anon_client: TestClient,
    session: Session,
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _cli_url(session)
    code = cli.main(
        [
            "--database-url",
            url,
            "create-user",
            "Vi@Example.org",
            "--workspace",
            "example-city",
            "--role",
            "viewer",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "viewer of 'example-city'" in out
    link = out.strip().splitlines()[-1].split()[-1]
    assert link.startswith("http://127.0.0.1:8000/reset/")
    path = link.removeprefix("http://127.0.0.1:8000")
    assert anon_client.get(path).status_code == 200
