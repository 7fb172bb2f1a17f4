"""The JSON API: CRUD on every resource, 422 naming the field (and storing nothing), 404, 409."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Assessment, AuditEntry, Membership, Network, Scenario, Workspace

NETWORK = {
    "id": "test-net",
    "name": "Test Network",
    "scope": "regional (Europe)",
    "themes": ["climate", "mobility"],
    "services": ["knowledge exchange"],
    "sources": ["https://example.org/about"],
}


def _count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _workspace(client: TestClient) -> dict[str, Any]:
    response = client.post(
        "/api/v1/workspaces",
        json={
            "slug": "springfield",
            "name": "Springfield",
            "profile": {"region": "Europe", "fee_budget": "1000.50"},
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_network_crud_round_trip(client: TestClient) -> None:
    created = client.post("/api/v1/networks", json=NETWORK)
    assert created.status_code == 201, created.text
    assert created.json()["sources"] == ["https://example.org/about"]

    updated = client.patch("/api/v1/networks/test-net", json={"name": "Renamed", "version": 1})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Renamed"
    assert updated.json()["version"] == 2

    stale = client.patch("/api/v1/networks/test-net", json={"name": "Again", "version": 1})
    assert stale.status_code == 409

    assert client.get("/api/v1/networks/test-net").json()["name"] == "Renamed"
    assert client.delete("/api/v1/networks/test-net").status_code == 204
    assert client.get("/api/v1/networks/test-net").status_code == 404


def test_bad_network_payload_is_422_naming_the_field_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    before = _count(session, Network)

    response = client.post("/api/v1/networks", json=NETWORK | {"confidence": "certain"})

    assert response.status_code == 422
    fields = [e["loc"][-1] for e in response.json()["detail"]]
    assert fields == ["confidence"]
    assert _count(session, Network) == before


def test_booleans_are_not_numbers(client: TestClient) -> None:
    ws = _workspace(client)
    response = client.post(
        f"/api/v1/workspaces/{ws['id']}/memberships",
        json={"network_id": "c40", "status": "member", "staff_hours": True},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "staff_hours"


def test_workspace_and_profile(client: TestClient) -> None:
    ws = _workspace(client)
    assert ws["profile"]["fee_budget"] == "1000.50"

    response = client.put(
        f"/api/v1/workspaces/{ws['id']}/profile",
        json={"priority_themes": {"climate": 40}, "staff_hours_budget": 300, "version": 1},
    )
    assert response.status_code == 200, response.text
    assert response.json()["priority_themes"] == {"climate": 40.0}
    assert response.json()["fee_budget"] == "1000.50"

    bad = client.put(f"/api/v1/workspaces/{ws['id']}/profile", json={"currency": "euro"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "currency"
    assert client.get("/api/v1/workspaces/999999").status_code == 404


def test_membership_crud_keeps_money_exact(client: TestClient, session: Session) -> None:
    client.post("/api/v1/networks", json=NETWORK)
    ws = _workspace(client)
    base = f"/api/v1/workspaces/{ws['id']}/memberships"

    created = client.post(
        base,
        json={
            "network_id": "test-net",
            "status": "member",
            "annual_fee": "12345.67",
            "staff_hours": 120,
            "engagement": "passive",
            "renewal_date": "2027-01-01",
            "notice_days": 180,
            "outcomes": [{"year": 2024, "kind": "funding", "title": "Grant", "amount": "0.10"}],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["annual_fee"] == "12345.67"
    assert body["outcomes"][0]["amount"] == "0.10"
    assert session.exec(select(Membership.annual_fee_minor)).one() == 1234567

    duplicate = client.post(base, json={"network_id": "test-net", "status": "candidate"})
    assert duplicate.status_code == 409

    changed = client.patch(f"{base}/{body['id']}", json={"engagement": "active", "version": 1})
    assert changed.json()["engagement"] == "active"
    assert client.get(f"{base}/{body['id']}").json()["version"] == 2
    assert client.delete(f"{base}/{body['id']}").status_code == 204
    assert client.get(f"{base}/{body['id']}").status_code == 404


def test_membership_for_unknown_network_is_422(client: TestClient, session: Session) -> None:
    ws = _workspace(client)
    response = client.post(
        f"/api/v1/workspaces/{ws['id']}/memberships",
        json={"network_id": "nope", "status": "member"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "network_id"]
    assert _count(session, Membership) == 0


def test_assessment_crud_and_validation(client: TestClient, session: Session) -> None:
    client.post("/api/v1/networks", json=NETWORK)
    ws = _workspace(client)
    base = f"/api/v1/workspaces/{ws['id']}/assessments"
    payload = {
        "network_id": "test-net",
        "criterion": "sharp_focus",
        "assessor": "Ana",
        "score": 4,
        "evidence": "Clear two-theme work plan for 2025.",
        "source_url": "https://example.org/plan",
        "confidence": "high",
    }

    for field, value in [
        ("score", 6),
        ("score", "4"),
        ("criterion", "annual_fee"),
        ("source_url", "ftp://x"),
    ]:
        bad = client.post(base, json=payload | {field: value})
        assert bad.status_code == 422, (field, value)
        assert bad.json()["detail"][0]["loc"][-1] == field
    assert _count(session, Assessment) == 0

    created = client.post(base, json=payload)
    assert created.status_code == 201, created.text
    missing = client.post(base, json=payload | {"assessor": "Ben", "score": None})
    assert missing.json()["score"] is None

    aid = created.json()["id"]
    assert client.patch(f"{base}/{aid}", json={"score": 2}).json()["score"] == 2
    assert len(client.get(base, params={"network_id": "test-net"}).json()) == 2
    assert client.delete(f"{base}/{aid}").status_code == 204
    assert _count(session, Assessment) == 1


def test_scenario_crud_and_weight_rules(client: TestClient, session: Session) -> None:
    ws = _workspace(client)
    base = f"/api/v1/workspaces/{ws['id']}/scenarios"

    zero = client.post(base, json={"name": "Nothing", "weights": {"sharp_focus": 0}})
    assert zero.status_code == 422
    assert zero.json()["detail"][0]["loc"][-1] == "weights"
    unknown = client.post(base, json={"name": "Typo", "weights": {"sharp_focsu": 3}})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "sharp_focsu"
    negative = client.post(base, json={"name": "Neg", "weights": {"sharp_focus": -1}})
    assert negative.status_code == 422
    assert _count(session, Scenario) == 0

    created = client.post(
        base, json={"name": "Focus", "weights": {"sharp_focus": 10}, "method": "topsis"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["weights"]["sharp_focus"] == 10
    assert body["weights"]["annual_fee"] == 0  # every framework criterion present
    renamed = client.patch(f"{base}/{body['id']}", json={"name": "Focus first"})
    assert renamed.json()["name"] == "Focus first"
    assert client.delete(f"{base}/{body['id']}").status_code == 204


def test_writes_are_audited(client: TestClient, session: Session) -> None:
    ws = _workspace(client)
    client.put(f"/api/v1/workspaces/{ws['id']}/profile", json={"staff_hours_budget": 10})

    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "profile")).all()
    assert len(entries) == 1
    assert entries[0].before == {"staff_hours_budget": None}
    assert entries[0].after == {"staff_hours_budget": 10}


def test_delete_workspace_removes_its_rows(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    assert client.delete(f"/api/v1/workspaces/{demo.id}").status_code == 204
    assert _count(session, Membership) == 0
    assert _count(session, Assessment) == 0
    assert _count(session, Network) > 50  # the shared catalogue stays


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/workspaces/{workspace_id}/assessments" in spec["paths"]
    assert client.get("/docs").status_code == 200
