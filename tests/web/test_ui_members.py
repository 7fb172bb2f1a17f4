"""The members page: owners manage roles through plain forms; others only read."""

from __future__ import annotations

from conftest import ADMIN_EMAIL, Login, MakeUser
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import User, Workspace, WorkspaceMember


def _role(session: Session, workspace: Workspace, email: str) -> str | None:
    session.expire_all()
    row = session.exec(
        select(WorkspaceMember)
        .join(User, User.id == WorkspaceMember.user_id)  # type: ignore[arg-type]
        .where(WorkspaceMember.workspace_id == workspace.id, User.email == email)
    ).first()
    return None if row is None else row.role


def test_owner_adds_changes_and_removes_a_member(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    make_user(session, "olga@example.org", "owner", demo)
    make_user(session, "nina@example.org")  # an account without a role here
    token = login(anon_client, "olga@example.org")
    url = f"/workspaces/{demo.id}/members"

    added = anon_client.post(
        url,
        data={"email": "nina@example.org", "role": "analyst", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert _role(session, demo, "nina@example.org") == "analyst"
    assert "nina@example.org" in anon_client.get(url).text

    nina = session.exec(select(User).where(User.email == "nina@example.org")).one()
    anon_client.post(f"{url}/{nina.id}", data={"role": "viewer", "csrf_token": token})
    assert _role(session, demo, "nina@example.org") == "viewer"
    anon_client.post(f"{url}/{nina.id}", data={"action": "remove", "csrf_token": token})
    assert _role(session, demo, "nina@example.org") is None


def test_refusals_are_shown_inline_and_change_nothing(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    owner = make_user(session, "solo@example.org", "owner", demo)
    token = login(anon_client, "solo@example.org")
    url = f"/workspaces/{demo.id}/members"

    unknown = anon_client.post(
        url, data={"email": "ghost@example.org", "role": "viewer", "csrf_token": token}
    )
    assert unknown.status_code == 422
    assert "No account for ghost@example.org" in unknown.text
    assert 'value="ghost@example.org"' in unknown.text  # what was typed is kept

    # the demo has two owners (the admin and solo): demoting both must stop at the last one
    admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
    assert (
        anon_client.post(
            f"{url}/{admin.id}", data={"role": "analyst", "csrf_token": token}
        ).status_code
        == 200
    )
    last = anon_client.post(f"{url}/{owner.id}", data={"role": "viewer", "csrf_token": token})
    assert last.status_code == 422
    assert "at least one owner" in last.text
    assert _role(session, demo, "solo@example.org") == "owner"


def test_analysts_read_the_list_but_cannot_change_it(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    make_user(session, "al@example.org", "analyst", demo)
    token = login(anon_client, "al@example.org")
    url = f"/workspaces/{demo.id}/members"

    page = anon_client.get(url)
    assert page.status_code == 200
    assert "al@example.org" in page.text
    assert "Add a member" not in page.text
    refused = anon_client.post(
        url, data={"email": "al@example.org", "role": "owner", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert _role(session, demo, "al@example.org") == "analyst"
