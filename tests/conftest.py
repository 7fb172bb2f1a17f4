"""Shared fixtures. Database tests run once per backend: SQLite always, PostgreSQL when
`NC_TEST_POSTGRES_URL` is set (CI sets it; with CI=true a missing server is an error, not a skip).
Each test gets a clean database: a new SQLite file, or a new PostgreSQL schema dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.models import Workspace

SEED_DIR = PROJECT_ROOT / "seed_data"
POSTGRES_URL = os.environ.get("NC_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
_counts: dict[str, int] = {"sqlite": 0, "postgresql": 0}


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI=true but NC_TEST_POSTGRES_URL is not set: PostgreSQL tests would not run"
        )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    backend = request.param
    if backend == "sqlite":
        _counts["sqlite"] += 1
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured (set NC_TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    _counts["postgresql"] += 1
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def settings(database_url: str, engine: Engine) -> Settings:
    return Settings(database_url=database_url, migrate_on_start=False, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def demo(session: Session) -> Workspace:
    """The catalogue and the fictional demo workspace, loaded."""
    from app.seed import seed
    from app.services.workspaces import get_workspace_by_slug

    seed(session, SEED_DIR)
    workspace = get_workspace_by_slug(session, "example-city")
    assert workspace is not None
    return workspace


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(
        f"database-backed tests: {_counts['sqlite']} on SQLite, "
        f"{_counts['postgresql']} on PostgreSQL"
    )
