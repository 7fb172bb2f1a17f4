"""Seed loading is idempotent; workspace export/import is lossless on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

from app.cli import main
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.errors import Conflict
from app.models import (
    Assessment,
    AuditEntry,
    Membership,
    Network,
    NetworkSource,
    Scenario,
    Workspace,
)
from app.seed import seed
from app.services.transfer import dumps, export_workspace, import_workspace

SEED_DIR = PROJECT_ROOT / "seed_data"
TABLES = (Network, NetworkSource, Workspace, Membership, Assessment, Scenario)


def _counts(session: Session) -> dict[str, int]:
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in TABLES}


def test_seeding_twice_changes_nothing(session: Session) -> None:
    first = seed(session, SEED_DIR)
    counts = _counts(session)
    second = seed(session, SEED_DIR)

    assert first.networks_added >= 50
    assert first.workspace_created
    assert (second.networks_added, second.networks_updated, second.workspace_created) == (
        0,
        0,
        False,
    )
    assert _counts(session) == counts
    assert counts["Membership"] >= 18
    assert counts["Scenario"] == 3


def test_demo_is_marked_fictional(demo: Workspace) -> None:
    assert demo.fictional
    assert "fictional" in demo.notice.lower()


def test_export_import_export_is_byte_identical(
    demo: Workspace, session: Session, tmp_path: Path, database_url: str
) -> None:
    first = dumps(export_workspace(session, demo))

    other = (
        make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        if database_url.startswith("sqlite")
        else None
    )
    target_engine = other or _fresh_schema_engine(session)
    SQLModel.metadata.create_all(target_engine)
    with Session(target_engine) as target:
        imported = import_workspace(target, json.loads(first), actor="test")
        second = dumps(export_workspace(target, imported))
        assert target.exec(select(func.count()).select_from(Network)).one() == len(
            json.loads(first)["networks"]
        )
    target_engine.dispose()

    assert second == first
    assert json.loads(first)["assessments"], "the demo export carries its assessments"


def _fresh_schema_engine(session: Session) -> Engine:
    """A second, empty PostgreSQL schema next to the test's own (cleaned up with the test db)."""
    import uuid

    from sqlalchemy import text

    bind = session.get_bind()
    url = bind.url
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with bind.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.commit()
    query = dict(url.query) | {"options": f"-csearch_path={schema}"}
    return make_engine(url.set(query=query).render_as_string(hide_password=False))


def test_import_refuses_an_existing_slug_and_changes_nothing(
    demo: Workspace, session: Session
) -> None:
    data = export_workspace(session, demo)
    before = _counts(session)
    with pytest.raises(Conflict):
        import_workspace(session, data, actor="test")
    assert _counts(session) == before


def test_import_is_all_or_nothing(demo: Workspace, session: Session) -> None:
    data = export_workspace(session, demo)
    data["workspace"]["slug"] = "copy"
    data["assessments"].append({"network_id": "c40"})  # malformed: no criterion
    before = _counts(session)
    with pytest.raises(ValueError, match="malformed"):
        import_workspace(session, data, actor="test")
    assert _counts(session) == before


def test_cli_seed_export_import(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI migrates an empty database itself (no create_all here)."""
    assert main(["--database-url", database_url, "seed"]) == 0
    first = capsys.readouterr().out
    assert main(["--database-url", database_url, "seed"]) == 0
    second = capsys.readouterr().out
    assert "0 networks added, 0 updated" in second
    assert first.splitlines()[-1] == second.splitlines()[-1]  # same row counts

    out = tmp_path / "export.json"
    assert (
        main(["--database-url", database_url, "export-workspace", "example-city", "-o", str(out)])
        == 0
    )
    assert main(["--database-url", database_url, "import-workspace", str(out)]) == 2  # slug exists
    assert "already exists" in capsys.readouterr().err
    engine = make_engine(database_url)
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() == 0
        assert s.exec(select(func.count()).select_from(Workspace)).one() == 1
    engine.dispose()
