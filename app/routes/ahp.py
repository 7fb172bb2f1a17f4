"""AHP among a few networks: choose 2-9 networks and 1-6 criteria, compare them pairwise on a
two-sided verbal scale, read local and composite priorities and each matrix's consistency.

Everything travels in the query string (GET): the page computes and stores nothing, so a
viewer may use it and a result can be bookmarked or shared.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import parse_id
from app.i18n import gettext as _
from app.services import ahp_synthesis as ahp
from app.templating import render
from criteria.errors import CriteriaError
from scoring.ahp import MAX_ALTERNATIVES

router = APIRouter(include_in_schema=False)
PAGE = "workspaces/ahp.html"

#: A full page asks at most 36 pairs under each of 6 criteria plus 15 between criteria.
MAX_QUERY_ITEMS = 300


def _judgements(
    query: dict[str, str], prefix: str, keys: list[str], errors: dict[str, str]
) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """The answers of one comparison block (field ``prefix:i:k`` for the pair ``keys[i]``,
    ``keys[k]``); the raw answers are returned too, so the form shows what was chosen."""
    values: dict[tuple[str, str], float] = {}
    raw: dict[str, str] = {}
    for i, k in combinations(range(len(keys)), 2):
        field = f"{prefix}:{i}:{k}"
        text = query.get(field, "1")
        raw[field] = text
        try:
            values[(keys[i], keys[k])] = ahp.parse_judgement(text, field)
        except CriteriaError:
            errors[field] = _("Choose one of the steps of the scale.")
    return values, raw


@router.get("/workspaces/{workspace_id}/methods/ahp", name="ahp_synthesis")
def ahp_page(request: Request, workspace: ReadWorkspace, session: SessionDep) -> Response:
    items = request.query_params.multi_items()
    errors: dict[str, str] = {}
    status = 200
    if len(items) > MAX_QUERY_ITEMS:
        errors["networks"] = _("Too many fields in the address; start again from the choices.")
        items = []
    query = dict(items)
    scenario_text = query.get("scenario", "")
    scenario_id = None
    if scenario_text:
        scenario_id = parse_id(scenario_text)
        if scenario_id is None:
            errors["scenario"] = _("Choose one of the saved scenarios.")
    found = ahp.choices(session, workspace, scenario_id)
    networks = [v for k, v in items if k == "networks"]
    criteria = [v for k, v in items if k == "criteria"]
    judged_criteria = query.get("criteria_weights") == "judged"
    context: dict[str, Any] = {
        "workspace": workspace,
        "nav_active": "priorities",
        "found": found,
        "settings": found.settings,
        "chosen_networks": networks,
        "chosen_criteria": criteria,
        "judged_criteria": judged_criteria,
        "scale": ahp.SCALE,
        "max_networks": MAX_ALTERNATIVES,
        "max_criteria": ahp.MAX_CRITERIA,
        "errors": errors,
        "raw": {},
        "view": None,
        "asking": False,
    }
    if (networks or criteria) and not errors:
        unknown_network = any(n not in found.networks for n in networks)
        unknown_criterion = any(c not in found.criteria for c in criteria)
        if unknown_network or not 2 <= len(set(networks)) <= MAX_ALTERNATIVES:
            errors["networks"] = _("Choose between %(low)s and %(high)s networks.") % {
                "low": 2,
                "high": MAX_ALTERNATIVES,
            }
        if unknown_criterion or not 1 <= len(set(criteria)) <= ahp.MAX_CRITERIA:
            errors["criteria"] = _("Choose between %(low)s and %(high)s criteria.") % {
                "low": 1,
                "high": ahp.MAX_CRITERIA,
            }
    if networks and criteria and not errors:
        networks = list(dict.fromkeys(networks))
        criteria = list(dict.fromkeys(criteria))
        context.update({"chosen_networks": networks, "chosen_criteria": criteria, "asking": True})
        judgements: dict[str, dict[tuple[str, str], float]] = {}
        raw: dict[str, str] = {}
        for j, key in enumerate(criteria):
            judgements[key], answers = _judgements(query, f"j:{j}", networks, errors)
            raw.update(answers)
        criteria_judgements = None
        if judged_criteria:
            criteria_judgements, answers = _judgements(query, "c", criteria, errors)
            raw.update(answers)
        context["raw"] = raw
        if query.get("compute") and not errors:
            try:
                view = ahp.run(found, networks, criteria, judgements, criteria_judgements)
                context.update({"view": view, "rows": ahp.rows(view)})
            except CriteriaError:
                # The selection was checked above: what remains is a scenario that gives
                # every chosen criterion zero weight.
                errors["criteria"] = _(
                    "The scenario gives the chosen criteria no weight: choose criteria it "
                    "weighs, or compare the criteria pairwise."
                )
    if errors:
        status = 422
    return render(request, PAGE, context, status_code=status)
