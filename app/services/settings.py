"""A workspace's decision settings, scenario overrides, and the settings an analysis uses.

The workspace keeps one `app.models.DecisionSettings` row (created on its first change; until
then the defaults of `scoring.settings.DecisionSettings` apply). A scenario may override any
setting in ``options["settings"]``. `effective` merges the three layers, fills the cost
references left empty from the budgets (a quarter of each), validates the result with the
scoring core (one source of bounds: `scoring.settings.BOUNDS`) and says where each number
came from, so every page and report can state the settings it used.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from app.models import CityProfile, DecisionSettings, Workspace, utcnow
from app.services.common import audit, check_version, from_minor, jsonable
from criteria.errors import CriteriaError
from scoring import settings as core

__all__ = [
    "FIELDS",
    "Effective",
    "check_overrides",
    "effective",
    "get_settings",
    "rotate_calendar_token",
    "settings_dict",
    "update_settings",
    "workspace_for_calendar_token",
]

FIELDS = (
    "join_bar",
    "leave_bar",
    "join_cost",
    "leave_cost",
    "overlap_penalty",
    "evidence_threshold",
    "fee_reference",
    "hours_reference",
)
"""The settings by their public names (money in major units in the API and forms)."""


def get_settings(session: Session, workspace: Workspace) -> DecisionSettings:
    """The workspace's settings row, or an unsaved row holding the defaults."""
    row = session.get(DecisionSettings, workspace.id)
    if row is None:
        row = DecisionSettings(workspace_id=workspace.id or 0, version=0)
    return row


def settings_dict(row: DecisionSettings) -> dict[str, Any]:
    """The workspace's own settings by public name (references None when left to default)."""
    return {
        "join_bar": row.join_bar,
        "leave_bar": row.leave_bar,
        "join_cost": row.join_cost,
        "leave_cost": row.leave_cost,
        "overlap_penalty": row.overlap_penalty,
        "evidence_threshold": row.evidence_threshold,
        "fee_reference": None
        if row.fee_reference_minor is None
        else from_minor(row.fee_reference_minor),
        "hours_reference": row.hours_reference,
        "version": row.version,
    }


def _core(values: Mapping[str, Any]) -> core.DecisionSettings:
    """Validate public-name values (money in major units) with the scoring core."""
    fee = values.get("fee_reference")
    return core.DecisionSettings(
        join_bar=float(values["join_bar"]),
        leave_bar=float(values["leave_bar"]),
        join_cost=float(values["join_cost"]),
        leave_cost=float(values["leave_cost"]),
        overlap_penalty=float(values["overlap_penalty"]),
        evidence_threshold=float(values["evidence_threshold"]),
        fee_reference=None if fee is None else int(Decimal(str(fee)) * 100),
        hours_reference=None
        if values.get("hours_reference") is None
        else float(values["hours_reference"]),
    )


def update_settings(
    session: Session, workspace: Workspace, changes: dict[str, Any], *, actor: str
) -> DecisionSettings:
    """Change some settings (public names; a reference set to None returns to its default).

    Checks the optimistic ``version``, validates the whole result (so a leave bar above the
    join bar is refused whichever of the two changed), audits the change and commits.
    Raises `CriteriaError` naming the field.
    """
    row = get_settings(session, workspace)
    check_version(row, changes.pop("version", None), "decision settings")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise CriteriaError(f"There is no setting called '{name}'.", fields={name: "unknown"})
    before = settings_dict(row)
    merged = {**before, **changes}
    _core(merged)  # raises CriteriaError naming the field
    for name in FIELDS:
        if name not in changes:
            continue
        if name == "fee_reference":
            value = changes[name]
            row.fee_reference_minor = None if value is None else int(Decimal(str(value)) * 100)
        else:
            setattr(row, name, changes[name])
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    # The defaults held before the first save, so even that entry shows only what changed.
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="settings",
        entity_key=workspace.slug,
        before=jsonable(_without_version(before)),
        after=jsonable(_without_version(settings_dict(row))),
    )
    session.commit()
    session.refresh(row)
    return row


def _without_version(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "version"}


@dataclass(frozen=True)
class Effective:
    """The settings an analysis uses, and where each came from.

    ``source[name]`` is ``"default"``, ``"workspace"``, ``"scenario"`` or, for a cost
    reference, ``"budget"`` (a quarter of the budget) or ``"unset"`` (no budget either).
    """

    settings: core.DecisionSettings
    source: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """Public names and values (money in major units), with their sources."""
        s = self.settings
        return {
            "join_bar": s.join_bar,
            "leave_bar": s.leave_bar,
            "join_cost": s.join_cost,
            "leave_cost": s.leave_cost,
            "overlap_penalty": s.overlap_penalty,
            "evidence_threshold": s.evidence_threshold,
            "fee_reference": None
            if s.fee_reference is None
            else str(from_minor(int(s.fee_reference))),
            "hours_reference": s.hours_reference,
            "source": dict(self.source),
        }


def effective(
    row: DecisionSettings,
    profile: CityProfile,
    overrides: Mapping[str, Any] | None = None,
) -> Effective:
    """Merge defaults, the workspace's settings and a scenario's overrides (public names).

    Raises `CriteriaError` when the merged settings break a rule (the override named).
    """
    own = settings_dict(row)
    defaults = core.DecisionSettings()
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    for name in FIELDS:
        default = getattr(defaults, name)
        if name == "fee_reference":
            default = None
        values[name] = own[name]
        saved = row.version > 0 and own[name] != default
        source[name] = "workspace" if saved else "default"
    for name, value in (overrides or {}).items():
        if name not in FIELDS:
            raise CriteriaError(f"There is no setting called '{name}'.", fields={name: "unknown"})
        if value is not None:
            values[name] = value
            source[name] = "scenario"
    if values["fee_reference"] is None:
        budget = profile.fee_budget_minor
        derived = core.default_reference(budget)
        values["fee_reference"] = None if derived is None else from_minor(round(derived))
        source["fee_reference"] = "budget" if derived is not None else "unset"
    if values["hours_reference"] is None:
        derived = core.default_reference(profile.staff_hours_budget)
        values["hours_reference"] = derived
        source["hours_reference"] = "budget" if derived is not None else "unset"
    return Effective(_core(values), source)


def check_overrides(session: Session, workspace: Workspace, overrides: Mapping[str, Any]) -> None:
    """Raise `CriteriaError` (naming the field) when a scenario's overrides, merged with the
    workspace's settings, break a rule."""
    from app.services.workspaces import get_profile  # late: workspaces imports much

    effective(get_settings(session, workspace), get_profile(session, workspace), overrides)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rotate_calendar_token(session: Session, workspace: Workspace, *, actor: str) -> str:
    """A new secret address for the workspace's calendar feed; the old one stops working."""
    row = get_settings(session, workspace)
    token = "cal_" + secrets.token_urlsafe(24)
    created = row.version == 0
    row.calendar_token_hash = _token_hash(token)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create" if created else "update",
        entity="calendar_feed",
        entity_key=workspace.slug,
        before=None,
        after={"feed": "new secret address issued"},
    )
    session.commit()
    return token


def workspace_for_calendar_token(session: Session, token: str) -> Workspace | None:
    """The workspace whose calendar feed this token opens, or None."""
    if not token.startswith("cal_") or len(token) > 100:
        return None
    row = session.exec(
        select(DecisionSettings).where(DecisionSettings.calendar_token_hash == _token_hash(token))
    ).first()
    return None if row is None else session.get(Workspace, row.workspace_id)
