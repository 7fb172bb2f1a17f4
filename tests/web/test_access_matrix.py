"""The access matrix, generated from the app's own route table: every route and method, called
as anonymous, a user of another workspace, a site administrator without a workspace role, a
viewer, an analyst and an owner of the demo (and the owner against the other workspace), gets
exactly the allowed outcome; on every denial the database is unchanged (row counts of every
table and a checksum of the audit log). Routes added later are covered without editing this.

Expected outcomes:
- `@public` routes: never 401, never 5xx.
- anonymous elsewhere: 401 (API, and non-GET pages) or 303 to /login?next=... (page GETs).
- a path with `{workspace_id}` of a workspace the caller is not a member of: 404.
- a role below what the route demands (its `ReadWorkspace`/`EditWorkspace`/`OwnWorkspace`
  dependency, and at least analyst for a state-changing method): 403.
- state-changing catalogue routes: 403 for everyone but site administrators.
- anything else: allowed (not 401/403, no 5xx; GETs of workspace pages succeed).
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
from app.deps import REQUIRED_ROLE
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
from app.security import CATALOGUE_PREFIXES, UNSAFE_METHODS, is_public
from app.services import accounts
from app.services import workspaces as ws

ROLES = ("anonymous", "outsider", "admin", "viewer", "analyst", "owner", "owner->other")
"""Callers, in the order they are tried: every denial comes before the first allowed write."""
RANK = {"viewer": 0, "analyst": 1, "owner": 2}


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


def _required_role(route: Any) -> str | None:
    """The role the route's workspace dependency demands (searching nested dependencies)."""
    found: list[str] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call in REQUIRED_ROLE:
            found.append(REQUIRED_ROLE[dep.call])
        stack.extend(dep.dependencies)
    return max(found, key=RANK.__getitem__) if found else None


def expected(path: str, method: str, role: str) -> str:
    """'allow', or the denial: '401', '303', '403' or '404'."""
    route = _APP_ROUTES[(path, method)]
    unsafe = method in UNSAFE_METHODS
    if is_public(route.endpoint):
        return "public"
    if role == "anonymous":
        if path.startswith("/api/") or method != "GET":
            return "401"
        return "303"
    if "{workspace_id}" in path:
        if role in {"outsider", "admin", "owner->other"}:
            return "404"
        needed = _required_role(route) or ("analyst" if unsafe else "viewer")
        return "403" if RANK[role] < RANK[needed] else "allow"
    if unsafe and path.startswith(CATALOGUE_PREFIXES):
        return "allow" if role == "admin" else "403"
    return "allow"


def test_every_workspace_route_declares_its_role() -> None:
    """A route with `{workspace_id}` must take ReadWorkspace, EditWorkspace or OwnWorkspace."""
    unscoped = [
        f"{m} {p}"
        for (p, m), r in _APP_ROUTES.items()
        if "{workspace_id}" in p and _required_role(r) is None
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
