"""Web tests of network detail, assessment editor, profile, scenarios, portfolio,
robustness and overlap pages: full page, fragment, 422 with the message, 404."""

from __future__ import annotations

import re

from conftest import Login, MakeUser
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Workspace
from app.services import ui
from app.services import workspaces as ws

HX = {"HX-Request": "true"}


def _fragment(response_text: str, element_id: str) -> bool:
    return response_text.lstrip().startswith("<") and f'id="{element_id}"' in response_text[:200]


def test_network_detail_explains_the_value(client: TestClient, demo: Workspace) -> None:
    response = client.get(f"/workspaces/{demo.id}/networks/c40")
    assert response.status_code == 200
    text = response.text
    assert "chart-radar" in text or 'class="chart' in text
    assert "How the value adds up" in text
    assert "Sources" in text
    assert "Outcomes by year" in text
    assert "Earliest exit" in text
    fragment = client.get(f"/workspaces/{demo.id}/networks/c40", headers=HX)
    assert _fragment(fragment.text, "explanation")
    assert "<html" not in fragment.text
    assert client.get(f"/workspaces/{demo.id}/networks/no-such-net").status_code == 404
    assert client.get("/workspaces/424242/networks/c40").status_code == 404


def test_assessment_editor_shows_anchors_missing_and_the_hint(
    client: TestClient, demo: Workspace
) -> None:
    response = client.get(f"/workspaces/{demo.id}/networks/iclei/assess")
    assert response.status_code == 200
    text = response.text
    assert text.count('type="radio" name="score_relevant_agenda"') == 6  # 1-5 and missing
    assert "Hint from network overlap" in text
    fragment = client.get(f"/workspaces/{demo.id}/networks/iclei/assess", headers=HX)
    assert _fragment(fragment.text, "assess_form")
    assert "<html" not in fragment.text
    new = client.get(f"/workspaces/{demo.id}/networks/iclei/assess", params={"assessor": "Me"})
    assert "missing-badge" in new.text  # nothing scored by this assessor: visibly missing
    assert client.get(f"/workspaces/{demo.id}/networks/nope/assess").status_code == 404


def test_saving_assessments_and_inline_errors(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/networks/iclei/assess"
    bad = client.post(
        url,
        data={"assessor": "Tester", "score_sharp_focus": "7", "source_sharp_focus": "ftp:/x"},
        headers=HX,
    )
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text
    assert "whole number from 1 to 5" in bad.text
    assert "starts with http" in bad.text
    assert not [a for a in ws.list_assessments(session, demo) if a.assessor == "Tester"]

    good = client.post(
        url,
        data={
            "assessor": "Tester",
            "score_sharp_focus": "4",
            "evidence_sharp_focus": "Work plan 2025",
            "source_sharp_focus": "https://example.org/plan",
            "confidence_sharp_focus": "high",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    mine = [a for a in ws.list_assessments(session, demo) if a.assessor == "Tester"]
    assert [(a.criterion, a.score, a.confidence) for a in mine] == [("sharp_focus", 4, "high")]
    shown = client.get(good.headers["location"])
    assert "Saved: 1 assessment changed." in shown.text


def test_profile_page_updates_and_validates(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    page = client.get(f"/workspaces/{demo.id}/profile")
    assert page.status_code == 200
    assert "Current memberships" in page.text
    assert "Candidates" in page.text
    legacy = client.get(f"/workspaces/{demo.id}/memberships", follow_redirects=False)
    assert legacy.status_code == 303

    data = {
        "region": "Europe",
        "fee_budget": "90000",
        "staff_hours_budget": "4000",
        "theme_climate": "40",
    }
    saved = client.post(f"/workspaces/{demo.id}/profile", data=data, follow_redirects=False)
    assert saved.status_code == 303
    profile = ws.get_profile(session, demo)
    session.refresh(profile)
    assert profile.fee_budget_minor == 9_000_000
    assert profile.priority_themes == {"climate": 40.0}

    bad = client.post(f"/workspaces/{demo.id}/profile", data=data | {"fee_budget": "lots"})
    assert bad.status_code == 422
    assert "Enter an amount" in bad.text
    assert 'role="alert"' in bad.text


def test_catalogue_search_add_candidate_and_change_status(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    members = {m.network_id for m, _ in ws.list_memberships(session, demo)}
    search = client.get(f"/workspaces/{demo.id}/profile", params={"q": "a"}, headers=HX)
    assert _fragment(search.text, "catalogue_search")
    assert "<html" not in search.text

    found = re.findall(r'name="network_id" value="([^"]+)"', search.text)
    assert found
    assert not set(found) & members
    added = client.post(
        f"/workspaces/{demo.id}/profile/memberships",
        data={"network_id": found[0]},
        follow_redirects=False,
    )
    assert added.status_code == 303
    row = next(m for m, _ in ws.list_memberships(session, demo) if m.network_id == found[0])
    assert row.status == "candidate"
    again = client.post(f"/workspaces/{demo.id}/profile/memberships", data={"network_id": found[0]})
    assert again.status_code == 422

    changed = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{row.id}",
        data={"status": "former", "lock": ""},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    session.refresh(row)
    assert row.status == "former"
    wrong = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{row.id}", data={"status": "emperor"}
    )
    assert wrong.status_code == 422
    assert "Status is member" in wrong.text
    assert (
        client.post(f"/workspaces/{demo.id}/profile/memberships/99999", data={}).status_code == 404
    )


def test_scenarios_list_duplicate_and_compare(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    page = client.get(f"/workspaces/{demo.id}/scenarios")
    assert page.status_code == 200
    assert "Kendall" in page.text
    fragment = client.get(f"/workspaces/{demo.id}/scenarios", headers=HX)
    assert _fragment(fragment.text, "scenario_list")
    assert "<html" not in fragment.text

    first, _second, third = ws.list_scenarios(session, demo)
    copy = client.post(
        f"/workspaces/{demo.id}/scenarios/{first.id}/duplicate", follow_redirects=False
    )
    assert copy.status_code == 303
    assert f"{first.name} (copy)" in [s.name for s in ws.list_scenarios(session, demo)]

    url = f"/workspaces/{demo.id}/scenarios/compare"
    compared = client.get(url, params={"ids": [first.id, third.id]})
    assert compared.status_code == 200
    assert first.name in compared.text
    assert third.name in compared.text
    assert "row-changed" in compared.text  # the budget cut changes some actions
    only_one = client.get(url, params={"ids": [first.id]})
    assert only_one.status_code == 422
    assert "at least two" in only_one.text
    assert client.get(url, params={"ids": [first.id, 99999]}).status_code == 404
    assert client.post(f"/workspaces/{demo.id}/scenarios/99999/duplicate").status_code == 404


def test_portfolio_robustness_and_overlap_pages(client: TestClient, demo: Workspace) -> None:
    base = f"/workspaces/{demo.id}"
    portfolio = client.get(f"{base}/portfolio")
    assert portfolio.status_code == 200
    assert "Left out, and why" in portfolio.text
    assert "Must keep" in portfolio.text
    assert _fragment(client.get(f"{base}/portfolio", headers=HX).text, "portfolio")

    robust = client.get(f"{base}/robustness", params={"samples": "300"})
    assert robust.status_code == 200
    assert "Rank acceptability" in robust.text
    assert "How far each weight can move" in robust.text
    assert _fragment(client.get(f"{base}/robustness", headers=HX).text, "results")
    bad = client.get(f"{base}/robustness", params={"samples": "5"}, headers=HX)
    assert bad.status_code == 422
    assert "between 100 and 20,000" in bad.text

    overlap = client.get(f"{base}/overlap")
    assert overlap.status_code == 200
    assert "Most overlapping pairs" in overlap.text
    assert _fragment(client.get(f"{base}/overlap", headers=HX).text, "matrix")
    for path in ("portfolio", "robustness", "overlap", "scenarios", "profile", "priorities"):
        assert client.get(f"/workspaces/424242/{path}").status_code == 404


def test_locking_from_the_portfolio_changes_the_selection(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    settings = ui.resolve_settings(session, demo, None)
    ctx = ui.analyse(session, demo, settings.weights, settings.method, settings.options, samples=0)
    _, left = ui.portfolio_rows(ctx)
    target = next(r for r in left if r.status == "member" and r.reason != "not eligible")
    response = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{target.membership_id}",
        data={"lock": "keep", "back": "portfolio"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/workspaces/{demo.id}/portfolio"
    page = client.get(f"/workspaces/{demo.id}/portfolio")
    chosen_part = page.text.split("Left out, and why")[0]
    assert f"/networks/{target.network_id}" in chosen_part


def test_viewers_see_a_read_only_notice_and_disabled_save_buttons(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    make_user(session, "vic@example.org", "viewer", demo)
    login(anon_client, "vic@example.org")

    page = anon_client.get(f"/workspaces/{demo.id}/profile")

    assert page.status_code == 200
    assert "You have the viewer role in this workspace" in page.text
    assert '<button type="submit" disabled>Save profile</button>' in page.text


def test_analysts_get_enabled_save_buttons(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    make_user(session, "ana@example.org", "analyst", demo)
    login(anon_client, "ana@example.org")

    page = anon_client.get(f"/workspaces/{demo.id}/profile")

    assert "viewer</strong> role" not in page.text
    assert '<button type="submit">Save profile</button>' in page.text
