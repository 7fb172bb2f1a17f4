"""Workshop event streams over real HTTP: uvicorn processes, an httpx client reading
`text/event-stream` as a browser's EventSource does.

- One process on each database: two participants submit and the facilitator's stream
  carries the room's aggregate, disagreement, consensus index and robust core, checked
  against the scoring core.
- Two processes on one PostgreSQL: a participant submits to the first, the facilitator
  connected to the second sees it within 2 seconds (LISTEN/NOTIFY).
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.models import Workshop
from app.seed import seed
from app.services import accounts
from app.services import analysis as an
from app.services import workshop as wk
from app.services.events import LocalBus
from app.services.workspaces import get_workspace_by_slug
from criteria import default_framework
from scoring.consensus import consensus, disagreement, robust_core
from scoring.weights import aggregate_group

KEYS = default_framework().keys
ANA = dict.fromkeys(KEYS, 5) | {"relevant_agenda": 60, "annual_fee": 40, "sharp_focus": 30}
BEN = dict.fromkeys(KEYS, 10) | {"annual_fee": 0, "staff_time": 70, "openness_inclusion": 55}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Servers:
    """uvicorn processes serving one database."""

    def __init__(self, database_url: str, count: int, tmp: Path) -> None:
        self.bases: list[str] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []
        env = os.environ | {
            "NC_DATABASE_URL": database_url,
            "NC_MIGRATE_ON_START": "false",
            "NC_LOAD_DEMO": "false",
            "NC_SECRET_KEY": "live-test-secret",
        }
        for _ in range(count):
            port = _free_port()
            log = (tmp / f"uvicorn-{port}.log").open("wb")
            self.logs.append(log)
            command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            command += ["--timeout-graceful-shutdown", "1"]
            self.procs.append(
                subprocess.Popen(
                    command,
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.bases.append(f"http://127.0.0.1:{port}")
        for base in self.bases:
            for _ in range(150):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                self.close()
                pytest.fail(f"the server at {base} did not start")

    def close(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for log in self.logs:
            log.close()


class Stream:
    """A facilitator's event stream read in a thread: (arrival time, id, html) per event."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue[tuple[float, int, str]] = queue.Queue()
        self.open = threading.Event()
        self._client = httpx.Client(timeout=60, headers=headers | {"Accept": "text/event-stream"})
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()
        assert self.open.wait(20), "the event stream did not open"

    def _read(self, url: str) -> None:
        try:
            with self._client.stream("GET", url) as response:
                assert response.status_code == 200
                self.open.set()
                seq, data = None, []
                for line in response.iter_lines():
                    if line.startswith("id: "):
                        seq = int(line[4:])
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line == "" and seq is not None:
                        self.events.put((time.monotonic(), seq, "\n".join(data)))
                        seq, data = None, []
        except Exception:  # closed by `close`, or by the server going away
            return

    def until(self, seq: int, timeout: float) -> tuple[float, int, str]:
        """The first event with an id of at least ``seq``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no event with id >= {seq} within {timeout} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event[1] >= seq:
                return event

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=10)


def _world(engine: Engine) -> tuple[int, int, str, dict[str, str]]:
    """The demo, an owner with a token, and an open workshop: ids, code, auth headers."""
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data")
        demo = get_workspace_by_slug(session, "example-city")
        assert demo is not None
        user = accounts.create_user(session, "facilitator@example.org")
        session.commit()
        accounts.make_owner(session, demo.id or 0, user.id or 0)
        session.commit()
        secret, _ = accounts.create_api_token(session, user.id or 0, "live")
        workshop = wk.create_workshop(
            session, demo, title="Live room", scenario_id=None, groups=[], actor="test"
        )
        wk.set_revealed(session, workshop, True, LocalBus())
        return demo.id or 0, workshop.id or 0, workshop.code, {"Authorization": f"Bearer {secret}"}


def _phone(base: str, code: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    page = client.get(f"/w/{code}")
    token = re.search(r'name="csrf-token" content="([^"]*)"', page.text)
    assert token is not None
    joined = client.post(
        f"/w/{code}/join", data={"display_name": name, "csrf_token": token.group(1)}
    )
    assert joined.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]*)"', joined.text)
    assert token is not None
    return client, token.group(1)


def _submit(client: httpx.Client, code: str, csrf: str, points: dict[str, float]) -> int:
    data = {f"w_{k}": str(v) for k, v in points.items()} | {
        "csrf_token": csrf,
        "submission_key": f"key-{time.monotonic_ns()}",
    }
    response = client.post(f"/w/{code}/submit", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:500]
    return int(response.headers["x-workshop-seq"])


@pytest.fixture
def servers(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[Servers]:
    count = 2 if database_url.startswith("postgresql") else 1
    running = Servers(database_url, count, tmp_path)
    yield running
    running.close()


def test_the_stream_carries_the_room_after_two_submissions(
    servers: Servers, engine: Engine
) -> None:
    workspace_id, workshop_id, code, headers = _world(engine)
    stream = Stream(
        f"{servers.bases[-1]}/workspaces/{workspace_id}/workshops/{workshop_id}/events", headers
    )
    phones: list[httpx.Client] = []
    try:
        first = stream.until(0, 10)
        assert 'data-submitted="0"' in first[2]
        ana, ana_csrf = _phone(servers.bases[0], code, "Ana")
        ben, ben_csrf = _phone(servers.bases[0], code, "Ben")
        phones += [ana, ben]
        _submit(ana, code, ana_csrf, ANA)
        seq = _submit(ben, code, ben_csrf, BEN)
        _, _, body = stream.until(seq, 10)
    finally:
        stream.close()
        for phone in phones:
            phone.close()
    sets = [ANA, BEN]
    rows = {
        m.group(1): dict(re.findall(r'data-([a-z]+)="([^"]*)"', m.group(0)))
        for m in re.finditer(r'<tr data-criterion="([^"]+)"[^>]*>', body)
    }
    group = aggregate_group(sets)
    levels = disagreement(group)
    for key in KEYS:
        assert float(rows[key]["mean"]) == pytest.approx(group.weights[key], abs=1e-6)
        assert float(rows[key]["std"]) == pytest.approx(group.dispersion[key].std, abs=1e-6)
        assert rows[key]["level"] == levels[key]
    index = re.search(r'data-consensus="([0-9.]+)"', body)
    assert index is not None
    assert float(index.group(1)) == pytest.approx(consensus(sets).index, abs=1e-6)
    with Session(engine) as session:
        demo = get_workspace_by_slug(session, "example-city")
        workshop = session.get(Workshop, workshop_id)
        assert demo is not None
        assert workshop is not None
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
            advice[name] = {
                n: str(a)
                for n, a in zip(
                    ctx.analysis.matrix.alternatives, ctx.analysis.ranking.actions(), strict=True
                )
            }
    core = robust_core(advice, list(advice["Ana"]))
    assert dict(re.findall(r'<span data-network="([^"]+)" data-action="([^"]+)">', body)) == (
        core.unanimous
    )
    assert set(re.findall(r'<li data-network="([^"]+)" data-split=', body)) == set(core.split)


# PostgreSQL only (LISTEN/NOTIFY): the backend is chosen here, not skipped on SQLite.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_submission_to_one_process_reaches_a_screen_on_the_other(
    database_url: str, engine: Engine, request: pytest.FixtureRequest
) -> None:
    servers: Servers = request.getfixturevalue("servers")
    assert len(servers.bases) == 2
    workspace_id, workshop_id, code, headers = _world(engine)
    stream = Stream(
        f"{servers.bases[1]}/workspaces/{workspace_id}/workshops/{workshop_id}/events", headers
    )
    phone, csrf = _phone(servers.bases[0], code, "Ana")
    try:
        stream.until(0, 10)
        sent = time.monotonic()
        seq = _submit(phone, code, csrf, ANA)
        arrived, _, body = stream.until(seq, 2.0)
    finally:
        stream.close()
        phone.close()
    assert arrived - sent < 2.0
    assert 'data-submitted="1"' in body
