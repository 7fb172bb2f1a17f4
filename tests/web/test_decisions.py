"""The decision record: API, page form, frozen advice, differences flagged, realised value."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEntry, Workspace


def _leave_network(client: TestClient, demo: Workspace) -> dict[str, Any]:
    engine = client.get(f"/api/v1/workspaces/{demo.id}/reports/analysis?as_of=2026-03-01").json()
    return next(r for r in engine["recommendations"] if r["action"] == "leave") | {
        "fingerprint": engine["fingerprint"],
        "scenario": engine["scenario"],
    }


def test_a_decision_freezes_the_advice_and_the_dashboard_flags_the_difference(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    advised = _leave_network(client, demo)
    body = {
        "network_id": advised["network_id"],
        "action": "stay",
        "decided_on": "2026-03-01",
        "body": "City Council",
        "reference": "Resolution 2026/14",
        "next_review_on": "2027-03-01",
    }
    created = client.post(f"/api/v1/workspaces/{demo.id}/decisions", json=body)
    assert created.status_code == 201, created.text
    decision = created.json()
    snap = decision["snapshot"]
    assert snap["recommended"] == "leave"
    assert snap["fingerprint"] == advised["fingerprint"]
    assert snap["scenario"] == advised["scenario"]
    assert snap["value"] == advised["value"]
    assert client.post(f"/api/v1/workspaces/{demo.id}/decisions", json=body).status_code == 409

    page = client.get(f"/workspaces/{demo.id}")
    assert page.status_code == 200
    assert "differs from the advice" in page.text
    assert f"/workspaces/{demo.id}/report.pdf" in page.text

    changed = client.patch(
        f"/api/v1/workspaces/{demo.id}/decisions/{decision['id']}",
        json={"action": "leave", "version": decision["version"]},
    )
    assert changed.status_code == 200
    assert changed.json()["snapshot"] == snap  # the advice stays frozen
    stale = client.patch(
        f"/api/v1/workspaces/{demo.id}/decisions/{decision['id']}",
        json={"reference": "x", "version": decision["version"]},
    )
    assert stale.status_code == 409
    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "decision")).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert (
        client.delete(f"/api/v1/workspaces/{demo.id}/decisions/{decision['id']}").status_code == 204
    )


def test_bad_decisions_get_422_naming_the_field(client: TestClient, demo: Workspace) -> None:
    url = f"/api/v1/workspaces/{demo.id}/decisions"
    base = {"network_id": "c40", "action": "stay", "decided_on": "2026-03-01", "body": "Council"}
    cases = [
        ({"action": "keep"}, "action"),
        ({"decided_on": "01/03/2026"}, "decided_on"),
        ({"body": ""}, "body"),
        ({"next_review_on": "2026-02-01"}, "next_review_on"),
        ({"effective_on": "2026-02-01"}, "effective_on"),
        ({"network_id": "mercociudades-x"}, "network_id"),
        ({"surprise": 1}, "surprise"),
    ]
    for change, field in cases:
        response = client.post(url, json=base | change)
        assert response.status_code == 422, (change, response.text)
        assert field in str(response.json()["detail"]), (change, response.text)


def test_realised_value_since_the_decision_on_the_network_page_and_api(
    client: TestClient, demo: Workspace
) -> None:
    memberships = client.get(f"/api/v1/workspaces/{demo.id}/memberships").json()
    uclg = next(m for m in memberships if m["network_id"] == "uclg")
    outcomes = [
        *uclg["outcomes"],
        {"year": 2026, "kind": "funding", "title": "EU grant", "amount": "40000.00"},
    ]
    patched = client.patch(
        f"/api/v1/workspaces/{demo.id}/memberships/{uclg['id']}", json={"outcomes": outcomes}
    )
    assert patched.status_code == 200, patched.text
    created = client.post(
        f"/api/v1/workspaces/{demo.id}/decisions",
        json={
            "network_id": "uclg",
            "action": "stay",
            "decided_on": "2026-02-01",
            "body": "City Council",
        },
    )
    assert created.status_code == 201
    realised = client.get(f"/api/v1/workspaces/{demo.id}/realised?as_of=2026-12-01").json()
    row = next(r for r in realised if r["network_id"] == "uclg")
    year = next(y for y in row["years"] if y["year"] == 2026)
    # The demo's UCLG costs EUR 21,500 in fees and EUR 6,000 in travel a year
    # (seed_data/demo/example-city.yaml): the full cost of membership.
    assert (year["funding"], year["cost"], year["balance"]) == ("40000.00", "27500.00", "12500.00")
    assert "€40,000" in row["since_decision"]
    assert "€27,500" in row["since_decision"]
    page = client.get(f"/workspaces/{demo.id}/networks/uclg")
    assert page.status_code == 200
    assert "€40,000" in page.text
    assert "networks/uclg/report.pdf" in page.text


def test_the_decision_page_records_through_the_form(
    client: TestClient, demo: Workspace, login: Any, make_user: Any, session: Session
) -> None:
    analyst = make_user(session, "ana@example.org", role="analyst", workspace=demo)
    with TestClient(client.app) as browser:
        token = login(browser, analyst.email)
        bad = browser.post(
            f"/workspaces/{demo.id}/decisions",
            data={
                "csrf_token": token,
                "network_id": "c40",
                "action": "stay",
                "decided_on": "soon",
                "body": "Council",
            },
        )
        assert bad.status_code == 422
        assert "Use a date like 2026-03-31." in bad.text
        good = browser.post(
            f"/workspaces/{demo.id}/decisions",
            data={
                "csrf_token": token,
                "network_id": "c40",
                "action": "stay",
                "decided_on": "2026-03-01",
                "body": "Council",
            },
            follow_redirects=False,
        )
        assert good.status_code == 303
        listing = browser.get(f"/workspaces/{demo.id}/decisions")
        assert "Council" in listing.text
        assert "C40" in listing.text


def test_decisions_travel_with_the_lossless_workspace_export(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    from app.services import transfer

    created = client.post(
        f"/api/v1/workspaces/{demo.id}/decisions",
        json={"network_id": "c40", "action": "stay", "decided_on": "2026-03-01", "body": "Council"},
    )
    assert created.status_code == 201
    data = transfer.export_workspace(session, demo)
    assert [d["network_id"] for d in data["decisions"]] == ["c40"]
    data["workspace"]["slug"] = "example-city-copy"
    copy = transfer.import_workspace(session, data, actor="test")
    again = transfer.export_workspace(session, copy)
    assert again["decisions"] == data["decisions"]
    client.delete(f"/api/v1/workspaces/{copy.id}")
