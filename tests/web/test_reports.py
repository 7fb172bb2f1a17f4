"""Council reports: open what was produced (PDF text, Word text, a LibreOffice conversion, page
images) and check it against the engine's numbers from the API, for the fictional demo.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.i18n import format_day, format_money, format_number, use_locale
from app.i18n import gettext as _
from app.models import Workspace
from app.services import catalogue
from app.services import workspaces as ws
from app.views import report as report_view

AS_OF = "2026-12-01"
ARTIFACTS = Path(os.environ.get("NC_SCREENSHOTS", PROJECT_ROOT / "test-artifacts" / "screenshots"))


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _flat(text: str) -> str:
    """Whitespace-insensitive text (PDF extraction breaks lines anywhere)."""
    return "".join(text.split())


def _engine(client: TestClient, demo: Workspace) -> dict[str, Any]:
    response = client.get(f"/api/v1/workspaces/{demo.id}/reports/analysis?as_of={AS_OF}")
    assert response.status_code == 200, response.text
    return response.json()


def _expected(engine: dict[str, Any], demo_names: dict[str, str]) -> list[str]:
    """Strings every report format must carry, computed from the API's numbers."""
    out = [engine["summary"]["sentence"], engine["fingerprint"], engine["command"]]
    for rec in engine["recommendations"]:
        out.append(rec["explanation"])
        out.append(f"{rec['value']:.2f}")
        out.append(demo_names[rec["network_id"]])
    leave = [r for r in engine["recommendations"] if r["action"] == "leave"]
    assert leave, "the demo has networks to leave"
    for rec in leave:
        out.append(format_day(_day(rec["notice"]["notice_by"]), "long"))
        out.append(format_money(int(float(rec["annual_fee"])), "EUR"))
    return out


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _names(session: Session, demo: Workspace) -> dict[str, str]:
    return {m.network_id: n.acronym or n.name for m, n in ws.list_memberships(session, demo)}


def test_workspace_report_pdf_and_word_carry_the_engine_numbers(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    engine = _engine(client, demo)
    names = _names(session, demo)
    expected = _expected(engine, names)
    sources = [a.source_url for a in ws.list_assessments(session, demo) if a.source_url]
    assert sources, "the demo cites sources"

    pdf = client.get(f"/workspaces/{demo.id}/report.pdf?as_of={AS_OF}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = _flat(_pdf_text(pdf.content))
    for item in [*expected, *sources[:20]]:
        assert _flat(str(item)) in text, f"PDF lacks {item!r}"
    scenario = engine["scenario"]
    assert _flat(scenario) in text
    assert _flat(format_day(_day(AS_OF), "long")) in text

    docx = client.get(f"/workspaces/{demo.id}/report.docx?as_of={AS_OF}")
    assert docx.status_code == 200
    words = _flat(_docx_text(docx.content))
    for item in [*expected, *sources[:20]]:
        assert _flat(str(item)) in words, f"Word document lacks {item!r}"

    # The first pages as images, for a person to look at (CI keeps this folder).
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        backend = session.get_bind().dialect.name
        (ARTIFACTS / f"report-{backend}.pdf").write_bytes(pdf.content)
        prefix = ARTIFACTS / f"report-{backend}-page"
        for old in ARTIFACTS.glob(f"report-{backend}-page-*.png"):
            old.unlink()
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "3",
                str(ARTIFACTS / f"report-{backend}.pdf"),
                str(prefix),
            ],
            check=True,
            timeout=60,
        )
        pages = sorted(ARTIFACTS.glob(f"report-{backend}-page-*.png"))
        assert len(pages) == 3
        assert all(p.stat().st_size > 10_000 for p in pages)

    # Word files councils edit must open: LibreOffice converts it without an error.
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "LibreOffice is missing: `make system-deps` installs libreoffice-writer-nogui"
            )
        return
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"nc-docx-{os.getpid()}-{demo.id}"
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "report.docx"
    source.write_bytes(docx.content)
    done = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{workdir}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = workdir / "report.pdf"
    assert done.returncode == 0, done.stderr
    assert converted.exists(), done.stderr
    assert _flat(engine["summary"]["sentence"]) in _flat(_pdf_text(converted.read_bytes()))
    shutil.rmtree(workdir, ignore_errors=True)


def test_network_report_names_its_action_dates_evidence_and_sources(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    engine = _engine(client, demo)
    rec = next(r for r in engine["recommendations"] if r["action"] == "leave")
    network = rec["network_id"]
    response = client.get(f"/workspaces/{demo.id}/networks/{network}/report.pdf?as_of={AS_OF}")
    assert response.status_code == 200
    text = _flat(_pdf_text(response.content))
    for item in (
        rec["explanation"],
        rec["robustness"],
        format_day(_day(rec["notice"]["notice_by"]), "long"),
        format_day(_day(rec["notice"]["next_renewal"]), "long"),
        engine["fingerprint"],
        *[
            a.source_url
            for a in ws.list_assessments(session, demo, network_id=network)
            if a.source_url
        ],
        *[s for s in catalogue.sources_of(session, [network])[network] if s.startswith("http")],
    ):
        assert _flat(item) in text, f"network report lacks {item!r}"
    docx = client.get(f"/api/v1/workspaces/{demo.id}/reports/networks/{network}.docx?as_of={AS_OF}")
    assert docx.status_code == 200
    assert _flat(rec["explanation"]) in _flat(_docx_text(docx.content))


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_network_report_fits_its_first_page_and_keeps_the_detail_in_annexes(
    client: TestClient, demo: Workspace, lang: str
) -> None:
    """For every current membership and in every language, page 1 is the whole report in
    brief (the motion's deadline, value, robustness, the seven sections, the fingerprint);
    the evidence table opens the annexes on page 2."""
    engine = _engine(client, demo)
    with use_locale(lang):
        labels = report_view.labels()
        annex = _("Annex A. Evidence")
        headings = [f"{n}. {labels[k]}" for n, k in ((4, "alternatives"), (6, "evidence"))]
        headings.append(f"7. {labels['method']}")
        for rec in engine["recommendations"]:
            if rec["status"] != "member":
                continue
            url = (
                f"/workspaces/{demo.id}/networks/{rec['network_id']}/report.pdf"
                f"?as_of={AS_OF}&lang={lang}"
            )
            reader = PdfReader(io.BytesIO(client.get(url).content))
            first = _flat(reader.pages[0].extract_text() or "")
            expected = [format_number(rec["value"], 2), engine["fingerprint"], *headings]
            if rec["notice"] and rec["notice"].get("notice_by"):
                expected.append(format_day(_day(rec["notice"]["notice_by"]), "long"))
            for item in expected:
                assert _flat(item) in first, f"{lang} {rec['network_id']}: page 1 lacks {item!r}"
            assert _flat(annex) not in first
            assert _flat(reader.pages[1].extract_text() or "").startswith(_flat(annex))


def test_report_page_says_scenario_and_date_and_speaks_spanish(
    client: TestClient, demo: Workspace
) -> None:
    engine = _engine(client, demo)
    page = client.get(f"/workspaces/{demo.id}/report?as_of={AS_OF}&lang=es")
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert engine["scenario"] in page.text
    with use_locale("es"):
        assert format_day(_day(AS_OF), "long") in page.text
    assert "Acción recomendada" in page.text
    assert "Mantener " in page.text  # the summary line, in Spanish too
    assert f"/workspaces/{demo.id}/report.pdf" in page.text


def test_report_json_matches_the_analysis_and_an_unknown_scenario_is_404(
    client: TestClient, demo: Workspace
) -> None:
    engine = _engine(client, demo)
    report = client.get(f"/api/v1/workspaces/{demo.id}/reports/workspace.json?as_of={AS_OF}").json()
    assert report["meta"]["fingerprint"] == engine["fingerprint"]
    by_id = {r["network_id"]: r for r in report["rows"]}
    for rec in engine["recommendations"]:
        assert by_id[rec["network_id"]]["action"] == rec["action"]
        assert round(by_id[rec["network_id"]]["value"], 6) == rec["value"]
    assert client.get(f"/workspaces/{demo.id}/report.pdf?scenario=999999").status_code == 404
    assert client.get(f"/workspaces/{demo.id}/report.xls").status_code == 422
    assert client.get(f"/workspaces/{demo.id}/report?as_of=1800-01-01").status_code == 422


def test_the_fingerprint_changes_with_a_score_and_not_otherwise(
    client: TestClient, demo: Workspace
) -> None:
    first = _engine(client, demo)["fingerprint"]
    assert _engine(client, demo)["fingerprint"] == first
    assessment = client.get(f"/api/v1/workspaces/{demo.id}/assessments").json()[0]
    new_score = 1 if assessment["score"] != 1 else 2
    changed = client.patch(
        f"/api/v1/workspaces/{demo.id}/assessments/{assessment['id']}", json={"score": new_score}
    )
    assert changed.status_code == 200
    assert _engine(client, demo)["fingerprint"] != first
