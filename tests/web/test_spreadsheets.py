"""Spreadsheet import and export: round trip, all-or-nothing, and a clear message per problem."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import bearer
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select

from app.models import Assessment, AuditEntry, Workspace
from app.services import spreadsheets as sp


def _xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(client: TestClient, demo: Workspace, name: str, data: bytes) -> Any:
    return client.post(f"/api/v1/workspaces/{demo.id}/import", files={"file": (name, data)})


def _count(session: Session, demo: Workspace) -> int:
    session.expire_all()
    return session.exec(
        select(func.count()).select_from(Assessment).where(Assessment.workspace_id == demo.id)
    ).one()


HEADER = list(sp.COLUMNS["assessments"])


def test_export_then_import_changes_nothing_and_both_are_audited(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    exported = client.get(f"/api/v1/workspaces/{demo.id}/export.xlsx")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames[:2] == ["assessments", "scales"]
    before = client.get(f"/api/v1/workspaces/{demo.id}/assessments").json()
    response = _import(client, demo, "demo.xlsx", exported.content)
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == 0
    assert response.json()["unchanged"]["assessments"] == len(before)
    assert client.get(f"/api/v1/workspaces/{demo.id}/assessments").json() == before
    csv_text = client.get(f"/api/v1/workspaces/{demo.id}/export/assessments.csv").content
    assert _import(client, demo, "a.csv", csv_text).json()["changed"] == 0
    entries = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "spreadsheet", AuditEntry.workspace_id == demo.id
        )
    ).all()
    assert {e.action for e in entries} == {"export", "import"}


def test_an_edited_score_is_imported_and_audited(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    row = client.get(f"/api/v1/workspaces/{demo.id}/assessments").json()[0]
    new = 1 if row["score"] != 1 else 2
    data = _xlsx(
        {
            "assessments": [
                HEADER,
                [
                    row["network_id"],
                    row["criterion"],
                    row["assessor"],
                    new,
                    "high",
                    "Re-scored",
                    None,
                ],
            ]
        }
    )
    response = _import(client, demo, "edit.xlsx", data)
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == {"assessments": 1}
    after = client.get(f"/api/v1/workspaces/{demo.id}/assessments/{row['id']}").json()
    assert (after["score"], after["evidence"], after["version"]) == (
        new,
        "Re-scored",
        row["version"] + 1,
    )
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "assessment", AuditEntry.action == "import")
    ).all()
    assert [a.after["score"] for a in audit] == [new]


def test_one_bad_row_among_500_stores_nothing_and_names_the_row(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    networks = [
        m["network_id"] for m in client.get(f"/api/v1/workspaces/{demo.id}/memberships").json()
    ]
    keys = [
        "relevant_agenda",
        "sharp_focus",
        "perceived_usefulness",
        "cross_learning",
        "light_governance",
    ]
    rows = [HEADER] + [
        [
            networks[i % len(networks)],
            keys[i % 5],
            f"Bulk assessor {i}",
            1 + i % 5,
            "medium",
            "",
            None,
        ]
        for i in range(500)
    ]
    rows[301][3] = 9  # spreadsheet row 302
    before = _count(session, demo)
    response = _import(client, demo, "bulk.xlsx", _xlsx({"assessments": rows}))
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems == [
        {
            "sheet": "assessments",
            "row": 302,
            "column": "score",
            "value": "9",
            "why": "Expected a whole number from 1 to 5.",
        }
    ]
    assert _count(session, demo) == before
    rows[301][3] = 4
    accepted = _import(client, demo, "bulk.xlsx", _xlsx({"assessments": rows}))
    assert accepted.json()["created"] == {"assessments": 500}
    assert _count(session, demo) == before + 500


def _problems(client: TestClient, demo: Workspace, name: str, data: bytes) -> list[dict[str, Any]]:
    response = _import(client, demo, name, data)
    assert response.status_code == 422, response.text
    return list(response.json()["problems"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["network", "criterion"], ["c40", "sharp_focus"]], "Unknown column"),
        (
            [HEADER, ["c40", "sharp_focus", "Ana", "four", "high", "", None]],
            "Expected a whole number.",
        ),
        ([HEADER, ["c40", "sharp_focus", "Ana", 0, "high", "", None]], "from 1 to 5"),
        (
            [HEADER, ["c40", "sharp_focus", "Ana", 3.5, "high", "", None]],
            "Expected a whole number.",
        ),
        (
            [HEADER, ["no-such-network", "sharp_focus", "Ana", 3, "high", "", None]],
            "no network with this id",
        ),
        ([HEADER, ["c40", "not_a_criterion", "Ana", 3, "high", "", None]], "Not a criterion"),
        (
            [HEADER, ["c40", "sharp_focus", "Ana", 3, "sure", "", None]],
            "Expected one of: low, medium, high.",
        ),
        ([HEADER, ["c40", "sharp_focus", "Ana", 3, "high", "", "ftp://x"]], "http://"),
        (
            [
                HEADER,
                ["c40", "sharp_focus", "Ana", 3, "high", "", None],
                ["c40", "sharp_focus", "Ana", 4, "high", "", None],
            ],
            "Duplicate of row 2",
        ),
        ([], "The sheet is empty"),
    ],
)
def test_each_problem_gets_a_clear_message(
    client: TestClient, demo: Workspace, rows: list[list[Any]], expected: str
) -> None:
    problems = _problems(client, demo, "bad.xlsx", _xlsx({"assessments": rows}))
    assert any(expected in p["why"] for p in problems), problems


def test_formulas_and_merged_cells_are_refused(client: TestClient, demo: Workspace) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "assessments"
    sheet.append(HEADER)
    sheet.append(["c40", "sharp_focus", "Ana", "=2+2", "high", "", None])
    out = io.BytesIO()
    book.save(out)
    problems = _problems(client, demo, "formula.xlsx", out.getvalue())
    assert (problems[0]["row"], problems[0]["column"]) == (2, "D")
    assert "Formulas are not accepted" in problems[0]["why"]

    sheet["D2"] = 3
    sheet.merge_cells("E2:F2")
    out = io.BytesIO()
    book.save(out)
    problems = _problems(client, demo, "merged.xlsx", out.getvalue())
    assert problems[0]["column"] == "E2:F2"
    assert "Merged cells" in problems[0]["why"]


def test_other_encodings_big_files_and_junk_are_refused(
    client: TestClient, demo: Workspace
) -> None:
    latin = ("network_id,criterion,assessor,score\nc40,sharp_focus,José Müller,3\n").encode(
        "latin-1"
    )
    assert "not UTF-8" in _problems(client, demo, "latin.csv", latin)[0]["why"]
    big = b"network_id,criterion,assessor,score\n" + b"c40,sharp_focus,A,3\n" * (
        20 * 1024 * 1024 // 20
    )
    why = _problems(client, demo, "big.csv", big)[0]["why"]
    assert "The file is 20.0 MB; the limit is 10 MB." in why
    assert "not an Excel workbook" in _problems(client, demo, "x.xlsx", b"PK\x03\x04junk")[0]["why"]
    assert (
        "No sheet has a known name"
        in _problems(client, demo, "s.xlsx", _xlsx({"Sheet9": [["a"]]}))[0]["why"]
    )
    assert "empty" in _problems(client, demo, "e.csv", b"")[0]["why"]


def test_csv_round_trip_of_memberships_with_a_formula_like_note(
    client: TestClient, demo: Workspace
) -> None:
    membership = client.get(f"/api/v1/workspaces/{demo.id}/memberships").json()[0]
    patched = client.patch(
        f"/api/v1/workspaces/{demo.id}/memberships/{membership['id']}",
        json={"notes": '=HYPERLINK("http://evil")'},
    )
    assert patched.status_code == 200
    text = client.get(f"/api/v1/workspaces/{demo.id}/export/memberships.csv").text
    assert "'=HYPERLINK" in text
    response = _import(client, demo, "m.csv", text.encode("utf-8"))
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == 0


def test_template_has_the_scales_sheet_and_score_validation(
    client: TestClient, demo: Workspace
) -> None:
    data = client.get(f"/api/v1/workspaces/{demo.id}/export/template.xlsx").content
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[1] == "scales"
    scales = list(book["scales"].iter_rows(values_only=True))
    assert scales[0] == ("criterion", "title", "1", "2", "3", "4", "5")
    assert any(r[0] == "sharp_focus" and all(r[2:]) for r in scales[1:])
    validations = book["assessments"].data_validations.dataValidation
    score = next(v for v in validations if v.type == "whole")
    assert (score.formula1, score.formula2, score.allow_blank) == ("1", "5", True)
    assert "D2" in str(score.sqref)
    assert book["assessments"].max_row == 1  # headers only


def test_import_page_shows_the_report_and_viewers_cannot_import(
    client: TestClient, demo: Workspace, session: Session, make_user: Any
) -> None:
    page = client.post(
        f"/workspaces/{demo.id}/data/import",
        files={"file": ("bad.csv", b"network_id,criterion,assessor,score\nc40,sharp_focus,A,7\n")},
    )
    assert page.status_code == 422
    assert "Nothing was imported" in page.text
    assert "Expected a whole number from 1 to 5." in page.text

    viewer = make_user(session, "viewer@example.org", role="viewer", workspace=demo)
    denied = client.post(
        f"/api/v1/workspaces/{demo.id}/import",
        files={"file": ("a.csv", b"network_id,criterion,assessor,score\n")},
        headers=bearer(session, viewer),
    )
    assert denied.status_code == 403
