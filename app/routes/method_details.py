""" "How this method ranks": one method's intermediate results for one network, checkable by hand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.i18n import gettext as _
from app.services import method_details as md
from app.services import ui
from app.templating import is_htmx, render
from app.views import report as report_view
from criteria.errors import CriteriaError
from scoring.method_details import ELECTRE_I, EXPLAINED, Table

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/methods.html"


def _row(table: Table, index: int, labels: dict[str, str]) -> list[tuple[str, float | None]]:
    """One network's row of a table as ``(column label, value)``; None where not applicable."""
    values = table.values[index]
    return [
        (labels.get(column, column), None if not _finite(v) else float(v))
        for column, v in zip(table.columns, values, strict=True)
    ]


def _method_choices() -> list[tuple[str, str]]:
    """The explained methods with their names in the current locale."""

    def label(value: str, title: str) -> str:
        if value == ELECTRE_I:
            return _("ELECTRE I (outranking, the networks nobody beats)")
        named = report_view.method_label(value)
        return title if named == value else named

    return [(value, label(value, title)) for value, title in md.method_choices()]


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


@router.get("/workspaces/{workspace_id}/methods", name="method_details")
def method_details(
    request: Request,
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: DbId | None = None,
    method: str = "promethee_ii",
    network: str = "",
    weighted_sum_normalisation: str = "",
    topsis_normalisation: str = "",
    vikor_v: str = "",
) -> Response:
    query = {
        "weighted_sum_normalisation": weighted_sum_normalisation,
        "topsis_normalisation": topsis_normalisation,
        "vikor_v": vikor_v,
    }
    settings = ui.resolve_settings(session, workspace, scenario)
    context: dict[str, Any] = {
        "workspace": workspace,
        "nav_active": "priorities",
        "settings": settings,
        "methods": _method_choices(),
        "method": method,
        "network": network,
        "query": query,
        "errors": {},
        "view": None,
        "networks": [],
        "tables": [],
        "reversal": [],
    }
    status = 200
    try:
        if method not in EXPLAINED:
            raise CriteriaError(
                _("Choose one of the listed methods."), fields={"method": _("unknown method")}
            )
        options = md.options_from_query(query)
        view = md.build(
            session,
            workspace,
            scenario_id=scenario,
            method=method,
            options=options,
        )
    except CriteriaError as exc:
        context["errors"] = dict(exc.fields) or {"method": str(exc)}
        context["message"] = str(exc)
        status = 422
    else:
        details = view.details
        ids = details.alternatives
        chosen = network if network in ids else ids[0]
        index = ids.index(chosen)
        labels = {**view.titles, **view.names}
        context.update(
            {
                "view": view,
                "network": chosen,
                "network_name": view.names.get(chosen, chosen),
                "networks": [(i, view.names.get(i, i)) for i in ids],
                "tables": [
                    {"title": t.title, "kind": t.kind, "cells": _row(t, index, labels)}
                    for t in details.tables
                ],
                "ranking": sorted(
                    (
                        (
                            int(details.ranks[i]) if details.ranks is not None else 0,
                            view.names.get(a, a),
                            None if details.scores is None else float(details.scores[i]),
                        )
                        for i, a in enumerate(ids)
                    ),
                    key=lambda r: (r[0], r[1]),
                ),
                "facts": _facts(details.facts, view.names),
                "reversal": [md.reversal_dict(c, view.names) for c in view.reversal],
                "method_titles": dict(_method_choices()),
            }
        )
    return render(
        request, PAGE, context, status_code=status, block="details" if is_htmx(request) else None
    )


def _facts(facts: dict[str, Any], names: dict[str, str]) -> list[tuple[str, str]]:
    """Facts as ``(label, text)`` with network ids replaced by names."""
    out: list[tuple[str, str]] = []
    for key, value in facts.items():
        if key in ("partial_order", "best_values", "worst_values"):
            continue
        if isinstance(value, list):
            parts = [
                " / ".join(names.get(x, str(x)) for x in v)
                if isinstance(v, list)
                else names.get(str(v), str(v))
                for v in value
            ]
            text = ", ".join(parts) if parts else "none"
        elif isinstance(value, dict):
            text = "; ".join(
                f"{k}: "
                + ", ".join(
                    f"{kk} {vv:g}" if isinstance(vv, float) else str(vv) for kk, vv in v.items()
                )
                for k, v in value.items()
            )
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float):
            text = f"{value:.4g}"
        else:
            text = names.get(str(value), str(value))
        out.append((key.replace("_", " "), text))
    return out
