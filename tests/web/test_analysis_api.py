"""The API returns ranked recommendations with reasons and robustness for the demo's scenarios."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Scenario, Workspace

ACTIONS = {"join", "stay", "leave", "not_recommended", "not_eligible"}


def _scenario(session: Session, demo: Workspace, name: str) -> Scenario:
    row = session.exec(
        select(Scenario).where(Scenario.workspace_id == demo.id, Scenario.name == name)
    ).one()
    return row


def test_scenario_analysis_ranks_and_explains(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    scenario = _scenario(session, demo, "Balanced")

    response = client.get(f"/api/v1/workspaces/{demo.id}/scenarios/{scenario.id}/analysis")

    assert response.status_code == 200, response.text
    body = response.json()
    recs = body["recommendations"]
    assert len(recs) == 21  # 13 members + 8 candidates; former memberships are not ranked
    assert [r["rank"] for r in recs] == sorted(r["rank"] for r in recs)
    assert {r["action"] for r in recs} <= ACTIONS
    assert {"stay", "leave", "join"} <= {r["action"] for r in recs}
    for rec in recs:
        assert rec["explanation"]
        assert rec["robustness"]
        assert rec["strengths"]
        assert rec["weaknesses"]
        if rec["status"] == "candidate":
            assert rec["action"] in {"join", "not_recommended", "not_eligible"}
        else:
            assert rec["action"] in {"stay", "leave"}
    assert body["robustness"]["samples"] == scenario.options["samples"]
    shares = sum(w["share"] for w in body["weights"].values())
    assert abs(shares - 1) < 1e-5
    assert body["budget"]["fee_budget"] == "120000.00"
    assert float(body["budget"]["fee_selected"]) <= 120000


def test_ineligible_candidate_is_never_joined(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    for name in ("Balanced", "Climate and impact first", "Budget cut 30%"):
        scenario = _scenario(session, demo, name)
        recs = client.get(f"/api/v1/workspaces/{demo.id}/scenarios/{scenario.id}/analysis").json()[
            "recommendations"
        ]
        p4hc = next(r for r in recs if r["network_id"] == "p4hc")
        assert p4hc["action"] == "not_eligible"


def test_budget_cut_scenario_spends_less(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    cut = _scenario(session, demo, "Budget cut 30%")
    body = client.get(f"/api/v1/workspaces/{demo.id}/scenarios/{cut.id}/analysis").json()
    assert body["budget"]["fee_budget"] == "84000.00"
    assert float(body["budget"]["fee_selected"]) <= 84000


def test_adhoc_analysis_is_reproducible_and_validated(client: TestClient, demo: Workspace) -> None:
    url = f"/api/v1/workspaces/{demo.id}/analysis"
    payload = {
        "weights": {"relevant_agenda": 5, "annual_fee": 1},
        "options": {"samples": 500, "seed": 3},
    }

    first = client.post(url, json=payload)
    second = client.post(url, json=payload)
    assert first.status_code == 200, first.text
    assert first.json() == second.json()

    zero = client.post(url, json={"weights": {"relevant_agenda": 0}})
    assert zero.status_code == 422
    assert zero.json()["detail"][0]["loc"][-1] == "weights"
    method = client.post(url, json=payload | {"method": "magic"})
    assert method.status_code == 422
    assert method.json()["detail"][0]["loc"][-1] == "method"


def test_analysis_of_unknown_scenario_is_404(client: TestClient, demo: Workspace) -> None:
    assert client.get(f"/api/v1/workspaces/{demo.id}/scenarios/99999/analysis").status_code == 404
