"""The method-details API, the rank-reversal API and the "How this method ranks" page on the demo."""

from __future__ import annotations

import pytest
from conftest import MakeUser, bearer
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Workspace

HX = {"HX-Request": "true"}
METHODS = [
    "weighted_sum",
    "weighted_product",
    "topsis",
    "vikor",
    "electre",
    "promethee_ii",
    "electre_i",
]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_exposes_its_intermediate_results(
    client: TestClient, demo: Workspace, method: str
) -> None:
    response = client.get(f"/api/v1/workspaces/{demo.id}/methods/{method}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["method"] == method
    n = len(body["alternatives"])
    assert n == 21  # the demo's members and candidates with enough scores to be ranked
    assert abs(sum(body["weights"]) - 1) < 1e-6  # shares rounded to 9 decimals
    assert body["tables"][0]["key"] == "values"
    for table in body["tables"]:
        assert len(table["rows"]) == len(table["values"])
    if method == "electre_i":
        assert body["scores"] is None
        assert set(body["facts"]["kernel"]) <= set(body["alternatives"])
    else:
        assert sorted(body["ranks"])[0] == 1
        assert len(body["scores"]) == n


def test_promethee_flows_add_up_and_options_apply(client: TestClient, demo: Workspace) -> None:
    base = f"/api/v1/workspaces/{demo.id}/methods/promethee_ii"
    body = client.get(base).json()
    flows = next(t for t in body["tables"] if t["key"] == "flows")
    net = [row[2] for row in flows["values"]]
    assert abs(sum(net)) < 1e-6  # net flows always sum to zero
    for row, score in zip(flows["values"], body["scores"], strict=True):
        assert abs(row[0] - row[1] - row[2]) < 1e-6
        assert abs((row[2] + 1) / 2 - score) < 1e-6
    assert body["facts"]["preference_functions"]["relevant_agenda"] == {
        "function": "linear",
        "q": 0.5,
        "p": 2.0,
    }
    usual = client.get(base, params={"promethee": '{"annual_fee": {"function": "usual"}}'})
    assert usual.status_code == 200
    assert usual.json()["facts"]["preference_functions"]["annual_fee"] == {"function": "usual"}


def test_bad_parameters_get_422_naming_the_field(client: TestClient, demo: Workspace) -> None:
    base = f"/api/v1/workspaces/{demo.id}/methods"
    unknown = client.get(f"{base}/borda")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "method"
    bad_v = client.get(f"{base}/vikor", params={"vikor_v": "2"})
    assert bad_v.status_code == 422
    assert bad_v.json()["detail"][0]["loc"] == ["query", "vikor_v"]
    bad_json = client.get(f"{base}/promethee_ii", params={"promethee": "{not json"})
    assert bad_json.status_code == 422
    assert bad_json.json()["detail"][0]["loc"] == ["query", "promethee"]
    bad_threshold = client.get(
        f"{base}/promethee_ii",
        params={"promethee": '{"annual_fee": {"function": "linear", "q": 5, "p": 1}}'},
    )
    assert bad_threshold.status_code == 422
    assert bad_threshold.json()["detail"][0]["loc"] == ["query", "promethee", "annual_fee"]
    free = client.get(f"{base}/weighted_sum", params={"weighted_sum_normalisation": "raw"})
    assert free.status_code == 422  # fee and staff time are costs: no raw weighted sum
    assert free.json()["detail"][0]["loc"][0] == "query"
    assert client.get(f"{base}/topsis", params={"scenario": 999999}).status_code == 404
    assert client.get("/api/v1/workspaces/424242/methods/topsis").status_code == 404


def test_rank_reversal_is_reported_for_every_ranking_method(
    client: TestClient, demo: Workspace
) -> None:
    response = client.get(f"/api/v1/workspaces/{demo.id}/rank-reversal")
    assert response.status_code == 200, response.text
    checks = {c["method"]: c for c in response.json()["checks"]}
    assert set(checks) == set(METHODS) - {"electre_i"}
    # Utilities on fixed ranges: the weighted sum cannot reorder other networks.
    assert checks["weighted_sum"]["stable"] is True
    for check in checks.values():
        assert check["stable"] == (check["removal_count"] == 0 and check["addition_count"] == 0)


def test_viewers_may_read_and_strangers_see_nothing(
    client: TestClient, demo: Workspace, session: Session, make_user: MakeUser
) -> None:
    viewer = make_user(session, "viewer@example.org", role="viewer", workspace=demo)
    stranger = make_user(session, "stranger@example.org")
    path = f"/api/v1/workspaces/{demo.id}/methods/topsis"
    assert client.get(path, headers=bearer(session, viewer)).status_code == 200
    assert client.get(path, headers=bearer(session, stranger)).status_code == 404


def test_the_page_explains_one_network(client: TestClient, demo: Workspace) -> None:
    base = f"/workspaces/{demo.id}/methods"
    page = client.get(base, params={"method": "promethee_ii", "network": "c40"})
    assert page.status_code == 200
    text = page.text
    assert "How this method ranks" in text
    assert "Positive, negative and net flows" in text
    assert "Rank reversal on your data" in text
    assert 'value="c40" selected' in text
    fragment = client.get(base, params={"method": "vikor"}, headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="details"')
    assert "Group utility S" in fragment.text
    assert "<html" not in fragment.text
    bad = client.get(base, params={"method": "vikor", "vikor_v": "abc"}, headers=HX)
    assert bad.status_code == 422
    assert "vikor_v must be a number" in bad.text
    assert client.get(base, params={"method": "nope"}).status_code == 422
    assert client.get("/workspaces/424242/methods").status_code == 404
    priorities = client.get(f"/workspaces/{demo.id}/priorities")
    assert f"/workspaces/{demo.id}/methods?method=" in priorities.text
