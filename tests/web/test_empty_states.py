"""Empty states: a workspace with no networks, or a network but no scores, no scenarios and no
budget, renders every page (no 5xx) and, where there is nothing to analyse, says what to do."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Network, Scenario, User, Workspace
from app.services import accounts
from app.services import workspaces as ws

PAGES = (
    "",
    "/scenarios",
    "/portfolio",
    "/overlap",
    "/robustness",
    "/priorities",
    "/scenarios/compare",
    "/calendar",
    "/methods",
    "/report",
    "/profile",
    "/audit",
    "/decisions",
    "/settings",
    "/members",
    "/data",
)
ANALYSIS_PAGES = ("", "/scenarios", "/portfolio", "/overlap", "/robustness", "/methods", "/report")


def _workspace(session: Session, admin: User, slug: str) -> Workspace:
    workspace = ws.create_workspace(session, {"slug": slug, "name": "Empty Town"}, actor="t")
    accounts.make_owner(session, workspace.id or 0, admin.id or 0)
    session.commit()
    return workspace


def test_a_workspace_without_networks_says_what_to_do(
    client: TestClient, session: Session, admin: User
) -> None:
    workspace = _workspace(session, admin, "empty-town")
    for path in PAGES:
        response = client.get(f"/workspaces/{workspace.id}{path}")
        assert response.status_code < 500, path
        if path in ANALYSIS_PAGES:
            assert response.status_code == 200, path
            assert "What to do next" in response.text, path
            assert f"/workspaces/{workspace.id}/profile#memberships" in response.text, path
    api = client.get(f"/api/v1/workspaces/{workspace.id}/scenarios")
    assert api.status_code == 200


@pytest.mark.parametrize("role", ["viewer"])
def test_a_viewer_is_told_whom_to_ask(
    app: object, session: Session, admin: User, make_user: object, role: str
) -> None:
    from conftest import bearer

    workspace = _workspace(session, admin, "empty-town")
    viewer = make_user(session, "viewer@example.org", role=role, workspace=workspace)  # type: ignore[operator]
    with TestClient(app, headers=bearer(session, viewer)) as c:  # type: ignore[arg-type]
        page = c.get(f"/workspaces/{workspace.id}/portfolio")
    assert page.status_code == 200
    assert "Ask an analyst or owner" in page.text


def test_one_network_without_scores_scenarios_or_budget_renders_every_page(
    client: TestClient, session: Session, admin: User
) -> None:
    workspace = _workspace(session, admin, "bare-town")
    session.add(Network(id="net-a", name="Network A"))
    session.commit()
    ws.create_membership(
        session, workspace, {"network_id": "net-a", "status": "candidate"}, actor="t"
    )
    for scenario in session.exec(select(Scenario).where(Scenario.workspace_id == workspace.id)):
        session.delete(scenario)
    session.commit()
    for path in (*PAGES, "/networks/net-a", "/networks/net-a/assess"):
        response = client.get(f"/workspaces/{workspace.id}{path}")
        assert response.status_code < 500, f"{path}: {response.text[:300]}"
        if path == "/methods":  # one network cannot be outranked: the page says so inline
            assert response.status_code in {200, 422}, path
            assert 'role="alert"' in response.text or "alert" in response.text, path
        elif path in ANALYSIS_PAGES or path == "/networks/net-a":
            assert response.status_code == 200, path
