"""Ids are never handed out twice and a workspace's audit trail goes with it (issue 14's leak).

City C creates the newest workspace, works in it and deletes it; city B then creates one. On
SQLite without AUTOINCREMENT B's workspace took C's id and B read C's whole audit history at
`/workspaces/N/audit`, `?entity=membership` and `audit.csv`. Run on both databases.
"""

from __future__ import annotations

from conftest import MakeUser, bearer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.models import AuditEntry, Network

SECRET_NOTE = "C-council-confidential-note"
C_EMAIL = "owner@city-c.example.org"


def _network(session: Session) -> str:
    session.add(Network(id="net-a", name="Network A"))
    session.commit()
    return "net-a"


def test_a_new_workspace_never_reads_a_deleted_ones_audit_trail(
    app: FastAPI, session: Session, make_user: MakeUser
) -> None:
    network = _network(session)
    city_c = bearer(session, make_user(session, C_EMAIL))
    city_b = bearer(session, make_user(session, "owner@city-b.example.org"))
    with TestClient(app) as client:
        first = client.post(
            "/api/v1/workspaces", json={"slug": "city-a", "name": "City A"}, headers=city_b
        )
        assert first.status_code == 201, first.text
        made = client.post(
            "/api/v1/workspaces", json={"slug": "city-c", "name": "City C"}, headers=city_c
        )
        assert made.status_code == 201, made.text
        c_id = made.json()["id"]
        base = f"/api/v1/workspaces/{c_id}"
        member = client.post(
            f"{base}/memberships",
            json={"network_id": network, "status": "member", "notes": SECRET_NOTE},
            headers=city_c,
        )
        assert member.status_code == 201, member.text
        scenario = client.post(
            f"{base}/scenarios",
            json={"name": "C secret plan", "weights": {"relevance": 1}},
            headers=city_c,
        )
        assert scenario.status_code in {201, 422}, scenario.text
        trail = client.get(f"/workspaces/{c_id}/audit.csv", headers=city_c)
        assert SECRET_NOTE in trail.text  # the trail holds the secret while C exists
        assert client.delete(base, headers=city_c).status_code == 204

        made_b = client.post(
            "/api/v1/workspaces", json={"slug": "city-b", "name": "City B"}, headers=city_b
        )
        assert made_b.status_code == 201, made_b.text
        b_id = made_b.json()["id"]
        assert b_id > c_id  # never the deleted workspace's id again
        for url in (
            f"/workspaces/{b_id}/audit",
            f"/workspaces/{b_id}/audit?entity=membership",
            f"/workspaces/{b_id}/audit.csv",
        ):
            page = client.get(url, headers=city_b)
            assert page.status_code == 200, url
            assert SECRET_NOTE not in page.text, url
            assert C_EMAIL not in page.text, url
            assert "C secret plan" not in page.text, url
        # C's old id is gone for everybody, C included.
        assert client.get(f"/workspaces/{c_id}/audit", headers=city_c).status_code == 404
        assert client.get(f"/workspaces/{c_id}/audit", headers=city_b).status_code == 404

    session.expire_all()
    left = session.exec(select(AuditEntry).where(AuditEntry.workspace_id == c_id)).all()
    assert left == []  # the trail went with the workspace (ON DELETE CASCADE)
    deletion = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "workspace", AuditEntry.action == "delete")
    ).one()
    assert deletion.workspace_id is None  # the deletion itself: a site-level record
    assert deletion.entity_key == "city-c"


def test_every_table_with_an_integer_id_counts_on(session: Session) -> None:
    """Delete the newest row of each kind and add one: it gets a new id (both databases)."""
    from app.services import workspaces as ws

    ids = []
    for slug in ("one", "two"):
        workspace = ws.create_workspace(session, {"slug": slug, "name": slug}, actor="t")
        ids.append(workspace.id or 0)
        if slug == "one":
            ws.delete_workspace(session, workspace, actor="t")
    assert ids[1] > ids[0]
    if session.get_bind().dialect.name == "sqlite":
        from sqlmodel import SQLModel

        rows = session.execute(  # type: ignore[call-overload]
            text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        ).all()
        ddl = {row[0]: row[1] for row in rows}
        for name, table in SQLModel.metadata.tables.items():
            pk = list(table.primary_key.columns)
            own_id = len(pk) == 1 and pk[0].name == "id" and pk[0].type.python_type is int
            if own_id:
                assert "AUTOINCREMENT" in ddl[name], name
