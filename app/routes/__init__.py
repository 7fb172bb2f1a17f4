"""HTML routes, one module per screen; `ROUTERS` lists them in the order main.py includes them."""

from __future__ import annotations

from fastapi import APIRouter

from app.routes import (
    ahp,
    assessments,
    calendar,
    dashboard,
    decisions,
    members,
    method_details,
    network_detail,
    overlap,
    pages,
    portfolio,
    priorities,
    profile,
    reports,
    robustness,
    scenarios,
    settings,
    spreadsheets,
)

ROUTERS: list[APIRouter] = [
    pages.router,
    dashboard.router,
    priorities.router,
    network_detail.router,
    assessments.router,
    profile.router,
    scenarios.router,
    portfolio.router,
    robustness.router,
    overlap.router,
    members.router,
    method_details.router,
    ahp.router,
    settings.router,
    calendar.router,
    reports.router,
    decisions.router,
    spreadsheets.router,
]
