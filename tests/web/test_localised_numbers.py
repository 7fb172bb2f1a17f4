"""Amounts typed the reader's way are stored as meant: "4300,50" in French is 4,300.50, never
430,050 (found in review: the forms dropped every comma as a thousands separator)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.i18n import use_locale
from app.models import Membership, Workspace
from app.services import ui
from app.services.profile_forms import parse_membership_form, parse_profile_facts


@pytest.mark.parametrize(
    ("locale", "typed", "stored"),
    [
        ("fr", "4300,50", Decimal("4300.50")),
        ("fr", "4\u202f300,50", Decimal("4300.50")),
        ("es", "4.300,50", Decimal("4300.50")),
        ("es", "4.300", Decimal("4300")),
        ("en", "4,300.50", Decimal("4300.50")),
        ("en", "4300,50", Decimal("4300.50")),
    ],
)
def test_amounts_are_read_the_readers_way(locale: str, typed: str, stored: Decimal) -> None:
    with use_locale(locale):
        facts = parse_profile_facts({"travel_budget": typed})
        row = parse_membership_form({"annual_fee": typed}, Decimal("0"))
    assert facts["travel_budget"] == stored
    assert row["annual_fee"] == stored


@pytest.mark.parametrize("typed", ["4,300,50", "1.2.3,4,5", "4e3", "²", "12,5,0"])
def test_numbers_that_cannot_be_read_without_guessing_are_refused(typed: str) -> None:
    with use_locale("fr"), pytest.raises(ui.FormErrors) as caught:
        parse_profile_facts({"travel_budget": typed})
    assert "travel_budget" in caught.value.errors


def test_a_french_fee_typed_on_the_page_is_stored_as_meant(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    membership = session.exec(
        select(Membership).where(Membership.workspace_id == demo.id).order_by(Membership.id)
    ).first()
    assert membership is not None
    response = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{membership.id}",
        params={"lang": "fr"},
        data={"annual_fee": "4300,50", "travel_cost": "1\u202f250"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    session.expire_all()
    stored = session.get(Membership, membership.id)
    assert stored is not None
    assert (stored.annual_fee_minor, stored.travel_cost_minor) == (430_050, 125_000)
