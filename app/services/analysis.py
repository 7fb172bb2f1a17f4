"""Translate a workspace's rows into the scoring core's `Problem`, and its `Analysis` back.

The only place where database rows meet `scoring.analysis`: routes and the API call
`run_analysis` and read plain dictionaries from `analysis_dict`.

Loading a workspace (300 networks and 3,300 assessments through the ORM take a few hundred
milliseconds) is the slow part of a slider move, and the rows do not change while the weights
do. `prepared_inputs` therefore keeps the prepared inputs of the last workspaces in memory
(`InputCache`, least recently used first out, thread-safe), keyed by `data_revision`: one
aggregate query over every table the analysis reads (counts, sums of row versions, largest
ids and update times), so that any write to the workspace makes a new key. The cached rows
are detached copies, safe to read from any request and never written back. Each entry also
memoises the weight-independent `scoring.analysis.Basis` of its analyses (`PreparedInputs.basis`)
and the per-network strings of the priorities page's ranking (`PreparedInputs.rows`), so a
slider move only computes what the weights change.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from app import framework_text
from app.errors import NothingToAnalyse
from app.models import (
    Assessment,
    AuditEntry,
    CityProfile,
    CustomCriterion,
    CustomGate,
    DecisionSettings,
    GateAnswer,
    Membership,
    Network,
    NetworkEligibilityRule,
    NetworkFamilyLink,
    NetworkFunctionTag,
    Scenario,
    Workspace,
)
from app.services import catalogue, facts
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.services.common import from_minor
from criteria import CityFacts, Framework, NetworkFacts, evaluate_gates, is_eligible
from criteria.families import FamilyLink, check_requirements
from scoring.analysis import (
    Analysis,
    Basis,
    CriterionInput,
    Detail,
    NetworkInput,
    Problem,
    analyse,
    prepare,
)
from scoring.evidence import AssessorScore, Cell, combine
from scoring.methods import Method
from scoring.recommend import Recommendation

CACHE_SIZE = 32
"""Workspaces whose prepared inputs stay in memory (per database engine)."""

_Row = TypeVar("_Row", bound=SQLModel)


ScoreCell = Cell
"""The combined score of one network on one criterion (`scoring.evidence.Cell`)."""


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
    settings: decision_settings.Effective
    prepared: PreparedInputs | None = None

    def framework_titles(self) -> dict[str, str]:
        """The criteria's titles in the current locale (for pages; the API keeps English)."""
        return framework_text.titles(self.framework)


def combined_scores(assessments: list[Assessment]) -> dict[str, dict[str, ScoreCell]]:
    """The assessors' scores per network and criterion, combined (`scoring.evidence.combine`);
    missing scores do not count.

    >>> rows = [Assessment(workspace_id=1, network_id="n", criterion="c", assessor=a, score=s,
    ...                    confidence=c) for a, s, c in [("A", 4, "high"), ("B", 2, "low"),
    ...                                                  ("C", None, "medium")]]
    >>> combined_scores(rows)["n"]["c"]
    Cell(mean=3.0, count=2, low=2.0, high=4.0, sample_low=1.0, sample_high=4.0)
    """
    return _combine((a.network_id, a.criterion, a.score, a.confidence) for a in assessments)


def _combine(
    rows: Iterable[tuple[str, str, int | None, str]],
) -> dict[str, dict[str, ScoreCell]]:
    collected: dict[str, dict[str, list[AssessorScore]]] = defaultdict(lambda: defaultdict(list))
    for network_id, criterion, score, confidence in rows:
        scores = collected[network_id][criterion]
        if score is not None:
            scores.append(AssessorScore(score, confidence))
    return {
        network_id: {key: combine(scores) for key, scores in criteria.items()}
        for network_id, criteria in collected.items()
    }


def _eligibility(
    session: Session,
    workspace: Workspace,
    framework: Framework,
    networks: Mapping[str, Network],
    city: CityFacts,
    member_of: frozenset[str],
    links: tuple[FamilyLink, ...],
) -> dict[str, tuple[bool | None, list[str]]]:
    """Per network: eligible (True/False/None) and the reasons of every condition not passed.

    Three kinds of condition: the framework's and the workspace's gates, the catalogue's entry
    rules (population, invitation, World Heritage site, status...), and the family links a
    network requires (the Integrating Cities Charter needs Eurocities membership). Unknown
    stays unknown: it is flagged, never silently passed or failed.
    """
    answers: dict[str, dict[str, bool | None]] = defaultdict(dict)
    for row in session.exec(select(GateAnswer).where(GateAnswer.workspace_id == workspace.id)):
        answers[row.network_id][row.gate] = row.answer
    rules = catalogue.eligibility_rules(session, list(networks))
    names = {k: n.acronym or n.name for k, n in networks.items()}
    result: dict[str, tuple[bool | None, list[str]]] = {}
    for network_id, network in networks.items():
        facts = NetworkFacts(
            id=network_id, scope=network.scope, active=network.active != "no", name=network.name
        )
        results = evaluate_gates(
            framework.gates,
            facts,
            city,
            answers.get(network_id, {}),
            rules=rules.get(network_id, ()),
        )
        results += check_requirements(links, network_id, member_of, names=names)
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


@dataclass(frozen=True)
class PreparedInputs:
    """Everything an analysis reads from the database, ready for a `Problem`.

    ``networks`` and ``memberships`` are detached copies of the rows (read them, never write
    them back); ``problem_scores`` are the combined means per network and assessed criterion.
    """

    framework: Framework
    networks: dict[str, Network]
    memberships: dict[str, Membership]
    scores: dict[str, dict[str, ScoreCell]]
    eligibility: dict[str, tuple[bool | None, list[str]]]
    inputs: tuple[NetworkInput, ...]
    criteria: tuple[CriterionInput, ...]
    problem_scores: dict[str, dict[str, float | None]]
    currency: str
    fee_budget_minor: int | None
    staff_hours_budget: int | None
    priorities: dict[str, float] | None
    cells: dict[str, dict[str, Cell]]
    settings_row: DecisionSettings
    profile: CityProfile
    function_needs: dict[str, float] | None
    travel_budget_minor: int | None
    family: tuple[tuple[str, str, str], ...]
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def basis(self, problem: Problem) -> Basis:
        """`scoring.analysis.prepare` of a problem built from these inputs, memoised.

        Concurrent first calls may both prepare it; either result is the same.
        """
        key = (
            "basis",
            problem.settings.fee_reference,
            problem.settings.hours_reference,
            problem.overlap_floor,
            problem.overlap_partners,
        )
        found = self.memo.get(key)
        if not isinstance(found, Basis) or not found.fits(problem):
            found = prepare(problem)
            self.memo[key] = found
        return found

    def rows(self, alternatives: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
        """``(network id, short name, status)`` per alternative, memoised (the ranking rows)."""
        key = ("rows", alternatives)
        found = self.memo.get(key)
        if found is None:
            found = tuple(
                (
                    i,
                    self.networks[i].acronym or self.networks[i].name,
                    self.memberships[i].status,
                )
                for i in alternatives
            )
            self.memo[key] = found
        return cast(tuple[tuple[str, str, str], ...], found)


def detached(row: _Row) -> _Row:
    """A transient copy of a row, with its own lists and dictionaries."""
    return type(row)(**row.model_dump())


_detached = detached


def load_inputs(session: Session, workspace: Workspace) -> PreparedInputs:
    """Read and prepare a workspace's members and candidates (no cache)."""
    framework = ws.framework_of(session, workspace)
    profile = ws.get_profile(session, workspace)
    rows = [
        (_detached(m), _detached(n))
        for m, n in ws.list_memberships(session, workspace)
        if m.status in ("member", "candidate")
    ]
    networks = {n.id: n for _, n in rows}
    memberships = {m.network_id: m for m, _ in rows}
    assessments = session.exec(
        select(
            Assessment.network_id, Assessment.criterion, Assessment.score, Assessment.confidence
        ).where(
            Assessment.workspace_id == workspace.id,
            col(Assessment.network_id).in_(list(networks)),
        )
    ).all()
    scores = _combine(assessments)
    city = facts.city_facts(profile)
    links = catalogue.family_links(session)
    member_of = frozenset(m.network_id for m in memberships.values() if m.status == "member")
    eligibility = _eligibility(session, workspace, framework, networks, city, member_of, links)
    functions = catalogue.functions_of(session, list(networks))
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
            travel=m.travel_cost_minor,
            functions=functions.get(n.id, frozenset()),
        )
        for m, n in rows
    )
    assessed = framework.assessed_keys
    return PreparedInputs(
        framework=framework,
        networks=networks,
        memberships=memberships,
        scores=scores,
        eligibility=eligibility,
        inputs=inputs,
        criteria=tuple(
            CriterionInput(
                key=c.key,
                title=c.title,
                direction=cast(Literal["benefit", "cost"], str(c.direction)),
                kind=cast(Literal["assessed", "computed", "fact"], str(c.kind)),
            )
            for c in framework.criteria
        ),
        problem_scores={
            n: {k: (scores.get(n, {}).get(k) or _EMPTY).mean for k in assessed} for n in networks
        },
        currency=profile.currency,
        fee_budget_minor=profile.fee_budget_minor,
        staff_hours_budget=profile.staff_hours_budget,
        priorities=dict(profile.priority_themes) or None,
        cells={n: {k: c for k, c in row.items() if k in assessed} for n, row in scores.items()},
        function_needs=dict(profile.function_needs) or None,
        travel_budget_minor=profile.travel_budget_minor,
        family=tuple(
            (link.child, link.parent, str(link.relation))
            for link in links
            if link.child in networks and link.parent in networks
        ),
        settings_row=_detached(decision_settings.get_settings(session, workspace)),
        profile=_detached(profile),
    )


_EMPTY = combine([])


@functools.cache
def _revision_statement() -> sa.Select[Any]:
    """The aggregate query of `data_revision`, built once (``:w`` is the workspace id)."""
    w = sa.bindparam("w", type_=sa.Integer)

    def one(column: Any, where: Any) -> Any:
        return sa.select(column).where(where).scalar_subquery()

    in_workspace = col(Membership.workspace_id) == w
    return sa.select(
        one(Workspace.version, col(Workspace.id) == w),
        one(Workspace.created_at, col(Workspace.id) == w),
        one(Workspace.framework, col(Workspace.id) == w),
        one(CityProfile.version, col(CityProfile.workspace_id) == w),
        one(func.count(), in_workspace),
        one(func.sum(Membership.version), in_workspace),
        one(func.max(Membership.id), in_workspace),
        one(func.max(Membership.updated_at), in_workspace),
        sa.select(func.sum(Network.version))
        .join(Membership, col(Membership.network_id) == col(Network.id))
        .where(in_workspace)
        .scalar_subquery(),
        one(func.count(), col(Assessment.workspace_id) == w),
        one(func.sum(Assessment.version), col(Assessment.workspace_id) == w),
        one(func.max(Assessment.id), col(Assessment.workspace_id) == w),
        one(func.max(Assessment.updated_at), col(Assessment.workspace_id) == w),
        one(func.count(), col(GateAnswer.workspace_id) == w),
        one(func.max(GateAnswer.id), col(GateAnswer.workspace_id) == w),
        one(func.count(), col(CustomCriterion.workspace_id) == w),
        one(func.max(CustomCriterion.id), col(CustomCriterion.workspace_id) == w),
        one(func.count(), col(CustomGate.workspace_id) == w),
        one(func.max(CustomGate.id), col(CustomGate.workspace_id) == w),
        one(DecisionSettings.version, col(DecisionSettings.workspace_id) == w),
        # The shared catalogue's facts (functions, families, entry rules) change with a reseed.
        sa.select(func.max(NetworkFunctionTag.id)).scalar_subquery(),
        sa.select(func.count()).select_from(NetworkFunctionTag).scalar_subquery(),
        sa.select(func.max(NetworkFamilyLink.id)).scalar_subquery(),
        sa.select(func.count()).select_from(NetworkFamilyLink).scalar_subquery(),
        sa.select(func.max(NetworkEligibilityRule.id)).scalar_subquery(),
        sa.select(func.count()).select_from(NetworkEligibilityRule).scalar_subquery(),
        # Every write through the services is audited in its own transaction: the newest
        # audit entry changes with any edit, gate answers included.
        one(func.max(AuditEntry.id), col(AuditEntry.workspace_id) == w),
    )


def data_revision(session: Session, workspace: Workspace) -> tuple[Any, ...]:
    """A key that changes with any write to the rows an analysis reads, in ONE query.

    Row versions grow with every update, counts and largest ids change with inserts and
    deletes, update times tell apart two writes that would leave the same sums. Gate answers
    and custom criteria and gates are only ever inserted or deleted (counts, largest ids).
    The workspace's creation time keeps apart two databases that reuse its id. The newest
    audit entry of the workspace catches every other audited change (a gate answer changed
    in place, the decision settings).
    """
    row = session.connection().execute(_revision_statement(), {"w": workspace.id}).one()
    return (workspace.id, *row)


class InputCache:
    """A small thread-safe LRU of `PreparedInputs`, one per database engine.

    >>> cache = InputCache(size=1)
    >>> cache.size
    1
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[
            Engine, OrderedDict[tuple[Any, ...], PreparedInputs]
        ] = weakref.WeakKeyDictionary()
        self._loading: dict[tuple[int, tuple[Any, ...]], tuple[threading.Lock, int]] = {}

    def get(self, engine: Engine, key: tuple[Any, ...]) -> PreparedInputs | None:
        with self._lock:
            entries = self._entries.get(engine)
            if entries is None or key not in entries:
                return None
            entries.move_to_end(key)
            return entries[key]

    def put(self, engine: Engine, key: tuple[Any, ...], value: PreparedInputs) -> None:
        with self._lock:
            entries = self._entries.setdefault(engine, OrderedDict())
            entries[key] = value
            entries.move_to_end(key)
            while len(entries) > self.size:
                entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @contextlib.contextmanager
    def loading(self, engine: Engine, key: tuple[Any, ...]) -> Iterator[None]:
        """Hold the loading of one entry: concurrent requests that miss the same key wait
        for the first one's load instead of each reading the workspace again."""
        with self._lock:
            lock, users = self._loading.get((id(engine), key), (threading.Lock(), 0))
            self._loading[(id(engine), key)] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._loading[(id(engine), key)]
                if users <= 1:
                    del self._loading[(id(engine), key)]
                else:
                    self._loading[(id(engine), key)] = (lock, users - 1)


INPUTS = InputCache()
"""The process-wide cache `prepared_inputs` uses."""


def prepared_inputs(session: Session, workspace: Workspace) -> PreparedInputs:
    """`load_inputs`, from `INPUTS` when the workspace's `data_revision` has not changed.

    A session with unflushed changes bypasses the cache (its rows may yet be rolled back).
    Requests that miss the same revision at once share one load.
    """
    if session.new or session.dirty or session.deleted:
        return load_inputs(session, workspace)
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        engine = engine.engine
    key = data_revision(session, workspace)
    found = INPUTS.get(engine, key)
    if found is None:
        with INPUTS.loading(engine, key):  # one load per new revision, however many ask
            found = INPUTS.get(engine, key)
            if found is None:
                found = load_inputs(session, workspace)
                INPUTS.put(engine, key, found)
    return found


def run_analysis(
    session: Session,
    workspace: Workspace,
    *,
    weights: Mapping[str, float],
    method: str = "weighted_sum",
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    detail: Detail = "full",
    prepared: PreparedInputs | None = None,
) -> AnalysisContext:
    """Analyse the workspace's members and candidates with the given weights (points).

    ``options`` are a scenario's options; ``options["settings"]`` overrides the workspace's
    decision settings. ``detail="preview"`` is the fast level of detail of the slider re-rank
    (see `scoring.analysis`). ``prepared`` is the result of `prepared_inputs` when the caller
    already has it. Raises `CriteriaError` for settings or data a user must fix.
    """
    options = dict(options or {})
    prepared = prepared or prepared_inputs(session, workspace)
    if not any(n.status != "former" for n in prepared.inputs):
        raise NothingToAnalyse(workspace)
    framework = prepared.framework
    factor = float(options.get("fee_budget_factor", 1.0))
    fee_budget = (
        None if prepared.fee_budget_minor is None else round(prepared.fee_budget_minor * factor)
    )
    effective = decision_settings.effective(
        prepared.settings_row, prepared.profile, options.get("settings") or {}
    )
    problem = Problem(
        networks=prepared.inputs,
        criteria=prepared.criteria,
        scores=prepared.problem_scores,
        weights={k: float(weights.get(k, 0.0)) for k in framework.keys},
        method=Method(method),
        fee_budget=fee_budget,
        hours_budget=None
        if prepared.staff_hours_budget is None
        else float(prepared.staff_hours_budget),
        settings=effective.settings,
        samples=int(options.get("samples", 2000)),
        concentration=float(options.get("concentration", 50.0)),
        seed=int(options.get("seed", 0)),
        top_k=min(int(options.get("top_k", 3)), max(1, len(prepared.inputs))),
        priorities=prepared.priorities,
        cells=prepared.cells,
        currency=prepared.currency,
        function_needs=prepared.function_needs,
        travel_budget=prepared.travel_budget_minor,
        family=prepared.family,
        today=today or date.today(),
        detail=detail,
    )
    analysis = analyse(problem, prepared.basis(problem))
    return AnalysisContext(
        workspace=workspace,
        framework=framework,
        analysis=analysis,
        networks=prepared.networks,
        memberships=prepared.memberships,
        scores=prepared.scores,
        weights={k: float(weights.get(k, 0.0)) for k in framework.keys},
        method=method,
        currency=prepared.currency,
        eligibility={k: v[1] for k, v in prepared.eligibility.items()},
        settings=effective,
        prepared=prepared,
    )


def _reasons(rec_reasons: Iterable[Any], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "criterion": r.criterion,
            "title": titles.get(r.criterion, r.criterion),
            "contribution": round(r.contribution, 6),
            "versus_average": round(r.versus_average, 6),
            "sentence": r.sentence,
        }
        for r in rec_reasons
    ]


def recommendation_dict(
    ctx: AnalysisContext, rec: Recommendation, titles: Mapping[str, str]
) -> dict[str, Any]:
    """One recommendation as JSON: the action, value, ranks, sentence, flags and costs."""
    membership = ctx.memberships[rec.network]
    network = ctx.networks[rec.network]
    sched = rec.schedule
    return {
        "network_id": rec.network,
        "network_name": network.name,
        "status": membership.status,
        "action": str(rec.action),
        "rank": rec.rank,
        "value_rank": rec.value_rank,
        "value": round(rec.value, 6),
        "evidence_coverage": round(rec.coverage, 6),
        "annual_fee": str(from_minor(membership.annual_fee_minor)),
        "staff_hours": membership.staff_hours,
        "engagement": membership.engagement,
        "cost_per_value_point": None
        if rec.cost_per_value_point is None
        else round(rec.cost_per_value_point, 2),
        "explanation": rec.explanation,
        "explanation_code": None if rec.message is None else rec.message.code,
        "method_note": rec.method_note,
        "robustness": rec.robustness_sentence,
        "robustness_level": rec.robustness_level,
        "action_stability": rec.action_stability,
        "top_k_probability": rec.top_k_probability,
        "notice_by": rec.notice_by,
        "notice": None
        if sched is None
        else {
            "next_renewal": sched.next_renewal,
            "notice_by": sched.notice_by,
            "exit_on": sched.exit_on,
            "deadline_missed": sched.missed,
            "committed_from": sched.committed_from,
        },
        "strengths": _reasons(rec.strengths, titles),
        "weaknesses": _reasons(rec.weaknesses, titles),
        "flags": [{"code": f.code, "message": f.message} for f in rec.flags],
    }


def analysis_dict(ctx: AnalysisContext) -> dict[str, Any]:
    """A JSON-ready view of an analysis: every number with the inputs and settings it used."""
    a = ctx.analysis
    titles = {c.key: c.title for c in ctx.framework.criteria}
    total = sum(ctx.weights.values()) or 1.0
    budget = a.budget_use
    summary = a.summary
    return {
        "workspace_id": ctx.workspace.id,
        "date": a.today,
        "method": ctx.method,
        "currency": ctx.currency,
        "summary": {
            "sentence": summary.sentence(ctx.currency),
            "keep": summary.keep,
            "leave": summary.leave,
            "join": summary.join,
            "at_risk": summary.at_risk,
            "assess_first": summary.assess_first,
            "leave_saves": str(from_minor(summary.leave_fee)),
            "leave_saves_hours": summary.leave_hours,
            "join_costs": str(from_minor(summary.join_fee)),
            "join_costs_hours": summary.join_hours,
        },
        "settings": ctx.settings.as_dict(),
        "value_functions": [
            {
                "criterion": f.criterion,
                "kind": f.kind,
                "worst": f.worst,
                "best": f.best,
                "unit": f.unit,
                "description": f.describe(),
            }
            for f in a.value_functions
        ],
        "weights": {
            k: {
                "points": v,
                "share": round(v / total, 6),
                "used": round(a.weights.get(k, 0.0), 6),
                "title": titles.get(k, k),
            }
            for k, v in ctx.weights.items()
        },
        "recommendations": [recommendation_dict(ctx, rec, titles) for rec in a.recommendations],
        "budget": {
            "fee_current": str(from_minor(budget.fee_current)),
            "fee_selected": str(from_minor(budget.fee_selected)),
            "fee_budget": None if budget.fee_budget is None else str(from_minor(budget.fee_budget)),
            "hours_current": budget.hours_current,
            "hours_selected": budget.hours_selected,
            "hours_budget": budget.hours_budget,
            "binding": list(a.portfolio.binding),
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
