"""The access matrix: every route and method of the app, called as anonymous, a user of another
workspace, a site administrator without a workspace role, a viewer, an analyst and an owner of
the demo (and the owner against the other workspace), gets exactly the allowed outcome; on every
denial the database is unchanged (row counts of every table and a checksum of the audit log).

The minimum role of every route x method is written out below in `EXPECTED`, by hand, not read
from the route's own declaration: a route that declares too low a role (say `ReadWorkspace` on
a delete) lets a lower role through and fails here; a route added to the app without a row in
`EXPECTED` fails `test_every_route_has_a_row`. A state-changing method needs at least analyst
unless `READ_ONLY` names it with the reason (the ROC preview a viewer may post, sign-in, the
workshop participants' device-token endpoints under /w/ ...).

Expected outcomes, by the row's level:
- "public": never 401, never 5xx.
- anonymous elsewhere: 401 (API, and non-GET pages) or 303 to /login?next=... (page GETs).
- a path with `{workspace_id}` of a workspace the caller is not a member of: 404.
- "viewer" / "analyst" / "owner": 403 for a lower workspace role, allowed from that role up.
- "site admin": 403 for everyone but site administrators.
- "signed-in": allowed to every signed-in user (not 401/403, no 5xx; GETs succeed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from conftest import FIGURES, SEED_DIR, bearer
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, col, func, select

from app.config import Settings
from app.main import create_app
from app.models import (
    Assessment,
    AuditEntry,
    Decision,
    Membership,
    Scenario,
    User,
    WorkspaceMember,
)
from app.security import UNSAFE_METHODS, declared_role, is_public
from app.services import accounts
from app.services import workspaces as ws

ROLES = ("anonymous", "outsider", "admin", "viewer", "analyst", "owner", "owner->other")
"""Callers, in the order they are tried: every denial comes before the first allowed write."""


def _app_routes() -> dict[tuple[str, str], Any]:
    """(path, method) -> route, for every API and page route of the app (not /docs, static)."""
    app = create_app(Settings(database_url="sqlite://", migrate_on_start=False, secret_key="x"))
    return {
        (context.path, method): context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
        if method != "HEAD"
    }


_APP_ROUTES = _app_routes()
ROUTES = sorted(_APP_ROUTES)


EXPECTED: dict[tuple[str, str], str] = {
    ("/", "GET"): "signed-in",
    ("/account", "GET"): "signed-in",
    ("/account/language", "POST"): "signed-in",
    ("/account/password", "POST"): "signed-in",
    ("/account/tokens", "POST"): "signed-in",
    ("/account/tokens/{token_id}/revoke", "POST"): "signed-in",
    ("/api/v1/networks", "GET"): "signed-in",
    ("/api/v1/networks", "POST"): "site admin",
    ("/api/v1/networks/{network_id}", "DELETE"): "site admin",
    ("/api/v1/networks/{network_id}", "GET"): "signed-in",
    ("/api/v1/networks/{network_id}", "PATCH"): "site admin",
    ("/api/v1/networks/{network_id}/facts", "GET"): "signed-in",
    ("/api/v1/workspaces", "GET"): "signed-in",
    ("/api/v1/workspaces", "POST"): "signed-in",
    ("/api/v1/workspaces/{workspace_id}", "DELETE"): "owner",
    ("/api/v1/workspaces/{workspace_id}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}", "PATCH"): "owner",
    ("/api/v1/workspaces/{workspace_id}/ahp-synthesis", "POST"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/analysis", "POST"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/assessments", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/assessments", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/assessments/{assessment_id}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/assessments/{assessment_id}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/assessments/{assessment_id}", "PATCH"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/criteria", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/criteria", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/criteria/{criterion_key}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/decisions", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/decisions", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/decisions/{decision_id}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/decisions/{decision_id}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/decisions/{decision_id}", "PATCH"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/export.xlsx", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/export/template.xlsx", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/export/{sheet}.csv", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/gate-answers", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/gates", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/gates", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/gates/{gate_key}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/gates/{gate_key}/answers/{network_id}", "PUT"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/import", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/members", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/members", "POST"): "owner",
    ("/api/v1/workspaces/{workspace_id}/members/{user_id}", "DELETE"): "owner",
    ("/api/v1/workspaces/{workspace_id}/members/{user_id}", "PATCH"): "owner",
    ("/api/v1/workspaces/{workspace_id}/memberships", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/memberships", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/memberships/{membership_id}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/memberships/{membership_id}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/memberships/{membership_id}", "PATCH"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/memberships/{membership_id}/fee-estimate", "GET"): "viewer",
    (
        "/api/v1/workspaces/{workspace_id}/memberships/{membership_id}/fee-estimate",
        "POST",
    ): "analyst",
    ("/api/v1/workspaces/{workspace_id}/methods/{method}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/profile", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/profile", "PUT"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/rank-reversal", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/realised", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/reports/analysis", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/reports/networks/{network_id}.{fmt}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/reports/workspace.{fmt}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/scenarios", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/scenarios", "POST"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/scenarios/{scenario_id}", "DELETE"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/scenarios/{scenario_id}", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/scenarios/{scenario_id}", "PATCH"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/scenarios/{scenario_id}/analysis", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/settings", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/settings", "PATCH"): "analyst",
    ("/api/v1/workspaces/{workspace_id}/workshops", "GET"): "viewer",
    ("/api/v1/workspaces/{workspace_id}/workshops/{workshop_id}", "GET"): "viewer",
    ("/calendar/{token}.ics", "GET"): "public",
    ("/glossary", "GET"): "public",
    ("/healthz", "GET"): "public",
    ("/login", "GET"): "public",
    ("/login", "POST"): "public",
    ("/logout", "POST"): "public",
    ("/networks", "GET"): "signed-in",
    ("/networks/{network_id}", "GET"): "signed-in",
    ("/reset/{token}", "GET"): "public",
    ("/reset/{token}", "POST"): "public",
    ("/w", "GET"): "public",
    ("/w/{code}", "GET"): "public",
    ("/w/{code}/events", "GET"): "public",
    ("/w/{code}/join", "POST"): "public",
    ("/w/{code}/preview", "POST"): "public",
    ("/w/{code}/submit", "POST"): "public",
    ("/workspaces/{workspace_id}", "GET"): "viewer",
    ("/workspaces/{workspace_id}/audit", "GET"): "viewer",
    ("/workspaces/{workspace_id}/audit.csv", "GET"): "viewer",
    ("/workspaces/{workspace_id}/audit/{entry_id}/revert", "POST"): "analyst",
    ("/workspaces/{workspace_id}/calendar", "GET"): "viewer",
    ("/workspaces/{workspace_id}/calendar.ics", "GET"): "viewer",
    ("/workspaces/{workspace_id}/calendar/feed", "POST"): "analyst",
    ("/workspaces/{workspace_id}/data", "GET"): "viewer",
    ("/workspaces/{workspace_id}/data/import", "POST"): "analyst",
    ("/workspaces/{workspace_id}/data/template.xlsx", "GET"): "viewer",
    ("/workspaces/{workspace_id}/data/workspace.xlsx", "GET"): "viewer",
    ("/workspaces/{workspace_id}/data/{sheet}.csv", "GET"): "viewer",
    ("/workspaces/{workspace_id}/decisions", "GET"): "viewer",
    ("/workspaces/{workspace_id}/decisions", "POST"): "analyst",
    ("/workspaces/{workspace_id}/decisions/{decision_id}/delete", "POST"): "analyst",
    ("/workspaces/{workspace_id}/members", "GET"): "viewer",
    ("/workspaces/{workspace_id}/members", "POST"): "owner",
    ("/workspaces/{workspace_id}/members/{user_id}", "POST"): "owner",
    ("/workspaces/{workspace_id}/memberships", "GET"): "viewer",
    ("/workspaces/{workspace_id}/methods", "GET"): "viewer",
    ("/workspaces/{workspace_id}/methods/ahp", "GET"): "viewer",
    ("/workspaces/{workspace_id}/networks/{network_id}", "GET"): "viewer",
    ("/workspaces/{workspace_id}/networks/{network_id}/assess", "GET"): "viewer",
    ("/workspaces/{workspace_id}/networks/{network_id}/assess", "POST"): "analyst",
    ("/workspaces/{workspace_id}/networks/{network_id}/report", "GET"): "viewer",
    ("/workspaces/{workspace_id}/networks/{network_id}/report.{fmt}", "GET"): "viewer",
    ("/workspaces/{workspace_id}/overlap", "GET"): "viewer",
    ("/workspaces/{workspace_id}/portfolio", "GET"): "viewer",
    ("/workspaces/{workspace_id}/priorities", "GET"): "viewer",
    ("/workspaces/{workspace_id}/priorities/preview", "POST"): "viewer",
    ("/workspaces/{workspace_id}/priorities/{tool}", "POST"): "viewer",
    ("/workspaces/{workspace_id}/profile", "GET"): "viewer",
    ("/workspaces/{workspace_id}/profile", "POST"): "analyst",
    ("/workspaces/{workspace_id}/profile/memberships", "POST"): "analyst",
    ("/workspaces/{workspace_id}/profile/memberships/{membership_id}", "POST"): "analyst",
    ("/workspaces/{workspace_id}/report", "GET"): "viewer",
    ("/workspaces/{workspace_id}/report.{fmt}", "GET"): "viewer",
    ("/workspaces/{workspace_id}/robustness", "GET"): "viewer",
    ("/workspaces/{workspace_id}/scenarios", "GET"): "viewer",
    ("/workspaces/{workspace_id}/scenarios", "POST"): "analyst",
    ("/workspaces/{workspace_id}/scenarios/compare", "GET"): "viewer",
    ("/workspaces/{workspace_id}/scenarios/{scenario_id}/default", "POST"): "owner",
    ("/workspaces/{workspace_id}/scenarios/{scenario_id}/duplicate", "POST"): "analyst",
    ("/workspaces/{workspace_id}/settings", "GET"): "viewer",
    ("/workspaces/{workspace_id}/settings", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops", "GET"): "viewer",
    ("/workspaces/{workspace_id}/workshops", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}", "GET"): "viewer",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/aggregation", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/close", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/events", "GET"): "viewer",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/freeze", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/hide", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/qr.svg", "GET"): "viewer",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/reveal", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/rounds", "POST"): "analyst",
    ("/workspaces/{workspace_id}/workshops/{workshop_id}/rounds/close", "POST"): "analyst",
}
"""The minimum level of every route x method, reviewed by hand: "public", "signed-in" (any
signed-in user), "viewer", "analyst", "owner" (a role in the workspace of the path) or
"site admin". Adding a route means adding its row here, deliberately."""

READ_ONLY: dict[tuple[str, str], str] = {
    ("/login", "POST"): "signs in; changes only the caller's own session",
    ("/logout", "POST"): "signs out; ends only the caller's own session",
    ("/reset/{token}", "POST"): "the reset link itself is the credential",
    ("/w/{code}/join", "POST"): "workshop participant, anonymous by design (device token)",
    ("/w/{code}/preview", "POST"): "workshop participant's preview, stores nothing",
    ("/w/{code}/submit", "POST"): "workshop participant's own submission (device token)",
    ("/account/language", "POST"): "the caller's own language",
    ("/account/password", "POST"): "the caller's own password",
    ("/account/tokens", "POST"): "the caller's own API token",
    ("/account/tokens/{token_id}/revoke", "POST"): "the caller's own API token",
    ("/api/v1/workspaces", "POST"): "a new workspace, owned by the caller",
    ("/api/v1/workspaces/{workspace_id}/analysis", "POST"): "ad-hoc analysis, stores nothing",
    ("/api/v1/workspaces/{workspace_id}/ahp-synthesis", "POST"): "AHP computation, stores nothing",
    ("/workspaces/{workspace_id}/priorities/preview", "POST"): "live preview, stores nothing",
    ("/workspaces/{workspace_id}/priorities/{tool}", "POST"): "ROC/SWING/AHP tool, stores nothing",
}
"""State-changing methods allowed below analyst, each with the reason. A viewer's call to one
of these inside a workspace must leave the database unchanged (checked by the matrix)."""

LEVELS = ("public", "signed-in", "viewer", "analyst", "owner", "site admin")
RANK = {"viewer": 0, "analyst": 1, "owner": 2}


def test_every_route_has_a_row() -> None:
    """A route in the app without a row fails, and so does a row for a route that is gone."""
    assert sorted(set(_APP_ROUTES) - set(EXPECTED)) == [], "add these routes to EXPECTED"
    assert sorted(set(EXPECTED) - set(_APP_ROUTES)) == [], "these routes no longer exist"
    assert set(EXPECTED.values()) <= set(LEVELS)
    assert set(READ_ONLY) <= set(EXPECTED)


def test_unsafe_methods_need_an_analyst_unless_named_read_only() -> None:
    low = [
        f"{method} {path}: {EXPECTED[(path, method)]}"
        for path, method in EXPECTED
        if method in UNSAFE_METHODS
        and EXPECTED[(path, method)] in {"public", "signed-in", "viewer"}
        and (path, method) not in READ_ONLY
    ]
    assert low == []


def test_the_table_and_the_routes_declarations_agree() -> None:
    """Fails fast, with a readable list, where a route declares another role than the table
    (the matrix below fails too, by calling it)."""
    differ = []
    for key, route in _APP_ROUTES.items():
        want = EXPECTED.get(key)
        declared = "public" if is_public(route.endpoint) else declared_role(route.original_route)
        if (want in RANK or want == "public" or declared is not None) and declared != want:
            differ.append(f"{key[1]} {key[0]}: table {want}, route {declared}")
    assert differ == []


def expected(path: str, method: str, role: str) -> str:
    """'allow', or the denial: '401', '303', '403' or '404'."""
    level = EXPECTED[(path, method)]
    if level == "public":
        return "public"
    if role == "anonymous":
        if path.startswith("/api/") or method != "GET":
            return "401"
        return "303"
    if "{workspace_id}" in path:
        if role in {"outsider", "admin", "owner->other"}:
            return "404"
        if level not in RANK:  # a workspace route must name a workspace role
            return "misfiled"
        return "403" if RANK[role] < RANK[level] else "allow"
    if level == "site admin":
        return "allow" if role == "admin" else "403"
    assert level == "signed-in", (path, method, level)
    return "allow"


def test_every_workspace_route_names_a_workspace_role() -> None:
    """A route with `{workspace_id}` must need viewer, analyst or owner, in the table and in
    its declaration (ReadWorkspace, EditWorkspace or OwnWorkspace)."""
    unscoped = [
        f"{m} {p}"
        for (p, m), r in _APP_ROUTES.items()
        if "{workspace_id}" in p
        and (EXPECTED.get((p, m)) not in RANK or declared_role(r.original_route) is None)
    ]
    assert unscoped == []


def _state(session: Session) -> tuple[dict[str, int], str]:
    """Row counts of every table and a checksum of the audit log."""
    session.expire_all()
    counts = {
        name: session.exec(select(func.count()).select_from(table)).one()  # type: ignore[call-overload]
        for name, table in SQLModel.metadata.tables.items()
    }
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    digest = hashlib.sha256(
        json.dumps([r.model_dump(mode="json") for r in rows], sort_keys=True).encode()
    ).hexdigest()
    return counts, digest


class World:
    """The demo, a second workspace, one user per role and the path parameters to use."""

    def __init__(self, session: Session) -> None:
        from app.seed import seed

        seed(session, SEED_DIR)
        demo = ws.get_workspace_by_slug(session, "example-city")
        assert demo is not None
        other = ws.create_workspace(
            session, {"slug": "other-city", "name": "Other City", "profile": {}}, actor="test"
        )
        self.demo, self.other = demo, other
        self.headers: dict[str, dict[str, str]] = {"anonymous": {}}
        users: dict[str, User] = {}
        for role in ("outsider", "admin", "viewer", "analyst", "owner"):
            user = accounts.create_user(session, f"{role}@example.org", admin=role == "admin")
            users[role] = user
            if role in RANK:
                session.add(
                    WorkspaceMember(workspace_id=demo.id or 0, user_id=user.id or 0, role=role)
                )
            session.commit()
            self.headers[role] = bearer(session, user)
        accounts.make_owner(session, other.id or 0, users["outsider"].id or 0)
        session.commit()
        self.headers["owner->other"] = self.headers["owner"]

        def first(model: Any) -> int:
            row = session.exec(select(model).where(model.workspace_id == demo.id)).first()
            assert row is not None
            return int(row.id)

        ws.add_custom_criterion(
            session,
            demo,
            {
                "key": "eu_funding",
                "title": "Access to EU funding",
                "description": "Help in reaching EU programmes.",
                "questions": ["Did it help a bid?", "Does it run EU projects?"],
                "anchors": {1: "No", 2: "Little", 3: "Some", 4: "Much", 5: "Decisive"},
            },
            actor="test",
        )
        membership = session.get(Membership, first(Membership))
        assert membership is not None
        decision = Decision(
            workspace_id=demo.id or 0,
            network_id=membership.network_id,
            action="stay",
            decided_on=date(2026, 3, 1),
            body="City Council",
        )
        session.add(decision)
        session.commit()
        from app.services import workshop as wk

        workshop = wk.create_workshop(
            session, demo, title="Matrix", scenario_id=None, groups=[], actor="test"
        )
        self.params: dict[str, str] = {
            "membership_id": str(first(Membership)),
            "assessment_id": str(first(Assessment)),
            "scenario_id": str(first(Scenario)),
            "network_id": membership.network_id,
            "user_id": str(users["analyst"].id),
            "token_id": "999999",
            "token": "not-a-real-token",
            "criterion_key": "eu_funding",
            "gate_key": "entry_conditions",  # the demo's own manual gate
            "decision_id": str(decision.id),
            "sheet": "assessments",
            "workshop_id": str(workshop.id),
            "code": workshop.code,
            "entry_id": str(
                session.exec(
                    select(AuditEntry.id)
                    .where(AuditEntry.workspace_id == demo.id)
                    .order_by(col(AuditEntry.id).desc())
                ).first()
            ),
        }

    def all_real(self, path: str) -> bool:
        """True when every parameter of `path` is filled with an id that exists."""
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        return all(n == "workspace_id" or n in self.params for n in names) and not any(
            n in {"token_id", "token"} for n in names
        )

    def url(self, path: str, role: str) -> str:
        workspace = self.other if role == "owner->other" else self.demo
        values = self.params | {"workspace_id": str(workspace.id)}
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        while "{" in path:  # a parameter this test does not know: any value
            start = path.index("{")
            path = path[:start] + "1" + path[path.index("}", start) + 1 :]
        return path


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


@pytest.fixture
def caller(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_access_matrix(
    path: str, method: str, world: World, caller: TestClient, session: Session
) -> None:
    unsafe = method in UNSAFE_METHODS
    changed = False
    for role in ROLES:
        if role == "owner->other" and "{workspace_id}" not in path:
            continue
        want = expected(path, method, role)
        before = _state(session)
        response = caller.request(
            method,
            world.url(path, role),
            headers=world.headers[role],
            json={} if unsafe else None,
            follow_redirects=False,
        )
        status = response.status_code
        where = f"{method} {path} as {role}: {status} {response.text[:200]}"
        FIGURES["access matrix route x role cases checked"] = (
            FIGURES.get("access matrix route x role cases checked", 0) + 1
        )
        assert status < 500, where
        if want == "public":
            assert status != 401, where
        elif want == "allow":
            assert status not in {401, 403}, where
            location = response.headers.get("location", "")
            assert not location.startswith("/login"), where
            if not unsafe and world.all_real(path):
                assert status < 400 or status == 422, where  # 422: a required query field
            if unsafe and not changed and "{workspace_id}" in path:
                assert status != 404, where  # members find their own data
            if unsafe and (path, method) in READ_ONLY and "{workspace_id}" in path:
                assert _state(session) == before, f"{where}: a read-only POST changed the database"
            changed = changed or (unsafe and status < 400)
        else:
            assert str(status) == want, where
            if want == "303":
                assert response.headers["location"].startswith("/login?next="), where
            assert _state(session) == before, f"{where}: the database changed on a denial"


def test_walled_off_second_city_sees_nothing_of_the_first(world: World, caller: TestClient) -> None:
    """Through the listing, too: the outsider's workspace list holds only its own city."""
    listed = caller.get("/api/v1/workspaces", headers=world.headers["outsider"]).json()
    assert [w["slug"] for w in listed] == ["other-city"]
    home = caller.get("/", headers=world.headers["outsider"])
    assert "Example City" not in home.text
    assert "Other City" in home.text
