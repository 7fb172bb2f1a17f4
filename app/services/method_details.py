"""The "how this method ranks" view: one method's intermediate results on a workspace.

Shared by the JSON API (`app.api.method_details`) and the page (`app.routes.method_details`):
it resolves the scenario (weights), reads the decision matrix through `run_analysis` (at the
fast preview level: the matrix and the weights do not depend on the method), parses the
method options and calls `scoring.method_details.explain` and
`scoring.rank_reversal.check_rank_reversal`. Network ids become the names a reader knows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import framework_text
from app.models import Workspace
from app.services import analysis as an
from app.services import ui
from criteria.errors import CriteriaError
from scoring.method_details import EXPLAINED, METHOD_TITLES, MethodDetails, explain
from scoring.method_options import MethodOptions, parse_method_options
from scoring.rank_reversal import RankReversalCheck, check_rank_reversal

__all__ = ["MethodView", "build", "method_choices", "options_from_query"]

OPTION_FIELDS = (
    "weighted_sum_normalisation",
    "topsis_normalisation",
    "vikor_v",
    "electre_concordance",
    "electre_discordance",
)
_NUMERIC = {"vikor_v", "electre_concordance", "electre_discordance"}


@dataclass(frozen=True)
class MethodView:
    """Everything the page and the API show for one method."""

    settings: ui.Settings
    details: MethodDetails
    options: MethodOptions
    names: dict[str, str]
    titles: dict[str, str]
    reversal: list[RankReversalCheck]


def method_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of every method with intermediate results, in display order."""
    return [(m, METHOD_TITLES[m]) for m in EXPLAINED]


def options_from_query(query: Mapping[str, str | None]) -> MethodOptions:
    """Method options from query-string text; ``promethee`` is a JSON object.

    Empty fields keep their defaults. Raises `CriteriaError` naming the field.
    """
    raw: dict[str, Any] = {}
    for name in OPTION_FIELDS:
        text = (query.get(name) or "").strip()
        if not text:
            continue
        if name in _NUMERIC:
            try:
                raw[name] = float(text)
            except ValueError:
                raise CriteriaError(
                    f"{name} must be a number between 0 and 1, got '{text}'.",
                    fields={name: "not a number"},
                ) from None
        else:
            raw[name] = text
    promethee = (query.get("promethee") or "").strip()
    if promethee:
        try:
            raw["promethee"] = json.loads(promethee)
        except ValueError:
            raise CriteriaError(
                "The PROMETHEE settings must be a JSON object such as "
                '{"annual_fee": {"function": "v_shape", "p": 20000}}.',
                fields={"promethee": "not valid JSON"},
            ) from None
    return parse_method_options(raw)


def build(
    session: Session,
    workspace: Workspace,
    *,
    scenario_id: int | None,
    method: str,
    options: MethodOptions,
    reversal: bool = True,
) -> MethodView:
    """The view of ``method`` on the workspace under the scenario's weights."""
    settings = ui.resolve_settings(session, workspace, scenario_id)
    ctx = an.run_analysis(
        session,
        workspace,
        weights=settings.weights,
        method="weighted_sum",
        options={k: v for k, v in settings.options.items() if k == "fee_budget_factor"},
        detail="preview",
    )
    matrix = ctx.analysis.ranked_matrix()  # the networks with enough evidence to rank
    weights = [ctx.analysis.weights[k] for k in matrix.criteria]
    details = explain(matrix, weights, method, options=options)
    names = {
        i: (ctx.networks[i].acronym or ctx.networks[i].name) if i in ctx.networks else i
        for i in matrix.alternatives
    }
    titles = framework_text.titles(ctx.framework)
    checks = check_rank_reversal(matrix, weights, options=options) if reversal else []
    return MethodView(settings, details, options, names, titles, checks)


def reversal_dict(check: RankReversalCheck, names: Mapping[str, str]) -> dict[str, Any]:
    """A JSON-ready rank-reversal check with network names."""

    def name(i: str | None) -> str | None:
        return None if i is None else names.get(i, i)

    return {
        "method": str(check.method),
        "stable": check.stable,
        "removed": name(check.removed),
        "removed_is_dominated": check.removed_is_dominated,
        "added_below": name(check.added_below),
        "reversed_on_removal": [[name(a), name(b)] for a, b in check.reversed_on_removal],
        "reversed_on_addition": [[name(a), name(b)] for a, b in check.reversed_on_addition],
        "removal_count": check.removal_count,
        "addition_count": check.addition_count,
    }
