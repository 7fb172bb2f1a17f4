"""`create_app(settings)`: builds the FastAPI application. Nothing happens at import time."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session

from app import __version__, i18n, ops, security
from app.api import decisions as api_decisions
from app.api import members as api_members
from app.api import method_details as api_method_details
from app.api import networks as api_networks
from app.api import reports as api_reports
from app.api import workshop as api_workshop
from app.api import workspaces as api_workspaces
from app.config import Settings, get_settings
from app.db import make_engine, migrate
from app.errors import install_handlers
from app.routes import ROUTERS, account, audit_log, spreadsheets, workshop
from app.services.events import make_bus
from app.templating import make_templates

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Decision support for cities choosing which international city networks to join, stay "
    "in or leave. All amounts are decimal strings in the workspace's currency."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for `settings` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        if settings.migrate_on_start:
            migrate(engine)
        if settings.load_demo:
            from app.seed import seed

            with Session(engine) as session:
                report = seed(session, settings.seed_dir, demo=True)
            log.info("seed: %s", report)
        app.state.engine = engine
        await app.state.workshop_events.start()
        try:
            yield
        finally:
            await app.state.workshop_events.stop()
            engine.dispose()

    app = FastAPI(
        title="Network Compass",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by `app.ops` from vendored files (no CDN)
        redoc_url=None,
        dependencies=[Depends(security.guard)],
    )
    app.state.settings = settings
    app.state.secret_key = settings.secret_key or secrets.token_urlsafe(32)
    app.state.templates = make_templates(settings.templates_dir)
    app.state.workshop_events = make_bus(settings.database_url)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.include_router(api_networks.router, prefix="/api/v1")
    app.include_router(api_workspaces.router, prefix="/api/v1")
    app.include_router(api_members.router, prefix="/api/v1")
    app.include_router(api_method_details.router, prefix="/api/v1")
    app.include_router(api_reports.router, prefix="/api/v1")
    app.include_router(api_decisions.router, prefix="/api/v1")
    app.include_router(spreadsheets.api, prefix="/api/v1")
    app.include_router(api_workshop.router, prefix="/api/v1")
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(account.router)
    app.include_router(audit_log.router)
    app.include_router(workshop.router)
    install_handlers(app)
    app.add_middleware(i18n.LocaleMiddleware)
    security.install(app)
    ops.configure_access_log(settings.log_level)
    ops.install(app)  # last: its middleware is the outermost (ids, timing, no-store)
    return app
