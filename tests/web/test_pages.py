"""The first pages: home, catalogue, network facts, the demo's memberships; the health check."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.models import Workspace


def test_home_lists_the_demo(client: TestClient, demo: Workspace) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Example City" in response.text


def test_memberships_page_shows_members_and_candidates_with_facts(
    client: TestClient, demo: Workspace
) -> None:
    response = client.get(f"/workspaces/{demo.id}/memberships")
    assert response.status_code == 200
    text = response.text
    assert "Current memberships" in text
    assert "Candidates" in text
    assert "fictional" in text.lower()  # the notice is on screen
    assert "C40" in text or "Eurocities" in text


def test_catalogue_search_and_detail(client: TestClient, demo: Workspace) -> None:
    everything = client.get("/networks")
    climate = client.get("/networks", params={"theme": "climate"})
    assert everything.status_code == climate.status_code == 200
    assert everything.text.count("<tr>") > climate.text.count("<tr>") > 1

    detail = client.get("/networks/uclg")
    assert detail.status_code == 200
    assert "https://www.uclg.org" in detail.text
    assert "Sources" in detail.text


def test_unknown_ids_are_404_pages(client: TestClient, demo: Workspace) -> None:
    assert client.get("/networks/does-not-exist").status_code == 404
    missing = client.get("/workspaces/424242/memberships")
    assert missing.status_code == 404
    assert "<html" in missing.text
    assert "Traceback" not in missing.text


def test_healthz_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_static_htmx_is_vendored(client: TestClient) -> None:
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text[:2000]
