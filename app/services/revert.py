"""Undo one audited change: restore its 'before' state, remove a created row or re-create a
deleted one, refusing when the data moved on since (someone edited it after the entry).

An entry's shape says what happened: no 'before' (a row was created), no 'after' (a row was
deleted), both (fields changed, only the changed ones are recorded). A revert is itself
audited, with the action ``revert`` and the same shape, so a revert can be reverted in turn.

Revertible entities: assessments, scenarios, memberships (with their outcomes), the city
profile and the decision settings. Everything else (accounts, catalogue, imports, workshops...) is not: `revertible`
says so and `revert` raises `InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext as _
from app.models import Assessment, AuditEntry, Membership, Scenario, Workspace, utcnow
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.services.common import audit, jsonable, snapshot, to_minor
from criteria.errors import CriteriaError

REVERTIBLE = ("assessment", "scenario", "membership", "profile", "settings")
UPDATE_ONLY = frozenset({"profile", "settings"})
IGNORED = frozenset({"version", "workspace_id"})
"""Fields that never decide whether the data moved on (versions grow with any write)."""


@dataclass(frozen=True)
class _Kind:
    """How to find, read and rebuild the rows of one entity."""

    model: type[SQLModel]
    find: Callable[[Session, Workspace, AuditEntry], SQLModel | None]
    key: Callable[[Any], str]


def _find_assessment(session: Session, workspace: Workspace, entry: AuditEntry) -> Any:
    parts = entry.entity_key.split("/", 2)
    if len(parts) != 3:
        return None
    network_id, criterion, assessor = parts
    return session.exec(
        select(Assessment).where(
            Assessment.workspace_id == workspace.id,
            Assessment.network_id == network_id,
            Assessment.criterion == criterion,
            Assessment.assessor == assessor,
        )
    ).first()


def _find_scenario(session: Session, workspace: Workspace, entry: AuditEntry) -> Any:
    return session.exec(
        select(Scenario).where(
            Scenario.workspace_id == workspace.id, Scenario.name == entry.entity_key
        )
    ).first()


def _find_membership(session: Session, workspace: Workspace, entry: AuditEntry) -> Any:
    return session.exec(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.network_id == entry.entity_key
        )
    ).first()


KINDS: dict[str, _Kind] = {
    "assessment": _Kind(
        Assessment, _find_assessment, lambda a: f"{a.network_id}/{a.criterion}/{a.assessor}"
    ),
    "scenario": _Kind(Scenario, _find_scenario, lambda s: s.name),
    "membership": _Kind(Membership, _find_membership, lambda m: m.network_id),
}


def revertible(entry: AuditEntry) -> bool:
    """Whether the revert button applies to this entry (not whether it would succeed now)."""
    if entry.entity not in REVERTIBLE or entry.workspace_id is None:
        return False
    if entry.entity in UPDATE_ONLY:
        return entry.before is not None and entry.after is not None
    return entry.before is not None or entry.after is not None


def _state(session: Session, entity: str, row: Any) -> dict[str, Any]:
    """The row's current fields as the audit log records them."""
    if entity == "membership":
        return ws._membership_snapshot(session, row)
    return snapshot(row)


def _matches(current: dict[str, Any], recorded: dict[str, Any]) -> bool:
    return all(jsonable(current.get(k)) == v for k, v in recorded.items() if k not in IGNORED)


def _moved_on() -> Conflict:
    return Conflict(
        _(
            "This cannot be undone: the data was changed again after this entry. "
            "Undo the later changes first, newest first."
        )
    )


def _python(model: type[SQLModel], name: str, value: Any) -> Any:
    """A JSON value from the log back into the field's Python type (dates, numbers...)."""
    field = model.model_fields.get(name)
    if field is None or field.annotation is None or value is None:
        return value
    return TypeAdapter(field.annotation).validate_python(value)


def _assign(session: Session, entity: str, row: Any, values: dict[str, Any]) -> None:
    model = type(row)
    for name, value in values.items():
        if name in IGNORED or name in {"id", "created_at", "updated_at"}:
            continue
        if entity == "membership" and name == "outcomes":
            continue
        if name not in model.model_fields:
            continue
        setattr(row, name, _python(model, name, value))
    if entity == "membership" and "outcomes" in values:
        session.flush()
        ws._set_outcomes(session, row, list(values["outcomes"] or []))


def get_entry(session: Session, workspace: Workspace, entry_id: int) -> AuditEntry:
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.workspace_id != workspace.id:
        raise NotFound("audit entry", entry_id)
    return entry


def revert(session: Session, workspace: Workspace, entry_id: int, *, actor: str) -> AuditEntry:
    """Undo the entry `entry_id` of `workspace`; returns it. Raises `Conflict` when the data
    moved on since, `InvalidInput` when this kind of entry cannot be undone. Nothing is
    half-written: the change and its audit entry are one transaction."""
    entry = get_entry(session, workspace, entry_id)
    if not revertible(entry):
        raise InvalidInput("entry", _("This kind of change cannot be undone here."))
    try:
        if entry.entity == "profile":
            _revert_profile(session, workspace, entry, actor)
        elif entry.entity == "settings":
            _revert_settings(session, workspace, entry, actor)
        else:
            _revert_row(session, workspace, entry, actor)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _moved_on() from exc
    except (Conflict, InvalidInput):
        session.rollback()
        raise
    return entry


def _record(
    session: Session,
    workspace: Workspace,
    entry: AuditEntry,
    key: str,
    actor: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="revert",
        entity=entry.entity,
        entity_key=key,
        before=before,
        after=after,
    )


def _revert_row(session: Session, workspace: Workspace, entry: AuditEntry, actor: str) -> None:
    kind = KINDS[entry.entity]
    row = kind.find(session, workspace, entry)
    if entry.before is None:  # created: remove it, if it is still as created
        if (
            row is None
            or entry.after is None
            or not _matches(_state(session, entry.entity, row), entry.after)
        ):
            raise _moved_on()
        before = _state(session, entry.entity, row)
        if isinstance(row, Membership):
            ws._delete_membership_rows(session, row)
        else:
            if isinstance(row, Scenario) and workspace.default_scenario_id == row.id:
                workspace.default_scenario_id = None
                session.add(workspace)
            session.delete(row)
        session.flush()
        _record(session, workspace, entry, entry.entity_key, actor, before, None)
        return
    if entry.after is None:  # deleted: re-create it, unless its place was taken since
        if row is not None:
            raise _moved_on()
        values = {
            k: _python(kind.model, k, v)
            for k, v in entry.before.items()
            if k in kind.model.model_fields and k not in {"id", "created_at", "updated_at"}
        }
        values["workspace_id"] = workspace.id
        values.pop("version", None)
        restored = kind.model(**values)
        session.add(restored)
        session.flush()
        if isinstance(restored, Membership):
            ws._set_outcomes(session, restored, list(entry.before.get("outcomes") or []))
            session.flush()
        after = _state(session, entry.entity, restored)
        _record(session, workspace, entry, kind.key(restored), actor, None, after)
        return
    # updated: restore the recorded fields, if they still hold the recorded 'after' values
    if row is None or not _matches(_state(session, entry.entity, row), entry.after):
        raise _moved_on()
    before = _state(session, entry.entity, row)
    _assign(session, entry.entity, row, entry.before)
    row.version += 1  # type: ignore[attr-defined]
    row.updated_at = utcnow()
    session.flush()
    _record(
        session, workspace, entry, kind.key(row), actor, before, _state(session, entry.entity, row)
    )


def _revert_profile(session: Session, workspace: Workspace, entry: AuditEntry, actor: str) -> None:
    if entry.before is None or entry.after is None:
        raise InvalidInput("entry", _("This kind of change cannot be undone here."))
    profile = ws.get_profile(session, workspace)
    current = jsonable(ws.profile_dict(profile))
    if not _matches(current, entry.after):
        raise _moved_on()
    values = {k: v for k, v in entry.before.items() if k not in IGNORED}
    for money in ("fee_budget", "travel_budget"):
        if values.get(money) is not None:
            values[money] = Decimal(str(values[money]))
    ws._apply_profile(profile, values)
    profile.version += 1
    session.flush()
    _record(
        session,
        workspace,
        entry,
        workspace.slug,
        actor,
        current,
        jsonable(ws.profile_dict(profile)),
    )


def _settings_now(row: Any) -> dict[str, Any]:
    values = decision_settings.settings_dict(row)
    now: dict[str, Any] = jsonable({k: v for k, v in values.items() if k != "version"})
    return now


def _revert_settings(session: Session, workspace: Workspace, entry: AuditEntry, actor: str) -> None:
    if entry.before is None or entry.after is None:
        raise InvalidInput("entry", _("This kind of change cannot be undone here."))
    row = decision_settings.get_settings(session, workspace)
    current = _settings_now(row)
    if not _matches(current, entry.after):
        raise _moved_on()
    restored = {k: v for k, v in entry.before.items() if k in decision_settings.FIELDS}
    try:  # the other settings may have moved since: the mix must still be valid
        decision_settings._core({**current, **restored})
    except CriteriaError as exc:
        raise InvalidInput(
            "entry",
            _(
                "Undoing this would leave settings that do not fit together: %(reason)s",
                reason=str(exc),
            ),
        ) from exc
    for name, value in restored.items():
        if name == "fee_reference":
            row.fee_reference_minor = None if value is None else to_minor(Decimal(str(value)))
        else:
            setattr(row, name, value)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    _record(session, workspace, entry, workspace.slug, actor, current, _settings_now(row))
