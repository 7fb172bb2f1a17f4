"""Translate a workspace's rows into the scoring core's `Problem`, and its `Analysis` back.

The only place where database rows meet `scoring.analysis`: routes and the API call
`run_analysis` and read plain dictionaries from `analysis_dict`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

from sqlmodel import Session, col, select

from app.models import Assessment, GateAnswer, Membership, Network, Scenario, Workspace
from app.services import workspaces as ws
from app.services.common import from_minor
from criteria import CityFacts, Framework, NetworkFacts, evaluate_gates, is_eligible
from scoring.analysis import Analysis, CriterionInput, NetworkInput, Problem, analyse
from scoring.methods import Method


@dataclass(frozen=True)
class ScoreCell:
    """The combined score of one network on one criterion, and what it was combined from."""

    mean: float | None
    count: int
    spread: float  # max - min of the assessors' scores; 0 with one assessor


@dataclass(frozen=True)
class AnalysisContext:
    """An analysis together with the inputs a page needs to explain it."""

    workspace: Workspace
    framework: Framework
    analysis: Analysis
    networks: dict[str, Network]
    memberships: dict[str, Membership]
    scores: dict[str, dict[str, ScoreCell]]
    weights: dict[str, float]  # points, as entered
    method: str
    currency: str
    eligibility: dict[str, list[str]]


def combined_scores(assessments: list[Assessment]) -> dict[str, dict[str, ScoreCell]]:
    """Mean of the assessors' scores per network and criterion; missing scores do not count.

    >>> rows = [Assessment(workspace_id=1, network_id="n", criterion="c", assessor=a, score=s)
    ...         for a, s in [("A", 4), ("B", 2), ("C", None)]]
    >>> combined_scores(rows)["n"]["c"]
    ScoreCell(mean=3.0, count=2, spread=2.0)
    """
    collected: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[str, set[str]] = defaultdict(set)
    for a in assessments:
        seen[a.network_id].add(a.criterion)
        if a.score is not None:
            collected[a.network_id][a.criterion].append(a.score)
    result: dict[str, dict[str, ScoreCell]] = {}
    for network_id, criteria in seen.items():
        result[network_id] = {}
        for key in criteria:
            values = collected[network_id][key]
            result[network_id][key] = ScoreCell(
                mean=sum(values) / len(values) if values else None,
                count=len(values),
                spread=float(max(values) - min(values)) if values else 0.0,
            )
    return result


def _eligibility(
    session: Session,
    workspace: Workspace,
    framework: Framework,
    networks: Mapping[str, Network],
    city: CityFacts,
) -> dict[str, tuple[bool | None, list[str]]]:
    answers: dict[str, dict[str, bool | None]] = defaultdict(dict)
    for row in session.exec(select(GateAnswer).where(GateAnswer.workspace_id == workspace.id)):
        answers[row.network_id][row.gate] = row.answer
    result: dict[str, tuple[bool | None, list[str]]] = {}
    for network_id, network in networks.items():
        facts = NetworkFacts(
            id=network_id, scope=network.scope, active=network.active != "no", name=network.name
        )
        results = evaluate_gates(framework.gates, facts, city, answers.get(network_id, {}))
        reasons = [r.reason for r in results if r.passed is not True]
        result[network_id] = (is_eligible(results), reasons)
    return result


def scenario_settings(scenario: Scenario | None, framework: Framework) -> dict[str, Any]:
    """Weights (points), method and options of a scenario, or equal weights when none."""
    if scenario is None:
        return {
            "weights": dict.fromkeys(framework.keys, 1.0),
            "method": "weighted_sum",
            "options": {},
        }
    return {
        "weights": dict(scenario.weights),
        "method": scenario.method,
        "options": dict(scenario.options),
    }


def run_analysis(
    session: Session,
    workspace: Workspace,
    *,
    weights: Mapping[str, float],
    method: str = "weighted_sum",
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> AnalysisContext:
    """Analyse the workspace's members and candidates with the given weights (points)."""
    options = dict(options or {})
    framework = ws.framework_of(session, workspace)
    profile = ws.get_profile(session, workspace)
    rows = [
        (m, n)
        for m, n in ws.list_memberships(session, workspace)
        if m.status in ("member", "candidate")
    ]
    networks = {n.id: n for _, n in rows}
    memberships = {m.network_id: m for m, _ in rows}
    assessments = list(
        session.exec(
            select(Assessment).where(
                Assessment.workspace_id == workspace.id,
                col(Assessment.network_id).in_(list(networks)),
            )
        )
    )
    scores = combined_scores(assessments)
    city = CityFacts(region=profile.region or "", country=profile.country or "")
    eligibility = _eligibility(session, workspace, framework, networks, city)
    inputs = tuple(
        NetworkInput(
            id=n.id,
            name=n.acronym or n.name,
            status=cast(Literal["member", "candidate"], m.status),
            fee=m.annual_fee_minor,
            hours=float(m.staff_hours),
            engagement=cast(Literal["active", "passive"] | None, m.engagement),
            renewal_date=m.renewal_date,
            notice_days=m.notice_days,
            eligible=eligibility[n.id][0],
            eligibility_reasons=tuple(eligibility[n.id][1]),
            lock=cast(Literal["keep", "exclude"] | None, m.lock),
            themes=frozenset(n.themes),
            services=frozenset(n.services),
        )
        for m, n in rows
    )
    assessed = framework.assessed_keys
    factor = float(options.get("fee_budget_factor", 1.0))
    fee_budget = (
        None if profile.fee_budget_minor is None else round(profile.fee_budget_minor * factor)
    )
    problem = Problem(
        networks=inputs,
        criteria=tuple(
            CriterionInput(
                key=c.key,
                title=c.title,
                direction=cast(Literal["benefit", "cost"], str(c.direction)),
                kind=cast(Literal["assessed", "computed", "fact"], str(c.kind)),
            )
            for c in framework.criteria
        ),
        scores={
            n: {k: scores.get(n, {}).get(k, ScoreCell(None, 0, 0.0)).mean for k in assessed}
            for n in networks
        },
        weights={k: float(weights.get(k, 0.0)) for k in framework.keys},
        method=Method(method),
        fee_budget=fee_budget,
        hours_budget=None
        if profile.staff_hours_budget is None
        else float(profile.staff_hours_budget),
        samples=int(options.get("samples", 2000)),
        concentration=float(options.get("concentration", 50.0)),
        seed=int(options.get("seed", 0)),
        top_k=min(int(options.get("top_k", 3)), max(1, len(inputs))),
        priorities=dict(profile.priority_themes) or None,
        today=today or date.today(),
    )
    analysis = analyse(problem)
    return AnalysisContext(
        workspace=workspace,
        framework=framework,
        analysis=analysis,
        networks=networks,
        memberships=memberships,
        scores=scores,
        weights={k: float(weights.get(k, 0.0)) for k in framework.keys},
        method=method,
        currency=profile.currency,
        eligibility={k: v[1] for k, v in eligibility.items()},
    )


def analysis_dict(ctx: AnalysisContext) -> dict[str, Any]:
    """A JSON-ready view of an analysis: every number with the inputs it came from."""
    a = ctx.analysis
    titles = {c.key: c.title for c in ctx.framework.criteria}
    total = sum(ctx.weights.values()) or 1.0
    rec_rows = []
    for rec in a.recommendations:
        membership = ctx.memberships[rec.network]
        network = ctx.networks[rec.network]
        rec_rows.append(
            {
                "network_id": rec.network,
                "network_name": network.name,
                "status": membership.status,
                "action": str(rec.action),
                "rank": rec.rank,
                "value": round(rec.value, 6),
                "annual_fee": str(from_minor(membership.annual_fee_minor)),
                "staff_hours": membership.staff_hours,
                "engagement": membership.engagement,
                "cost_per_value_point": None
                if rec.cost_per_value_point is None
                else round(rec.cost_per_value_point, 2),
                "explanation": rec.explanation,
                "robustness": rec.robustness_sentence,
                "action_stability": rec.action_stability,
                "top_k_probability": rec.top_k_probability,
                "notice_by": rec.notice_by,
                "strengths": [
                    {
                        "criterion": r.criterion,
                        "title": titles.get(r.criterion, r.criterion),
                        "contribution": round(r.contribution, 6),
                        "versus_average": round(r.versus_average, 6),
                        "sentence": r.sentence,
                    }
                    for r in rec.strengths
                ],
                "weaknesses": [
                    {
                        "criterion": r.criterion,
                        "title": titles.get(r.criterion, r.criterion),
                        "contribution": round(r.contribution, 6),
                        "versus_average": round(r.versus_average, 6),
                        "sentence": r.sentence,
                    }
                    for r in rec.weaknesses
                ],
                "flags": [{"code": f.code, "message": f.message} for f in rec.flags],
            }
        )
    budget = a.budget_use
    return {
        "workspace_id": ctx.workspace.id,
        "method": ctx.method,
        "currency": ctx.currency,
        "weights": {
            k: {"points": v, "share": round(v / total, 6), "title": titles.get(k, k)}
            for k, v in ctx.weights.items()
        },
        "recommendations": rec_rows,
        "budget": {
            "fee_current": str(from_minor(budget.fee_current)),
            "fee_selected": str(from_minor(budget.fee_selected)),
            "fee_budget": None if budget.fee_budget is None else str(from_minor(budget.fee_budget)),
            "hours_current": budget.hours_current,
            "hours_selected": budget.hours_selected,
            "hours_budget": budget.hours_budget,
        },
        "robustness": None
        if a.robustness is None
        else {
            "samples": a.robustness.samples,
            "seed": a.robustness.seed,
            "concentration": a.robustness.concentration,
            "top_k": a.robustness.top_k,
        },
        "stability": list(a.stability_sentences),
        "method_agreement": [
            {"a": str(m1), "b": str(m2), "kendall_tau": round(tau, 6)}
            for (m1, m2), tau in a.method_agreement.items()
        ],
        "warnings": list(a.warnings),
    }
