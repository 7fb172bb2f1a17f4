"""Where a report's numbers come from: a fingerprint of the analysis inputs and the command
or API call that reproduces them.

The fingerprint is the SHA-256 of a canonical JSON text (sorted keys, no spaces, UTF-8) of
everything `app.services.analysis.run_analysis` fed the scoring core: the networks with their
costs, status, dates, eligibility and themes; the criteria; the combined scores and the
assessors' spread; the weights, method and options (samples, seed, concentration, top-k); the
effective decision settings; the budgets; the priority themes; the currency; the framework's
key and version; and the date the analysis counts from. Two analyses with the same
fingerprint print the same numbers; change one score, weight or date and it changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shlex
from datetime import date
from typing import Any

from app.services import analysis as an


def _plain(value: Any) -> Any:
    """JSON-ready copy: dataclasses as dicts, sets sorted, dates ISO, floats kept exact."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN: not JSON
        return None
    return value


def analysis_inputs(ctx: an.AnalysisContext, options: dict[str, Any]) -> dict[str, Any]:
    """Every input of the analysis in ``ctx`` as plain JSON values (what the fingerprint hashes)."""
    prepared = ctx.prepared
    assert prepared is not None, "run_analysis always keeps its prepared inputs"
    a = ctx.analysis
    data: dict[str, Any] = _plain(
        {
            "framework": {"key": ctx.framework.key, "version": ctx.framework.version},
            "networks": list(prepared.inputs),
            "criteria": list(prepared.criteria),
            "scores": prepared.problem_scores,
            "cells": prepared.cells,
            "weights": ctx.weights,
            "method": ctx.method,
            "options": {k: options[k] for k in sorted(options) if k != "settings"},
            "settings": a.settings,
            "fee_budget": a.budget_use.fee_budget,
            "hours_budget": a.budget_use.hours_budget,
            "priorities": prepared.priorities,
            "currency": ctx.currency,
            "today": a.today,
        }
    )
    return data


def canonical_json(data: Any) -> str:
    """The canonical text that is hashed.

    >>> canonical_json({"b": 1, "a": [1.5, None]})
    '{"a":[1.5,null],"b":1}'
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(ctx: an.AnalysisContext, options: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the analysis inputs."""
    text = canonical_json(analysis_inputs(ctx, options))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Reproduce:
    """How to get the same numbers again: a command line and an API call."""

    command: str
    api: str


def reproduce(
    *, workspace_id: int, slug: str, scenario_id: int | None, scenario_name: str | None, today: date
) -> Reproduce:
    """The CLI command and the API call that print the same analysis and fingerprint.

    >>> r = reproduce(workspace_id=1, slug="example-city", scenario_id=2,
    ...               scenario_name="Climate first", today=date(2026, 12, 1))
    >>> r.command
    "network-compass analyse example-city --scenario 'Climate first' --as-of 2026-12-01"
    >>> r.api
    'GET /api/v1/workspaces/1/reports/analysis?scenario=2&as_of=2026-12-01'
    """
    scenario_arg = "" if scenario_name is None else f" --scenario {shlex.quote(scenario_name)}"
    query = "" if scenario_id is None else f"scenario={scenario_id}&"
    return Reproduce(
        command=f"network-compass analyse {slug}{scenario_arg} --as-of {today.isoformat()}",
        api=f"GET /api/v1/workspaces/{workspace_id}/reports/analysis?{query}as_of={today.isoformat()}",
    )
