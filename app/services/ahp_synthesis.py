"""AHP among a few networks: the page and the API around `scoring.ahp.synthesise`.

A workshop choosing among three to seven networks compares them pairwise under each chosen
criterion; the criteria's weights come from a scenario (restricted to the chosen criteria and
renormalised) unless the criteria are judged pairwise too. This module resolves names, the
scenario's weights and the verbal scale; the arithmetic stays in `scoring.ahp`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any

from sqlmodel import Session

from app import framework_text
from app.models import Workspace
from app.services import analysis as an
from app.services import ui
from criteria.errors import CriteriaError
from scoring.ahp import MAX_ALTERNATIVES, AHPSynthesis, synthesise

__all__ = [
    "SCALE",
    "AHPView",
    "Choices",
    "choices",
    "parse_judgement",
    "rows",
    "run",
    "synthesis_dict",
]

#: Saaty's odd steps, written as the page's select values (left network preferred first).
SCALE: tuple[str, ...] = ("9", "7", "5", "3", "1", "1/3", "1/5", "1/7", "1/9")

#: At most this many criteria on the page: each adds n (n - 1) / 2 questions.
MAX_CRITERIA = 6


@dataclass(frozen=True)
class Choices:
    """What can be compared in a workspace: its networks and criteria, by key and name."""

    networks: dict[str, str]  # network id -> short name, in the workspace's order
    criteria: dict[str, str]  # criterion key -> title in the current locale
    weights: dict[str, float]  # the scenario's points by criterion
    settings: ui.Settings


@dataclass(frozen=True)
class AHPView:
    """A finished synthesis with the names a reader knows."""

    choices: Choices
    synthesis: AHPSynthesis
    weights_source: str  # "scenario" or "judgements"


def choices(session: Session, workspace: Workspace, scenario_id: int | None) -> Choices:
    """The workspace's networks (those with a membership row) and its framework's criteria."""
    settings = ui.resolve_settings(session, workspace, scenario_id)
    ctx = an.run_analysis(
        session,
        workspace,
        weights=settings.weights,
        method="weighted_sum",
        options={k: v for k, v in settings.options.items() if k == "fee_budget_factor"},
        detail="preview",
    )
    networks = {
        key: (network.acronym or network.name)
        for key, network in sorted(ctx.networks.items(), key=lambda kv: kv[1].name.lower())
        if key in ctx.memberships
    }
    titles = framework_text.titles(ctx.framework)
    criteria = {c.key: titles.get(c.key, c.key) for c in ctx.framework.criteria}
    return Choices(networks, criteria, dict(settings.weights), settings)


def parse_judgement(text: str, field: str) -> float:
    """One value of the verbal scale ("3", "1/5", ...) as a number; CriteriaError otherwise."""
    cleaned = text.strip()
    if cleaned not in SCALE:
        raise CriteriaError(
            f"{field}: choose one of the scale's steps, not '{cleaned[:20]}'.",
            fields={field: "not a step of the scale"},
        )
    return float(Fraction(cleaned))


def pairs(keys: Sequence[str]) -> list[tuple[str, str]]:
    """Every unordered pair once, in the order the page asks them."""
    return list(combinations(keys, 2))


def _check_selection(found: Choices, networks: Sequence[str], criteria: Sequence[str]) -> None:
    unknown = [n for n in networks if n not in found.networks]
    if unknown:
        raise CriteriaError(
            f"'{unknown[0][:60]}' is not a network of this workspace.",
            fields={"networks": "unknown network"},
        )
    if not 2 <= len(networks) <= MAX_ALTERNATIVES or len(set(networks)) != len(networks):
        raise CriteriaError(
            f"Choose between 2 and {MAX_ALTERNATIVES} different networks; "
            f"{len(networks)} were given.",
            fields={"networks": f"between 2 and {MAX_ALTERNATIVES} networks"},
        )
    unknown = [c for c in criteria if c not in found.criteria]
    if unknown:
        raise CriteriaError(
            f"'{unknown[0][:60]}' is not a criterion of this workspace's framework.",
            fields={"criteria": "unknown criterion"},
        )
    if not 1 <= len(criteria) <= MAX_CRITERIA or len(set(criteria)) != len(criteria):
        raise CriteriaError(
            f"Choose between 1 and {MAX_CRITERIA} different criteria; {len(criteria)} were given.",
            fields={"criteria": f"between 1 and {MAX_CRITERIA} criteria"},
        )


def run(
    found: Choices,
    networks: Sequence[str],
    criteria: Sequence[str],
    judgements: Mapping[str, Mapping[tuple[str, str], float]],
    criteria_judgements: Mapping[tuple[str, str], float] | None = None,
) -> AHPView:
    """The synthesis of ``judgements`` (by criterion key, ``(a, b): x`` meaning "a is x times
    as good as b under that criterion") with the scenario's weights or ``criteria_judgements``.

    Raises `CriteriaError` naming the field for unknown keys, a missing pair or an empty
    selection; a scenario that gives every chosen criterion zero weight is refused too.
    """
    _check_selection(found, networks, criteria)
    if criteria_judgements is None:
        weights = {c: float(found.weights.get(c, 0.0)) for c in criteria}
        if sum(weights.values()) <= 0:
            raise CriteriaError(
                "The scenario gives the chosen criteria no weight: choose criteria it weighs, "
                "or compare the criteria pairwise.",
                fields={"criteria": "no weight in this scenario"},
            )
        synthesis = synthesise(networks, criteria, judgements, criteria_weights=weights)
        source = "scenario"
    else:
        synthesis = synthesise(
            networks, criteria, judgements, criteria_judgements=criteria_judgements
        )
        source = "judgements"
    return AHPView(found, synthesis, source)


@dataclass(frozen=True)
class Row:
    """One network's line of the priorities table."""

    rank: int
    name: str
    composite: float
    local: list[float]


def rows(view: AHPView) -> list[Row]:
    """The networks by overall priority, best first (ties by name)."""
    s = view.synthesis
    out = [
        Row(
            int(s.ranks[i]),
            view.choices.networks[key],
            float(s.composite[i]),
            [float(v) for v in s.local[i]],
        )
        for i, key in enumerate(s.alternatives)
    ]
    return sorted(out, key=lambda r: (r.rank, r.name.lower()))


def synthesis_dict(view: AHPView) -> dict[str, Any]:
    """The JSON shape of a synthesis: every intermediate result, with names."""
    s = view.synthesis
    return {
        "networks": list(s.alternatives),
        "names": {k: view.choices.networks[k] for k in s.alternatives},
        "criteria": list(s.criteria),
        "criteria_weights": [round(float(w), 6) for w in s.weights],
        "criteria_weights_source": view.weights_source,
        "local_priorities": [[round(float(v), 6) for v in row] for row in s.local],
        "composite_priorities": [round(float(v), 6) for v in s.composite],
        "ranks": [int(r) for r in s.ranks],
        "consistent": s.consistent,
        "matrices": {
            key: {
                "weights": {k: round(v, 6) for k, v in result.weights.items()},
                "lambda_max": round(result.lambda_max, 6),
                "consistency_index": round(result.consistency_index, 6),
                "random_index": result.random_index,
                "consistency_ratio": round(result.consistency_ratio, 6),
                "consistent": result.consistent,
                "worst_pair": None
                if not result.worst_judgements
                else {
                    "a": result.worst_judgements[0].a,
                    "b": result.worst_judgements[0].b,
                    "given": round(result.worst_judgements[0].given, 6),
                    "implied": round(result.worst_judgements[0].implied_by_weights, 6),
                },
            }
            for key, result in s.matrices.items()
        },
    }
