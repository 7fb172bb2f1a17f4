"""AHP among a few networks: the API's figures, its 422s, and the page's two steps."""

from __future__ import annotations

import math
import re

import pytest
from conftest import MakeUser, bearer
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Workspace


def _three(client: TestClient, demo: Workspace) -> list[str]:
    body = client.get(f"/api/v1/workspaces/{demo.id}/methods/weighted_sum").json()
    return sorted(body["alternatives"])[:3]


def _pairs(a: str, b: str, c: str, ab: float, bc: float, ac: float) -> list[dict[str, object]]:
    return [
        {"a": a, "b": b, "value": ab},
        {"a": b, "b": c, "value": bc},
        {"a": a, "b": c, "value": ac},
    ]


def test_the_api_returns_local_and_composite_priorities(
    client: TestClient, demo: Workspace
) -> None:
    a, b, c = _three(client, demo)
    body = {
        "networks": [a, b, c],
        "criteria": ["relevant_agenda", "light_governance"],
        # Consistent under the agenda (a = 2b = 4c): priorities 4/7, 2/7, 1/7.
        # Under governance c is best, the others equal: 1/6, 1/6, 4/6.
        "judgements": {
            "relevant_agenda": _pairs(a, b, c, 2, 2, 4),
            "light_governance": [
                {"a": a, "b": b, "value": 1},
                {"a": c, "b": b, "value": 4},
                {"a": c, "b": a, "value": 4},
            ],
        },
        "criteria_judgements": [{"a": "relevant_agenda", "b": "light_governance", "value": 3}],
    }
    response = client.post(f"/api/v1/workspaces/{demo.id}/ahp-synthesis", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["criteria_weights"] == [0.75, 0.25]
    assert out["criteria_weights_source"] == "judgements"
    local = out["local_priorities"]
    assert [round(row[0], 4) for row in local] == [
        round(4 / 7, 4),
        round(2 / 7, 4),
        round(1 / 7, 4),
    ]
    assert [round(row[1], 4) for row in local] == [
        round(1 / 6, 4),
        round(1 / 6, 4),
        round(4 / 6, 4),
    ]
    expected = [0.75 * row[0] + 0.25 * row[1] for row in local]
    assert out["composite_priorities"] == pytest.approx(expected, abs=1e-6)
    assert math.isclose(sum(out["composite_priorities"]), 1, abs_tol=1e-6)
    assert out["ranks"] == [1, 3, 2]  # 0.470, 0.256, 0.274
    assert out["consistent"] is True
    assert out["matrices"]["relevant_agenda"]["consistency_ratio"] == pytest.approx(0, abs=1e-6)
    assert out["names"][a]


def test_the_scenario_weights_the_criteria_and_contradictions_are_named(
    client: TestClient, demo: Workspace
) -> None:
    a, b, c = _three(client, demo)
    body = {
        "networks": [a, b, c],
        "criteria": ["relevant_agenda"],
        # a beats b, b beats c, but c beats a strongly: a cycle.
        "judgements": {"relevant_agenda": _pairs(a, b, c, 5, 5, 1 / 5)},
    }
    out = client.post(f"/api/v1/workspaces/{demo.id}/ahp-synthesis", json=body).json()
    assert out["criteria_weights_source"] == "scenario"
    assert out["criteria_weights"] == [1.0]
    matrix = out["matrices"]["relevant_agenda"]
    assert matrix["consistent"] is False
    assert out["consistent"] is False
    assert matrix["consistency_ratio"] > 0.1
    assert {matrix["worst_pair"]["a"], matrix["worst_pair"]["b"]} <= {a, b, c}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"networks": ["no-such-network", "x"]}, "networks"),
        ({"criteria": ["no_such_criterion"]}, "criteria"),
        ({"judgements": {"relevant_agenda": [{"a": "A", "b": "B", "value": 10}]}}, "value"),
        ({"judgements": {"relevant_agenda": [{"a": "A", "b": "B", "value": "NaN"}]}}, "value"),
        ({"networks": ["one"]}, "networks"),
        ({"scenario": 2**63}, "scenario"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_gets_a_422_naming_the_field(
    client: TestClient, demo: Workspace, change: dict[str, object], field: str
) -> None:
    a, b, _ = _three(client, demo)
    body: dict[str, object] = {
        "networks": [a, b],
        "criteria": ["relevant_agenda"],
        "judgements": {"relevant_agenda": [{"a": a, "b": b, "value": 3}]},
    }
    body.update(change)
    response = client.post(f"/api/v1/workspaces/{demo.id}/ahp-synthesis", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_a_missing_pair_is_named(client: TestClient, demo: Workspace) -> None:
    a, b, c = _three(client, demo)
    body = {
        "networks": [a, b, c],
        "criteria": ["relevant_agenda"],
        "judgements": {"relevant_agenda": [{"a": a, "b": b, "value": 3}]},
    }
    response = client.post(f"/api/v1/workspaces/{demo.id}/ahp-synthesis", json=body)
    assert response.status_code == 422
    assert "missing" in response.text


def test_viewers_may_compute_and_strangers_see_nothing(
    client: TestClient, demo: Workspace, session: Session, make_user: MakeUser
) -> None:
    a, b, _ = _three(client, demo)
    body = {
        "networks": [a, b],
        "criteria": ["relevant_agenda"],
        "judgements": {"relevant_agenda": [{"a": a, "b": b, "value": 3}]},
    }
    path = f"/api/v1/workspaces/{demo.id}/ahp-synthesis"
    viewer = make_user(session, "viewer@example.org", role="viewer", workspace=demo)
    stranger = make_user(session, "stranger@example.org")
    assert client.post(path, json=body, headers=bearer(session, viewer)).status_code == 200
    assert client.post(path, json=body, headers=bearer(session, stranger)).status_code == 404


def test_the_page_asks_then_computes_and_flags_the_contradiction(
    client: TestClient, demo: Workspace
) -> None:
    a, b, c = _three(client, demo)
    page = f"/workspaces/{demo.id}/methods/ahp"
    first = client.get(page)
    assert first.status_code == 200
    assert 'name="networks"' in first.text
    assert "j:0:0:1" not in first.text
    query = [("networks", a), ("networks", b), ("networks", c), ("criteria", "relevant_agenda")]
    asked = client.get(page, params=query)
    assert asked.status_code == 200
    # Three pairs under the one criterion, each a two-sided scale with the middle chosen.
    assert len(re.findall(r'<select id="j:0:\d:\d"', asked.text)) == 3
    assert 'value="1" selected' in asked.text
    answers = [("j:0:0:1", "5"), ("j:0:1:2", "5"), ("j:0:0:2", "1/5"), ("compute", "1")]
    done = client.get(page, params=query + answers)
    assert done.status_code == 200
    assert "Consistency ratio" in done.text
    assert "contradictory: revisit" in done.text
    assert 'value="1/5" selected' in done.text  # the answers stay in the form


@pytest.mark.parametrize(
    "extra",
    [
        [("j:0:0:1", "²"), ("compute", "1")],
        [("j:0:0:1", "10"), ("compute", "1")],
        [("scenario", "99999999999999999999")],
        [("networks", "no-such-network")],
    ],
)
def test_the_page_answers_bad_input_inline(
    client: TestClient, demo: Workspace, extra: list[tuple[str, str]]
) -> None:
    a, b, _ = _three(client, demo)
    query = [("networks", a), ("networks", b), ("criteria", "relevant_agenda"), *extra]
    response = client.get(f"/workspaces/{demo.id}/methods/ahp", params=query)
    assert response.status_code == 422
    assert 'class="field-error"' in response.text


def test_the_page_speaks_spanish(client: TestClient, demo: Workspace) -> None:
    response = client.get(f"/workspaces/{demo.id}/methods/ahp", params={"lang": "es"})
    assert response.status_code == 200
    assert "Compare a few networks pairwise" not in response.text
