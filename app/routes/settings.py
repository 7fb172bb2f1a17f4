"""Decision settings page: the bars, switching costs, overlap penalty, evidence threshold and
cost reference levels of a workspace, each explained next to its control."""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import Conflict
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.templating import render
from criteria.errors import CriteriaError
from scoring.settings import BOUNDS, MAX_MINOR

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/settings.html"

SHARES = ("join_bar", "leave_bar", "join_cost", "leave_cost", "overlap_penalty")


def _context(
    session: Session,
    workspace: Workspace,
    *,
    form: Any = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    saved: bool = False,
) -> dict[str, Any]:
    row = decision_settings.get_settings(session, workspace)
    profile = ws.get_profile(session, workspace)
    own = decision_settings.settings_dict(row)
    effective = decision_settings.effective(row, profile)

    def shown(name: str) -> str:
        if form is not None:
            return str(form.get(name, ""))
        value = own[name]
        if value is None:
            return ""
        if name == "evidence_threshold":
            return f"{float(value) * 100:g}"
        if name == "fee_reference":
            return f"{Decimal(value):f}"
        return f"{value:g}" if isinstance(value, float) else str(value)

    return {
        "workspace": workspace,
        "nav_active": "settings",
        "values": {name: shown(name) for name in decision_settings.FIELDS},
        "version": row.version,
        "effective": effective.as_dict(),
        "currency": profile.currency,
        "fee_budget": profile.fee_budget_minor,
        "hours_budget": profile.staff_hours_budget,
        "errors": errors or {},
        "message": message,
        "saved": saved,
    }


@router.get("/workspaces/{workspace_id}/settings", name="settings")
def settings_page(
    request: Request, workspace: ReadWorkspace, session: SessionDep, saved: str = ""
) -> Response:
    return render(request, PAGE, _context(session, workspace, saved=saved == "1"))


def parse_settings(form: Any, *, prefix: str = "", inherit: bool = False) -> dict[str, Any]:
    """The settings fields of a form as public-name values; raises `FormErrors` naming each
    bad field (``prefix`` + name).

    Shares are numbers 0-1 (0-0.5 for the switching costs); the evidence threshold is a
    percentage 0-100; references are amounts (blank: the default, a quarter of the budget).
    With ``inherit`` (a scenario's overrides) every blank field is left out: it keeps the
    workspace's setting.
    """
    from app.services.ui import FormErrors

    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def number(name: str) -> Decimal | None:
        raw = str(form.get(prefix + name, "")).strip().replace(",", ".")
        if raw == "":
            return None
        value = None
        if len(raw) <= 30 and raw.isascii():
            with contextlib.suppress(InvalidOperation):
                value = Decimal(raw)
        if value is None or not value.is_finite():
            errors[prefix + name] = _("Enter a number.")
            return None
        return value

    for name in SHARES:
        value = number(name)
        low, high = BOUNDS[name]
        if prefix + name in errors or (value is None and inherit):
            continue
        if value is None or not low <= value <= high:
            errors[prefix + name] = _(
                "Enter a number from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}"
            )
        else:
            values[name] = float(value)
    threshold = number("evidence_threshold")
    if prefix + "evidence_threshold" not in errors and not (threshold is None and inherit):
        if threshold is None or not 0 <= threshold <= 100:
            errors[prefix + "evidence_threshold"] = _("Enter a percentage from 0 to 100.")
        else:
            values["evidence_threshold"] = float(threshold) / 100
    fee = number("fee_reference")
    if prefix + "fee_reference" not in errors and not (fee is None and inherit):
        if fee is not None and not (Decimal("0.01") <= fee <= Decimal(MAX_MINOR) / 100):
            errors[prefix + "fee_reference"] = _("Enter an amount above zero, or leave it empty.")
        else:
            values["fee_reference"] = None if fee is None else fee.quantize(Decimal("0.01"))
    hours = number("hours_reference")
    if prefix + "hours_reference" not in errors and not (hours is None and inherit):
        if hours is not None and (
            hours != hours.to_integral_value() or not 1 <= hours <= 1_000_000
        ):
            errors[prefix + "hours_reference"] = _(
                "Enter a whole number of hours from 1 to 1,000,000, or leave it empty."
            )
        else:
            values["hours_reference"] = None if hours is None else int(hours)
    if errors:
        raise FormErrors(errors, _("Please correct the highlighted settings."))
    return values


@router.post("/workspaces/{workspace_id}/settings")
def update_settings(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    from app.services.ui import FormErrors

    try:
        changes = parse_settings(form)
        version = str(form.get("version", "")).strip()
        if version.isascii() and version.isdigit() and len(version) < 12:
            changes["version"] = int(version)
        decision_settings.update_settings(session, workspace, changes, actor=actor)
    except FormErrors as exc:
        context = _context(session, workspace, form=form, errors=exc.errors, message=exc.message)
        return render(request, PAGE, context, status_code=422)
    except CriteriaError as exc:
        session.rollback()
        context = _context(
            session,
            workspace,
            form=form,
            errors=dict.fromkeys(exc.fields, str(exc)),
            message=str(exc),
        )
        return render(request, PAGE, context, status_code=422)
    except Conflict as exc:
        session.rollback()
        context = _context(session, workspace, form=form, message=str(exc))
        return render(request, PAGE, context, status_code=409)
    return see_other(workspace_url(workspace.id, "/settings?saved=1"))
