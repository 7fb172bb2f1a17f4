"""View models for the web pages: everything a template shows, computed here, never in a route.

This module owns the translation from an `AnalysisContext` (and the workspace's rows) to the
plain values the page templates print: ranking rows, value breakdowns (weight x normalised
score = contribution), budget use, scenario comparisons with rank movements, the portfolio's
in/out lists, robustness and overlap tables, and the parsing of the pages' forms (weights as
points, rank-order, swing and AHP inputs, assessments, the city profile) into values or
field-level error messages. Routes parse, call one function here, and render.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from markupsafe import Markup
from sqlmodel import Session

from app import charts, framework_text
from app.errors import NotFound, NothingToAnalyse
from app.forms import normalise_number, parse_decimal, parse_whole
from app.i18n import (
    current_locale,
    format_money,
    format_number,
    format_share,
    lazy_gettext,
    ngettext,
)
from app.i18n import gettext as _
from app.models import Assessment, Membership, Scenario, Workspace
from app.services import analysis as an
from app.services import catalogue
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.services.common import from_minor
from app.views import advice
from criteria import Framework
from criteria.errors import CriteriaError
from scoring import portfolio as pf
from scoring.analysis import ACTION_ORDER
from scoring.methods import Method
from scoring.overlap import complementarity_hint
from scoring.weights import rank_order_centroid

PREVIEW_SAMPLES = 0
"""Robustness samples for the live slider re-rank: none (robustness has its own page)."""
DEFAULT_SAMPLES = 2000
MAX_AMOUNT = Decimal("1e12")  # money in major units, as the API allows
MAX_HOURS = 1_000_000  # staff hours per year
METHOD_LABELS: dict[str, str] = {
    "weighted_sum": "Weighted sum (additive value)",
    "weighted_product": "Weighted product",
    "topsis": "TOPSIS (distance to the ideal)",
    "vikor": "VIKOR (compromise)",
    "electre": "ELECTRE (outranking)",
    "promethee_ii": "PROMETHEE II (outranking flows)",
}
STATUS_LABELS = {
    "member": lazy_gettext("Member"),
    "candidate": lazy_gettext("Candidate"),
    "former": lazy_gettext("Former member"),
}
LOCK_LABELS = {
    "": lazy_gettext("No lock"),
    "keep": lazy_gettext("Must keep"),
    "exclude": lazy_gettext("Must not join"),
}
CONFIDENCE = ("low", "medium", "high")


def confidence_label(confidence: str) -> str:
    """A confidence level in words (current locale)."""
    labels = {"low": _("low"), "medium": _("medium"), "high": _("high")}
    return labels.get(confidence, confidence)


URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class FormErrors(Exception):
    """Field-level messages for a form (field name -> message), shown inline with 422."""

    def __init__(self, errors: Mapping[str, str], message: str = "") -> None:
        self.errors = dict(errors)
        self.message = message or _("Please correct the highlighted fields.")
        super().__init__(self.message)


class NoNetworks(FormErrors, NothingToAnalyse):
    """No member or candidate network to analyse: a page that catches `FormErrors` shows the
    message; one that does not shows the empty state (`app.errors`' handler)."""

    def __init__(self, workspace: Workspace) -> None:
        NothingToAnalyse.__init__(self, workspace)
        self.errors = {}
        self.message = _(
            "There is no member or candidate network yet: add one on the city profile page."
        )


# --- weights --------------------------------------------------------------------------------


def weight_field(key: str) -> str:
    """The form field name of a criterion's points: ``w_<key>``."""
    return f"w_{key}"


def parse_points(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, float]:
    """Points per criterion from a form (``w_<key>``, 0-100); raises `FormErrors`.

    A missing field counts as 0; at least one criterion needs a positive weight.

    >>> parse_points({"w_a": "30", "w_b": "0"}, ["a", "b"])
    {'a': 30.0, 'b': 0.0}
    >>> try:
    ...     parse_points({"w_a": "x"}, ["a"])
    ... except FormErrors as exc:
    ...     exc.errors
    {'w_a': 'Enter a number of points from 0 to 100.'}
    """
    points: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key in keys:
        name = weight_field(key)
        raw = str(form.get(name, "0") or "0").strip()
        try:
            value = float(raw)
        except ValueError:
            errors[name] = _("Enter a number of points from 0 to 100.")
            continue
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[name] = _("Enter a number of points from 0 to 100.")
            continue
        points[key] = value
    if errors:
        raise FormErrors(errors)
    if not any(v > 0 for v in points.values()):
        raise FormErrors({}, _("All weights are zero: give at least one criterion some points."))
    return points


def parse_method(raw: object) -> str:
    """A method name from a form; raises `FormErrors` naming the field ``method``."""
    value = str(raw or "weighted_sum")
    if value not in METHOD_LABELS:
        raise FormErrors(
            {"method": _("Choose one of the listed methods, not '%(value)s'.", value=value)}
        )
    return value


def as_points(fractions: Mapping[str, float], total: float = 100.0) -> dict[str, float]:
    """Fractions (summing to 1) as points with one decimal, out of ``total``.

    >>> as_points({"a": 0.6111, "b": 0.3889})
    {'a': 61.1, 'b': 38.9}
    """
    return {k: round(v * total, 1) for k, v in fractions.items()}


def points_from_roc(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, float]:
    """Rank-order centroid weights (as points) from ``rank_<key>`` positions (1 = most important).

    Equal positions are ties; raises `FormErrors` for a blank or invalid position.

    >>> points_from_roc({"rank_a": "1", "rank_b": "2", "rank_c": "3"}, ["a", "b", "c"])
    {'a': 61.1, 'b': 27.8, 'c': 11.1}
    """
    positions: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key in keys:
        name = f"rank_{key}"
        raw = str(form.get(name, "")).strip()
        position = parse_whole(raw, 1, len(keys))
        if position is None:
            errors[name] = _("Give a position from 1 to %(count)s.", count=len(keys))
            continue
        positions[key] = position
    if errors:
        raise FormErrors(errors)
    groups = [[k for k in keys if positions[k] == p] for p in sorted(set(positions.values()))]
    return as_points(rank_order_centroid(groups))


def swing_defaults(points: Mapping[str, float]) -> dict[str, str]:
    """Swing ratings implied by the current points: the largest gets 100.

    >>> swing_defaults({"a": 40, "b": 10})
    {'a': '100', 'b': '25'}
    """
    top = max(points.values(), default=0.0) or 1.0
    return {k: f"{round(100 * v / top):g}" for k, v in points.items()}


# --- scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The weights (points), method and options an analysis runs with, and where they came from."""

    weights: dict[str, float]
    method: str
    options: dict[str, Any]
    scenario: Scenario | None
    previous: Scenario | None
    scenarios: list[Scenario]


def default_scenario(workspace: Workspace, scenarios: Sequence[Scenario]) -> Scenario | None:
    """The scenario the dashboard opens: the one an owner chose, else the first saved."""
    chosen = next((s for s in scenarios if s.id == workspace.default_scenario_id), None)
    return chosen or (scenarios[0] if scenarios else None)


def resolve_settings(
    session: Session,
    workspace: Workspace,
    scenario_id: int | None,
    framework: Framework | None = None,
) -> Settings:
    """The chosen scenario, else the workspace's default one (chosen by an owner), else the
    first one saved; or equal weights when there is none. ``previous`` is the default
    scenario when another one is shown (the dashboard compares them), else None.

    ``framework`` saves its queries when the caller already has the workspace's framework.
    """
    scenarios = ws.list_scenarios(session, workspace)
    framework = framework or ws.framework_of(session, workspace)
    default = default_scenario(workspace, scenarios)
    if scenario_id is not None:
        scenario: Scenario | None = ws.get_scenario(session, workspace, scenario_id)
    else:
        scenario = default
    previous = None
    if scenario is not None and default is not None and scenario.id != default.id:
        previous = default
    base = an.scenario_settings(scenario, framework)
    weights = {k: float(base["weights"].get(k, 0.0)) for k in framework.keys}
    return Settings(weights, base["method"], base["options"], scenario, previous, scenarios)


def analyse(
    session: Session,
    workspace: Workspace,
    weights: Mapping[str, float],
    method: str,
    options: Mapping[str, Any] | None = None,
    *,
    samples: int | None = None,
    preview: bool = False,
    prepared: an.PreparedInputs | None = None,
) -> an.AnalysisContext:
    """`run_analysis` with a sample count override; rule violations become `FormErrors`.

    ``preview=True`` asks for the fast level of detail of the slider re-rank (ranks, values
    and actions; no recommendations, robustness, weight stability or method agreement).
    ``prepared`` passes inputs the caller already read (`an.prepared_inputs`).
    """
    opts = dict(options or {})
    if samples is not None:
        opts["samples"] = samples
    try:
        return an.run_analysis(
            session,
            workspace,
            weights=weights,
            method=method,
            options=opts,
            detail="preview" if preview else "full",
            prepared=prepared,
        )
    except NothingToAnalyse as exc:
        raise NoNetworks(workspace) from exc
    except CriteriaError as exc:
        raise FormErrors(dict(exc.fields), str(exc)) from exc


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One network in the live re-rank of the priorities page: only what that table prints,
    with its numbers already formatted (the fragment has 300 rows; keep each one cheap)."""

    network_id: str
    short: str
    status: str
    action: str
    action_label: str
    rank: int | None
    value_text: str
    bar_width: str


def preview_rows(ctx: an.AnalysisContext) -> list[PreviewRow]:
    """The networks best first, as the lean rows of the priorities page's ranking.

    Built from the analysis's `scoring.analysis.Ranking` arrays (both levels of detail), with
    the per-network strings memoised with the workspace's prepared inputs.
    """
    ranking = ctx.analysis.ranking
    alternatives = ctx.analysis.matrix.alternatives
    if ctx.prepared is not None:
        static = ctx.prepared.rows(alternatives)
    else:
        static = tuple(
            (i, ctx.networks[i].acronym or ctx.networks[i].name, ctx.memberships[i].status)
            for i in alternatives
        )
    codes = [str(a) for a in ACTION_ORDER]
    labels = [action_label(code) for code in codes]
    order = ranking.order.tolist()
    values = ranking.values[order]
    value_texts = [f"{v:.2f}" for v in values.tolist()]
    widths = [f"{w:.1f}" for w in (np.clip(values, 0.0, 1.0) * 100).tolist()]
    return [
        PreviewRow(
            static[i][0],
            static[i][1],
            static[i][2],
            codes[code],
            labels[code],
            rank or None,
            text,
            width,
        )
        for i, code, rank, text, width in zip(
            order,
            ranking.action_codes[order].tolist(),
            ranking.ranks[order].tolist(),
            value_texts,
            widths,
            strict=True,
        )
    ]


@dataclass(frozen=True)
class WeightRow:
    key: str
    title: str
    field: str
    points: float
    share: float
    direction: str
    unit: str


def weight_rows(framework: Framework, points: Mapping[str, float]) -> list[WeightRow]:
    """One row per criterion: its points and its share of the total."""
    total = sum(points.values()) or 1.0
    titles = framework_text.titles(framework)
    return [
        WeightRow(
            key=c.key,
            title=titles[c.key],
            field=weight_field(c.key),
            points=float(points.get(c.key, 0.0)),
            share=float(points.get(c.key, 0.0)) / total,
            direction=str(c.direction),
            unit=c.unit,
        )
        for c in framework.criteria
    ]


@dataclass(frozen=True)
class ValueFunctionRow:
    """How one criterion's raw value becomes a value 0-1, in words and as a small chart."""

    key: str
    title: str
    swing: str  # the range a weight on this criterion swings over
    chart: Markup


def value_function_rows(
    framework: Framework, effective: decision_settings.Effective, currency: str
) -> list[ValueFunctionRow]:
    """Every criterion's value function (the same scales the analysis uses)."""
    s = effective.settings
    rows = []
    framework = framework_text.localized(framework)
    for c in framework.criteria:
        if c.key == "annual_fee" or c.key == "staff_time":
            is_fee = c.key == "annual_fee"
            reference = (
                (None if s.fee_reference is None else from_minor(int(s.fee_reference)))
                if is_fee
                else s.hours_reference
            )
            if reference is None:
                swing = _("Not counted until a reference level or a budget is set.")
                chart = charts.value_function_chart(c.title, "—", "—")
            else:
                worst = (
                    format_money(reference, currency)
                    if is_fee
                    else _("%(hours)s h", hours=format_number(reference))
                )
                best = format_money(0, currency) if is_fee else _("%(hours)s h", hours="0")
                swing = _(
                    "From %(worst)s a year or more (value 0) to %(best)s (value 1).",
                    worst=worst,
                    best=best,
                )
                chart = charts.value_function_chart(
                    c.title, worst, best, saturates=True, beyond_label=_("dearer: 0")
                )
        else:
            low = c.anchors.get(1, "") if c.anchors else ""
            high = c.anchors.get(5, "") if c.anchors else ""
            swing = _("From a score of 1 (value 0) to a score of 5 (value 1).")
            if low and high:
                swing += " " + _("1: %(low)s 5: %(high)s", low=low, high=high)
            chart = charts.value_function_chart(c.title, _("score 1"), _("score 5"))
        rows.append(ValueFunctionRow(c.key, c.title, swing, chart))
    return rows


def weights_chart(framework: Framework, points: Mapping[str, float]) -> Markup:
    rows = weight_rows(framework, points)
    return charts.weight_bars([r.title for r in rows], [r.points for r in rows])


# --- network detail and assessments ---------------------------------------------------------


def membership_of(session: Session, workspace: Workspace, network_id: str) -> Membership:
    """The workspace's record for a network; 404 when the city has none."""
    for membership, _network in ws.list_memberships(session, workspace):
        if membership.network_id == network_id:
            return membership
    raise NotFound("network", network_id)


@dataclass(frozen=True)
class AssessRow:
    key: str
    title: str
    description: str
    questions: list[str]
    anchors: list[tuple[int, str]]
    examples: list[str]
    score: str  # "" = missing
    evidence: str
    source_url: str
    confidence: str
    others: list[str]


def assessors_of(session: Session, workspace: Workspace, network_id: str, actor: str) -> list[str]:
    """Who has scored this network (most scores first), then the person acting."""
    counts = Counter(
        a.assessor for a in ws.list_assessments(session, workspace, network_id=network_id)
    )
    names = [name for name, _ in counts.most_common()]
    return names if actor in names else [*names, actor]


def assess_rows(
    session: Session,
    workspace: Workspace,
    network_id: str,
    assessor: str,
    form: Mapping[str, Any] | None = None,
) -> list[AssessRow]:
    """One row per assessed criterion: anchors, this assessor's entry (or the posted form)."""
    framework = framework_text.localized(ws.framework_of(session, workspace))
    rows_by_key: dict[str, list[Assessment]] = {}
    for a in ws.list_assessments(session, workspace, network_id=network_id):
        rows_by_key.setdefault(a.criterion, []).append(a)
    out = []
    for c in framework.criteria:
        if c.key not in framework.assessed_keys:
            continue
        mine = next((a for a in rows_by_key.get(c.key, []) if a.assessor == assessor), None)
        others = [
            _(
                "%(who)s: %(score)s (%(confidence)s confidence)",
                who=a.assessor,
                score=_("missing") if a.score is None else a.score,
                confidence=confidence_label(a.confidence),
            )
            for a in rows_by_key.get(c.key, [])
            if a.assessor != assessor
        ]
        if form is not None:
            score = str(form.get(f"score_{c.key}", ""))
            evidence = str(form.get(f"evidence_{c.key}", ""))
            source = str(form.get(f"source_{c.key}", ""))
            confidence = str(form.get(f"confidence_{c.key}", "medium"))
        else:
            score = "" if mine is None or mine.score is None else str(mine.score)
            evidence = "" if mine is None else mine.evidence
            source = "" if mine is None or mine.source_url is None else mine.source_url
            confidence = "medium" if mine is None else mine.confidence
        out.append(
            AssessRow(
                key=c.key,
                title=c.title,
                description=c.description,
                questions=list(c.questions),
                anchors=sorted(c.anchors.items()),
                examples=list(c.evidence_examples),
                score=score,
                evidence=evidence,
                source_url=source,
                confidence=confidence,
                others=others,
            )
        )
    return out


def parse_assessments(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per criterion: score (1-5 or None), evidence, source URL, confidence; raises `FormErrors`.

    >>> parse_assessments({"score_a": "4", "confidence_a": "high"}, ["a"])["a"]["score"]
    4
    >>> try:
    ...     parse_assessments({"score_a": "7"}, ["a"])
    ... except FormErrors as exc:
    ...     exc.errors
    {'score_a': 'A score is a whole number from 1 to 5, or leave it missing.'}
    """
    out: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for key in keys:
        raw = str(form.get(f"score_{key}", "")).strip()
        score: int | None = None
        if raw:
            score = parse_whole(raw, 1, 5)
            if score is None:
                errors[f"score_{key}"] = _(
                    "A score is a whole number from 1 to 5, or leave it missing."
                )
        evidence = str(form.get(f"evidence_{key}", "")).strip()
        if len(evidence) > 5000:
            errors[f"evidence_{key}"] = _("Keep the evidence under 5,000 characters.")
        source = str(form.get(f"source_{key}", "")).strip()
        if source and not URL_RE.match(source):
            errors[f"source_{key}"] = _("A source link starts with http:// or https://.")
        confidence = str(form.get(f"confidence_{key}", "medium"))
        if confidence not in CONFIDENCE:
            errors[f"confidence_{key}"] = _("Confidence is low, medium or high.")
        out[key] = {
            "score": score,
            "evidence": evidence,
            "source_url": source or None,
            "confidence": confidence,
        }
    if errors:
        raise FormErrors(errors)
    return out


def save_assessments(
    session: Session,
    workspace: Workspace,
    network_id: str,
    assessor: str,
    entries: Mapping[str, Mapping[str, Any]],
    *,
    actor: str,
) -> int:
    """Create or update this assessor's entries; returns how many changed. Blank new rows
    (no score, no evidence, no source) are not created."""
    existing = {
        a.criterion: a
        for a in ws.list_assessments(session, workspace, network_id=network_id)
        if a.assessor == assessor
    }
    changed = 0
    for key, data in entries.items():
        row = existing.get(key)
        if row is None:
            if data["score"] is None and not data["evidence"] and not data["source_url"]:
                continue
            ws.create_assessment(
                session,
                workspace,
                {"network_id": network_id, "criterion": key, "assessor": assessor, **data},
                actor=actor,
            )
            changed += 1
        elif any(getattr(row, k) != v for k, v in data.items()):
            ws.update_assessment(session, workspace, row, dict(data), actor=actor)
            changed += 1
    return changed


def hint_for(session: Session, workspace: Workspace, network_id: str) -> str:
    """The complementarity hint: overlap with the city's other current memberships."""
    rows = ws.list_memberships(session, workspace)
    themes = {n.id: frozenset(n.themes) for _, n in rows}
    services = {n.id: frozenset(n.services) for _, n in rows}
    names = {n.id: n.acronym or n.name for _, n in rows}
    others = [m.network_id for m, _ in rows if m.status == "member"]
    hint = complementarity_hint(network_id, others, themes, services)
    compared = len([o for o in others if o != network_id])
    if compared == 0:
        return _("The city has no other memberships to compare with, so nothing is duplicated.")
    if hint.most_similar is None:
        return ngettext(
            "Shares no themes or services with the city's other membership: suggested 5.",
            "Shares no themes or services with the city's %(num)s other memberships: suggested 5.",
            compared,
        )
    return ngettext(
        "Overlaps most with %(network)s (overlap %(share)s, from the themes they share and the "
        "services they both offer on them, among %(num)s other membership): suggested "
        "%(score)s.",
        "Overlaps most with %(network)s (overlap %(share)s, from the themes they share and the "
        "services they both offer on them, among %(num)s other memberships): suggested "
        "%(score)s.",
        compared,
        network=names.get(hint.most_similar, hint.most_similar),
        share=format_share(hint.max_overlap),
        score=hint.suggested_score,
    )


# --- profile --------------------------------------------------------------------------------


def parse_profile(form: Mapping[str, Any], themes: Sequence[str]) -> dict[str, Any]:
    """City profile changes from the profile form; raises `FormErrors`.

    >>> parse_profile({"region": "Europe", "fee_budget": "1000", "staff_hours_budget": "",
    ...                "theme_climate": "5"}, ["climate", "food"])["priority_themes"]
    {'climate': 5.0}
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "region": str(form.get("region", "")).strip(),
        "population_band": str(form.get("population_band", "")).strip()[:20],
    }
    if changes["region"] and changes["region"] not in catalogue.REGIONS:
        errors["region"] = _("Choose one of the listed regions.")
    fee = str(form.get("fee_budget", "")).strip()
    if fee:
        amount = parse_decimal(fee, Decimal(0), MAX_AMOUNT)
        if amount is None:
            errors["fee_budget"] = _(
                "Enter an amount of 0 or more, or leave it empty for no budget."
            )
        else:
            changes["fee_budget"] = amount
    else:
        changes["fee_budget"] = None
    hours = str(form.get("staff_hours_budget", "")).strip()
    if hours:
        whole = parse_whole(normalise_number(hours) or "", 0, MAX_HOURS)
        if whole is not None:
            changes["staff_hours_budget"] = whole
        else:
            errors["staff_hours_budget"] = _("Enter whole hours per year, or leave it empty.")
    else:
        changes["staff_hours_budget"] = None
    priorities: dict[str, float] = {}
    for theme in themes:
        name = f"theme_{theme}"
        raw = str(form.get(name, "")).strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100 or not math.isfinite(value):
            errors[name] = _("Give the theme a weight from 0 to 100.")
        elif value > 0:
            priorities[theme] = value
    changes["priority_themes"] = priorities
    version = str(form.get("version", "")).strip()
    if parse_whole(version) is not None:
        changes["version"] = parse_whole(version)
    if errors:
        raise FormErrors(errors)
    return changes


def theme_field(theme: str) -> str:
    return f"theme_{theme}"


def memberships_view(session: Session, workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Memberships grouped by status, each with its network and outcomes."""
    profile = ws.get_profile(session, workspace)
    rows = ws.list_memberships(session, workspace)
    outcomes = ws.outcomes_of(session, [m.id or 0 for m, _ in rows])
    return {
        status: [
            ws.membership_dict(m, n, outcomes[m.id or 0], profile.currency) | {"network": n}
            for m, n in rows
            if m.status == status
        ]
        for status in ("member", "candidate", "former")
    }


def parse_membership_change(form: Mapping[str, Any]) -> dict[str, Any]:
    """Status / lock / version from a membership row form; raises `FormErrors`."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "status" in form:
        status = str(form["status"])
        if status not in STATUS_LABELS:
            errors["status"] = _("Status is member, candidate or former.")
        changes["status"] = status
    if "lock" in form:
        lock = str(form["lock"])
        if lock not in LOCK_LABELS:
            errors["lock"] = _("Choose no lock, must keep or must not join.")
        changes["lock"] = lock or None
    version = str(form.get("version", "")).strip()
    if parse_whole(version) is not None:
        changes["version"] = parse_whole(version)
    if errors:
        raise FormErrors(errors)
    return changes


# --- portfolio, robustness, overlap ---------------------------------------------------------


REASON_LABELS: dict[str, Any] = {
    pf.SELECTED: lazy_gettext("chosen"),
    pf.LOCKED_IN: lazy_gettext("locked to keep"),
    pf.HELD: lazy_gettext("kept until assessed"),
    pf.UNASSESSED: lazy_gettext("too few scores: assess first"),
    pf.LOCKED_OUT: lazy_gettext("locked out"),
    pf.NOT_ELIGIBLE: lazy_gettext("a condition is not met"),
    pf.BELOW_BAR: lazy_gettext("below its bar"),
    pf.SWITCH_COST: lazy_gettext("does not clear the join bar by the cost of joining"),
    pf.OVER_BUDGET: lazy_gettext("does not fit the budget left"),
    pf.PRIORITY: lazy_gettext("a member of at least its value keeps priority"),
    pf.UNCONFIRMED: lazy_gettext("eligibility not confirmed; would displace a member"),
    pf.OVERLAP: lazy_gettext("repeats a stronger network"),
    pf.NOT_CHOSEN: lazy_gettext("a better combination fits without it"),
}
"""Short words for the portfolio page's "why" column (`scoring.portfolio.Why` codes)."""


@dataclass(frozen=True)
class PortfolioRow:
    network_id: str
    name: str
    membership_id: int
    version: int
    status: str
    action: str
    value: float
    fee_minor: int
    hours: int
    reason: str
    lock: str


def portfolio_rows(ctx: an.AnalysisContext) -> tuple[list[PortfolioRow], list[PortfolioRow]]:
    """(in the portfolio, left out), each best value first, with the reason."""
    a = ctx.analysis
    chosen: list[PortfolioRow] = []
    left: list[PortfolioRow] = []
    for rec in sorted(a.recommendations, key=lambda r: (-r.value, r.network)):
        m = ctx.memberships[rec.network]
        n = ctx.networks[rec.network]
        row = PortfolioRow(
            rec.network,
            n.acronym or n.name,
            m.id or 0,
            m.version,
            m.status,
            str(rec.action),
            rec.value,
            m.annual_fee_minor,
            m.staff_hours,
            str(REASON_LABELS.get(a.portfolio.reasons[rec.network].code, "")),
            m.lock or "",
        )
        (chosen if rec.network in a.portfolio.selected else left).append(row)
    return chosen, left


@dataclass(frozen=True)
class RobustRow:
    name: str
    rank: int | None
    action: str
    top_k: float | None
    stability: float | None
    expected_rank: float | None
    sentence: str


def robustness_view(ctx: an.AnalysisContext) -> dict[str, Any]:
    """Rank acceptability chart, per-network probabilities, stability chart and sentences."""
    a = ctx.analysis
    r = a.robustness
    names = {k: (n.acronym or n.name) for k, n in ctx.networks.items()}
    titles = framework_text.titles(ctx.framework)
    rows = []
    sampled = {} if r is None else {k: i for i, k in enumerate(r.alternatives)}
    for rec in a.recommendations:
        i = sampled.get(rec.network)
        rows.append(
            RobustRow(
                names[rec.network],
                rec.rank,
                str(rec.action),
                rec.top_k_probability,
                rec.action_stability,
                None if r is None or i is None else float(r.expected_rank[i]),
                advice.robustness_text(rec),
            )
        )
    acceptability = None
    if r is not None:
        order = sorted(range(len(r.alternatives)), key=lambda i: float(r.expected_rank[i]))
        acceptability = charts.rank_acceptability_chart(
            [names[r.alternatives[i]] for i in order],
            [list(r.rank_acceptability[i]) for i in order],
        )
    stability = charts.stability_chart(
        [(titles.get(s.criterion, s.criterion), s.low, s.high, s.current) for s in a.stability]
    )
    return {
        "rows": rows,
        "acceptability": acceptability,
        "stability_chart": stability,
        "sentences": list(a.stability_sentences)
        if current_locale() == "en"
        else [
            advice.interval_text(
                s,
                titles.get(s.criterion, s.criterion),
                {k: n.name for k, n in ctx.networks.items()},
            )
            for s in a.stability
        ],
        "samples": 0 if r is None else r.samples,
        "top_k": 0 if r is None else r.top_k,
        "concentration": 0.0 if r is None else r.concentration,
    }


def parse_robustness_options(
    query: Mapping[str, Any], options: Mapping[str, Any]
) -> dict[str, Any]:
    """Samples (100-20,000) and concentration (1-1,000) from the query; raises `FormErrors`."""
    out = dict(options)
    errors: dict[str, str] = {}
    samples = str(query.get("samples", "") or out.get("samples", DEFAULT_SAMPLES))
    count = parse_whole(samples, 100, 20_000)
    if count is None:
        errors["samples"] = _("Use between 100 and 20,000 samples.")
    else:
        out["samples"] = count
    concentration = str(query.get("concentration", "") or out.get("concentration", 50))
    try:
        value = float(concentration)
        if not 1 <= value <= 1000:
            raise ValueError
        out["concentration"] = value
    except ValueError:
        errors["concentration"] = _("Concentration is a number from 1 (wide) to 1,000 (narrow).")
    if errors:
        raise FormErrors(errors)
    return out


action_label = advice.action_label


def method_options() -> list[tuple[str, str]]:
    return [(str(m), method_label(str(m))) for m in Method]


def method_label(method: str) -> str:
    """A method's name in the reader's language (`METHOD_LABELS` is the English)."""
    labels = {
        "weighted_sum": _("Weighted sum (additive value)"),
        "weighted_product": _("Weighted product"),
        "topsis": _("TOPSIS (distance to the ideal)"),
        "vikor": _("VIKOR (compromise)"),
        "electre": _("ELECTRE (outranking)"),
        "promethee_ii": _("PROMETHEE II (outranking flows)"),
    }
    return labels.get(method, METHOD_LABELS.get(method, method))
