"""Web tests of the dashboard and the priorities panel: pages, fragments, errors, saving."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Workspace
from app.services import workspaces as ws

HX = {"HX-Request": "true"}


def _ranking_order(html: str) -> list[str]:
    return re.findall(r'data-network="([^"]+)"', html)


def _weights(session: Session, demo: Workspace, **override: float) -> dict[str, str]:
    keys = ws.framework_of(session, demo).keys
    data = {f"w_{k}": "5" for k in keys}
    data.update({f"w_{k}": str(v) for k, v in override.items()})
    return data


def test_dashboard_shows_ranked_recommendations_with_budget_and_changes(
    client: TestClient, demo: Workspace
) -> None:
    response = client.get(f"/workspaces/{demo.id}")
    assert response.status_code == 200
    text = response.text
    assert '<section id="ranking"' in text
    assert "badge-stay" in text or "badge-join" in text
    assert "Annual fees" in text
    assert "Staff time" in text
    assert "What changed against" not in text  # the default scenario: nothing to compare
    assert "How this value adds up" in text  # traceable numbers
    assert "fictional" in text.lower()


def test_dashboard_fragment_is_only_the_ranking_block(client: TestClient, demo: Workspace) -> None:
    response = client.get(f"/workspaces/{demo.id}", headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="ranking"')
    assert "<html" not in response.text


def test_dashboard_for_a_chosen_scenario_and_unknown_ids(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    first, *_rest, last = ws.list_scenarios(session, demo)
    response = client.get(f"/workspaces/{demo.id}", params={"scenario": last.id})
    assert response.status_code == 200
    assert last.name in response.text
    assert f"What changed against “{first.name}”" in response.text  # against the default
    # An owner makes the last scenario the default: the dashboard opens it.
    made = client.post(f"/workspaces/{demo.id}/scenarios/{last.id}/default", follow_redirects=False)
    assert made.status_code == 303
    opened = client.get(f"/workspaces/{demo.id}").text
    assert f"<strong>{last.name}</strong>" in opened
    assert "What changed against" not in opened
    assert client.get(f"/workspaces/{demo.id}", params={"scenario": 99999}).status_code == 404
    assert client.get("/workspaces/424242").status_code == 404


def test_priorities_page_has_a_slider_per_criterion_and_a_method(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    response = client.get(f"/workspaces/{demo.id}/priorities")
    assert response.status_code == 200
    keys = ws.framework_of(session, demo).keys
    assert response.text.count('type="range"') == len(keys)
    assert f'hx-post="/workspaces/{demo.id}/priorities/preview"' in response.text
    assert 'name="method"' in response.text
    fragment = client.get(f"/workspaces/{demo.id}/priorities", headers=HX)
    assert fragment.text.lstrip().startswith('<div id="workbench"')


def test_moving_a_slider_reranks_in_a_fragment(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/priorities/preview"
    cheap = client.post(url, data=_weights(session, demo, annual_fee=100), headers=HX)
    social = client.post(url, data=_weights(session, demo, openness_inclusion=100), headers=HX)
    assert cheap.status_code == social.status_code == 200
    assert cheap.text.lstrip().startswith('<section id="ranking"')
    assert "<html" not in cheap.text
    assert _ranking_order(cheap.text) != _ranking_order(social.text)
    assert sorted(_ranking_order(cheap.text)) == sorted(_ranking_order(social.text))


def test_preview_without_javascript_returns_the_whole_page(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    response = client.post(
        f"/workspaces/{demo.id}/priorities/preview", data=_weights(session, demo, annual_fee=90)
    )
    assert response.status_code == 200
    assert "<html" in response.text
    assert 'value="90"' in response.text  # the slider keeps the posted value


def test_bad_weights_are_422_with_the_message(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/priorities/preview"
    zeros = dict.fromkeys(_weights(session, demo), "0")
    response = client.post(url, data=zeros, headers=HX)
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "All weights are zero" in response.text
    bad = client.post(url, data=_weights(session, demo, sharp_focus=-3), headers=HX)
    assert bad.status_code == 422
    assert "from 0 to 100" in bad.text
    method = client.post(url, data=_weights(session, demo) | {"method": "astrology"}, headers=HX)
    assert method.status_code == 422
    assert "astrology" in method.text


def test_rank_order_sets_the_weights(client: TestClient, demo: Workspace, session: Session) -> None:
    keys = ws.framework_of(session, demo).keys
    order = {f"rank_{k}": str(i + 1) for i, k in enumerate(reversed(keys))}
    response = client.post(f"/workspaces/{demo.id}/priorities/roc", data=order, headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="workbench"')
    # 15 criteria: the first gets (1/15) * H(15) = 3.3182 / 15 = 22.1 points, the last
    # (1/15)^2 = 0.4
    assert f'id="w_{keys[-1]}" name="w_{keys[-1]}" min="0" max="100" step="0.1" value="22.1"' in (
        response.text
    )
    assert f'name="w_{keys[0]}" min="0" max="100" step="0.1" value="0.4"' in response.text
    blank = client.post(
        f"/workspaces/{demo.id}/priorities/roc", data=order | {f"rank_{keys[0]}": ""}, headers=HX
    )
    assert blank.status_code == 422
    assert "Give a position from 1 to 15" in blank.text


def test_swing_and_ahp_set_the_weights(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    keys = ws.framework_of(session, demo).keys
    swings = {f"swing_{k}": "0" for k in keys} | {
        f"swing_{keys[0]}": "100",
        f"swing_{keys[1]}": "100",
    }
    response = client.post(f"/workspaces/{demo.id}/priorities/swing", data=swings, headers=HX)
    assert response.status_code == 200
    assert f'name="w_{keys[0]}" min="0" max="100" step="0.1" value="50"' in response.text
    no_top = client.post(
        f"/workspaces/{demo.id}/priorities/swing",
        data={f"swing_{k}": "10" for k in keys},
        headers=HX,
    )
    assert no_top.status_code == 422
    assert "Give 100 points" in no_top.text

    a, b, c = keys[:3]
    judgements = {f"pair_{a}__{b}": "9", f"pair_{a}__{c}": "1/9", f"pair_{b}__{c}": "9"}
    data = _weights(session, demo) | {"ahp": [a, b, c]} | judgements
    ahp = client.post(f"/workspaces/{demo.id}/priorities/ahp", data=data, headers=HX)
    assert ahp.status_code == 200
    assert "consistency ratio" in ahp.text
    assert "Revisit this comparison first" in ahp.text  # 9, 9 and 1/9 contradict each other
    missing = client.post(
        f"/workspaces/{demo.id}/priorities/ahp",
        data=_weights(session, demo) | {"ahp": [a, b]},
        headers=HX,
    )
    assert missing.status_code == 422
    assert "Choose which of the two matters more" in missing.text


def test_save_as_scenario_redirects_to_the_dashboard(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    data = _weights(session, demo, annual_fee=50) | {"name": "Fees matter", "method": "topsis"}
    response = client.post(f"/workspaces/{demo.id}/scenarios", data=data, follow_redirects=False)
    assert response.status_code == 303
    saved = [s for s in ws.list_scenarios(session, demo) if s.name == "Fees matter"]
    assert saved
    assert saved[0].method == "topsis"
    assert saved[0].weights["annual_fee"] == 50
    assert response.headers["location"] == f"/workspaces/{demo.id}?scenario={saved[0].id}"
    page = client.get(response.headers["location"])
    assert "Fees matter" in page.text

    again = client.post(f"/workspaces/{demo.id}/scenarios", data=data)
    assert again.status_code == 422
    assert "already exists" in again.text
    unnamed = client.post(f"/workspaces/{demo.id}/scenarios", data=data | {"name": " "})
    assert unnamed.status_code == 422
    assert "Give the scenario a name" in unnamed.text
