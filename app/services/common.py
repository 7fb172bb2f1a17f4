"""Small conversions shared by the services: money, versions, audit records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlmodel import Session, SQLModel

from app.errors import Conflict, InvalidInput
from app.models import AuditEntry, utcnow

CENTS = Decimal("0.01")


def to_minor(amount: Decimal) -> int:
    """Major units (a Decimal) -> integer minor units. Exact for two-decimal currencies.

    >>> to_minor(Decimal("12500.50"))
    1250050
    """
    return int((amount.quantize(CENTS, rounding=ROUND_HALF_EVEN) * 100).to_integral_value())


def from_minor(minor: int) -> Decimal:
    """Integer minor units -> Decimal major units with two places.

    >>> from_minor(1250050)
    Decimal('12500.50')
    """
    return (Decimal(minor) / 100).quantize(CENTS)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_version(row: Any, expected: int | None, what: str) -> None:
    """Optimistic concurrency: refuse a write based on a version that is no longer current."""
    if expected is not None and expected != row.version:
        raise Conflict(
            f"This {what} was changed by someone else (version {row.version}, you sent "
            f"{expected}). Reload it and apply your change again."
        )


def reject_nulls(model: type[SQLModel], changes: dict[str, Any]) -> None:
    """Raise InvalidInput for an explicit null sent for a column that cannot be empty.

    (A PATCH schema uses None for "not sent"; `exclude_unset` keeps an explicit null.)
    """
    columns = model.__table__.c  # type: ignore[attr-defined]
    for key, value in changes.items():
        column = key if key in columns else f"{key}_minor"  # money: major units in the API
        if value is None and column in columns and not columns[column].nullable:
            raise InvalidInput(key, f"{key} cannot be null; leave it out to keep its value.")


def jsonable(value: Any) -> Any:
    """Plain JSON-friendly copy of a value for audit records and exports."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(row: SQLModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """A row's fields as plain JSON values (for the audit log)."""
    skip = {"id", "created_at", "updated_at"} | (exclude or set())
    return {k: jsonable(v) for k, v in row.model_dump().items() if k not in skip}


def audit(
    session: Session,
    *,
    workspace_id: int | None,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry (part of the caller's transaction). Only changed fields are kept."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        changed.discard("version")
        if not changed:
            return
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    session.add(
        AuditEntry(
            workspace_id=workspace_id,
            at=utcnow(),
            actor=actor,
            action=action,
            entity=entity,
            entity_key=entity_key,
            before=before,
            after=after,
        )
    )
