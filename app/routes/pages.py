"""Home, catalogue, workspace overview and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.db import SessionDep
from app.deps import WorkspaceDep
from app.services import catalogue
from app.services import workspaces as ws
from app.services.common import from_minor
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(session: SessionDep) -> Response:
    """Liveness and database reachability, for load balancers and the container healthcheck."""
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception:
        return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/", name="home")
def home(request: Request, session: SessionDep) -> Response:
    workspaces = ws.list_workspaces(session)
    return render(request, "home.html", {"workspaces": workspaces, "nav_active": "home"})


@router.get("/networks", name="catalogue")
def catalogue_page(
    request: Request, session: SessionDep, q: str = "", theme: str = "", region: str = ""
) -> Response:
    networks = catalogue.search_networks(session, q=q, theme=theme, region=region)
    context = {
        "networks": networks,
        "q": q,
        "theme": theme,
        "region": region,
        "themes": catalogue.all_themes(session),
        "regions": catalogue.REGIONS,
        "nav_active": "catalogue",
    }
    return render(request, "networks/index.html", context)


@router.get("/networks/{network_id}", name="network_facts")
def network_page(network_id: str, request: Request, session: SessionDep) -> Response:
    network = catalogue.get_network(session, network_id)
    sources = catalogue.sources_of(session, [network_id])[network_id]
    context = {"network": network, "sources": sources, "nav_active": "catalogue"}
    return render(request, "networks/show.html", context)


@router.get("/workspaces/{workspace_id}/memberships", name="memberships")
def memberships_page(request: Request, workspace: WorkspaceDep, session: SessionDep) -> Response:
    profile = ws.get_profile(session, workspace)
    rows = ws.list_memberships(session, workspace)
    outcomes = ws.outcomes_of(session, [m.id or 0 for m, _ in rows])
    groups = {
        status: [
            ws.membership_dict(m, n, outcomes[m.id or 0], profile.currency) | {"network": n}
            for m, n in rows
            if m.status == status
        ]
        for status in ("member", "candidate", "former")
    }
    fee_total = sum(m.annual_fee_minor for m, _ in rows if m.status == "member")
    hours_total = sum(m.staff_hours for m, _ in rows if m.status == "member")
    context = {
        "workspace": workspace,
        "profile": ws.profile_dict(profile),
        "groups": groups,
        "fee_total": from_minor(fee_total),
        "hours_total": hours_total,
        "nav_active": "profile",
    }
    return render(request, "workspaces/memberships.html", context)
