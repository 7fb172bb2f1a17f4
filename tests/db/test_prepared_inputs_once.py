"""Requests that miss the prepared-inputs cache at the same moment share one load."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.seed import seed
from app.services import analysis as an
from app.services.workspaces import get_workspace_by_slug


def test_concurrent_misses_load_the_workspace_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data")
        demo = get_workspace_by_slug(session, "example-city")
        assert demo is not None
        workspace_id = demo.id
    an.INPUTS.clear()
    loads: list[int] = []
    real = an.load_inputs

    def slow_load(session: Session, workspace: Any) -> an.PreparedInputs:
        loads.append(1)
        time.sleep(0.3)  # long enough for every other thread to miss the cache meanwhile
        return real(session, workspace)

    monkeypatch.setattr(an, "load_inputs", slow_load)
    results: list[an.PreparedInputs] = []
    start = threading.Barrier(6)

    def ask() -> None:
        with Session(engine) as session:
            workspace = get_workspace_by_slug(session, "example-city")
            assert workspace is not None
            assert workspace.id == workspace_id
            start.wait()
            results.append(an.prepared_inputs(session, workspace))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 6
    assert all(r is results[0] for r in results)
