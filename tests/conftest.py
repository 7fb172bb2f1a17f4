"""Shared fixtures. Database tests run once per backend: SQLite always, PostgreSQL when
`NC_TEST_POSTGRES_URL` is set (CI sets it; with CI=true a missing server is an error, not a skip).
Each test gets a clean database: a new SQLite file, or a new PostgreSQL schema dropped after.

Accounts: `client` is signed in as a site administrator through a bearer API token (no CSRF
needed), and that administrator owns the `demo` workspace and every workspace it creates.
`anon_client` is nobody; `make_user` and `login` build other callers.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.models import User, Workspace, WorkspaceMember
from app.services import accounts

SEED_DIR = PROJECT_ROOT / "seed_data"
POSTGRES_URL = os.environ.get("NC_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
_counts: dict[str, int] = {"sqlite": 0, "postgresql": 0}
ADMIN_EMAIL = "admin@example.org"
PASSWORD = "correct horse battery"
FIGURES: dict[str, int] = {}
"""Counts test modules report (e.g. access-matrix cases); printed in the terminal summary."""


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


@cache
def _password_hash() -> str:
    return accounts.hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once


MakeUser = Callable[..., User]


def _make_user(
    session: Session,
    email: str,
    role: str | None = None,
    workspace: Workspace | None = None,
    admin: bool = False,
) -> User:
    """An active user with password `PASSWORD`, optionally with `role` in `workspace`."""
    user = User(email=email.lower(), password_hash=_password_hash(), is_admin=admin)
    session.add(user)
    session.flush()
    if role is not None:
        assert workspace is not None, "a role needs a workspace"
        accounts.make_owner(session, workspace.id or 0, user.id or 0)
        if role != "owner":
            member = session.exec(
                select(WorkspaceMember).where(
                    WorkspaceMember.workspace_id == workspace.id,
                    WorkspaceMember.user_id == user.id,
                )
            ).one()
            member.role = role
            session.add(member)
    session.commit()
    session.refresh(user)
    return user


@pytest.fixture
def make_user() -> MakeUser:
    """`make_user(session, email, role=None, workspace=None, admin=False) -> User`."""
    return _make_user


def bearer(session: Session, user: User) -> dict[str, str]:
    """Headers that authenticate as `user` with a new API token."""
    secret, _ = accounts.create_api_token(session, user.id or 0, "tests")
    return {"Authorization": f"Bearer {secret}"}


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (the meta tag in base.html)."""
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert match, "no csrf-token meta tag on the page"
    return match.group(1)


Login = Callable[[TestClient, str, str], str]


def _login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign `client` in through the form (cookie session); returns the session's CSRF token."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    account = client.get("/account")
    assert account.status_code == 200
    return csrf_of(account.text)


@pytest.fixture
def login() -> Login:
    """`login(client, email, password=PASSWORD) -> csrf_token`."""
    return _login


@pytest.fixture
def admin(session: Session) -> User:
    """The site administrator the `client` fixture acts as."""
    return _make_user(session, ADMIN_EMAIL, admin=True)


@pytest.fixture
def client(app: FastAPI, session: Session, admin: User) -> Iterator[TestClient]:
    """Signed in as the site administrator `admin` with a bearer API token."""
    with TestClient(app, headers=bearer(session, admin)) as c:
        yield c


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[TestClient]:
    """Nobody signed in."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def demo(session: Session, admin: User) -> Workspace:
    """The catalogue and the fictional demo workspace, loaded; `admin` owns it."""
    from app.seed import seed
    from app.services.workspaces import get_workspace_by_slug

    seed(session, SEED_DIR)
    workspace = get_workspace_by_slug(session, "example-city")
    assert workspace is not None
    accounts.make_owner(session, workspace.id or 0, admin.id or 0)
    session.commit()
    session.refresh(workspace)
    return workspace


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its counts to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["nc_counts"] = json.dumps({"backends": _counts, "figures": FIGURES})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller adds up what each worker counted."""
    raw = getattr(node, "workeroutput", {}).get("nc_counts")
    if not raw:
        return
    data = json.loads(raw)
    for backend, count in data["backends"].items():
        _counts[backend] = _counts.get(backend, 0) + int(count)
    for label, count in data["figures"].items():
        FIGURES[label] = FIGURES.get(label, 0) + int(count)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(
        f"database-backed tests: {_counts['sqlite']} on SQLite, "
        f"{_counts['postgresql']} on PostgreSQL"
    )
    for label, count in FIGURES.items():
        terminalreporter.write_line(f"{label}: {count}")
