"""Web tests of the decision settings page, scenario overrides and the decision calendar."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from app.models import DecisionSettings, User, Workspace
from app.services import workspaces as ws
from tests.conftest import MakeUser, bearer

DEFAULTS = {
    "join_bar": "0.6",
    "leave_bar": "0.45",
    "join_cost": "0.02",
    "leave_cost": "0.02",
    "overlap_penalty": "0.1",
    "evidence_threshold": "70",
    "fee_reference": "",
    "hours_reference": "",
}


def test_the_settings_page_explains_every_control(client: TestClient, demo: Workspace) -> None:
    page = client.get(f"/workspaces/{demo.id}/settings")
    assert page.status_code == 200
    text = page.text
    for name in DEFAULTS:
        assert f'name="{name}"' in text
    # The reference left empty shows what is used instead and why.
    assert "a quarter of the fee budget" in text
    assert "€30,000" in text


def test_bad_settings_are_refused_inline_and_change_nothing(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/settings"
    cases = {
        "leave_bar": "0.7",  # above the join bar
        "join_bar": "²",  # a superscript digit is not a number
        "join_cost": "NaN",
        "overlap_penalty": "1e400",
        "evidence_threshold": "140",
        "fee_reference": "-5",
        "hours_reference": "12.5",
    }
    for field, value in cases.items():
        response = client.post(url, data=DEFAULTS | {field: value})
        assert response.status_code == 422, (field, value)
        assert f'id="{field}-error"' in response.text, field
        assert 'aria-invalid="true"' in response.text
    assert session.get(DecisionSettings, demo.id) is None  # nothing was stored


def test_saving_settings_changes_the_advice(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/settings"
    response = client.post(url, data=DEFAULTS | {"leave_bar": "0.5"}, follow_redirects=False)
    assert response.status_code == 303
    row = session.get(DecisionSettings, demo.id)
    assert row is not None
    session.refresh(row)
    assert row.leave_bar == 0.5
    dashboard = client.get(f"/workspaces/{demo.id}").text
    assert "leave bar 0.50" in dashboard


def test_viewers_cannot_change_settings(
    app: object, demo: Workspace, session: Session, make_user: MakeUser
) -> None:
    viewer: User = make_user(session, "viewer@example.org", role="viewer", workspace=demo)
    with TestClient(app, headers=bearer(session, viewer)) as c:  # type: ignore[arg-type]
        assert c.get(f"/workspaces/{demo.id}/settings").status_code == 200
        denied = c.post(f"/workspaces/{demo.id}/settings", data=DEFAULTS)
        assert denied.status_code == 403


def test_a_scenario_saved_with_overrides_states_them(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    keys = ws.framework_of(session, demo).keys
    form = {f"w_{k}": "5" for k in keys} | {"method": "weighted_sum", "name": "Strict leave"}
    bad = client.post(f"/workspaces/{demo.id}/scenarios", data=form | {"set_leave_bar": "0.9"})
    assert bad.status_code == 422
    assert 'id="set_leave_bar-error"' in bad.text
    saved = client.post(
        f"/workspaces/{demo.id}/scenarios",
        data=form | {"set_leave_bar": "0.5", "set_fee_budget_percent": "80"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    scenario = next(s for s in ws.list_scenarios(session, demo) if s.name == "Strict leave")
    assert scenario.options["settings"] == {"leave_bar": 0.5}
    assert scenario.options["fee_budget_factor"] == 0.8
    body = client.get(f"/api/v1/workspaces/{demo.id}/scenarios/{scenario.id}/analysis").json()
    assert body["settings"]["leave_bar"] == 0.5
    assert body["budget"]["fee_budget"] == "96000.00"


def test_the_calendar_lists_deadlines_and_exports_them(
    client: TestClient, anon_client: TestClient, demo: Workspace
) -> None:
    page = client.get(f"/workspaces/{demo.id}/calendar")
    assert page.status_code == 200
    assert "Last day to give notice" in page.text
    assert "No renewal date recorded" in page.text  # the commitments without a renewal
    download = client.get(f"/workspaces/{demo.id}/calendar.ics")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(download.content)
    events = list(calendar.walk("VEVENT"))
    summaries = [str(e["summary"]) for e in events]
    assert "Last day to give notice: UCLG" in summaries
    notice = next(e for e in events if str(e["summary"]) == "Last day to give notice: UCLG")
    assert notice.decoded("dtstart") >= date.today()
    # A private feed address for calendar apps: shown once, works without signing in, and a
    # new address ends the old one.
    created = client.post(f"/workspaces/{demo.id}/calendar/feed")
    assert created.status_code == 200
    first = re.search(r"http://testserver(/calendar/cal_[^<\s]+\.ics)", created.text)
    assert first is not None
    feed = anon_client.get(first.group(1))
    assert feed.status_code == 200
    assert b"BEGIN:VCALENDAR" in feed.content
    again = client.post(f"/workspaces/{demo.id}/calendar/feed")
    second = re.search(r"http://testserver(/calendar/cal_[^<\s]+\.ics)", again.text)
    assert second is not None
    assert second.group(1) != first.group(1)
    assert anon_client.get(first.group(1)).status_code == 404
    assert anon_client.get(second.group(1)).status_code == 200
    assert anon_client.get("/calendar/cal_nope.ics").status_code == 404
    denied = anon_client.get(f"/workspaces/{demo.id}/calendar.ics", follow_redirects=False)
    assert denied.status_code == 303  # to the sign-in page


def test_the_calendar_shows_the_councils_next_review_dates(
    client: TestClient, demo: Workspace
) -> None:
    """A decision's next review date is on the calendar page and in the feed; only the
    decision in force counts (an older decision's review date is gone once it is replaced)."""
    page = client.get(f"/workspaces/{demo.id}/calendar")
    assert "No recorded decision sets a next review date." in page.text
    older = {
        "network_id": "uclg",
        "action": "stay",
        "decided_on": "2025-03-01",
        "body": "City Council",
        "next_review_on": "2026-03-01",
    }
    assert client.post(f"/api/v1/workspaces/{demo.id}/decisions", json=older).status_code == 201
    page = client.get(f"/workspaces/{demo.id}/calendar")
    assert "overdue by" in page.text  # 2026-03-01 has passed on any day this suite runs
    newer = older | {
        "decided_on": "2026-03-02",
        "reference": "Resolution 2026/14",
        "next_review_on": "2099-06-30",
    }
    assert client.post(f"/api/v1/workspaces/{demo.id}/decisions", json=newer).status_code == 201
    page = client.get(f"/workspaces/{demo.id}/calendar")
    assert "Jun 30, 2099" in page.text
    assert "Stay, decided by City Council on Mar 2, 2026" in page.text
    assert "Resolution 2026/14" in page.text
    assert "overdue by" not in page.text
    events = Calendar.from_ical(client.get(f"/workspaces/{demo.id}/calendar.ics").content)
    reviews = [e for e in events.walk("VEVENT") if str(e["summary"]).startswith("Review due")]
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in reviews] == [
        ("Review due: UCLG", date(2099, 6, 30))
    ]
