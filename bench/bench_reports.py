"""Council reports and spreadsheet import at realistic size.

Seeds a temporary SQLite database with a synthetic workspace of 60 networks (half members,
half candidates; 11 assessed criteria each by one assessor, with a sentence of evidence and one of three
source links per network; renewal dates, notice periods, outcomes; three scenarios) and times:

- building the workspace report's view model (the analysis of the chosen scenario with its
  robustness run, and the other scenarios' advice);
- rendering it as PDF (WeasyPrint) and as Word (python-docx, charts rasterised);
- importing an .xlsx file of 5,000 assessment rows into a workspace (all new rows, then the
  same file again: nothing changes).

Targets (issue 10): each report under 5 s, the import under 5 s. Prints wall-clock and CPU
seconds with [ok] / [MISSED] for each (the machine's two cores are shared, so wall-clock time
depends on the load; CPU seconds are what an idle core takes). Exits 1 when a CPU figure
misses its target.

    .venv/bin/python bench/bench_reports.py [--networks 60] [--rows 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from pypdf import PdfReader
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import PROJECT_ROOT  # noqa: E402
from app.db import make_engine, migrate  # noqa: E402
from app.models import (  # noqa: E402
    Assessment,
    CityProfile,
    Membership,
    Network,
    Outcome,
    Scenario,
    Workspace,
)
from app.services import reports  # noqa: E402
from app.services import spreadsheets as sp  # noqa: E402
from app.templating import make_environment  # noqa: E402
from app.views import report as rv  # noqa: E402
from criteria import default_framework  # noqa: E402

THEMES = ["climate", "mobility", "migration", "digital", "health", "culture", "food", "energy"]
SERVICES = ["advocacy", "peer learning", "funding", "data", "training", "events"]
TARGET_S = 5.0
SOURCES = ("annual-report-2025", "work-programme", "general-assembly-minutes")
"""Each network's scores cite three documents (the demo cites one per network)."""
TODAY = date(2026, 12, 1)
EVIDENCE = (
    "Two programme officers used the network's peer reviews in 2025; the annual report lists "
    "the city's contribution to the working group."
)


def seed(session: Session, n: int, slug: str = "bench") -> Workspace:
    """A workspace with ``n`` synthetic networks (and, once, the networks themselves)."""
    rng = random.Random(11)
    framework = default_framework()
    workspace = Workspace(slug=slug, name="Bench City", fictional=True)
    session.add(workspace)
    session.flush()
    wid = workspace.id or 0
    session.add(
        CityProfile(
            workspace_id=wid,
            region="Europe",
            fee_budget_minor=400_000_00,
            staff_hours_budget=12_000,
            priority_themes={"climate": 30, "mobility": 20, "health": 10},
        )
    )
    for i in range(n):
        nid = f"syn-{i:03d}"
        if session.get(Network, nid) is None:
            session.add(
                Network(
                    id=nid,
                    name=f"Synthetic network {i:03d}",
                    acronym=f"SN{i:03d}",
                    scope="Global",
                    themes=rng.sample(THEMES, 2),
                    services=rng.sample(SERVICES, 2),
                )
            )
    session.flush()
    keys = framework.assessed_keys
    for i in range(n):
        nid = f"syn-{i:03d}"
        member = i % 2 == 0
        membership = Membership(
            workspace_id=wid,
            network_id=nid,
            status="member" if member else "candidate",
            since=date(2015 + i % 8, 1, 1) if member else None,
            annual_fee_minor=rng.randrange(0, 40_000) * 100,
            staff_hours=rng.randrange(20, 400),
            engagement=rng.choice(["active", "passive"]) if member else None,
            renewal_date=date(2027, 1 + i % 12, 1) if member else None,
            notice_days=rng.choice([90, 180, 365]) if member else None,
        )
        session.add(membership)
        session.flush()
        if member:
            for year in (2024, 2025):
                session.add(
                    Outcome(
                        membership_id=membership.id or 0,
                        year=year,
                        kind=rng.choice(["funding", "project", "event"]),
                        title=f"Outcome {year} of network {i}",
                        amount_minor=rng.randrange(0, 100_000) * 100,
                    )
                )
        for key in keys:
            session.add(
                Assessment(
                    workspace_id=wid,
                    network_id=nid,
                    criterion=key,
                    assessor="Bench assessor",
                    score=rng.randint(1, 5),
                    evidence=EVIDENCE,
                    source_url=f"https://example.org/{nid}/{SOURCES[keys.index(key) % 3]}",
                    confidence=rng.choice(["low", "medium", "high"]),
                )
            )
    options = {"samples": 2000, "seed": 7, "top_k": 5}
    for name, factor in (("Balanced", 1.0), ("Climate first", 1.0), ("Budget cut 30%", 0.7)):
        weights = {k: float(rng.randint(1, 10)) for k in framework.keys}
        session.add(
            Scenario(
                workspace_id=wid,
                name=name,
                weights=weights,
                options=options | {"fee_budget_factor": factor},
            )
        )
    session.commit()
    session.refresh(workspace)
    return workspace


def assessment_file(n_networks: int, rows: int) -> bytes:
    """An .xlsx file of ``rows`` assessments over the synthetic networks."""
    keys = default_framework().assessed_keys
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "assessments"
    sheet.append(list(sp.COLUMNS["assessments"]))
    for r in range(rows):
        nid = f"syn-{r % n_networks:03d}"
        key = keys[(r // n_networks) % len(keys)]
        assessor = f"Assessor {r // (n_networks * len(keys))}"
        sheet.append(
            [nid, key, assessor, 1 + r % 5, "medium", EVIDENCE, f"https://example.org/{r}"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(repeat: int, fn: object) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus = [], []
    result: object = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=60)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = make_environment(PROJECT_ROOT / "templates")
    stylesheet = PROJECT_ROOT / "static" / "css" / "report.css"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        with Session(engine) as session:
            workspace = seed(session, args.networks)
            rv.build_workspace_report(  # warm up: imports, caches
                session, workspace, scenario_id=None, today=TODAY, author="Bench"
            )
            build_s, build_cpu, report = timed(
                args.repeat,
                lambda: rv.build_workspace_report(
                    session, workspace, scenario_id=None, today=TODAY, author="Bench"
                ),
            )
            pdf_s, pdf_cpu, pdf = timed(
                args.repeat, lambda: reports.render_pdf(env, report, stylesheet)
            )
            docx_s, docx_cpu, docx = timed(args.repeat, lambda: reports.render_docx(report))
            target = seed(session, args.networks, slug="bench-import")
            data = assessment_file(args.networks, args.rows)
            import_s, import_cpu, first = timed(
                1, lambda: sp.import_file(session, target, "bench.xlsx", data, actor="bench")
            )
            reimport_s, reimport_cpu, again = timed(
                1, lambda: sp.import_file(session, target, "bench.xlsx", data, actor="bench")
            )
        engine.dispose()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)  # type: ignore[arg-type]
    rows = [
        (f"workspace report view model ({args.networks} networks)", build_s, build_cpu, None),
        (f"workspace PDF ({pages} pages), render only", pdf_s, pdf_cpu, None),
        ("workspace PDF, view model + render", build_s + pdf_s, build_cpu + pdf_cpu, TARGET_S),
        (f"workspace Word ({len(docx) // 1024} KB), render only", docx_s, docx_cpu, None),  # type: ignore[arg-type]
        ("workspace Word, view model + render", build_s + docx_s, build_cpu + docx_cpu, TARGET_S),
        (
            f"import {args.rows:,} assessment rows (created {first.created.get('assessments', 0):,})",  # type: ignore[attr-defined]
            import_s,
            import_cpu,
            TARGET_S,
        ),
        (f"re-import the same file (changed {again.changed})", reimport_s, reimport_cpu, TARGET_S),  # type: ignore[attr-defined]
    ]
    ok = True
    print(f"{'measure':62} {'wall s':>7} {'CPU s':>7}  target")
    for label, seconds, cpu, goal in rows:
        mark = ""
        if goal is not None:
            mark = (
                f"wall {'[ok]' if seconds < goal else '[MISSED]'}, "
                f"CPU {'[ok]' if cpu < goal else '[MISSED]'}"
            )
        ok = ok and (goal is None or cpu < goal)
        target = "" if goal is None else f"< {goal:.0f} s"
        print(f"{label:62} {seconds:7.2f} {cpu:7.2f}  {target} {mark}")
    print(
        f"(median of {args.repeat} runs for the reports; SQLite; {os.cpu_count()} cores shared "
        f"with other work, load average {os.getloadavg()[0]:.1f}: CPU seconds are what one "
        "idle core would take)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
