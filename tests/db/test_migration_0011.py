"""Revision 0011 keeps every row, drops audit entries of workspaces deleted before it, and on
SQLite leaves every table with an integer id AUTOINCREMENT (so no id is handed out twice)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import alembic_config, make_engine


def test_0011_keeps_rows_and_drops_orphaned_audit(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0010")
    with engine.begin() as conn:
        for slug in ("kept", "gone"):
            conn.execute(
                text(
                    "INSERT INTO workspace (slug, name, fictional, notice, framework, created_at,"
                    " updated_at, version) VALUES (:s, :s, false, '', 'ideal-network',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                ),
                {"s": slug},
            )
        kept, gone = (
            conn.execute(text("SELECT id FROM workspace WHERE slug = :s"), {"s": s}).scalar_one()
            for s in ("kept", "gone")
        )
        conn.execute(
            text(
                "INSERT INTO scenario (workspace_id, name, description, method, weights, options,"
                " created_at, updated_at, version) VALUES (:w, 'S', '', 'weighted_sum', '{}',"
                " '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ),
            {"w": kept},
        )
        for workspace_id in (kept, gone, None):
            conn.execute(
                text(
                    "INSERT INTO auditentry (workspace_id, at, actor, action, entity, entity_key)"
                    " VALUES (:w, CURRENT_TIMESTAMP, 'a', 'create', 'scenario', 'S')"
                ),
                {"w": workspace_id},
            )
        conn.execute(text("DELETE FROM workspace WHERE id = :g"), {"g": gone})

    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scenario")).scalar_one() == 1
        trail = conn.execute(text("SELECT workspace_id FROM auditentry ORDER BY id")).all()
        assert [row[0] for row in trail] == [kept, None]  # the orphan went, the rest stayed
        if engine.dialect.name == "sqlite":
            ddl = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name IN ('workspace', 'scenario')")
            ).all()
            assert all("AUTOINCREMENT" in row[0] for row in ddl)
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    with engine.begin() as conn:  # the new foreign key cascades
        conn.execute(text("DELETE FROM workspace WHERE id = :k"), {"k": kept})
        assert conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one() == 1

    command.downgrade(config, "0010")
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one() == 1
    engine.dispose()
