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
