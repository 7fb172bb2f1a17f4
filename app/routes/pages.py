"""Home, catalogue, workspace overview and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.db import SessionDep
from app.deps import UserDep
from app.errors import RETRY_AFTER_SECONDS
from app.security import public
from app.services import accounts, catalogue, guidance
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
@public
def healthz(session: SessionDep) -> Response:
    """Liveness and database reachability, for load balancers and the container healthcheck."""
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception:
        return JSONResponse(
            {"status": "degraded", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/glossary", name="glossary")
@public
def glossary(request: Request) -> Response:
    """Every technical term of the pages in plain words (open to all: it holds no data)."""
    from app.glossary import TERMS

    return render(request, "glossary.html", {"terms": TERMS, "nav_active": "glossary"})


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: UserDep) -> Response:
    workspaces = accounts.workspaces_of(session, user.id)
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
    context = {
        "network": network,
        "sources": sources,
        "extras": guidance.network_extras(session, network_id),
        "nav_active": "catalogue",
    }
    return render(request, "networks/show.html", context)
