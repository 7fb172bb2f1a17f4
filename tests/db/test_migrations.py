"""`alembic upgrade head` builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.db import make_engine, migrate


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()

    assert diff == []
    assert set(SQLModel.metadata.tables) <= tables


def test_migrating_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert "alembic_version" in inspect(conn).get_table_names()
    engine.dispose()


def test_existing_rows_get_the_framework_defaults(database_url: str) -> None:
    """Rows written before revision 0005 read as: no needed functions, no travel cost, fee not
    an estimate, city facts unknown; and the revision can be undone."""
    from alembic import command
    from sqlalchemy import text

    from app.db import alembic_config

    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspace (slug, name, fictional, notice, framework, created_at, "
                "updated_at, version) VALUES ('old', 'Old', false, '', 'ideal-network', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            )
        )
        wid = conn.execute(text("SELECT id FROM workspace WHERE slug = 'old'")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO cityprofile (workspace_id, region, population_band, currency, "
                "priority_themes, version) VALUES (:w, 'Europe', '', 'EUR', '{}', 1)"
            ),
            {"w": wid},
        )
        conn.execute(
            text(
                "INSERT INTO network (id, name, acronym, founded, hq_secretariat, scope, "
                "member_count, member_unit, member_count_year, themes, governance_type, format, "
                "membership_fee, eligibility, services, website, confidence, notes, "
                "membership_kind, active, version) VALUES ('n', 'N', '', '', '', 'global', '', '', "
                "'', '[]', '', '', '', '', '[]', '', 'low', '', 'membership', 'yes', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO membership (workspace_id, network_id, status, annual_fee_minor, "
                "staff_hours, roles, notes, created_at, updated_at, version) VALUES (:w, 'n', "
                "'member', 500, 10, '[]', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            ),
            {"w": wid},
        )

    command.upgrade(config, "head")
    with engine.connect() as conn:
        profile = conn.execute(
            text(
                "SELECT function_needs, population, income_group, world_heritage_site, "
                "travel_budget_minor FROM cityprofile"
            )
        ).one()
        membership = conn.execute(
            text("SELECT travel_cost_minor, fee_is_estimate, annual_fee_minor FROM membership")
        ).one()
    assert profile[0] in ({}, "{}")
    assert tuple(profile[1:]) == (None, None, None, None)
    assert (membership[0], bool(membership[1]), membership[2]) == (0, False, 500)

    command.downgrade(config, "0002")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("membership")}
        assert "travel_cost_minor" not in columns
        assert "networkfunctiontag" not in inspect(conn).get_table_names()
    engine.dispose()


def _rows_by_key(url: str) -> dict[str, dict[tuple[object, ...], dict[str, object]]]:
    """Every table's rows as {primary key: {column: value}} (alembic_version left out)."""
    import sqlalchemy as sa

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            out: dict[str, dict[tuple[object, ...], dict[str, object]]] = {}
            for table in metadata.sorted_tables:
                if table.name == "alembic_version":
                    continue
                keys = [c.name for c in table.primary_key.columns] or [c.name for c in table.c]
                out[table.name] = {
                    tuple(row[k] for k in keys): dict(row)
                    for row in conn.execute(sa.select(table)).mappings()
                }
            return out
    finally:
        engine.dispose()


def _held_by(
    full: dict[str, dict[tuple[object, ...], dict[str, object]]],
    schema: dict[str, dict[tuple[object, ...], dict[str, object]]],
) -> dict[str, dict[tuple[object, ...], dict[str, object]]]:
    """`full` cut down to the tables and columns that `schema` (an older one) has."""
    columns = {table: set(next(iter(rows.values()), {}).keys()) for table, rows in schema.items()}
    return {
        table: {
            key: {c: v for c, v in row.items() if c in columns[table]} for key, row in rows.items()
        }
        for table, rows in full.items()
        if table in schema
    }


def test_downgrade_to_base_and_back_keeps_what_each_schema_can_hold(database_url: str) -> None:
    """With data in every table: downgrade from head to each older revision and to base, then
    upgrade to head again. At each step every row survives in the columns that revision has;
    back at head those columns hold the same values and the schema matches the models."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from conftest import FIGURES
    from test_backup import populate

    from app.db import alembic_config

    populate(database_url)
    original = _rows_by_key(database_url)
    assert all(original.values()), [t for t, rows in original.items() if not rows]
    engine = make_engine(database_url)
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    targets = [r.down_revision or "base" for r in script.walk_revisions()]
    assert targets[-1] == "base"
    checked = 0
    for target in targets:
        command.downgrade(config, str(target))
        down = _rows_by_key(database_url)
        if target == "base":
            assert down == {}
        else:
            # empty tables at this revision still need their columns: read them from the schema
            with engine.connect() as conn:
                inspector = inspect(conn)
                for table in down:
                    if not down[table]:
                        names = [c["name"] for c in inspector.get_columns(table)]
                        down[table] = {("",): dict.fromkeys(names)}
            expected = _held_by(original, down)
            actual = _held_by(_rows_by_key(database_url), down)
            assert actual == expected, f"rows lost or changed at revision {target}"
        command.upgrade(config, "head")
        if target != "base":
            back = _held_by(_rows_by_key(database_url), down)
            assert back == expected, f"rows lost or changed going {target} -> head"
        checked += 1
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()
    FIGURES["migration round trips with data (head -> revision -> head)"] = checked
