"""Mixed load on two app processes sharing one PostgreSQL: pages, slider previews,
assessment edits and workshop submissions at once.

Creates a scratch PostgreSQL database (``createdb``; dropped afterwards) with the catalogue
and the fictional demo (21 networks, the size of a real city's list), an analyst with an API
token and an open workshop, then starts two uvicorn processes. 50 concurrent clients (async
httpx, half on each process) run for 60 s, each in a loop with a short pause (0-0.5 s):

- page reads (40 %): the dashboard, priorities, a network, the assessment editor,
  scenarios, portfolio, profile and workshops pages;
- slider previews (35 %): ``POST .../priorities/preview`` with random weights (htmx);
- assessment edits (15 %): ``PATCH /api/v1/.../assessments/{id}`` with the version last
  read; each client edits its own assessments, so no edit should conflict;
- workshop submissions (10 %): each client is also a phone in the workshop, and submits
  new weights when its rate limit allows (a preview otherwise).

Printed: throughput and p50/p95/p99 per kind, errors by status. Checked against the
database afterwards: every edit the API confirmed is there, in order, once (final score and
evidence, version, and one audit entry per confirmed edit); every confirmed workshop
submission is stored once. Targets: no 5xx, no lost or duplicated write, p95 preview below
300 ms.

    .venv/bin/python bench/bench_load.py [--clients 50] [--seconds 60] [--database nc_bench_load]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_workshop import (  # noqa: E402
    cpu_seconds,
    drop_database,
    scratch_database,
    start_servers,
    stop_servers,
    warm_up,
)

TARGET_PREVIEW_P95_MS = 300.0
PAGES = (
    "",
    "/priorities",
    "/networks/c40",
    "/networks/iclei/assess",
    "/scenarios",
    "/portfolio",
    "/profile",
    "/workshops",
)
MIX = (("page", 0.40), ("preview", 0.35), ("edit", 0.15), ("submit", 0.10))


def prepare(url: str, clients: int) -> dict[str, Any]:
    """The demo, an analyst with a token, an open workshop; assessments dealt to clients."""
    from sqlmodel import Session, col, select

    from app.config import PROJECT_ROOT
    from app.db import make_engine, migrate
    from app.models import Assessment, WorkspaceMember
    from app.seed import seed
    from app.services import accounts
    from app.services import workshop as wk
    from app.services import workspaces as ws

    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data", demo=True)
        demo = ws.get_workspace_by_slug(session, "example-city")
        assert demo is not None
        user = accounts.create_user(session, "analyst@example.org")
        session.commit()
        session.add(
            WorkspaceMember(workspace_id=demo.id or 0, user_id=user.id or 0, role="analyst")
        )
        session.commit()
        secret, _ = accounts.create_api_token(session, user.id or 0, "load")
        workshop = wk.create_workshop(
            session, demo, title="Load room", scenario_id=None, groups=[], actor="bench"
        )
        rows = session.exec(
            select(Assessment)
            .where(Assessment.workspace_id == demo.id, col(Assessment.score).is_not(None))
            .order_by(col(Assessment.id))
        ).all()
        dealt: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for n, row in enumerate(rows):
            dealt[n % clients].append((row.id or 0, row.version))
        info = {
            "workspace": demo.id,
            "code": workshop.code,
            "headers": {"Authorization": f"Bearer {secret}"},
            "keys": list(ws.framework_of(session, demo).keys),
            "assessments": dict(dealt),
        }
    engine.dispose()
    return info


@dataclass
class Record:
    kind: str
    millis: float
    status: int


@dataclass
class Client:
    number: int
    base: str
    versions: dict[int, int]
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # (id, score, evidence)
    submissions: list[str] = field(default_factory=list)  # confirmed submission keys
    last_submit: float = 0.0
    csrf: str = ""


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]*)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def client_loop(
    me: Client, info: dict[str, Any], args: argparse.Namespace, until: float, log: list[Record]
) -> None:
    rng = random.Random(me.number)
    wid, keys = info["workspace"], info["keys"]
    kinds, weights = zip(*MIX, strict=True)
    async with (
        httpx.AsyncClient(base_url=me.base, headers=info["headers"], timeout=60) as api,
        httpx.AsyncClient(base_url=me.base, follow_redirects=True, timeout=60) as phone,
    ):
        page = await phone.get(f"/w/{info['code']}")
        joined = await phone.post(
            f"/w/{info['code']}/join",
            data={"display_name": f"C{me.number:02d}", "csrf_token": _csrf(page.text)},
        )
        me.csrf = _csrf(joined.text)
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            if kind == "edit" and not me.versions:
                kind = "preview"
            if kind == "submit" and time.monotonic() - me.last_submit < 2.5:
                kind = "preview"
            points = {f"w_{k}": str(rng.randint(0, 100)) for k in keys}
            points[f"w_{keys[rng.randrange(len(keys))]}"] = str(rng.randint(1, 100))
            start = time.monotonic()
            try:
                if kind == "page":
                    response = await api.get(f"/workspaces/{wid}{rng.choice(PAGES)}")
                elif kind == "preview":
                    response = await api.post(
                        f"/workspaces/{wid}/priorities/preview",
                        data=points,
                        headers={"HX-Request": "true"},
                    )
                elif kind == "edit":
                    assessment = rng.choice(sorted(me.versions))
                    score = rng.randint(1, 5)
                    evidence = f"load c{me.number} e{len(me.edits)}"
                    response = await api.patch(
                        f"/api/v1/workspaces/{wid}/assessments/{assessment}",
                        json={
                            "score": score,
                            "evidence": evidence,
                            "version": me.versions[assessment],
                        },
                    )
                    if response.status_code == 200:
                        me.versions[assessment] = response.json()["version"]
                        me.edits.append((assessment, score, evidence))
                else:
                    key = f"c{me.number}-s{len(me.submissions)}-{rng.random():.6f}"
                    response = await phone.post(
                        f"/w/{info['code']}/submit",
                        data=points | {"csrf_token": me.csrf, "submission_key": key},
                        headers={"HX-Request": "true"},
                    )
                    me.last_submit = time.monotonic()
                    if response.status_code == 200:
                        me.submissions.append(key)
                status = response.status_code
            except httpx.HTTPError:
                status = 599  # no answer: counted as a server error
            log.append(Record(kind, (time.monotonic() - start) * 1000, status))
            await asyncio.sleep(rng.uniform(0, args.pause))


def check(url: str, info: dict[str, Any], clients: list[Client]) -> dict[str, Any]:
    """Every confirmed write is in the database once, in order."""
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import Assessment, AuditEntry, WorkshopSubmission

    engine = make_engine(url)
    with Session(engine) as session:
        assessments = {a.id: a for a in session.exec(select(Assessment)).all()}
        audits = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "assessment", AuditEntry.action == "update")
            .order_by(col(AuditEntry.id))
        ).all()
        stored_keys = [s.submission_key for s in session.exec(select(WorkshopSubmission)).all()]
    engine.dispose()
    initial = {aid: v for dealt in info["assessments"].values() for aid, v in dealt}
    wrong_final, wrong_version = [], []
    for me in clients:
        last: dict[int, tuple[int, str]] = {}
        count: dict[int, int] = defaultdict(int)
        for aid, score, evidence in me.edits:
            last[aid] = (score, evidence)
            count[aid] += 1
        for aid, (score, evidence) in last.items():
            row = assessments[aid]
            if (row.score, row.evidence) != (score, evidence):
                wrong_final.append(aid)
            if row.version != initial[aid] + count[aid]:
                wrong_version.append(aid)
    confirmed = [e for me in clients for _a, _s, e in me.edits]
    audited = [(a.after or {}).get("evidence") for a in audits]
    audited_load = [e for e in audited if isinstance(e, str) and e.startswith("load ")]
    submitted = [k for me in clients for k in me.submissions]
    return {
        "edits": len(confirmed),
        "edits_lost": len(set(confirmed) - set(audited_load)),
        "edits_duplicated": len(audited_load) - len(set(audited_load)),
        "edits_unconfirmed": len(set(audited_load) - set(confirmed)),
        "wrong_final": wrong_final,
        "wrong_version": wrong_version,
        "submissions": len(submitted),
        "submissions_lost": len(set(submitted) - set(stored_keys)),
        "submissions_duplicated": len(stored_keys) - len(set(stored_keys)),
        "submissions_unconfirmed": len(set(stored_keys) - set(submitted)),
    }


async def run(
    args: argparse.Namespace, info: dict[str, Any], bases: list[str]
) -> tuple[list[Record], list[Client], float]:
    clients = [
        Client(n, bases[n % len(bases)], dict(info["assessments"].get(n, [])))
        for n in range(args.clients)
    ]
    log: list[Record] = []
    start = time.monotonic()
    until = start + args.seconds
    await asyncio.gather(*(client_loop(c, info, args, until, log) for c in clients))
    return log, clients, time.monotonic() - start


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pause", type=float, default=0.5, help="longest pause between requests")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database", default="nc_bench_load")
    args = parser.parse_args()
    url = scratch_database(args.database)
    procs: list[Any] = []
    try:
        info = prepare(url, args.clients)
        bases, procs = start_servers(url, args.processes)
        pages = [f"/workspaces/{info['workspace']}{p}" for p in PAGES]
        warm_up(bases, [*pages, f"/w/{info['code']}"], info["headers"])
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        log, clients, elapsed = asyncio.run(run(args, info, bases))
        server_cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        result = check(url, info, clients)
    finally:
        stop_servers(procs)
        drop_database(args.database)
    print(
        f"load: {args.clients} clients, {elapsed:.0f} s, {args.processes} uvicorn processes on "
        f"PostgreSQL, {os.cpu_count()} cores; app CPU {server_cpu:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"  {'kind':>8} {'n':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in log:
        by_kind[record.kind].append(record)
    for kind, records in [("all", log), *sorted(by_kind.items())]:
        millis = [r.millis for r in records]
        errors: dict[int, int] = defaultdict(int)
        for r in records:
            if r.status >= 400:
                errors[r.status] += 1
        print(
            f"  {kind:>8} {len(records):>6} {len(records) / elapsed:>7.1f} "
            f"{_pct(millis, 50):>8.0f} {_pct(millis, 95):>8.0f} {_pct(millis, 99):>8.0f}  "
            f"{dict(errors) or 'none'}"
        )
    print(
        f"  assessment edits confirmed {result['edits']}: lost {result['edits_lost']}, "
        f"duplicated {result['edits_duplicated']}, unconfirmed {result['edits_unconfirmed']}, "
        f"wrong final value {len(result['wrong_final'])}, wrong version "
        f"{len(result['wrong_version'])}"
    )
    print(
        f"  workshop submissions confirmed {result['submissions']}: lost "
        f"{result['submissions_lost']}, duplicated {result['submissions_duplicated']}, "
        f"unconfirmed {result['submissions_unconfirmed']}"
    )
    server_errors = sum(1 for r in log if r.status >= 500)
    preview_p95 = _pct([r.millis for r in by_kind["preview"]], 95)
    met = (
        server_errors == 0
        and not any(
            result[k]
            for k in (
                "edits_lost",
                "edits_duplicated",
                "edits_unconfirmed",
                "wrong_final",
                "wrong_version",
                "submissions_lost",
                "submissions_duplicated",
                "submissions_unconfirmed",
            )
        )
        and preview_p95 < TARGET_PREVIEW_P95_MS
    )
    print(
        f"  targets (no 5xx: {server_errors}, no lost or duplicated write, p95 preview "
        f"{preview_p95:.0f} ms < {TARGET_PREVIEW_P95_MS:.0f} ms): {'ok' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
