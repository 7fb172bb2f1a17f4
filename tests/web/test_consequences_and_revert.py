"""Consequences shown, mistakes undoable: the assessment editor says which networks changed
rank or action in the default scenario; the signed-in person is the default assessor; the
audit log reads like a ledger (labels, money by locale, names instead of ids) and an analyst
can undo an entry (audited; refused when the data moved on; viewers cannot)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from conftest import Login, MakeUser
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from app.models import Assessment, AuditEntry, Membership, Scenario, Workspace
from app.services import workspaces as ws
from app.views import consequences


def _last_entry(session: Session, workspace: Workspace) -> AuditEntry:
    session.expire_all()
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == workspace.id)
        .order_by(col(AuditEntry.id).desc())
    ).first()  # type: ignore[return-value]


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- consequences ---------------------------------------------------------------------------


def test_saving_scores_names_the_networks_that_changed_rank_or_action(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    before = consequences.default_analysis(session, demo)
    assert before is not None
    ranked = [r for r in before.analysis.recommendations if r.rank]
    target = max(ranked, key=lambda r: r.rank or 0)  # the last ranked network
    keys = ws.framework_of(session, demo).assessed_keys
    data = {"assessor": "Board"} | {f"score_{k}": "5" for k in keys}
    data |= {f"confidence_{k}": "high" for k in keys}
    url = f"/workspaces/{demo.id}/networks/{target.network}/assess"
    saved = client.post(url, data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert "checked=1" in saved.headers["location"]

    after = consequences.default_analysis(session, demo)
    expected = consequences.compare(before, after)
    assert target.network in [c.network_id for c in expected]  # five 5s move it
    page = client.get(saved.headers["location"])
    assert page.status_code == 200
    shown = _text(page.text)
    names = consequences.network_names(session, demo)
    for line in consequences.sentences(expected, names):
        assert line in shown
    target_line = next(
        s for s in consequences.sentences(expected, names) if s.startswith(names[target.network])
    )
    assert "rank" in target_line or "is now" in target_line
    assert "no change of rank or action" not in shown


def test_a_save_that_moves_nothing_says_so(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    row = ws.list_assessments(session, demo, network_id="iclei")[0]
    url = f"/workspaces/{demo.id}/networks/iclei/assess"
    data = {
        "assessor": row.assessor,
        f"score_{row.criterion}": "" if row.score is None else str(row.score),
        f"evidence_{row.criterion}": row.evidence + " (checked again)",
        f"source_{row.criterion}": row.source_url or "",
        f"confidence_{row.criterion}": row.confidence,
    }
    # keep every other criterion of this assessor as it is
    for other in ws.list_assessments(session, demo, network_id="iclei"):
        if other.assessor == row.assessor and other.criterion != row.criterion:
            data |= {
                f"score_{other.criterion}": "" if other.score is None else str(other.score),
                f"evidence_{other.criterion}": other.evidence,
                f"source_{other.criterion}": other.source_url or "",
                f"confidence_{other.criterion}": other.confidence,
            }
    page = client.post(url, data=data)
    assert page.status_code == 200
    shown = _text(page.text)
    assert "Saved: 1 assessment changed." in shown
    assert "In the default scenario: no change of rank or action." in shown


def test_forged_consequence_tokens_are_ignored(client: TestClient, demo: Workspace) -> None:
    url = f"/workspaces/{demo.id}/networks/iclei/assess"
    page = client.get(
        url,
        params=[
            ("saved", "1"),
            ("checked", "1"),
            ("change", "nowhere:1:2:stay:leave"),
            ("change", "iclei:x:2:stay:leave"),
            ("change", "iclei:3:2:stay:<script>"),
        ],
    )
    assert page.status_code == 200
    shown = _text(page.text)
    assert "no change of rank or action" in shown
    assert "nowhere" not in shown
    assert "<script>" not in page.text


@given(
    network=st.sampled_from(["icorn", "c40", "r-cities"]),
    ranks=st.tuples(st.none() | st.integers(1, 999), st.none() | st.integers(1, 999)),
    actions=st.tuples(
        st.sampled_from(sorted(consequences.ACTIONS)), st.sampled_from(sorted(consequences.ACTIONS))
    ),
)
def test_tokens_read_back_as_written(
    network: str, ranks: tuple[int | None, int | None], actions: tuple[str, str]
) -> None:
    moved = consequences.Moved(network, ranks[0], ranks[1], actions[0], actions[1])
    assert consequences.parse([moved.token()], [network]) == [moved]
    assert consequences.parse([moved.token()], ["other"]) == []


def test_the_signed_in_person_is_the_default_assessor(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    user = make_user(session, "ana@example.org", "analyst", demo)
    user.display_name = "Ana Ruiz"
    session.add(user)
    session.commit()
    token = login(anon_client, "ana@example.org")
    url = f"/workspaces/{demo.id}/networks/iclei/assess"
    page = anon_client.get(url)
    assert "Scoring as <strong>Ana Ruiz</strong>" in page.text
    assert "Culture Department</strong>" not in page.text
    saved = anon_client.post(
        url, data={"csrf_token": token, "score_sharp_focus": "4"}, follow_redirects=False
    )
    assert saved.status_code == 303
    session.expire_all()
    mine = session.exec(
        select(Assessment).where(
            Assessment.workspace_id == demo.id,
            Assessment.network_id == "iclei",
            Assessment.criterion == "sharp_focus",
            Assessment.assessor == "Ana Ruiz",
        )
    ).one()
    assert mine.score == 4


# --- revert ---------------------------------------------------------------------------------


def _membership(session: Session, workspace: Workspace, network_id: str) -> Membership:
    session.expire_all()
    return session.exec(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.network_id == network_id
        )
    ).one()


def test_undo_a_membership_change_restores_it_and_is_audited(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    membership = ws.list_memberships(session, demo)[0][0]
    network_id, fee = membership.network_id, membership.annual_fee_minor
    ws.update_membership(
        session, demo, membership, {"staff_hours": 999, "notes": "typo"}, actor="x@example.org"
    )
    entry = _last_entry(session, demo)
    assert entry.entity == "membership"
    log = client.get(f"/workspaces/{demo.id}/audit")
    assert f'action="/workspaces/{demo.id}/audit/{entry.id}/revert' in log.text

    undone = client.post(f"/workspaces/{demo.id}/audit/{entry.id}/revert", follow_redirects=False)
    assert undone.status_code == 303
    restored = _membership(session, demo, network_id)
    assert restored.staff_hours == entry.before["staff_hours"]  # type: ignore[index]
    assert restored.notes == entry.before["notes"]  # type: ignore[index]
    assert restored.annual_fee_minor == fee
    revert = _last_entry(session, demo)
    assert (revert.action, revert.entity, revert.entity_key) == ("revert", "membership", network_id)
    assert revert.actor == "admin@example.org"
    assert revert.before["staff_hours"] == 999  # type: ignore[index]
    page = client.get(undone.headers["location"])
    assert "The change was undone" in page.text


def test_undo_is_refused_when_the_data_moved_on(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    membership = ws.list_memberships(session, demo)[0][0]
    network_id = membership.network_id
    ws.update_membership(session, demo, membership, {"staff_hours": 111}, actor="x@example.org")
    first = _last_entry(session, demo)
    membership = _membership(session, demo, network_id)
    ws.update_membership(session, demo, membership, {"staff_hours": 222}, actor="y@example.org")
    count = len(session.exec(select(AuditEntry)).all())

    refused = client.post(f"/workspaces/{demo.id}/audit/{first.id}/revert")
    assert refused.status_code == 409
    assert "changed again after this entry" in refused.text
    assert 'role="alert"' in refused.text
    assert _membership(session, demo, network_id).staff_hours == 222
    assert len(session.exec(select(AuditEntry)).all()) == count  # nothing written


def test_undo_a_created_assessment_removes_it_and_undo_again_brings_it_back(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    url = f"/workspaces/{demo.id}/networks/iclei/assess"
    client.post(url, data={"assessor": "Temp", "score_sharp_focus": "2"})
    created = _last_entry(session, demo)
    assert (created.action, created.entity) == ("create", "assessment")

    def temp() -> list[Assessment]:
        session.expire_all()
        return [a for a in ws.list_assessments(session, demo) if a.assessor == "Temp"]

    assert client.post(f"/workspaces/{demo.id}/audit/{created.id}/revert").status_code == 200
    assert temp() == []
    removal = _last_entry(session, demo)
    assert (removal.action, removal.before is not None, removal.after) == ("revert", True, None)
    # undoing the undo re-creates the deleted row with what it held
    assert client.post(f"/workspaces/{demo.id}/audit/{removal.id}/revert").status_code == 200
    assert [(a.criterion, a.score) for a in temp()] == [("sharp_focus", 2)]
    # the first undo cannot run twice: the row it removed is back, but as a new row, so the
    # create entry applies again only while the row still holds what was created
    assert client.post(f"/workspaces/{demo.id}/audit/{removal.id}/revert").status_code == 409


def test_undo_a_deleted_scenario_recreates_it(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    scenario = ws.list_scenarios(session, demo)[-1]
    name, weights = scenario.name, dict(scenario.weights)
    ws.delete_scenario(session, demo, scenario, actor="x@example.org")
    entry = _last_entry(session, demo)
    assert client.post(f"/workspaces/{demo.id}/audit/{entry.id}/revert").status_code == 200
    session.expire_all()
    back = session.exec(
        select(Scenario).where(Scenario.workspace_id == demo.id, Scenario.name == name)
    ).one()
    assert back.weights == weights


def test_viewers_see_no_undo_and_get_403(
    anon_client: TestClient, session: Session, make_user: MakeUser, login: Login, demo: Workspace
) -> None:
    membership = ws.list_memberships(session, demo)[0][0]
    ws.update_membership(session, demo, membership, {"staff_hours": 5}, actor="x@example.org")
    entry = _last_entry(session, demo)
    make_user(session, "vi@example.org", "viewer", demo)
    token = login(anon_client, "vi@example.org")
    page = anon_client.get(f"/workspaces/{demo.id}/audit")
    assert page.status_code == 200
    assert "/revert" not in page.text
    refused = anon_client.post(
        f"/workspaces/{demo.id}/audit/{entry.id}/revert", data={"csrf_token": token}
    )
    assert refused.status_code == 403
    assert _membership(session, demo, membership.network_id).staff_hours == 5


def test_entries_of_other_kinds_or_workspaces_cannot_be_undone(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    client.post(
        f"/workspaces/{demo.id}/members", data={"email": "nobody@example.org", "role": "viewer"}
    )
    other = session.exec(select(AuditEntry).where(AuditEntry.workspace_id != demo.id)).first()
    if other is not None:
        assert client.post(f"/workspaces/{demo.id}/audit/{other.id}/revert").status_code == 404
    assert client.post(f"/workspaces/{demo.id}/audit/99999999/revert").status_code == 404


# --- the ledger -----------------------------------------------------------------------------


def test_the_audit_log_reads_like_a_ledger(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    membership = ws.list_memberships(session, demo)[0][0]
    network = ws.list_memberships(session, demo)[0][1]
    ws.update_membership(
        session,
        demo,
        membership,
        {"annual_fee": Decimal(membership.annual_fee_minor) / 100 + 1234},
        actor="admin@example.org",
    )
    page = client.get(f"/workspaces/{demo.id}/audit", params={"entity": "membership"})
    assert page.status_code == 200
    text = _text(page.text)
    assert "Annual fee" in text
    assert "annual_fee_minor" not in page.text
    assert "workspace_id" not in page.text
    assert '"' + "network_id" not in page.text
    assert "{" not in text  # no raw JSON
    assert "€" in text
    assert re.search(r"€\d{1,3}(,\d{3})+", text)
    assert (network.acronym or network.name) in text
    assert "Changed · Membership" in text

    es = client.get(f"/workspaces/{demo.id}/audit", params={"entity": "membership", "lang": "es"})
    es_text = _text(es.text)
    assert "Cuota anual" in es_text
    assert re.search(r"\d{1,3}(\.\d{3})+\s€", es_text)

    raw = client.get(f"/workspaces/{demo.id}/audit.csv", params={"entity": "membership"})
    assert "annual_fee_minor" in raw.text  # the export stays raw for machines


def test_scenarios_and_people_are_named(
    client: TestClient, demo: Workspace, session: Session, make_user: MakeUser
) -> None:
    person = make_user(session, "lu@example.org", "analyst", demo)
    person.display_name = "Lu Chen"
    session.add(person)
    session.commit()
    scenario = ws.list_scenarios(session, demo)[0]
    ws.set_default_scenario(session, demo, scenario, actor="lu@example.org")
    page = client.get(f"/workspaces/{demo.id}/audit", params={"actor": "lu@example.org"})
    text = _text(page.text)
    assert "Lu Chen" in text
    assert "Default scenario" in text
    assert scenario.name in text
    assert "default_scenario_id" not in page.text


def test_no_internal_ids_on_the_assessment_and_audit_pages(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    ids = [m.network_id for m, _n in ws.list_memberships(session, demo)]
    pattern = re.compile(r"seed:\S+|\b(" + "|".join(map(re.escape, ids)) + r")\b")
    membership = ws.list_memberships(session, demo)[0][0]
    ws.update_membership(session, demo, membership, {"staff_hours": 3}, actor="a@example.org")
    urls = [f"/workspaces/{demo.id}/networks/{i}/assess" for i in ids[:6]]
    urls += [f"/workspaces/{demo.id}/audit", f"/workspaces/{demo.id}/members"]
    for url in urls:
        shown = _text(client.get(url).text)
        leaks = [m.group(0) for m in pattern.finditer(shown)]
        assert not leaks, (url, leaks)


def test_every_string_on_the_three_pages_is_translatable(
    client: TestClient, demo: Workspace, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the pseudo-locale every message is wrapped in [~...~]: what is left is data."""
    from app import i18n

    membership = ws.list_memberships(session, demo)[0][0]
    ws.update_membership(session, demo, membership, {"staff_hours": 7}, actor="admin@example.org")
    data = {n.name for _m, n in ws.list_memberships(session, demo)}
    data |= {n.acronym for _m, n in ws.list_memberships(session, demo) if n.acronym}
    data |= {a.assessor for a in ws.list_assessments(session, demo)}
    data |= {"admin@example.org", demo.name, "Network Compass"}
    monkeypatch.setattr(i18n, "negotiate", lambda *_args: i18n.PSEUDO)
    for url in (
        f"/workspaces/{demo.id}/networks/iclei/assess?saved=2&checked=1",
        f"/workspaces/{demo.id}/networks/iclei/assess?saved=2&checked=1&change=c40:3:5:stay:leave",
        f"/workspaces/{demo.id}/audit",
        f"/workspaces/{demo.id}/members",
    ):
        page = client.get(url).text
        main = page[page.find("<main") : page.find("</main>")]
        text = html.unescape(re.sub(r"<[^>]+>", "\n", main))
        innermost = re.compile(r"\[~(?:(?!\[~).)*?~\]", flags=re.DOTALL)
        while innermost.search(text):  # messages nest: remove the innermost first
            text = innermost.sub("", text)
        text = re.sub(r"[A-Z][a-z]{2} \d{1,2}, \d{4}(, \d{1,2}:\d{2}:\d{2}\s?[AP]M)?", "", text)
        for item in sorted(data, key=len, reverse=True):
            text = text.replace(item, "")
        left = [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{3,}", line)]
        assert not left, (url, left[:10])


def test_undo_a_profile_change(client: TestClient, demo: Workspace, session: Session) -> None:
    profile = ws.get_profile(session, demo)
    hours, budget = profile.staff_hours_budget, profile.fee_budget_minor
    ws.update_profile(
        session,
        demo,
        {"staff_hours_budget": 4321, "fee_budget": Decimal("99999.50")},
        actor="x@example.org",
    )
    entry = _last_entry(session, demo)
    assert entry.entity == "profile"
    log = _text(client.get(f"/workspaces/{demo.id}/audit").text)
    assert "€99,999.50" in log  # cents shown when there are any
    assert client.post(f"/workspaces/{demo.id}/audit/{entry.id}/revert").status_code == 200
    session.expire_all()
    profile = ws.get_profile(session, demo)
    assert (profile.staff_hours_budget, profile.fee_budget_minor) == (hours, budget)
    assert _last_entry(session, demo).action == "revert"


def test_undo_a_decision_settings_change(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    from app.services import settings as decision_settings

    before = decision_settings.settings_dict(decision_settings.get_settings(session, demo))
    decision_settings.update_settings(
        session, demo, {"overlap_penalty": 0.33}, actor="x@example.org"
    )
    entry = _last_entry(session, demo)
    assert entry.entity == "settings"
    log = _text(client.get(f"/workspaces/{demo.id}/audit").text)
    assert "Overlap penalty" in log
    assert client.post(f"/workspaces/{demo.id}/audit/{entry.id}/revert").status_code == 200
    session.expire_all()
    now = decision_settings.settings_dict(decision_settings.get_settings(session, demo))
    assert now["overlap_penalty"] == before["overlap_penalty"]
    assert _last_entry(session, demo).action == "revert"
