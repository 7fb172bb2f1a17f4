"""JSON API: each method's intermediate results, the rank-reversal checks and AHP synthesis
among a few networks for a workspace."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from app.db import SessionDep
from app.deps import ReadWorkspace
from app.forms import DbId
from app.services import ahp_synthesis as ahp
from app.services import method_details as md
from criteria.errors import CriteriaError
from scoring.method_options import MethodOptions

router = APIRouter(prefix="/workspaces", tags=["methods"])

MethodKey = Literal[
    "weighted_sum",
    "weighted_product",
    "topsis",
    "vikor",
    "electre",
    "promethee_ii",
    "electre_i",
]


class MethodDetailsOut(BaseModel):
    """One method's intermediate results: tables (rows are networks) and facts."""

    workspace_id: DbId
    scenario_id: int | None
    method: str
    title: str
    formula: str
    alternatives: list[str]
    names: dict[str, str]
    criteria: list[str]
    weights: list[float]
    scores: list[float] | None
    ranks: list[int] | None
    tables: list[dict[str, Any]]
    facts: dict[str, Any]
    options: dict[str, Any]


class RankReversalOut(BaseModel):
    """Per method: does removing a dominated network or adding a worse one reorder the rest?"""

    workspace_id: DbId
    scenario_id: int | None
    checks: list[dict[str, Any]]


def _invalid(loc: tuple[str, ...], message: str) -> RequestValidationError:
    """A 422 naming the query parameter (FastAPI's own shape: ``loc`` starts with "query")."""
    return RequestValidationError([{"loc": loc, "msg": message, "type": "value_error"}])


def _options(
    weighted_sum_normalisation: str | None,
    topsis_normalisation: str | None,
    vikor_v: str | None,
    electre_concordance: str | None,
    electre_discordance: str | None,
    promethee: str | None,
) -> MethodOptions:
    query = {
        "weighted_sum_normalisation": weighted_sum_normalisation,
        "topsis_normalisation": topsis_normalisation,
        "vikor_v": vikor_v,
        "electre_concordance": electre_concordance,
        "electre_discordance": electre_discordance,
        "promethee": promethee,
    }
    try:
        return md.options_from_query(query)
    except CriteriaError as exc:
        field = next(iter(exc.fields), "options")
        loc = ("query", "promethee", field) if field not in query else ("query", field)
        raise _invalid(loc, str(exc)) from None


def _options_dict(options: MethodOptions) -> dict[str, Any]:
    return {
        "weighted_sum_normalisation": options.weighted_sum_normalisation,
        "topsis_normalisation": options.topsis_normalisation,
        "vikor_v": options.vikor_v,
        "electre_concordance": options.electre_concordance,
        "electre_discordance": options.electre_discordance,
        "promethee": {k: v.as_dict() for k, v in options.promethee.items()},
    }


Text = Annotated[str | None, Query(max_length=2000)]


@router.get("/{workspace_id}/methods/{method}", response_model=MethodDetailsOut)
def method_details(
    workspace: ReadWorkspace,
    method: MethodKey,
    session: SessionDep,
    scenario: DbId | None = None,
    weighted_sum_normalisation: Text = None,
    topsis_normalisation: Text = None,
    vikor_v: Text = None,
    electre_concordance: Text = None,
    electre_discordance: Text = None,
    promethee: Text = None,
) -> MethodDetailsOut:
    """Every number between the data and one method's scores, for the scenario's weights
    (default: the newest scenario). ``promethee`` is a JSON object of per-criterion preference
    functions, e.g. ``{"annual_fee": {"function": "v_shape", "p": 20000}}``."""
    options = _options(
        weighted_sum_normalisation,
        topsis_normalisation,
        vikor_v,
        electre_concordance,
        electre_discordance,
        promethee,
    )
    try:
        view = md.build(
            session,
            workspace,
            scenario_id=scenario,
            method=method,
            options=options,
            reversal=False,
        )
    except CriteriaError as exc:
        raise _invalid(("query", next(iter(exc.fields), "method")), str(exc)) from None
    payload = view.details.as_dict()
    return MethodDetailsOut(
        workspace_id=workspace.id or 0,
        scenario_id=None if view.settings.scenario is None else view.settings.scenario.id,
        names=view.names,
        options=_options_dict(view.options),
        **payload,
    )


@router.get("/{workspace_id}/rank-reversal", response_model=RankReversalOut)
def rank_reversal(
    workspace: ReadWorkspace,
    session: SessionDep,
    scenario: DbId | None = None,
    weighted_sum_normalisation: Text = None,
    topsis_normalisation: Text = None,
    vikor_v: Text = None,
    electre_concordance: Text = None,
    electre_discordance: Text = None,
    promethee: Text = None,
) -> RankReversalOut:
    """For each ranking method: removing a dominated network and adding a worse copy of the
    last one, does any other pair change order?"""
    options = _options(
        weighted_sum_normalisation,
        topsis_normalisation,
        vikor_v,
        electre_concordance,
        electre_discordance,
        promethee,
    )
    try:
        view = md.build(
            session, workspace, scenario_id=scenario, method="weighted_sum", options=options
        )
    except CriteriaError as exc:
        raise _invalid(("query", next(iter(exc.fields), "options")), str(exc)) from None
    return RankReversalOut(
        workspace_id=workspace.id or 0,
        scenario_id=None if view.settings.scenario is None else view.settings.scenario.id,
        checks=[md.reversal_dict(c, view.names) for c in view.reversal],
    )


class PairJudgement(BaseModel):
    """ "``a`` is ``value`` times as good as ``b``" on Saaty's scale (1/9 to 9)."""

    model_config = {"extra": "forbid"}

    a: str = Field(min_length=1, max_length=200)
    b: str = Field(min_length=1, max_length=200)
    value: float = Field(ge=1 / 9 - 1e-9, le=9 + 1e-9, allow_inf_nan=False)


class AHPSynthesisIn(BaseModel):
    """Networks compared pairwise under each criterion; criteria weighed by the scenario
    (``scenario``, default: the workspace's default one) or by their own pairwise judgements."""

    model_config = {"extra": "forbid"}

    networks: list[str] = Field(min_length=2, max_length=9)
    criteria: list[str] = Field(min_length=1, max_length=6)
    judgements: dict[str, list[PairJudgement]] = Field(max_length=6)
    criteria_judgements: list[PairJudgement] | None = Field(default=None, max_length=15)
    scenario: DbId | None = None


class AHPSynthesisOut(BaseModel):
    """Local priorities (rows: networks, columns: criteria), criteria weights, composite
    priorities, ranks and each comparison matrix's consistency."""

    workspace_id: int
    scenario_id: int | None
    networks: list[str]
    names: dict[str, str]
    criteria: list[str]
    criteria_weights: list[float]
    criteria_weights_source: str
    local_priorities: list[list[float]]
    composite_priorities: list[float]
    ranks: list[int]
    consistent: bool
    matrices: dict[str, dict[str, Any]]


def _pairs(items: list[PairJudgement]) -> dict[tuple[str, str], float]:
    return {(p.a, p.b): p.value for p in items}


@router.post("/{workspace_id}/ahp-synthesis", response_model=AHPSynthesisOut)
def ahp_synthesis(
    workspace: ReadWorkspace, body: AHPSynthesisIn, session: SessionDep
) -> AHPSynthesisOut:
    """AHP among a few networks (Saaty): local priorities under each criterion, criteria
    weights, composite priorities and the consistency ratio of every comparison matrix.
    Computes only; nothing is stored, so reading the workspace is enough."""
    try:
        found = ahp.choices(session, workspace, body.scenario)
        view = ahp.run(
            found,
            body.networks,
            body.criteria,
            {key: _pairs(items) for key, items in body.judgements.items()},
            None if body.criteria_judgements is None else _pairs(body.criteria_judgements),
        )
    except CriteriaError as exc:
        raise _invalid(("body", next(iter(exc.fields), "judgements")), str(exc)) from None
    scenario = found.settings.scenario
    return AHPSynthesisOut(
        workspace_id=workspace.id or 0,
        scenario_id=None if scenario is None else scenario.id,
        **ahp.synthesis_dict(view),
    )
