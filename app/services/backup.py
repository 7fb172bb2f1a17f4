"""Backup and restore of the whole database to one file (`network-compass backup|restore`).

The file is JSON lines, readable with any text tool:

1. a header: format, Alembic schema revision, database kind, row count of every table, and
   the position of every id sequence (so that ids a deleted row once had are never handed out
   again after a restore);
2. one line per row, `{"t": table, "r": {column: value}}`, tables in foreign-key order, rows
   by primary key; dates and times as ISO 8601 text, decimals as text, bytes as base64;
3. a trailer with the total row count, so a cut-off file is refused instead of half-restored.

Restore builds the schema at the file's revision (`alembic upgrade <revision>`), inserts every
row in one transaction, puts the sequences back, then upgrades to the newest revision, so a
backup from an older version of Network Compass restores into a newer one. A file from a newer
schema than this version knows is refused, and so is a database that holds rows, unless
`force` (then every table is dropped first).

Tables are read by reflection (not from the models), so the file holds exactly what the
database held at its revision.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

FORMAT: Final = "network-compass-backup"
FORMAT_VERSION: Final = 1
VERSION_TABLE: Final = "alembic_version"


class BackupError(Exception):
    """A backup file or database this version cannot restore; the message says why."""


@dataclass
class Summary:
    """What a backup or a restore did."""

    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    sequences: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- values ---------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A JSON value for a database value (JSON columns are already JSON values).

    >>> _encode(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)), _encode(Decimal("1.50"))
    ('2026-01-02T03:04:05.000006+00:00', '1.50')
    >>> _encode(b"\\x00\\xff"), _encode(date(2026, 1, 2)), _encode([1, {"a": None}])
    ('AP8=', '2026-01-02', [1, {'a': None}])
    """
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column_type: sa.types.TypeEngine[Any]) -> Any:
    """A function turning the file's JSON value back into the column's Python value."""
    if isinstance(column_type, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, sa.Date):
        return date.fromisoformat
    if isinstance(column_type, sa.Time):
        return time.fromisoformat
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        return Decimal
    if isinstance(column_type, sa.LargeBinary):
        return base64.b64decode
    return None


# --- reading the database -------------------------------------------------------------------


def database_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, or None (no schema yet)."""
    if VERSION_TABLE not in sa.inspect(conn).get_table_names():
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _tables(conn: Connection) -> list[sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(conn)
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def _order(table: sa.Table) -> list[sa.ColumnElement[Any]]:
    keys = list(table.primary_key.columns) or list(table.columns)
    return [c.asc() for c in keys]


def _integer_keys(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns if isinstance(c.type, sa.Integer)]


def _sequences(conn: Connection, tables: list[sa.Table]) -> dict[str, Any]:
    """Where each id counter stands: PostgreSQL sequences, SQLite's AUTOINCREMENT table."""
    found: dict[str, Any] = {}
    if conn.dialect.name == "postgresql":
        for table in tables:
            for column in _integer_keys(table):
                sequence = conn.execute(
                    sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": f'"{table.name}"', "c": column},
                ).scalar()
                if sequence:
                    last, called = conn.execute(
                        sa.text(f"SELECT last_value, is_called FROM {sequence}")
                    ).one()
                    found[f"{table.name}.{column}"] = [int(last), bool(called)]
    elif (
        conn.dialect.name == "sqlite"
        and conn.execute(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).scalar()
    ):
        for name, seq in conn.execute(sa.text("SELECT name, seq FROM sqlite_sequence")):
            found[str(name)] = int(seq)
    return found


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that reads one consistent state of the database (PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        with (
            engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as conn,
            conn.begin(),
        ):
            yield conn
    else:
        with engine.connect() as conn, conn.begin():
            yield conn


def backup(engine: Engine, out: IO[str]) -> Summary:
    """Write the whole database to `out` (see the module docstring)."""
    with _snapshot(engine) as conn:
        revision = database_revision(conn)
        if revision is None:
            raise BackupError("The database has no schema yet: there is nothing to back up.")
        tables = _tables(conn)
        counts = {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
            for t in tables
        }
        summary = Summary(revision, counts, _sequences(conn, tables))
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alembic_revision": revision,
            "dialect": conn.dialect.name,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": counts,
            "sequences": summary.sequences,
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        written = 0
        for table in tables:
            result = conn.execution_options(yield_per=1000).execute(
                sa.select(table).order_by(*_order(table))
            )
            for row in result.mappings():
                record = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
        out.write(json.dumps({"end": True, "rows": written}) + "\n")
    return summary


def backup_to_file(engine: Engine, path: Path) -> Summary:
    """`backup` into `path`, written beside it first and renamed when complete."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        summary = backup(engine, out)
    partial.replace(path)
    return summary


# --- restoring ------------------------------------------------------------------------------


def _known_revisions() -> tuple[dict[str, int], str]:
    """Every revision this version knows, with its position from the first, and the head."""
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    ordered = list(reversed(list(script.walk_revisions())))
    head = script.get_current_head() or ""
    return {r.revision: i for i, r in enumerate(ordered)}, head


def read_header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("This file is not a Network Compass backup.")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has file format {header.get('format_version')}; this version of "
            f"Network Compass reads format {FORMAT_VERSION}."
        )
    return header


def check_revision(revision: str) -> None:
    """Refuse a backup made by a newer schema than this version knows."""
    known, head = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"This backup was made with a newer version of Network Compass (schema revision "
            f"{revision!r}; this version knows revisions up to {head!r}). Upgrade Network "
            f"Compass, then restore."
        )


def _row_count(conn: Connection) -> int:
    return sum(
        int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
        for t in _tables(conn)
    )


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        metadata.drop_all(conn)


def _set_sequences(conn: Connection, sequences: dict[str, Any], tables: list[sa.Table]) -> None:
    if conn.dialect.name == "postgresql":
        for table in tables:
            for column in _integer_keys(table):
                sequence = conn.execute(
                    sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": f'"{table.name}"', "c": column},
                ).scalar()
                if not sequence:
                    continue
                highest = conn.execute(sa.select(sa.func.max(table.c[column]))).scalar() or 0
                saved, called = sequences.get(f"{table.name}.{column}", [0, False])
                value, is_called = (saved, called) if saved >= highest else (highest, True)
                if value < 1:  # an unused sequence: start at 1
                    value, is_called = 1, False
                conn.execute(
                    sa.text("SELECT setval(:s, :v, :c)"),
                    {"s": sequence, "v": value, "c": is_called},
                )
    elif conn.dialect.name == "sqlite" and sequences:
        exists = conn.execute(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).scalar()
        if exists:
            for name, seq in sequences.items():
                conn.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :n"), {"n": name})
                conn.execute(
                    sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :s)"),
                    {"n": name, "s": seq},
                )


def restore(engine: Engine, lines: Iterator[str], *, force: bool = False) -> Summary:
    """Restore a backup's lines into `engine`'s database (see the module docstring)."""
    from alembic import command

    from app.db import alembic_config, migrate

    header = read_header(next(lines, ""))
    revision = str(header.get("alembic_revision", ""))
    check_revision(revision)
    with engine.connect() as conn:
        has_tables = bool(sa.inspect(conn).get_table_names())
        rows = _row_count(conn) if has_tables else 0
    if rows and not force:
        raise BackupError(
            f"The database already holds {rows} rows. Restore into an empty database, or "
            f"pass --force to replace everything in it with the backup."
        )
    if has_tables:
        _drop_everything(engine)
    command.upgrade(alembic_config(engine), revision)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        tables = {t.name: t for t in _tables(conn)}
        decoders = {
            name: {c.name: _decoder(c.type) for c in table.columns}
            for name, table in tables.items()
        }
        batch: list[dict[str, Any]] = []
        current: str | None = None

        def flush() -> None:
            if batch and current is not None:
                conn.execute(tables[current].insert(), batch)
                batch.clear()

        ended = False
        for line in lines:
            record = json.loads(line)
            if record.get("end"):
                if record.get("rows") != sum(counts.values()):
                    raise BackupError("The backup file is damaged (row count does not match).")
                ended = True
                break
            name = record["t"]
            if name not in tables:
                raise BackupError(f"The backup holds a table this schema has not: {name!r}.")
            if name != current:
                flush()
                current = name
            decode = decoders[name]
            row = {}
            for key, value in record["r"].items():
                convert = decode.get(key)
                row[key] = convert(value) if convert is not None and value is not None else value
            batch.append(row)
            counts[name] = counts.get(name, 0) + 1
            if len(batch) >= 1000:
                flush()
        flush()
        if not ended:
            raise BackupError(
                "The backup file is incomplete (it has no end line); nothing restored."
            )
        expected = {k: int(v) for k, v in header.get("tables", {}).items() if int(v)}
        if expected != counts:
            raise BackupError("The backup file is damaged (table counts do not match).")
        _set_sequences(conn, header.get("sequences", {}), list(tables.values()))
    migrate(engine)
    return Summary(revision, counts, header.get("sequences", {}))


def check_file(path: Path) -> dict[str, Any]:
    """Read the whole file once before anything is dropped: its header, if it is complete."""
    with path.open(encoding="utf-8") as lines:
        header = read_header(next(lines, ""))
        check_revision(str(header.get("alembic_revision", "")))
        rows, last = 0, None
        for line in lines:
            try:
                last = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BackupError(f"The backup file is damaged (line {rows + 2}).") from exc
            rows += 1
    if not isinstance(last, dict) or not last.get("end") or last.get("rows") != rows - 1:
        raise BackupError("The backup file is incomplete (it has no end line); nothing restored.")
    return header


def restore_from_file(engine: Engine, path: Path, *, force: bool = False) -> Summary:
    """Check the file whole, then `restore` it."""
    check_file(path)
    with path.open(encoding="utf-8") as lines:
        return restore(engine, iter(lines), force=force)
