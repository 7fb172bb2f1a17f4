"""`network-compass backup FILE` / `restore FILE`: the whole database round-trips row by row on
both databases; restore refuses a newer schema, a damaged file and a non-empty database
(unless --force); a backup of an older schema restores and is upgraded."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from conftest import FIGURES, POSTGRES_URL, SEED_DIR, _make_user
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from app.cli import main
from app.config import Settings
from app.db import alembic_config, make_engine, migrate
from app.main import create_app
from app.models import Scenario
from app.services import accounts, workshop
from app.services.events import LocalBus
from app.services.workspaces import create_workspace, delete_workspace, get_workspace_by_slug


@pytest.fixture
def other_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (as the driver returns them), by primary key."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            out = {}
            for table in metadata.sorted_tables:
                keys = list(table.primary_key.columns) or list(table.columns)
                out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*keys))]
            return out
    finally:
        engine.dispose()


def populate(url: str) -> int:
    """Migrate, seed the demo, add accounts, sessions, tokens, links and a deleted workspace;
    returns the id the deleted workspace had."""
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        from app.seed import seed

        seed(session, SEED_DIR)
        user = _make_user(session, "zoë@example.org", admin=True)
        accounts.start_session(session, user)
        accounts.create_api_token(session, user.id or 0, "nightly «export» ✓")
        accounts.create_reset(session, user)
        gone = create_workspace(
            session,
            {"slug": "gone", "name": "Ciudad de México \u2013 ñandú", "fictional": True},
            actor="tests",
        )
        gone_id = gone.id or 0
        delete_workspace(session, gone, actor="tests")
        demo = get_workspace_by_slug(session, "example-city")
        assert demo is not None
        demo_id = demo.id or 0
        accounts.make_owner(session, demo_id, user.id or 0)
        session.commit()
        accounts.authenticate(session, "zoë@example.org", "not the password", "192.0.2.1")
        scenario = session.exec(select(Scenario).where(Scenario.workspace_id == demo_id)).first()
        assert scenario is not None
        bus = LocalBus()
        room = workshop.create_workshop(
            session, demo, title="Council retreat", scenario_id=None, groups=["staff"], actor="t"
        )
        person, _token = workshop.join(session, room, name="Ana", group="staff", bus=bus)
        weights = {k: float(v) for k, v in scenario.weights.items()}
        workshop.submit(session, room, person, weights, key="k1", bus=bus)
        session.commit()
        secret, _row = accounts.create_api_token(session, user.id or 0, "populate")
    engine.dispose()
    # Decisions, settings and a custom criterion through the API, as a city would add them.
    app = create_app(Settings(database_url=url, migrate_on_start=False, secret_key="t"))
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
        base = f"/api/v1/workspaces/{demo_id}"
        network = client.get(f"{base}/memberships").json()[0]["network_id"]
        decided = client.post(
            f"{base}/decisions",
            json={
                "network_id": network,
                "action": "stay",
                "decided_on": "2026-03-01",
                "body": "City Council",
                "notes": "Unanimous — «sí» 👍",
            },
        )
        assert decided.status_code == 201, decided.text
        version = client.get(f"{base}/settings").json()["version"]
        changed = client.patch(f"{base}/settings", json={"version": version, "join_bar": 0.61})
        assert changed.status_code == 200, changed.text
        criterion = client.post(
            f"{base}/criteria",
            json={
                "key": "eu_funding",
                "title": "EU funding",
                "description": "Access to EU programmes.",
                "questions": ["Does it bring calls?", "Partners?"],
                "anchors": {str(i): f"level {i}" for i in range(1, 6)},
            },
        )
        assert criterion.status_code == 201, criterion.text
    return gone_id


def test_backup_and_restore_round_trip_every_row(
    database_url: str, other_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone_id = populate(database_url)
    before = dump(database_url)
    file = tmp_path / "nc.backup.jsonl"
    assert main(["--database-url", database_url, "backup", str(file)]) == 0
    said = capsys.readouterr().out
    assert "Backed up" in said
    assert main(["--database-url", other_url, "restore", str(file)]) == 0
    after = dump(other_url)

    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, table
    non_empty = [t for t, rows in before.items() if rows and t != "alembic_version"]
    assert len(non_empty) >= 24, sorted(set(before) - set(non_empty))
    FIGURES[f"backup round trip rows ({make_engine(database_url).dialect.name})"] = sum(
        len(before[t]) for t in non_empty
    )

    # A restored database goes on working, and on PostgreSQL hands out no id it once used.
    engine = make_engine(other_url)
    with Session(engine) as session:
        new = create_workspace(session, {"slug": "new", "name": "New"}, actor="tests")
        session.commit()
        if engine.dialect.name == "postgresql":
            assert (new.id or 0) > gone_id
    engine.dispose()

    # The same file again into a database that now holds rows: refused, then --force.
    assert main(["--database-url", other_url, "restore", str(file)]) == 2
    assert "--force" in capsys.readouterr().err
    assert "new" in {row[1] for row in dump(other_url)["workspace"]}
    assert main(["--database-url", other_url, "restore", "--force", str(file)]) == 0
    assert dump(other_url) == before


def test_restore_refuses_a_newer_schema_and_a_damaged_file(
    database_url: str, other_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(database_url)
    file = tmp_path / "nc.jsonl"
    assert main(["--database-url", database_url, "backup", str(file)]) == 0
    lines = file.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])

    newer = tmp_path / "newer.jsonl"
    newer.write_text(
        "\n".join([json.dumps({**header, "alembic_revision": "0999_future"}), *lines[1:]]) + "\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--database-url", other_url, "restore", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "newer version of Network Compass" in err
    assert "0999_future" in err

    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-40]) + "\n", encoding="utf-8")
    assert main(["--database-url", other_url, "restore", str(cut)]) == 2
    assert "incomplete" in capsys.readouterr().err

    not_ours = tmp_path / "other.jsonl"
    not_ours.write_text('{"hello": 1}\n', encoding="utf-8")
    assert main(["--database-url", other_url, "restore", str(not_ours)]) == 2
    assert "not a Network Compass backup" in capsys.readouterr().err

    engine = make_engine(other_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []  # nothing was created or dropped
    engine.dispose()

    # --force does not help a damaged file: a database with rows keeps them.
    populate(other_url)
    kept = dump(other_url)
    assert main(["--database-url", other_url, "restore", "--force", str(cut)]) == 2
    assert dump(other_url) == kept


def test_a_backup_of_an_older_schema_restores_and_is_upgraded(
    database_url: str, other_url: str, tmp_path: Path
) -> None:
    from alembic import command

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspace (slug, name, fictional, notice, framework, created_at, "
                "updated_at, version) VALUES ('old', 'Old città', false, '', 'ideal-network', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            )
        )
    engine.dispose()
    file = tmp_path / "old.jsonl"
    assert main(["--database-url", database_url, "backup", str(file)]) == 0
    assert json.loads(file.read_text(encoding="utf-8").splitlines()[0])["alembic_revision"] == (
        "0002"
    )
    assert main(["--database-url", other_url, "restore", str(file)]) == 0
    restored = make_engine(other_url)
    with restored.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        names = conn.execute(text("SELECT name FROM workspace")).scalars().all()
    restored.dispose()
    from alembic.script import ScriptDirectory

    assert head == ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert names == ["Old città"]
