"""City facts, needed functions, travel costs and fee estimates through the API and the pages;
catalogue functions, families and rules on the network pages; guidance in the assessment editor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import AuditEntry, CityProfile, Membership, Workspace
from app.services import workspaces as ws

FACTS = {
    "population": 480_000,
    "income_group": "upper_middle",
    "gni_per_capita_usd": 9_800,
    "world_heritage_site": True,
    "capital_city": None,
    "travel_budget": "15000.00",
    "function_needs": {"sharing_information": 30, "funding_access": 20.5},
}


def _membership(session: Session, workspace: Workspace, network_id: str) -> Membership:
    session.expire_all()
    found = next(
        m for m, _ in ws.list_memberships(session, workspace) if m.network_id == network_id
    )
    return found


def _audits(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


# ---- API: profile ----------------------------------------------------------------------------


def test_profile_api_round_trips_the_city_facts(client: TestClient, demo: Workspace) -> None:
    url = f"/api/v1/workspaces/{demo.id}/profile"
    before = client.get(url).json()
    assert before["population"] == 1_600_000
    assert before["income_group"] == "high"
    assert before["world_heritage_site"] is None
    assert before["travel_budget"] == "36000.00"
    assert before["function_needs"]["sharing_information"] == 25.0

    saved = client.put(url, json=FACTS | {"version": before["version"]})

    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert {k: body[k] for k in FACTS} == FACTS | {
        "function_needs": {"sharing_information": 30.0, "funding_access": 20.5}
    }
    assert body["priority_themes"] == before["priority_themes"]  # untouched fields stay


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"population": 0}, ["population"]),
        ({"population": "480000"}, ["population"]),
        ({"population": 100_000_001}, ["population"]),
        ({"income_group": "rich"}, ["income_group"]),
        ({"gni_per_capita_usd": -1}, ["gni_per_capita_usd"]),
        ({"world_heritage_site": "yes"}, ["world_heritage_site"]),
        ({"capital_city": 1}, ["capital_city"]),
        ({"travel_budget": "-5"}, ["travel_budget"]),
        ({"function_needs": {"gossip": 5}}, ["function_needs", "gossip", "[key]"]),
        ({"function_needs": {"advocacy": 101}}, ["function_needs", "advocacy"]),
        ({"function_needs": {"advocacy": True}}, ["function_needs", "advocacy"]),
        ({"function_needs": {"advocacy": "5"}}, ["function_needs", "advocacy"]),
    ],
)
def test_bad_profile_facts_are_422_naming_the_field(
    client: TestClient, demo: Workspace, session: Session, change: dict[str, Any], field: list[str]
) -> None:
    audits = _audits(session)

    response = client.put(f"/api/v1/workspaces/{demo.id}/profile", json=change)

    assert response.status_code == 422
    assert any(e["loc"][1:] == field for e in response.json()["detail"]), response.json()
    assert _audits(session) == audits
    profile = session.get(CityProfile, demo.id)
    assert profile is not None
    session.refresh(profile)
    assert profile.population == 1_600_000


# ---- API: memberships and fee estimates ---------------------------------------------------------


def test_membership_travel_cost_and_the_estimate_mark(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    iclei = _membership(session, demo, "iclei")
    url = f"/api/v1/workspaces/{demo.id}/memberships/{iclei.id}"

    shown = client.get(url).json()
    assert (shown["annual_fee"], shown["fee_is_estimate"], shown["travel_cost"]) == (
        "4300.00",
        True,
        "2500.00",
    )

    travel = client.patch(url, json={"travel_cost": "3100.50"}).json()
    assert (travel["travel_cost"], travel["fee_is_estimate"]) == ("3100.50", True)

    invoiced = client.patch(url, json={"annual_fee": "4410.00"}).json()
    assert (invoiced["annual_fee"], invoiced["fee_is_estimate"]) == ("4410.00", False)

    bad = client.patch(url, json={"travel_cost": "-1"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "travel_cost"]
    flag = client.patch(url, json={"fee_is_estimate": "yes"})
    assert flag.status_code == 422
    assert flag.json()["detail"][0]["loc"] == ["body", "fee_is_estimate"]


def test_new_membership_takes_travel_cost(client: TestClient, demo: Workspace) -> None:
    created = client.post(
        f"/api/v1/workspaces/{demo.id}/memberships",
        json={"network_id": "owhc", "status": "candidate", "travel_cost": "1200"},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["travel_cost"], created.json()["fee_is_estimate"]) == ("1200.00", False)


def test_fee_estimate_endpoint_and_applying_it(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    iclei = _membership(session, demo, "iclei")
    client.patch(
        f"/api/v1/workspaces/{demo.id}/memberships/{iclei.id}", json={"annual_fee": "100.00"}
    )
    url = f"/api/v1/workspaces/{demo.id}/memberships/{iclei.id}/fee-estimate"

    estimate = client.get(url).json()
    assert estimate["status"] == "estimate"
    assert (estimate["amount"], estimate["currency"], estimate["applies"]) == (
        "4300.00",
        "EUR",
        True,
    )
    assert estimate["source"] == "http://archive.iclei.org/index.php?id=13121"
    assert "1,600,000 inhabitants" in estimate["explanation"]

    applied = client.post(url)
    assert applied.status_code == 200
    assert (applied.json()["annual_fee"], applied.json()["fee_is_estimate"]) == ("4300.00", True)


def test_no_estimate_is_a_422_and_changes_nothing(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    for network, status in (("eurocities", "none_published"), ("uclg", "basis_only")):
        membership = _membership(session, demo, network)
        url = f"/api/v1/workspaces/{demo.id}/memberships/{membership.id}/fee-estimate"
        assert client.get(url).json()["status"] == status
        audits = _audits(session)
        refused = client.post(url)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "annual_fee"]
        assert _audits(session) == audits


def test_estimate_in_another_currency_does_not_apply(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    client.put(
        f"/api/v1/workspaces/{demo.id}/profile",
        json={"gni_per_capita_usd": 52_000, "income_group": "high", "population": 1_600_000},
    )
    created = client.post(
        f"/api/v1/workspaces/{demo.id}/memberships",
        json={"network_id": "owhc", "status": "candidate"},
    ).json()
    url = f"/api/v1/workspaces/{demo.id}/memberships/{created['id']}/fee-estimate"

    estimate = client.get(url).json()

    # 52,000 x 1,600,000 / 1,000,000 = 83,200 plus the high-income fixed part of 2,000
    assert (estimate["amount"], estimate["currency"], estimate["applies"]) == (
        "85200.00",
        "USD",
        False,
    )
    assert "not in the workspace's currency (EUR)" in estimate["caveats"][-1]
    assert client.post(url).status_code == 422


# ---- API: catalogue facts ---------------------------------------------------------------------


def test_network_facts_carry_their_sources(client: TestClient, demo: Workspace) -> None:
    assert demo.id
    uclg = client.get("/api/v1/networks/uclg/facts").json()
    children = {link["child_id"]: link for link in uclg["family"]}
    assert {"metropolis", "uclg-africa", "uclg-mewa", "uclg-aspac", "flacma"} <= set(children)
    assert children["metropolis"]["rule"] == "unstated"
    assert children["uclg-africa"]["rule"] == "implies"
    assert all(link["source"] for link in uclg["family"])
    assert {f["function"] for f in uclg["functions"]} >= {"advocacy", "showcasing"}
    assert all(f["source"] for f in uclg["functions"])

    owhc = client.get("/api/v1/networks/owhc/facts").json()
    assert [r["kind"] for r in owhc["eligibility_rules"]] == ["world_heritage_site"]
    assert client.get("/api/v1/networks/nope/facts").status_code == 404


# ---- pages ----------------------------------------------------------------------------------


def test_catalogue_page_shows_family_functions_and_rules(
    client: TestClient, demo: Workspace
) -> None:
    assert demo.id
    page = client.get("/networks/metropolis")

    assert page.status_code == 200
    assert 'id="family"' in page.text
    assert "Metropolis is a section of UCLG." in page.text
    assert (
        "No source says whether membership of one of them brings or needs the other." in page.text
    )
    assert "At least 1,000,000 inhabitants" in page.text
    assert 'id="functions"' in page.text

    integrating = client.get("/networks/integrating-cities")
    assert "Only members of Eurocities may join Integrating Cities." in integrating.text


def test_workspace_network_page_shows_costs_estimate_and_fit(
    client: TestClient, demo: Workspace
) -> None:
    page = client.get(f"/workspaces/{demo.id}/networks/iclei")

    assert page.status_code == 200
    assert "Travel and event costs per year" in page.text
    assert "€2,500" in page.text  # money as the reader's locale writes it
    assert ">estimate<" in page.text
    assert "ICLEI&#39;s archived dues table" in page.text
    assert "of the function weight the city needs" in page.text
    uclg = client.get(f"/workspaces/{demo.id}/networks/uclg")
    assert "Metropolis is a section of UCLG." in uclg.text


def test_assessment_editor_guides_members_and_candidates(
    client: TestClient, demo: Workspace
) -> None:
    member = client.get(f"/workspaces/{demo.id}/networks/c40/assess")
    candidate = client.get(f"/workspaces/{demo.id}/networks/r-cities/assess")

    assert member.status_code == candidate.status_code == 200
    assert "Guidance for a member:" in member.text
    assert "Guidance for a candidate:" not in member.text
    assert "Guidance for a candidate:" in candidate.text
    assert "Where to look:" in candidate.text
    for page in (member.text, candidate.text):
        assert "When the evidence meets only part of an anchor" in page
        assert "Give the highest point of the scale" in page
        assert "Not the same as Thematic fit:" in page
        assert 'id="double-counting"' in page
    assert "Scoring a network the city has not joined" in candidate.text
    assert "Scoring a network the city has not joined" not in member.text
    assert 'id="function-hint"' in member.text
    assert "both mainly serve" in member.text or "both serve" in member.text


# ---- forms on the profile page --------------------------------------------------------------

PROFILE_FORM = {
    "region": "Europe",
    "fee_budget": "120000",
    "staff_hours_budget": "5400",
    "theme_climate": "40",
    "travel_budget": "30,000",
    "population": "1,650,000",
    "income_group": "high",
    "gni_per_capita_usd": "",
    "world_heritage_site": "yes",
    "capital_city": "",
    "need_sharing_information": "30",
    "need_training": "5",
}


def test_profile_form_saves_facts_and_needed_functions(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    page = client.get(f"/workspaces/{demo.id}/profile")
    assert 'name="need_story_telling"' in page.text
    assert 'name="population" type="text" inputmode="numeric"' in page.text

    saved = client.post(f"/workspaces/{demo.id}/profile", data=PROFILE_FORM, follow_redirects=False)

    assert saved.status_code == 303
    profile = ws.get_profile(session, demo)
    session.refresh(profile)
    assert (profile.population, profile.income_group, profile.world_heritage_site) == (
        1_650_000,
        "high",
        True,
    )
    assert profile.capital_city is None
    assert profile.gni_per_capita_usd is None
    assert profile.travel_budget_minor == 3_000_000
    assert profile.function_needs == {"sharing_information": 30.0, "training": 5.0}


def test_profile_form_reports_every_bad_field_inline(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    bad = PROFILE_FORM | {
        "population": "many",
        "income_group": "rich",
        "world_heritage_site": "perhaps",
        "need_training": "500",
        "fee_budget": "lots",
    }
    audits = _audits(session)

    response = client.post(f"/workspaces/{demo.id}/profile", data=bad)

    assert response.status_code == 422
    for message in (
        "Enter the number of inhabitants as a whole number",
        "Choose one of the World Bank income groups",
        "Choose yes, no or not known.",
        "Give the function a weight from 0 to 100.",
        "Enter an amount",
    ):
        assert message in response.text, message
    assert 'id="need_training" name="need_training"' in response.text
    assert _audits(session) == audits


def test_membership_row_form_costs_and_the_estimate_button(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    iclei = _membership(session, demo, "iclei")
    url = f"/workspaces/{demo.id}/profile/memberships/{iclei.id}"
    row = {"status": "member", "lock": "", "version": str(iclei.version)}

    kept = client.post(
        url, data=row | {"annual_fee": "4300.00", "travel_cost": "2,800"}, follow_redirects=False
    )
    assert kept.status_code == 303
    iclei = _membership(session, demo, "iclei")
    assert (iclei.travel_cost_minor, iclei.fee_is_estimate) == (280_000, True)  # same fee kept

    invoiced = client.post(
        url,
        data=row | {"version": str(iclei.version), "annual_fee": "4410", "travel_cost": "2800"},
        follow_redirects=False,
    )
    assert invoiced.status_code == 303
    iclei = _membership(session, demo, "iclei")
    assert (iclei.annual_fee_minor, iclei.fee_is_estimate) == (441_000, False)

    page = client.get(f"/workspaces/{demo.id}/profile")
    assert "Use the estimate (€4,300.00)" in page.text
    estimate = client.post(
        url, data={"use_estimate": "1", "version": str(iclei.version)}, follow_redirects=False
    )
    assert estimate.status_code == 303
    iclei = _membership(session, demo, "iclei")
    assert (iclei.annual_fee_minor, iclei.fee_is_estimate) == (430_000, True)

    bad = client.post(url, data=row | {"version": str(iclei.version), "travel_cost": "-3"})
    assert bad.status_code == 422
    assert "Enter an amount of 0 or more." in bad.text
    assert _membership(session, demo, "iclei").travel_cost_minor == 280_000

    eurocities = _membership(session, demo, "eurocities")
    refused = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{eurocities.id}",
        data={"use_estimate": "1"},
    )
    assert refused.status_code == 422
    assert "No fee estimate can be used here." in refused.text
    assert _membership(session, demo, "eurocities").annual_fee_minor == Decimal("24500") * 100
