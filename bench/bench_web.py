"""Latency of the priorities slider re-rank (`POST .../priorities/preview`, htmx fragment).

Seeds a temporary SQLite database with 300 synthetic networks (half members, half
candidates, 11 assessed criteria each, budgets and priority themes), starts uvicorn on a
free localhost port through `network-compass serve --workers N` (the command users run),
then times the request with httpx: at least 200 sequential requests, and 200 more from 20
concurrent clients. By default it runs with 1 worker and again with 2 (DESIGN.md section 9:
scaling out is more uvicorn workers) and prints both tables with p50/p95 against the targets
(p95 < 50 ms sequential, < 150 ms with 20 concurrent clients), each marked [ok] or [MISSED].

    .venv/bin/python bench/bench_web.py [--networks 300] [--requests 200] [--workers N]
"""

from __future__ import annotations

import argparse
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

import httpx
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import make_engine, migrate  # noqa: E402
from app.models import Assessment, CityProfile, Membership, Network, Workspace  # noqa: E402
from criteria import default_framework  # noqa: E402

THEMES = ["climate", "mobility", "migration", "digital", "health", "culture", "food", "energy"]
SERVICES = ["advocacy", "peer learning", "funding", "data", "training", "events"]
TARGET_SEQUENTIAL_MS = 50.0
TARGET_CONCURRENT_MS = 150.0


def seed(db_url: str, n: int) -> tuple[int, dict[str, str]]:
    """A workspace with `n` synthetic networks; returns its id and auth headers."""
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


def _auth(session: Session, workspace_id: int) -> dict[str, str]:
    """A bearer token for an owner of the workspace, when the app has accounts."""
    try:
        from app.services import accounts
    except ImportError:
        return {}
    user = accounts.create_user(session, "bench@example.org", password="bench password 1234")
    accounts.make_owner(session, workspace_id, user.id or 0)
    session.commit()
    secret, _ = accounts.create_api_token(session, user.id or 0, "bench")
    return {"Authorization": f"Bearer {secret}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _serve(db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"NC_SECRET_KEY": "bench-secret", "NC_LOAD_DEMO": "false"}
    cmd = [sys.executable, "-m", "app", "--database-url", db_url, "serve"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run(
    db_url: str, wid: int, headers: dict[str, str], workers: int, args: argparse.Namespace
) -> dict[str, list[float]]:
    """Start the server with ``workers`` processes and time the re-rank; latencies in ms."""
    keys = default_framework().keys
    port = _free_port()
    server = _serve(db_url, port, workers)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/workspaces/{wid}/priorities/preview"
    headers = headers | {"HX-Request": "true"}
    rng = random.Random(1)
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")

        def one(client: httpx.Client) -> float:
            data = {f"w_{k}": str(rng.randint(1, 100)) for k in keys}
            start = time.perf_counter()
            response = client.post(url, data=data)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
            return elapsed

        per_client = max(1, args.requests // args.clients)

        def worker(_: int) -> list[float]:
            with httpx.Client(headers=headers, timeout=120) as client:
                return [one(client) for _ in range(per_client)]

        # Warm-up: imports, first query plans and the input cache of every worker.
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda _: worker(0)[:1], range(args.clients)))
        with httpx.Client(headers=headers, timeout=60) as client:
            sequential = [one(client) for _ in range(args.requests)]
        with ThreadPoolExecutor(args.clients) as pool:
            concurrent = [t for chunk in pool.map(worker, range(args.clients)) for t in chunk]
    finally:
        server.terminate()
        server.wait(timeout=15)
    return {"sequential": sequential, f"{args.clients} concurrent": concurrent}


def report(results: dict[str, list[float]], workers: int, args: argparse.Namespace) -> bool:
    """Print one table; True when both targets are met."""
    keys = default_framework().keys
    plural = "s" if workers > 1 else ""
    print(
        f"slider re-rank, {args.networks} networks, {len(keys)} criteria "
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
    args = parser.parse_args()
    counts = args.workers or [1, 2]
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        wid, headers = seed(db_url, args.networks)
        tables = [(workers, run(db_url, wid, headers, workers, args)) for workers in counts]
    print(f"cores: {os.cpu_count()}")
    met = [report(results, workers, args) for workers, results in tables]
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
