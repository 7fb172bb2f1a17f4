"""Latency and server CPU of the priorities slider re-rank (`POST .../priorities/preview`).

Seeds a temporary SQLite database with 300 synthetic networks (half members, half
candidates, 11 assessed criteria each, budgets and priority themes), starts uvicorn on a
free localhost port through `network-compass serve --workers N` (the command users run),
then times the request with httpx: at least 200 sequential requests, and 200 more from 20
concurrent clients. By default it runs with 1 worker and again with 2 (DESIGN.md section 9:
scaling out is more uvicorn workers) and prints both tables with p50/p95 against the targets
(p95 < 50 ms sequential, < 150 ms with 20 concurrent clients), each marked [ok] or [MISSED].

``--cpu N`` also measures the server's CPU time per preview: one worker, N sequential
previews after a warm-up, the process's user + system time read from ``/proc/PID/stat``
before and after (the client runs in this process, so its work is not counted). With
``--baseline REF`` the same measurement runs first against the code of git revision REF
(exported with ``git archive`` into a temporary folder, its own database seeded by its own
code), so one run prints the before/after ratio.

    .venv/bin/python bench/bench_web.py [--networks 300] [--requests 200] [--workers N]
    .venv/bin/python bench/bench_web.py --cpu 300 --baseline 35ccebd --workers 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

# The code under test: this checkout, or the tree a baseline measurement points at.
ROOT = Path(os.environ.get("NC_BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

THEMES = ["climate", "mobility", "migration", "digital", "health", "culture", "food", "energy"]
SERVICES = ["advocacy", "peer learning", "funding", "data", "training", "events"]
TARGET_SEQUENTIAL_MS = 50.0
TARGET_CONCURRENT_MS = 150.0
TARGET_CPU_MS = 5.0


def seed(db_url: str, n: int) -> tuple[int, dict[str, str]]:
    """A workspace with `n` synthetic networks; returns its id and auth headers."""
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.models import Assessment, CityProfile, Membership, Network, Workspace
    from criteria import default_framework

    rng = random.Random(7)
    engine = make_engine(db_url)
    migrate(engine)
    framework = default_framework()
    with Session(engine) as session:
        workspace = Workspace(slug="bench", name="Bench City", fictional=True)
        session.add(workspace)
        session.flush()
        wid = workspace.id or 0
        session.add(
            CityProfile(
                workspace_id=wid,
                region="Europe",
                fee_budget_minor=300_000_00,
                staff_hours_budget=20_000,
                priority_themes={"climate": 30, "mobility": 20, "health": 10},
            )
        )
        for i in range(n):
            nid = f"syn-{i:03d}"
            session.add(
                Network(
                    id=nid,
                    name=f"Synthetic network {i:03d}",
                    scope="Global",
                    themes=rng.sample(THEMES, 2),
                    services=rng.sample(SERVICES, 2),
                )
            )
        session.flush()
        for i in range(n):
            nid = f"syn-{i:03d}"
            member = i % 2 == 0
            session.add(
                Membership(
                    workspace_id=wid,
                    network_id=nid,
                    status="member" if member else "candidate",
                    annual_fee_minor=rng.randrange(0, 40_000) * 100,
                    staff_hours=rng.randrange(20, 400),
                    engagement=rng.choice(["active", "passive"]) if member else None,
                )
            )
            for key in framework.assessed_keys:
                session.add(
                    Assessment(
                        workspace_id=wid,
                        network_id=nid,
                        criterion=key,
                        assessor="Bench",
                        score=rng.randint(1, 5),
                    )
                )
        session.commit()
        headers = _auth(session, wid)
    engine.dispose()
    return wid, headers


def _auth(session: Any, workspace_id: int) -> dict[str, str]:
    """A bearer token for an owner of the workspace."""
    from app.services import accounts

    user = accounts.create_user(session, "bench@example.org", password="bench password 1234")
    accounts.make_owner(session, workspace_id, user.id or 0)
    session.commit()
    secret, _ = accounts.create_api_token(session, user.id or 0, "bench")
    return {"Authorization": f"Bearer {secret}"}


def criteria_keys() -> list[str]:
    from criteria import default_framework

    return list(default_framework().keys)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _serve(db_url: str, port: int, workers: int, root: Path = ROOT) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "NC_SECRET_KEY": "bench-secret",
        "NC_LOAD_DEMO": "false",
        "PYTHONPATH": str(root),
    }
    env.pop("NC_BENCH_ROOT", None)
    cmd = [sys.executable, "-m", "app", "--database-url", db_url, "serve"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def _weights(rng: random.Random, keys: list[str]) -> dict[str, str]:
    return {f"w_{k}": str(rng.randint(1, 100)) for k in keys}


def _one(client: httpx.Client, url: str, data: dict[str, str]) -> float:
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
    return elapsed


def run(
    db_url: str, wid: int, headers: dict[str, str], workers: int, args: argparse.Namespace
) -> dict[str, list[float]]:
    """Start the server with ``workers`` processes and time the re-rank; latencies in ms."""
    keys = criteria_keys()
    port = _free_port()
    server = _serve(db_url, port, workers)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/workspaces/{wid}/priorities/preview"
    headers = headers | {"HX-Request": "true"}
    rng = random.Random(1)
    try:
        _wait(base)
        per_client = max(1, args.requests // args.clients)

        def worker(_: int) -> list[float]:
            with httpx.Client(headers=headers, timeout=120) as client:
                return [_one(client, url, _weights(rng, keys)) for _ in range(per_client)]

        # Warm-up: imports, first query plans and the input cache of every worker.
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda _: worker(0)[:1], range(args.clients)))
        with httpx.Client(headers=headers, timeout=60) as client:
            sequential = [_one(client, url, _weights(rng, keys)) for _ in range(args.requests)]
        with ThreadPoolExecutor(args.clients) as pool:
            concurrent = [t for chunk in pool.map(worker, range(args.clients)) for t in chunk]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"sequential": sequential, f"{args.clients} concurrent": concurrent}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_preview(root: Path, networks: int, count: int) -> float:
    """Server CPU milliseconds per preview for the code in ``root`` (one worker)."""
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'cpu.db'}"
        env = os.environ | {"NC_BENCH_ROOT": str(root), "PYTHONPATH": str(root)}
        script = str(Path(__file__).resolve())
        out = subprocess.run(
            [sys.executable, script, "--seed-only", db_url, "--networks", str(networks)],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        seeded = json.loads(out.strip().splitlines()[-1])
        port = _free_port()
        server = _serve(db_url, port, 1, root)
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/workspaces/{seeded['workspace']}/priorities/preview"
        rng = random.Random(3)
        keys = criteria_keys()
        try:
            _wait(base)
            headers = seeded["headers"] | {"HX-Request": "true"}
            with httpx.Client(headers=headers, timeout=60) as client:
                for _ in range(30):
                    _one(client, url, _weights(rng, keys))
                before = _cpu_seconds(server.pid)
                for _ in range(count):
                    _one(client, url, _weights(rng, keys))
                after = _cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return (after - before) * 1000 / count


def _export(revision: str, target: Path) -> Path:
    """The files of a git revision in ``target`` (nothing checked out in this worktree)."""
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def report(results: dict[str, list[float]], workers: int, args: argparse.Namespace) -> bool:
    """Print one table; True when both targets are met."""
    plural = "s" if workers > 1 else ""
    print(
        f"slider re-rank, {args.networks} networks, {len(criteria_keys())} criteria "
        f"(uvicorn, {workers} worker{plural})"
    )
    met = True
    for (label, values), target in zip(
        results.items(), (TARGET_SEQUENTIAL_MS, TARGET_CONCURRENT_MS), strict=True
    ):
        p50, p95 = statistics.median(values), _pct(values, 95)
        verdict = "ok" if p95 < target else "MISSED"
        met &= p95 < target
        print(
            f"  {label:>14}: n={len(values)} p50={p50:6.1f} ms p95={p95:6.1f} ms "
            f"(target p95 < {target:.0f} ms) [{verdict}]"
        )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, action="append", help="uvicorn workers (default: 1, then 2)"
    )
    parser.add_argument("--cpu", type=int, default=0, help="previews for the CPU measurement")
    parser.add_argument("--baseline", help="git revision to measure the CPU against")
    parser.add_argument("--no-latency", action="store_true", help="only the CPU measurement")
    parser.add_argument("--seed-only", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        wid, headers = seed(args.seed_only, args.networks)
        print(json.dumps({"workspace": wid, "headers": headers}))
        return 0
    met = []
    print(f"cores: {os.cpu_count()}")
    if not args.no_latency:
        counts = args.workers or [1, 2]
        with tempfile.TemporaryDirectory() as tmp:
            db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            wid, headers = seed(db_url, args.networks)
            tables = [(workers, run(db_url, wid, headers, workers, args)) for workers in counts]
        met = [report(results, workers, args) for workers, results in tables]
    if args.cpu:
        now_label = "this checkout"
        lines = []
        before = None
        if args.baseline:
            with tempfile.TemporaryDirectory() as tmp:
                before = cpu_per_preview(_export(args.baseline, Path(tmp)), args.networks, args.cpu)
            lines.append(f"  {args.baseline:>13}: {before:6.2f} ms")
        after = cpu_per_preview(ROOT, args.networks, args.cpu)
        lines.append(f"  {now_label:>13}: {after:6.2f} ms (target <= {TARGET_CPU_MS:.0f} ms)")
        print(f"server CPU per preview, {args.networks} networks, {args.cpu} previews, 1 worker")
        print("\n".join(lines))
        if before is not None:
            print(f"  ratio before/after: {before / after:.1f}x")
        met.append(after <= TARGET_CPU_MS)
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
