"""Reading the audit log: filter, paginate, export. Entries are written by the services (see
`app.services.common.audit`) in the same transaction as the change; nothing here changes them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.models import AuditEntry
from app.services.common import as_utc

CSV_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "before", "after")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to show: exact entity and actor, and an inclusive range of UTC dates."""

    entity: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None

    def conditions(self, workspace_id: int) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [col(AuditEntry.workspace_id) == workspace_id]
        if self.entity:
            where.append(col(AuditEntry.entity) == self.entity)
        if self.actor:
            where.append(col(AuditEntry.actor) == self.actor)
        if self.since:
            where.append(col(AuditEntry.at) >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            where.append(col(AuditEntry.at) < end)
        return where


def parse_day(value: str) -> date | None:
    """A YYYY-MM-DD string as a date; empty gives None; anything else raises ValueError.

    >>> parse_day("2026-03-01"), parse_day("")
    (datetime.date(2026, 3, 1), None)
    """
    return date.fromisoformat(value) if value.strip() else None


def count_entries(session: Session, workspace_id: int, filters: AuditFilter) -> int:
    query = select(func.count()).select_from(AuditEntry)
    return session.exec(query.where(*filters.conditions(workspace_id))).one()


def list_entries(
    session: Session,
    workspace_id: int,
    filters: AuditFilter,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries of the workspace matching `filters`, newest first."""
    query = (
        select(AuditEntry)
        .where(*filters.conditions(workspace_id))
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def choices(session: Session, workspace_id: int) -> tuple[list[str], list[str]]:
    """The entities and the actors that occur in the workspace's log (for filter menus)."""
    where = col(AuditEntry.workspace_id) == workspace_id
    entities = session.exec(select(AuditEntry.entity).where(where).distinct()).all()
    actors = session.exec(select(AuditEntry.actor).where(where).distinct()).all()
    return sorted(entities), sorted(actors)


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def entry_row(entry: AuditEntry) -> dict[str, str]:
    """An entry as plain strings (the CSV row and the page's before/after text)."""
    return {
        "at": as_utc(entry.at).isoformat(timespec="seconds"),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_key": entry.entity_key,
        "before": _json(entry.before),
        "after": _json(entry.after),
    }


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV with a header row. Cells that a spreadsheet would run as a formula
    get a leading apostrophe.

    >>> to_csv([]).strip()
    'at,actor,action,entity,entity_key,before,after'
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = entry_row(entry)
        writer.writerow(
            {k: "'" + v if v[:1] in {"=", "+", "-", "@"} else v for k, v in row.items()}
        )
    return out.getvalue()
