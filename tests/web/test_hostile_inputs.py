"""Every reproduction of issue 14's "500s on odd numbers" gets a clear 4xx (or the page with an
inline error), never a 5xx, and changes nothing. Run on both databases (PostgreSQL refuses NUL
bytes and over-long varchar values that SQLite would store)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEntry, Membership, Scenario, Workspace

BIG = "99999999999999999999"
TWO63 = str(2**63)
SUPER = "\u00b2"  # superscript two: str.isdigit() is True, int() refuses it


def _audit_count(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEntry)).all())


def _ids(session: Session, demo: Workspace) -> dict[str, int]:
    def first(model: Any) -> int:
        row = session.exec(select(model).where(model.workspace_id == demo.id)).first()
        assert row is not None
        return int(row.id)

    return {"w": demo.id or 0, "m": first(Membership), "s": first(Scenario)}


def _gets(ids: dict[str, int]) -> list[str]:
    w, m, s = ids["w"], ids["m"], ids["s"]
    return [
        "/workspaces/%C2%B2",
        "/api/v1/workspaces/%C2%B2",
        f"/api/v1/workspaces/{BIG}",
        f"/api/v1/workspaces/{TWO63}",
        f"/workspaces/{w}?scenario={BIG}",
        f"/workspaces/{w}?scenario=%C2%B2",
        f"/workspaces/{w}/portfolio?scenario={TWO63}",
        f"/workspaces/{w}/robustness?samples=%C2%B2",
        f"/api/v1/workspaces/{w}/scenarios/{BIG}",
        f"/api/v1/workspaces/{w}/scenarios/{TWO63}",
        f"/api/v1/workspaces/{w}/scenarios/{TWO63}/analysis",
        f"/api/v1/workspaces/{w}/memberships/{TWO63}",
        f"/api/v1/workspaces/{w}/assessments/{TWO63}",
        f"/api/v1/workspaces/{w}/assessments/{2**31}",  # over a PostgreSQL INTEGER
        f"/api/v1/workspaces/{2**31}",
        f"/api/v1/workspaces/{w}/memberships?status=zzz",
        f"/workspaces/{w}/scenarios/compare?ids={BIG}&ids={s}",
        f"/workspaces/{w}/scenarios/compare?ids=%C2%B2&ids={s}",
        f"/workspaces/{w}/audit?entity=%00",
        f"/workspaces/{w}/audit.csv?actor=a%00b",
        f"/api/v1/workspaces/{w}/memberships/{m}?x=%00",
    ]


def test_odd_ids_in_paths_and_queries_are_4xx(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    ids = _ids(session, demo)
    for url in _gets(ids):
        response = client.get(url, follow_redirects=False)
        assert 400 <= response.status_code < 500, f"{url}: {response.status_code}"
        if url.startswith("/api/") and response.status_code == 422:
            assert response.json()["detail"][0]["loc"], url  # names the field


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("/scenarios", {"scenario_id": SUPER, "name": "x", "w_sharp_focus": "10"}, None),
        ("/profile", {"staff_hours_budget": SUPER}, "staff_hours_budget"),
        ("/profile", {"staff_hours_budget": BIG}, "staff_hours_budget"),
        ("/profile", {"fee_budget": "1e400"}, "fee_budget"),
        ("/profile", {"fee_budget": "99999999999999999999999999"}, "fee_budget"),
        ("/profile", {"fee_budget": "NaN"}, "fee_budget"),
        ("/profile", {"fee_budget": "Infinity"}, "fee_budget"),
        ("/profile", {"population": SUPER}, "population"),
        ("/priorities/roc", {"rank_sharp_focus": SUPER}, "rank_sharp_focus"),
        ("/priorities/roc", {"scenario_id": BIG, "rank_sharp_focus": "1"}, None),
        ("/priorities/preview", {"scenario_id": TWO63}, None),
        ("/scenarios", {"name": "nul\x00name", "w_sharp_focus": "10"}, "name"),
        ("/scenarios", {"name": "n" * 100_000, "w_sharp_focus": "10"}, "name"),
        ("/profile", {"region": "Europe\x00"}, "region"),
    ],
)
def test_odd_form_values_are_refused_and_change_nothing(
    client: TestClient,
    session: Session,
    demo: Workspace,
    path: str,
    form: dict[str, str],
    field: str | None,
) -> None:
    before = _audit_count(session)
    response = client.post(f"/workspaces/{demo.id}{path}", data=form, follow_redirects=False)
    assert response.status_code < 500, response.text[:300]
    if field is not None:
        assert response.status_code == 422, response.text[:300]
    if response.status_code >= 400:  # refused: nothing written
        assert _audit_count(session) == before


def test_assessment_score_superscript_is_an_inline_error(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    membership = session.exec(select(Membership).where(Membership.workspace_id == demo.id)).first()
    assert membership is not None
    before = _audit_count(session)
    url = f"/workspaces/{demo.id}/networks/{membership.network_id}/assess"
    response = client.post(url, data={"score_sharp_focus": SUPER})
    assert response.status_code == 422
    assert "whole number from 1 to 5" in response.text  # the inline message on the form
    assert _audit_count(session) == before


def test_api_bodies_refuse_nul_and_huge_ids(
    client: TestClient, session: Session, demo: Workspace
) -> None:
    base = f"/api/v1/workspaces/{demo.id}"
    before = _audit_count(session)
    response = client.post(
        f"{base}/scenarios", json={"name": "a\x00b", "weights": {"sharp_focus": 1}}
    )
    assert response.status_code == 422
    assert "name" in response.json()["detail"][0]["loc"]
    response = client.patch(base, json={"default_scenario_id": 2**64})
    assert response.status_code == 422
    assert "default_scenario_id" in response.json()["detail"][0]["loc"]
    assert _audit_count(session) == before


def test_api_timestamps_carry_a_time_zone(client: TestClient, demo: Workspace) -> None:
    scenarios = client.get(f"/api/v1/workspaces/{demo.id}/scenarios").json()
    assert scenarios
    for scenario in scenarios:
        assert scenario["created_at"].endswith(("+00:00", "Z")), scenario["created_at"]
