"""City profile and memberships: themes, budgets, adding candidates, changing a status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.catalogue_text import function_title
from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, ReadWorkspace
from app.errors import Conflict, InvalidInput
from app.forms import DbId, parse_whole
from app.i18n import gettext as _
from app.models import Workspace
from app.routes.common import FormDep, see_other, workspace_url
from app.services import catalogue, facts, profile_forms, ui
from app.services import workspaces as ws
from app.services.common import from_minor
from app.templating import is_htmx, render
from criteria import FUNCTION_KEYS

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/profile.html"


def _status_labels() -> dict[str, str]:
    return {"member": _("Member"), "candidate": _("Candidate"), "former": _("Former member")}


def _lock_labels() -> dict[str, str]:
    return {"": _("No lock"), "keep": _("Must keep"), "exclude": _("Must not join")}


def _outcome_kinds() -> dict[str, str]:
    return {
        "project": _("project"),
        "funding": _("funding"),
        "policy": _("policy"),
        "event": _("event"),
        "knowledge": _("knowledge"),
    }


def field_labels(themes: list[str], currency: str) -> dict[str, str]:
    """Each profile and membership field as its label reads, to name it in error messages."""
    labels = {
        "region": _("Region"),
        "population_band": _("Population band"),
        "fee_budget": _("Annual fee budget (%(currency)s)", currency=currency),
        "travel_budget": _("Travel and event budget (%(currency)s)", currency=currency),
        "staff_hours_budget": _("Staff hours per year for networks"),
        "population": _("Population (inhabitants)"),
        "income_group": _("Country income group (World Bank)"),
        "gni_per_capita_usd": _("Country's gross national income per head (USD)"),
        "world_heritage_site": _("A UNESCO World Heritage site in the city"),
        "capital_city": _("The country's capital"),
        "status": _("Status"),
        "lock": _("Lock"),
        "annual_fee": _("Annual fee (%(currency)s)", currency=currency),
        "travel_cost": _("Travel and events per year (%(currency)s)", currency=currency),
        "network_id": _("Network"),
    }
    labels |= {ui.theme_field(t): _("Priority theme %(theme)s", theme=t) for t in themes}
    labels |= {profile_forms.need_field(key): function_title(key) for key in FUNCTION_KEYS}
    return labels


def named(errors: dict[str, str], labels: dict[str, str]) -> str:
    """Field errors as one message that names each field ("Annual fee (EUR): ...")."""
    return " ".join(
        _("%(field)s: %(problem)s", field=labels[name], problem=problem)
        if name in labels
        else problem
        for name, problem in errors.items()
    )


def _context(
    session: Session,
    workspace: Workspace,
    *,
    q: str = "",
    theme: str = "",
    region: str = "",
    form: Any = None,
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    """What the profile page prints (``saved`` is False unless the route says so)."""
    row = ws.get_profile(session, workspace)
    profile = ws.profile_dict(row)
    groups = ui.memberships_view(session, workspace)
    known_ids = [m["network_id"] for rows in groups.values() for m in rows]
    known = set(known_ids)
    searched = bool(q or theme or region)
    found = catalogue.search_networks(session, q=q, theme=theme, region=region) if searched else []
    themes = catalogue.all_themes(session)
    return {
        "field_labels": field_labels(themes, profile["currency"]),
        "field_ids": {
            ui.theme_field(t): ui.theme_field(t).replace(" ", "-").replace("/", "-") for t in themes
        },
        "outcome_kinds": _outcome_kinds(),
        "workspace": workspace,
        "nav_active": "profile",
        "profile": profile,
        "groups": groups,
        "themes": themes,
        "theme_values": {
            t: (
                form.get(ui.theme_field(t), "")
                if form is not None
                else profile["priority_themes"].get(t, "")
            )
            for t in themes
        },
        "regions": catalogue.REGIONS,
        "q": q,
        "theme": theme,
        "region": region,
        "searched": searched,
        "found": [n for n in found if n.id not in known],
        "form": form,
        "errors": errors or {},
        "message": message,
        "saved": False,
        "status_labels": _status_labels(),
        "lock_labels": _lock_labels(),
        **profile_forms.facts_context(row, form, known_ids),
    }


@router.get("/workspaces/{workspace_id}/profile", name="profile")
def profile_page(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    q: str = "",
    theme: str = "",
    region: str = "",
    saved: str = "",
) -> Response:
    context = _context(session, workspace, q=q[:100], theme=theme[:100], region=region[:100])
    context["saved"] = saved == "profile"
    return render(request, PAGE, context, block="catalogue_search" if is_htmx(request) else None)


@router.get("/workspaces/{workspace_id}/memberships", name="memberships")
def memberships_page(workspace: ReadWorkspace) -> Response:
    """The memberships now live on the city profile page."""
    return see_other(workspace_url(workspace.id, "/profile#memberships"))


@router.post("/workspaces/{workspace_id}/profile")
def update_profile(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    themes = catalogue.all_themes(session)
    try:
        changes = profile_forms.parse_profile_form(form, themes)
        ws.update_profile(session, workspace, changes, actor=actor)
    except ui.FormErrors as exc:
        context = _context(session, workspace, form=form, errors=exc.errors, message=exc.message)
        return render(request, PAGE, context, status_code=422)
    return see_other(workspace_url(workspace.id, "/profile?saved=profile"))


@router.post("/workspaces/{workspace_id}/profile/memberships")
def add_candidate(
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    network_id = str(form.get("network_id", "")).strip()
    try:
        ws.create_membership(
            session, workspace, {"network_id": network_id, "status": "candidate"}, actor=actor
        )
    except (InvalidInput, Conflict) as exc:
        context = _context(session, workspace, errors={"network_id": str(exc)}, message=str(exc))
        return render(request, PAGE, context, status_code=422)
    return see_other(workspace_url(workspace.id, "/profile#memberships"))


@router.post("/workspaces/{workspace_id}/profile/memberships/{membership_id}")
def change_membership(
    membership_id: DbId,
    request: Request,
    workspace: EditWorkspace,
    session: SessionDep,
    actor: ActorDep,
    form: FormDep,
) -> Response:
    membership = ws.get_membership(session, workspace, membership_id)
    back = str(form.get("back", "profile"))
    try:
        if "use_estimate" in form:
            version = str(form.get("version", "")).strip()
            facts.apply_fee_estimate(
                session,
                workspace,
                membership,
                actor=actor,
                version=parse_whole(version),
            )
        else:
            fee = from_minor(membership.annual_fee_minor)
            changes = profile_forms.parse_membership_form(form, fee)
            ws.update_membership(session, workspace, membership, changes, actor=actor)
    except (ui.FormErrors, InvalidInput) as exc:
        details = exc.errors if isinstance(exc, ui.FormErrors) else {}
        currency = ws.profile_dict(ws.get_profile(session, workspace))["currency"]
        labels = field_labels(catalogue.all_themes(session), currency)
        message = named(details, labels) or exc.message
        context = _context(session, workspace, errors={"membership": message}, message=message)
        return render(request, PAGE, context, status_code=422)
    target = "/portfolio" if back == "portfolio" else "/profile#memberships"
    return see_other(workspace_url(workspace.id, target))
