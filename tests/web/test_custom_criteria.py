"""A workspace adds its own criteria and eligibility gates, and the analysis uses them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Assessment, AuditEntry, Workspace

EU_FUNDING: dict[str, Any] = {
    "key": "eu_funding",
    "title": "Access to EU funding",
    "description": "How much the network helps the city reach EU programmes.",
    "questions": ["Did the network help a funding bid?", "Does it run EU-funded projects?"],
    "anchors": {"1": "Never", "2": "Rarely", "3": "Sometimes", "4": "Often", "5": "Decisive"},
}


def _analysis(client: TestClient, demo: Workspace, weights: dict[str, float]) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/workspaces/{demo.id}/analysis",
        json={"weights": weights, "options": {"samples": 200}},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_custom_criterion_can_be_scored_and_weighted(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    base = f"/api/v1/workspaces/{demo.id}"
    created = client.post(f"{base}/criteria", json=EU_FUNDING)
    assert created.status_code == 201, created.text
    assert client.get(f"{base}/criteria").json()[0]["key"] == "eu_funding"

    scored = client.post(
        f"{base}/assessments",
        json={"network_id": "eurocities", "criterion": "eu_funding", "assessor": "Ana", "score": 5},
    )
    assert scored.status_code == 201, scored.text

    only_eu = _analysis(client, demo, {"eu_funding": 1})
    assert only_eu["weights"]["eu_funding"]["share"] == 1.0
    assert only_eu["recommendations"][0]["network_id"] == "eurocities"  # the only 5

    assert client.delete(f"{base}/criteria/eu_funding").status_code == 204
    assert session.exec(select(Assessment).where(Assessment.criterion == "eu_funding")).all() == []
    gone = client.post(f"{base}/analysis", json={"weights": {"eu_funding": 1}})
    assert gone.status_code == 422


def test_custom_criterion_errors_name_the_field(client: TestClient, demo: Workspace) -> None:
    base = f"/api/v1/workspaces/{demo.id}/criteria"
    clash = client.post(base, json=EU_FUNDING | {"key": "sharp_focus"})
    assert clash.status_code == 422
    assert "sharp_focus" in clash.text

    missing_anchor = dict(EU_FUNDING, anchors={"1": "a", "2": "b", "3": "c", "4": "d"})
    response = client.post(base, json=missing_anchor)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "anchors"
    assert client.get(base).json() == []


def test_manual_gate_answered_no_makes_a_network_not_eligible(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    base = f"/api/v1/workspaces/{demo.id}"
    gate = {
        "key": "size_rule",
        "title": "Size rule",
        "description": "Only cities above the network's size threshold may join.",
        "applies_to": ["icorn"],
    }
    assert client.post(f"{base}/gates", json=gate).status_code == 201
    assert "size_rule" in {g["key"] for g in client.get(f"{base}/gates").json()}

    answer = client.put(f"{base}/gates/size_rule/answers/icorn", json={"answer": False})
    assert answer.status_code == 200, answer.text

    recs = _analysis(client, demo, {"relevant_agenda": 1})["recommendations"]
    icorn = next(r for r in recs if r["network_id"] == "icorn")
    assert icorn["action"] == "not_eligible"
    assert client.put(f"{base}/gates/nope/answers/icorn", json={"answer": True}).status_code == 404
    entities = {e.entity for e in session.exec(select(AuditEntry)).all()}
    assert {"gate", "gate_answer"} <= entities


def test_deleting_a_gate_removes_its_answers(client: TestClient, demo: Workspace) -> None:
    base = f"/api/v1/workspaces/{demo.id}"
    answers = client.get(f"{base}/gate-answers").json()
    assert any(a["gate"] == "entry_conditions" for a in answers)

    assert client.delete(f"{base}/gates/entry_conditions").status_code == 204

    assert all(a["gate"] != "entry_conditions" for a in client.get(f"{base}/gate-answers").json())
    assert client.delete(f"{base}/gates/entry_conditions").status_code == 404
