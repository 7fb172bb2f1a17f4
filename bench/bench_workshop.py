"""A live workshop under load: 200 phones, two app processes, one PostgreSQL.

Creates a scratch PostgreSQL database (``createdb``; dropped afterwards), loads the catalogue
and the fictional demo, opens a workshop with its votes revealed (so every event carries
the whole room: weights, consensus, ranking, robust core), and starts two uvicorn processes
on two ports. A facilitator's screen follows the room through Server-Sent Events on the
second process; 200 simulated participants (async httpx, each with its own cookies, half
on each process) join over the first 15 seconds (as a room scans the code) and then submit
5 times each at random moments until the minute is over.

Printed figures and the targets they are checked against:

- every submission stored once: the database holds exactly the submissions the phones were
  told were stored (none lost, none duplicated), and each phone's newest is its last one;
- the room's final aggregate (the JSON API) equals the one recomputed from the database rows
  with `scoring.weights.aggregate_group`;
- from sending a submission to the facilitator's event that includes it: p50/p95/p99, with
  the target p95 < 1 s.

    .venv/bin/python bench/bench_workshop.py [--participants 200] [--submissions 5]
        [--seconds 60] [--database nc_bench_workshop]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_P95_S = 1.0
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def scratch_database(name: str) -> str:
    """A new empty database (an old one of that name is dropped first); its URL."""
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return PG + name


def drop_database(name: str) -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
        check=False,
    )


def prepare(url: str) -> dict[str, Any]:
    """Schema, demo, a facilitator with an API token, and a revealed workshop."""
    from sqlmodel import Session

    from app.config import PROJECT_ROOT
    from app.db import make_engine, migrate
    from app.seed import seed
    from app.services import accounts
    from app.services import workshop as wk
    from app.services.events import LocalBus
    from app.services.workspaces import get_workspace_by_slug

    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data", demo=True)
        demo = get_workspace_by_slug(session, "example-city")
        assert demo is not None
        user = accounts.create_user(session, "facilitator@example.org")
        session.commit()
        accounts.make_owner(session, demo.id or 0, user.id or 0)
        session.commit()
        secret, _ = accounts.create_api_token(session, user.id or 0, "bench")
        workshop = wk.create_workshop(
            session,
            demo,
            title="Bench room",
            scenario_id=None,
            groups=["Council", "City staff", "Partners"],
            actor="bench",
        )
        wk.set_revealed(session, workshop, True, LocalBus())
        info = {
            "workspace": demo.id,
            "workshop": workshop.id,
            "code": workshop.code,
            "headers": {"Authorization": f"Bearer {secret}"},
            "keys": list(workspace_keys(session, demo)),
        }
    engine.dispose()
    return info


def workspace_keys(session: Any, workspace: Any) -> tuple[str, ...]:
    from app.services import workspaces as ws

    return tuple(ws.framework_of(session, workspace).keys)


def start_servers(url: str, count: int) -> tuple[list[str], list[subprocess.Popen[bytes]]]:
    env = os.environ | {
        "NC_DATABASE_URL": url,
        "NC_MIGRATE_ON_START": "false",
        "NC_LOAD_DEMO": "false",
        "NC_SECRET_KEY": "bench-workshop-secret",
    }
    bases, procs = [], []
    for _ in range(count):
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        command += ["--timeout-graceful-shutdown", "2", "--backlog", "2048"]
        procs.append(subprocess.Popen(command, cwd=ROOT, env=env))
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{base} did not start")
    return bases, procs


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warm_up(bases: list[str], paths: list[str], headers: dict[str, str]) -> None:
    """One request per page and process before the clock starts: templates compiled and
    the workspace's prepared inputs cached, as on a server that has been running."""
    for base in bases:
        for path in paths:
            httpx.get(f"{base}{path}", headers=headers, timeout=120)


def stop_servers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Screen:
    """The facilitator's event stream: when each sequence number first arrived."""

    arrivals: list[tuple[float, int]] = field(default_factory=list)
    reconnects: int = 0
    last_html: str = ""

    def first_at_least(self, seq: int) -> float | None:
        for arrived, got in self.arrivals:
            if got >= seq:
                return arrived
        return None


async def follow(url: str, headers: dict[str, str], screen: Screen, stop: asyncio.Event) -> None:
    """Read the stream like EventSource: reconnect with Last-Event-ID when it ends."""
    last: int | None = None
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=60)) as client:
        while not stop.is_set():
            sent = headers | {"Accept": "text/event-stream"}
            if last is not None:
                sent["Last-Event-ID"] = str(last)
            try:
                async with client.stream("GET", url, headers=sent) as response:
                    seq, data = None, []
                    async for line in response.aiter_lines():
                        if line.startswith("id: "):
                            seq = int(line[4:])
                        elif line.startswith("data: "):
                            data.append(line[6:])
                        elif line == "" and seq is not None:
                            screen.arrivals.append((time.monotonic(), seq))
                            screen.last_html = "\n".join(data)
                            last, seq, data = seq, None, []
                        if stop.is_set():
                            return
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
            screen.reconnects += 1


@dataclass
class Sent:
    participant: int
    key: str
    weights: dict[str, float]
    started: float
    status: int = 0
    seq: int = 0
    attempts: int = 0
    answered: float = 0.0


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]*)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def participant(
    number: int,
    base: str,
    code: str,
    keys: list[str],
    args: argparse.Namespace,
    start: float,
    log: list[Sent],
) -> None:
    rng = random.Random(number)
    groups = ["Council", "City staff", "Partners", ""]
    async with httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=60) as client:
        arrival = rng.uniform(0, args.arrivals)  # people scan the code over the first seconds
        await asyncio.sleep(arrival)
        page = await client.get(f"/w/{code}")
        joined = await client.post(
            f"/w/{code}/join",
            data={
                "display_name": f"P{number:03d}",
                "group": groups[number % 4],
                "csrf_token": _csrf(page.text),
            },
        )
        if joined.status_code != 200:
            raise RuntimeError(f"join {number}: {joined.status_code}")
        csrf = _csrf(joined.text)
        # Five moments between joining and the end of the period, at least 2.5 s apart (the
        # rate limit is 2 s).
        gap = 2.5
        first = arrival + 2.0
        room = max(0.0, args.seconds - first - gap * args.submissions)
        moments = sorted(rng.uniform(0, room) for _ in range(args.submissions))
        moments = [first + m + gap * i for i, m in enumerate(moments)]
        for n, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
            weights = {k: float(rng.randint(0, 100)) for k in keys}
            weights[keys[rng.randrange(len(keys))]] = float(rng.randint(1, 100))
            entry = Sent(number, f"p{number}-s{n}", weights, time.monotonic())
            data = {f"w_{k}": f"{v:g}" for k, v in weights.items()}
            data |= {"csrf_token": csrf, "submission_key": entry.key, "mode": "sliders"}
            for _attempt in range(3):  # a retry posts the same form: stored once
                entry.attempts += 1
                try:
                    response = await client.post(
                        f"/w/{code}/submit", data=data, headers={"HX-Request": "true"}
                    )
                except httpx.HTTPError:
                    continue
                entry.status = response.status_code
                entry.answered = time.monotonic()
                if response.status_code == 200:
                    entry.seq = int(response.headers["x-workshop-seq"])
                    break
                if response.status_code < 500 and response.status_code != 429:
                    break
                await asyncio.sleep(1)
            log.append(entry)


async def run(
    args: argparse.Namespace, info: dict[str, Any], bases: list[str]
) -> tuple[Screen, list[Sent]]:
    screen = Screen()
    stop = asyncio.Event()
    url = f"{bases[-1]}/workspaces/{info['workspace']}/workshops/{info['workshop']}/events"
    listener = asyncio.create_task(follow(url, info["headers"], screen, stop))
    await asyncio.sleep(1)
    log: list[Sent] = []
    start = time.monotonic()
    await asyncio.gather(
        *(
            participant(i, bases[i % len(bases)], info["code"], info["keys"], args, start, log)
            for i in range(args.participants)
        )
    )
    last = max((s.seq for s in log), default=0)
    deadline = time.monotonic() + 10
    while screen.first_at_least(last) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stop.set()
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    return screen, log


def check(url: str, info: dict[str, Any], log: list[Sent], bases: list[str]) -> dict[str, Any]:
    """Compare what the phones were told with the database and the API."""
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import WorkshopParticipant, WorkshopSubmission
    from scoring.weights import aggregate_group

    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(WorkshopSubmission).order_by(col(WorkshopSubmission.seq))).all()
        names = {
            p.id: int(p.display_name[1:]) for p in session.exec(select(WorkshopParticipant)).all()
        }
    engine.dispose()
    stored = {(names[r.participant_id], r.submission_key): r for r in rows}
    told = {(s.participant, s.key): s for s in log if s.status == 200}
    lost = [k for k in told if k not in stored]
    unexpected = [k for k in stored if k not in told]
    duplicated = len(rows) - len(stored)
    newest: dict[int, dict[str, float]] = {}
    for r in rows:
        newest[names[r.participant_id]] = dict(r.weights)
    last_sent: dict[int, dict[str, float]] = {}
    for s in sorted((s for s in log if s.status == 200), key=lambda s: s.seq):
        last_sent[s.participant] = s.weights
    wrong_newest = [p for p, w in last_sent.items() if newest.get(p) != w]
    keys = info["keys"]
    recomputed = aggregate_group([{k: w.get(k, 0.0) for k in keys} for w in newest.values()])
    api = httpx.get(
        f"{bases[0]}/api/v1/workspaces/{info['workspace']}/workshops/{info['workshop']}",
        headers=info["headers"],
        timeout=60,
    ).json()
    gap = max(abs(api["weights"][k]["mean"] - recomputed.weights[k]) for k in keys)
    return {
        "rows": len(rows),
        "told": len(told),
        "lost": lost,
        "unexpected": unexpected,
        "duplicated": duplicated,
        "wrong_newest": wrong_newest,
        "aggregate_gap": gap,
        "api_submitted": api["submitted"],
        "api_submissions": api["submissions"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--arrivals", type=float, default=15.0, help="people join over the first ARRIVALS s"
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database", default="nc_bench_workshop")
    args = parser.parse_args()
    url = scratch_database(args.database)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        info = prepare(url)
        bases, procs = start_servers(url, args.processes)
        screen = f"/workspaces/{info['workspace']}/workshops/{info['workshop']}"
        warm_up(bases, [f"/w/{info['code']}", screen, f"{screen}/events"], info["headers"])
        began = time.monotonic()
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        client_before = time.process_time()
        screen, log = asyncio.run(run(args, info, bases))
        server_cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        client_cpu = time.process_time() - client_before
        elapsed = time.monotonic() - began
        result = check(url, info, log, bases)
    finally:
        stop_servers(procs)
        drop_database(args.database)
    ok = [s for s in log if s.status == 200]
    failed = [s for s in log if s.status != 200]
    latencies = []
    missing_events = 0
    for s in ok:
        arrived = screen.first_at_least(s.seq)
        if arrived is None:
            missing_events += 1
        else:
            latencies.append(arrived - s.started)
    p50, p95, p99 = (_pct(latencies, q) for q in (50, 95, 99))
    answers = [s.answered - s.started for s in ok]
    by_quarter: list[list[float]] = [[], [], [], []]
    first = min((s.started for s in ok), default=0.0)
    span = max((s.started for s in ok), default=1.0) - first or 1.0
    for s in ok:
        arrived = screen.first_at_least(s.seq)
        if arrived is not None:
            by_quarter[min(3, int(4 * (s.started - first) / span))].append(arrived - s.started)
    after = [a - s.answered for s in ok if (a := screen.first_at_least(s.seq)) is not None]
    print(
        f"workshop: {args.participants} participants x {args.submissions} submissions over "
        f"{args.seconds:.0f} s, {args.processes} uvicorn processes on PostgreSQL, "
        f"{os.cpu_count()} cores ({elapsed:.0f} s in all)"
    )
    load = os.getloadavg()
    print(
        f"  CPU: app processes {server_cpu:.1f} s ({server_cpu * 1000 / max(1, len(ok)):.0f} ms "
        f"per submission, joins and screens included), this client {client_cpu:.1f} s; "
        f"load average {load[0]:.1f} (other work on the machine competes for the cores)"
    )
    print(
        f"  submissions: {len(ok)} stored, {len(failed)} refused "
        f"({sorted({s.status for s in failed})}), {sum(s.attempts - 1 for s in log)} retries"
    )
    print(
        f"  database: {result['rows']} rows for {result['told']} confirmed submissions; "
        f"lost {len(result['lost'])}, unexpected {len(result['unexpected'])}, "
        f"duplicated {result['duplicated']}, wrong newest {len(result['wrong_newest'])}"
    )
    print(
        f"  final aggregate: API vs recomputed from the database, largest difference "
        f"{result['aggregate_gap']:.2e}; {result['api_submitted']} participants counted"
    )
    print(
        f"  submit -> facilitator event (other process): n={len(latencies)} "
        f"p50={p50 * 1000:.0f} ms p95={p95 * 1000:.0f} ms p99={p99 * 1000:.0f} ms "
        f"max={max(latencies, default=float('nan')) * 1000:.0f} ms; events received "
        f"{len(screen.arrivals)}, stream reconnects {screen.reconnects}, "
        f"submissions never seen {missing_events}"
    )
    print(
        f"  of which: the submit request p50={_pct(answers, 50) * 1000:.0f} ms "
        f"p95={_pct(answers, 95) * 1000:.0f} ms; from its answer to the event "
        f"p50={_pct(after, 50) * 1000:.0f} ms p95={_pct(after, 95) * 1000:.0f} ms"
    )
    print(
        "  p95 by quarter of the period: "
        + ", ".join(f"{_pct(q, 95) * 1000:.0f} ms" for q in by_quarter)
        + " (the first quarter includes 200 people joining)"
    )
    met = (
        not failed
        and not result["lost"]
        and not result["unexpected"]
        and result["duplicated"] == 0
        and not result["wrong_newest"]
        and result["aggregate_gap"] < 1e-9
        and missing_events == 0
        and p95 < TARGET_P95_S
    )
    print(
        f"  targets (nothing lost or duplicated, aggregate equal, p95 < 1 s): {'ok' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
