"""What the assessment editor and the network pages show beyond the scores themselves.

This module builds, from a workspace's rows and the catalogue, the values the templates print:

- `assess_extras`: the framework's scoring rules (partial matches, candidates, missing scores),
  each criterion's guidance for the network's status (member, or candidate and former member),
  how it differs from the criteria it could be confused with, the function overlap hints next
  to complementarity, and the workspace's double-counting check (`scoring.correlation`);
- `network_extras`: the network's functions with their sources, its family, its eligibility
  rules, its fee estimate and its function fit for the city.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from app import framework_text
from app.catalogue_text import function_title, localize_extras
from app.models import Assessment, CityProfile, Workspace
from app.services import catalogue, facts
from app.services import workspaces as ws
from criteria import CriteriaError, CriterionKind, Framework
from scoring.correlation import CorrelationCheck, correlated_criteria
from scoring.functions import FunctionFit, function_fit, function_overlap
from scoring.overlap import thematic_fit

STATUS_WORDS = {"member": "a member", "candidate": "a candidate", "former": "a former member"}
FUNCTION_HINTS = 3
"""How many of the city's other memberships the function overlap hint names, at most."""


def _fit(profile: CityProfile, functions: frozenset[str]) -> FunctionFit | None:
    if not any(v > 0 for v in profile.function_needs.values()):
        return None
    return function_fit(profile.function_needs, functions)


def workspace_scores(
    session: Session, workspace: Workspace, framework: Framework
) -> dict[str, dict[str, float | None]]:
    """Mean score per network (members and candidates) and scored criterion.

    Assessed criteria average the assessors' scores; ``thematic_fit`` and ``function_fit`` are
    computed from the profile and the catalogue when the profile gives priorities or needs.
    """
    rows = [(m, n) for m, n in ws.list_memberships(session, workspace) if m.status != "former"]
    ids = [m.network_id for m, _ in rows]
    profile = ws.get_profile(session, workspace)
    collected: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for network_id, criterion, score in session.exec(
        select(Assessment.network_id, Assessment.criterion, Assessment.score).where(
            Assessment.workspace_id == workspace.id, col(Assessment.network_id).in_(ids)
        )
    ):
        if score is not None:
            collected[network_id][criterion].append(score)
    served = catalogue.functions_of(session, ids)
    priorities = {k: v for k, v in profile.priority_themes.items() if v > 0}
    result: dict[str, dict[str, float | None]] = {}
    for membership, network in rows:
        nid = membership.network_id
        means: dict[str, float | None] = {
            key: (sum(values) / len(values)) if (values := collected[nid].get(key)) else None
            for key in framework.assessed_keys
        }
        if priorities:
            means["thematic_fit"] = thematic_fit(priorities, frozenset(network.themes)).score
        fit = _fit(profile, served[nid])
        means["function_fit"] = None if fit is None else fit.score
        result[nid] = means
    return result


def correlation_check(
    session: Session, workspace: Workspace, framework: Framework
) -> CorrelationCheck:
    """Scored criteria (assessed and computed) whose scores move together across networks."""
    keys = [c.key for c in framework.criteria if c.kind is not CriterionKind.FACT]
    titles = framework_text.titles(framework)
    return correlated_criteria(workspace_scores(session, workspace, framework), keys, titles=titles)


def function_hints(session: Session, workspace: Workspace, network_id: str) -> list[str]:
    """Sentences naming the city's current memberships that serve the same needed functions."""
    profile = ws.get_profile(session, workspace)
    needs = {k: v for k, v in profile.function_needs.items() if v > 0}
    if not needs:
        return []
    rows = ws.list_memberships(session, workspace)
    names = {n.id: n.acronym or n.name for _, n in rows}
    others = [m.network_id for m, _ in rows if m.status == "member" and m.network_id != network_id]
    served = catalogue.functions_of(session, [network_id, *others])
    overlaps = [
        function_overlap(needs, (network_id, served[network_id]), (o, served[o]), names=names)
        for o in others
    ]
    overlaps = [o for o in overlaps if o.shared]
    overlaps.sort(key=lambda o: (-o.share, o.b))
    return [o.explanation for o in overlaps[:FUNCTION_HINTS]]


def assess_extras(session: Session, workspace: Workspace, network_id: str) -> dict[str, Any]:
    """Guidance by status, the scoring rules, distinctions, function hints, double counting."""
    framework = framework_text.localized(ws.framework_of(session, workspace))
    membership = next(
        m for m, _ in ws.list_memberships(session, workspace) if m.network_id == network_id
    )
    status = membership.status
    titles = framework_text.titles(framework)
    guidance: dict[str, dict[str, Any]] = {}
    for c in framework.criteria:
        if c.kind is not CriterionKind.ASSESSED:
            continue
        guidance[c.key] = {
            "text": None if c.guidance is None else c.guidance.for_status(status),
            "evidence": []
            if c.guidance is None or status == "member"
            else list(c.guidance.candidate_evidence),
            "distinct": [
                {"title": titles.get(other, other), "text": text}
                for other, text in c.distinct_from.items()
            ],
        }
    return {
        "status": status,
        "status_words": STATUS_WORDS.get(status, status),
        "rules": framework.scoring_rules,
        "version": framework.version,
        "guidance": guidance,
        "function_hints": function_hints(session, workspace, network_id),
        "correlation": correlation_check(session, workspace, framework),
    }


def network_extras(
    session: Session, network_id: str, workspace: Workspace | None = None
) -> dict[str, Any]:
    """Functions, family and rules of a network; with a workspace, its fee estimate and fit."""
    facts_of = catalogue.network_facts(session, network_id)
    extras: dict[str, Any] = {
        "functions": facts_of["functions"],
        "rules": facts_of["eligibility_rules"],
        "family": catalogue.family_rows(session, network_id),
        "estimate": None,
        "fit": None,
    }
    if workspace is not None:
        profile = ws.get_profile(session, workspace)
        extras["estimate"] = facts.fee_estimate_dict(profile, network_id)
        try:
            fit = _fit(profile, frozenset(f["function"] for f in facts_of["functions"]))
        except CriteriaError:  # a stored need the vocabulary no longer knows
            fit = None
        extras["fit"] = None if fit is None else fit.explanation
        extras["needed"] = [function_title(k) for k, v in profile.function_needs.items() if v > 0]
    return localize_extras(extras)
