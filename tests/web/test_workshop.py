"""Workshops through HTTP (TestClient, both databases): the facilitator opens one on the demo,
phones join by code and submit, the room's block carries the aggregate, disagreement,
consensus and robust core the scoring core computes; votes stay hidden until revealed; bad
submissions get 422 naming the field; a phone changes only its own submission; codes stop
working when the workshop closes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import csrf_of
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Scenario, User, Workshop, WorkshopSubmission, Workspace
from app.services import analysis as an
from app.services import workshop as wk
from criteria import default_framework
from scoring.consensus import consensus, disagreement, robust_core
from scoring.weights import aggregate_group

KEYS = default_framework().keys


class Phone:
    """One participant's phone: its own cookie jar and CSRF token."""

    def __init__(self, app: FastAPI, code: str) -> None:
        self.client = TestClient(app)
        self.client.__enter__()
        self.code = code
        self.csrf = ""
        self.sent = 0

    def open(self, path: str = "") -> Any:
        response = self.client.get(f"/w/{self.code}{path}")
        if response.status_code == 200:
            self.csrf = csrf_of(response.text)
        return response

    def join(self, name: str, group: str = "") -> Any:
        self.open()
        data = {"display_name": name, "group": group, "csrf_token": self.csrf}
        response = self.client.post(f"/w/{self.code}/join", data=data)
        if response.status_code == 200:
            self.csrf = csrf_of(response.text)
        return response

    def submit(self, points: dict[str, Any], *, key: str | None = None, **extra: str) -> Any:
        self.sent += 1
        data = {f"w_{k}": str(v) for k, v in points.items()}
        data |= {"csrf_token": self.csrf, "submission_key": key or f"form-{self.sent}"} | extra
        return self.client.post(f"/w/{self.code}/submit", data=data)

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture
def opened(client: TestClient, demo: Workspace) -> tuple[str, str]:
    """(screen URL, join code) of a workshop on the demo's first scenario, with two groups."""
    scenario = client.get(f"/api/v1/workspaces/{demo.id}/scenarios").json()[0]
    response = client.post(
        f"/workspaces/{demo.id}/workshops",
        data={"title": "Budget review", "scenario_id": scenario["id"], "groups": "Council, Staff"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    screen = response.headers["location"]
    page = client.get(screen)
    code = re.search(r'class="join-code"[^>]*>([A-Z0-9]{6})<', page.text)
    assert code is not None
    return screen, code.group(1)


@pytest.fixture
def phones(app: FastAPI, opened: tuple[str, str]) -> Iterator[list[Phone]]:
    made = [Phone(app, opened[1]) for _ in range(3)]
    yield made
    for phone in made:
        phone.close()


ANA = dict.fromkeys(KEYS, 5) | {"relevant_agenda": 60, "annual_fee": 40, "sharp_focus": 30}
BEN = dict.fromkeys(KEYS, 10) | {"annual_fee": 0, "staff_time": 70, "openness_inclusion": 55}


def _event(text: str) -> tuple[int, str]:
    """The id and the HTML of a single Server-Sent Event."""
    seq = int(re.search(r"^id: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    body = "\n".join(line[6:] for line in text.splitlines() if line.startswith("data: "))
    return seq, body


def _attrs(body: str, pattern: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'data-([a-z]+)="([^"]*)"', match)) for match in re.findall(pattern, body)
    ]


def test_two_phones_and_the_room_block_agrees_with_the_scoring_core(
    client: TestClient,
    opened: tuple[str, str],
    phones: list[Phone],
    session: Session,
    demo: Workspace,
) -> None:
    screen, code = opened
    ana, ben, _ = phones
    assert ana.join("Ana", "Council").status_code == 200
    assert ben.join("Ben", "Staff").status_code == 200
    assert ana.submit(ANA).status_code == 200
    assert ben.submit(BEN).status_code == 200

    hidden = client.get(f"{screen}/events")  # not an event stream: one snapshot
    assert hidden.headers["content-type"].startswith("text/event-stream")
    seq, body = _event(hidden.text)
    assert 'data-revealed="no"' in body
    assert 'data-submitted="2"' in body
    assert "data-consensus" not in body
    assert "data-mean" not in body
    assert client.get(f"/w/{code}/events").status_code == 200

    assert client.post(f"{screen}/reveal").status_code in (200, 303)
    seq2, body = _event(client.get(f"{screen}/events").text)
    assert seq2 > seq
    sets = [ANA, BEN]
    for how in ("mean", "geometric", "median"):
        expected = aggregate_group(sets, how).weights  # type: ignore[arg-type]
        rows = {a["criterion"]: a for a in _attrs(body, r'<tr (data-criterion="[^>]*)>')}
        for key in KEYS:
            assert float(rows[key][how]) == pytest.approx(expected[key], abs=1e-6)
    group = aggregate_group(sets)
    levels = disagreement(group)
    for key in KEYS:
        assert float(rows[key]["std"]) == pytest.approx(group.dispersion[key].std, abs=1e-6)
        assert rows[key]["level"] == levels[key]
    index = re.search(r'data-consensus="([0-9.]+)"', body)
    assert index is not None
    assert float(index.group(1)) == pytest.approx(consensus(sets).index, abs=1e-6)

    # The robust core: the analysis under each participant's own weights.
    workshop = session.exec(select(Workshop).where(Workshop.code == code)).one()
    advice = {}
    for name, points in (("Ana", ANA), ("Ben", BEN)):
        ctx = an.run_analysis(
            session,
            demo,
            weights=points,
            method=workshop.method,
            options=workshop.options,
            detail="preview",
        )
        actions = ctx.analysis.ranking.actions()
        advice[name] = {
            n: str(a) for n, a in zip(ctx.analysis.matrix.alternatives, actions, strict=True)
        }
    core = robust_core(advice, list(advice["Ana"]))
    unanimous = dict(re.findall(r'<span data-network="([^"]+)" data-action="([^"]+)">', body))
    assert unanimous == core.unanimous
    split = dict(re.findall(r'<li data-network="([^"]+)" data-split="([^"]+)">', body))
    assert split == {n: ",".join(f"{a}:{c}" for a, c in counts) for n, counts in core.split.items()}
    assert core.unanimous
    assert core.split

    # The JSON API says the same.
    state = client.get(f"/api/v1{screen}").json()
    assert state["consensus"]["index"] == pytest.approx(consensus(sets).index)
    assert state["robust_core"]["unanimous"] == core.unanimous


def test_the_phones_see_the_others_only_after_the_reveal(
    client: TestClient, opened: tuple[str, str], phones: list[Phone]
) -> None:
    screen, code = opened
    ana, ben, _ = phones
    ana.join("Ana")
    ben.join("Ben")
    ana.submit(ANA)
    ben.submit(BEN)
    _, before = _event(ana.client.get(f"/w/{code}/events").text)
    assert "Ben" not in before
    assert "room-weights" not in before
    assert "Ben" not in ana.open().text
    client.post(f"{screen}/reveal")
    _, after = _event(ana.client.get(f"/w/{code}/events").text)
    assert "room-weights" in after
    assert "Ben" in after
    client.post(f"{screen}/hide")
    _, hidden = _event(ana.client.get(f"/w/{code}/events").text)
    assert "room-weights" not in hidden


def test_bad_submissions_are_refused_naming_the_field(
    opened: tuple[str, str], phones: list[Phone], session: Session
) -> None:
    ana = phones[0]
    ana.join("Ana")
    response = ana.submit(ANA | {"made_up": 10})
    assert response.status_code == 422
    assert "made_up" in html.unescape(response.text)
    assert 'id="w_made_up-error"' not in response.text  # no field for it: named in the alert
    response = ana.submit(ANA | {"annual_fee": 140})
    assert response.status_code == 422
    assert 'id="w_annual_fee-error"' in response.text
    response = ana.submit(dict.fromkeys(KEYS, "x"))
    assert response.status_code == 422
    response = ana.submit(dict.fromkeys(KEYS, 0))
    assert response.status_code == 422
    allocation = dict.fromkeys(KEYS, 5)  # 15 criteria x 5 = 75 points, not 100
    assert len(KEYS) == 15  # the framework's 11 checklist criteria, 2 computed fits, 2 costs
    response = ana.submit(allocation, mode="allocation")
    assert response.status_code == 422
    assert "Your points add up to 75; they must add up to 100." in response.text
    assert session.exec(select(WorkshopSubmission)).all() == []  # nothing half-written
    exact = dict.fromkeys(KEYS, 0) | {"relevant_agenda": 60, "annual_fee": 40}
    assert ana.submit(exact, mode="allocation").status_code == 200


def test_a_phone_changes_only_its_own_submission(
    app: FastAPI, opened: tuple[str, str], phones: list[Phone], session: Session
) -> None:
    _, code = opened
    ana, ben, stranger = phones
    ana.join("Ana")
    ben.join("Ben")
    assert ana.submit(ANA, key="same").status_code == 200
    again = ana.submit(ANA | {"sharp_focus": 90}, key="same")  # the same form, posted twice
    assert again.status_code == 200
    assert ben.submit(BEN).status_code == 200
    rows = session.exec(select(WorkshopSubmission).order_by(col(WorkshopSubmission.id))).all()
    assert len(rows) == 2  # the repeated post did not add a row
    assert rows[0].weights["sharp_focus"] == 30
    # A phone that has not joined (no device token, or a forged one) cannot submit.
    stranger.open()
    anonymous = stranger.submit(ANA, key="x")
    assert anonymous.status_code == 200  # the join form, after a redirect
    assert 'action="/w/' in anonymous.text
    assert "display_name" in anonymous.text
    stranger.client.cookies.set(f"nc_wp_{code}", "forged-token", path=f"/w/{code}")
    assert "display_name" in stranger.submit(ANA, key="y").text
    assert len(session.exec(select(WorkshopSubmission)).all()) == 2


def test_a_phone_is_rate_limited(opened: tuple[str, str], phones: list[Phone]) -> None:
    ana = phones[0]
    ana.join("Ana")
    assert ana.submit(ANA).status_code == 200
    too_soon = ana.submit(BEN)
    assert too_soon.status_code == 429
    assert int(too_soon.headers["retry-after"]) >= 1


def test_rounds_freeze_and_closing(
    client: TestClient,
    opened: tuple[str, str],
    phones: list[Phone],
    session: Session,
    demo: Workspace,
) -> None:
    screen, code = opened
    ana, ben, late = phones
    ana.join("Ana")
    ben.join("Ben")
    ana.submit(ANA)
    ben.submit(BEN)
    client.post(f"{screen}/rounds/close")
    closed = ana.submit(BEN, key="after-close")
    assert closed.status_code == 422
    assert "This round is closed" in closed.text
    frozen = client.post(
        f"{screen}/freeze", data={"round": "1", "name": "Room, round 1"}, follow_redirects=False
    )
    assert frozen.status_code == 303
    assert "/scenarios/compare?ids=" in frozen.headers["location"]
    scenario = session.exec(select(Scenario).where(Scenario.name == "Room, round 1")).one()
    mean = aggregate_group([ANA, BEN]).weights
    total = sum(scenario.weights.values())
    for key in KEYS:
        assert scenario.weights[key] / total == pytest.approx(mean[key], abs=0.002)
    assert client.get(frozen.headers["location"]).status_code == 200
    assert client.post(f"{screen}/rounds").status_code in (200, 303)
    state = client.get(f"/api/v1{screen}").json()
    assert (state["round"], state["round_status"], state["submitted"]) == (2, "open", 0)
    assert client.post(f"{screen}/close").status_code in (200, 303)
    assert late.open().status_code == 404
    assert ana.submit(ANA, key="after-end").status_code == 404
    assert late.client.get(f"/w?code={code.lower()}", follow_redirects=True).status_code == 404
    assert client.get(screen).status_code == 200  # the facilitator still reads it


def test_roles_and_scoping(
    app: FastAPI,
    opened: tuple[str, str],
    session: Session,
    demo: Workspace,
    make_user: Any,
) -> None:
    from conftest import bearer

    screen, _ = opened
    viewer: User = make_user(session, "viewer@example.org", "viewer", demo)
    outsider: User = make_user(session, "outsider@example.org")
    with TestClient(app, headers=bearer(session, viewer)) as as_viewer:
        assert as_viewer.get(screen).status_code == 200
        assert as_viewer.get(f"{screen}/qr.svg").headers["content-type"] == "image/svg+xml"
        assert as_viewer.post(f"{screen}/reveal").status_code == 403
    with TestClient(app, headers=bearer(session, outsider)) as as_outsider:
        assert as_outsider.get(screen).status_code == 404
        assert as_outsider.get(f"/api/v1{screen}").status_code == 404


def test_the_phone_page_speaks_the_participants_language(
    opened: tuple[str, str], phones: list[Phone]
) -> None:
    phone = phones[0]
    assert "Unirse al taller" in phone.open("?lang=es").text
    assert "Rejoindre l" in phone.open("?lang=fr").text
    phone.join("Zoé")
    page = phone.open()
    assert "Soumettre" not in page.text
    assert "Envoyer mes poids" in page.text


def test_an_unknown_code_asks_again(anon_client: TestClient) -> None:
    response = anon_client.get("/w/ZZZZZZ")
    assert response.status_code == 404
    assert 'name="code"' in response.text
    assert anon_client.get("/w/not a code!").status_code == 404
    assert anon_client.get("/w").status_code == 200


def test_join_refuses_a_taken_name_and_an_unknown_group(
    opened: tuple[str, str], phones: list[Phone]
) -> None:
    assert phones[0].join("Ana").status_code == 200
    taken = phones[1].join(" ana ".replace("a", "A", 1).strip())
    assert taken.status_code == 422
    assert "already uses that name" in html.unescape(taken.text)
    wrong = phones[2].join("Cleo", "Mayors")
    assert wrong.status_code == 422
    assert 'id="group-error"' in wrong.text


def test_services_number_every_change(session: Session, demo: Workspace) -> None:
    from app.services.events import LocalBus

    bus = LocalBus()
    workshop = wk.create_workshop(
        session, demo, title="Numbers", scenario_id=None, groups=[], actor="t"
    )
    participant, token = wk.join(session, workshop, name="Ana", group=None, bus=bus)
    first = wk.submit(session, workshop, participant, {"relevant_agenda": 1.0}, key="a", bus=bus)
    wk.set_revealed(session, workshop, True, bus)
    session.refresh(workshop)
    assert (first.seq, workshop.seq) == (2, 3)
    assert wk.participant_by_token(session, workshop, token) == participant
    assert wk.participant_by_token(session, workshop, "nope") is None


def test_a_large_room_shows_phones_the_spread_not_every_column(
    client: TestClient,
    opened: tuple[str, str],
    phones: list[Phone],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.views import workshop as views

    screen, code = opened
    ana, ben, _ = phones
    ana.join("Ana")
    ben.join("Ben")
    ana.submit(ANA)
    ben.submit(BEN)
    client.post(f"{screen}/reveal")
    monkeypatch.setattr(views, "PHONE_VOTER_COLUMNS", 1)
    _, body = _event(ana.client.get(f"/w/{code}/events").text)
    assert "Lowest" in body
    assert ">Ben<" not in body
    low = min(ANA["annual_fee"] / sum(ANA.values()), BEN["annual_fee"] / sum(BEN.values()))
    row = re.search(r"<th scope=\"row\">Annual fee</th>(.*?)</tr>", body)
    assert row is not None
    assert f"{round(low * 100)}%" in row.group(1)
