"""JSON API for workspaces and what they hold: profile, memberships, assessments, scenarios."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from app.db import SessionDep
from app.deps import ActorDep, EditWorkspace, OwnWorkspace, ReadWorkspace, UserDep
from app.errors import InvalidInput
from app.forms import DbId
from app.models import Assessment, Membership, Scenario, Workspace
from app.schemas import (
    AnalysisOut,
    AnalysisRequest,
    AssessmentCreate,
    AssessmentOut,
    AssessmentUpdate,
    CustomCriterionIn,
    CustomCriterionOut,
    DecisionSettingsOut,
    DecisionSettingsUpdate,
    FeeEstimateOut,
    GateAnswerIn,
    GateAnswerOut,
    GateIn,
    GateOut,
    MembershipCreate,
    MembershipOut,
    MembershipUpdate,
    ProfileOut,
    ProfileUpdate,
    ScenarioCreate,
    ScenarioOut,
    ScenarioUpdate,
    Status,
    WorkspaceCreate,
    WorkspaceOut,
    WorkspaceUpdate,
)
from app.services import accounts, analysis, catalogue, facts
from app.services import settings as decision_settings
from app.services import workspaces as ws
from app.services.common import as_utc, reject_nulls
from criteria import Criterion, default_framework

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


def _workspace_out(session: Session, workspace: Workspace) -> WorkspaceOut:
    profile = ProfileOut.model_validate(ws.profile_dict(ws.get_profile(session, workspace)))
    data = workspace.model_dump()
    for key in ("created_at", "updated_at"):  # SQLite hands back naive datetimes: all UTC
        data[key] = as_utc(data[key])
    return WorkspaceOut.model_validate(data | {"profile": profile})


def _membership_out(session: Session, workspace: Workspace, membership_id: DbId) -> MembershipOut:
    membership = ws.get_membership(session, workspace, membership_id)
    network = catalogue.get_network(session, membership.network_id)
    outcomes = ws.outcomes_of(session, [membership_id])[membership_id]
    currency = ws.get_profile(session, workspace).currency
    return MembershipOut.model_validate(ws.membership_dict(membership, network, outcomes, currency))


# --- workspaces -----------------------------------------------------------------------------


@router.get("", response_model=list[WorkspaceOut])
def list_workspaces(session: SessionDep, user: UserDep) -> list[WorkspaceOut]:
    """The workspaces you are a member of."""
    return [_workspace_out(session, w) for w in accounts.workspaces_of(session, user.id)]


@router.post("", response_model=WorkspaceOut, status_code=201)
def create_workspace(
    body: WorkspaceCreate, session: SessionDep, user: UserDep, actor: ActorDep
) -> WorkspaceOut:
    """A new workspace; you become its owner."""
    data = body.model_dump()
    data["profile"] = body.profile.model_dump()
    workspace = ws.create_workspace(session, data, actor=actor, owner_id=user.id)
    return _workspace_out(session, workspace)


@router.get("/{workspace_id}", response_model=WorkspaceOut)
def get_workspace(workspace: ReadWorkspace, session: SessionDep) -> WorkspaceOut:
    return _workspace_out(session, workspace)


@router.patch("/{workspace_id}", response_model=WorkspaceOut)
def update_workspace(
    workspace: OwnWorkspace, body: WorkspaceUpdate, session: SessionDep, actor: ActorDep
) -> WorkspaceOut:
    changes = body.model_dump(exclude_unset=True)
    reject_nulls(Workspace, changes)
    chosen = changes.get("default_scenario_id")
    if chosen is not None and chosen not in {s.id for s in ws.list_scenarios(session, workspace)}:
        raise InvalidInput("default_scenario_id", "This workspace has no scenario with that id.")
    return _workspace_out(session, ws.update_workspace(session, workspace, changes, actor=actor))


@router.delete("/{workspace_id}", status_code=204)
def delete_workspace(workspace: OwnWorkspace, session: SessionDep, actor: ActorDep) -> Response:
    ws.delete_workspace(session, workspace, actor=actor)
    return Response(status_code=204)


@router.get("/{workspace_id}/profile", response_model=ProfileOut)
def get_profile(workspace: ReadWorkspace, session: SessionDep) -> ProfileOut:
    return ProfileOut.model_validate(ws.profile_dict(ws.get_profile(session, workspace)))


@router.put("/{workspace_id}/profile", response_model=ProfileOut)
def update_profile(
    workspace: EditWorkspace, body: ProfileUpdate, session: SessionDep, actor: ActorDep
) -> ProfileOut:
    profile = ws.update_profile(
        session, workspace, body.model_dump(exclude_unset=True), actor=actor
    )
    return ProfileOut.model_validate(ws.profile_dict(profile))


# --- memberships ----------------------------------------------------------------------------


@router.get("/{workspace_id}/memberships", response_model=list[MembershipOut])
def list_memberships(
    workspace: ReadWorkspace, session: SessionDep, status: Status | None = None
) -> list[MembershipOut]:
    rows = ws.list_memberships(session, workspace, status=status)
    outcomes = ws.outcomes_of(session, [m.id or 0 for m, _ in rows])
    currency = ws.get_profile(session, workspace).currency
    return [
        MembershipOut.model_validate(ws.membership_dict(m, n, outcomes[m.id or 0], currency))
        for m, n in rows
    ]


@router.post("/{workspace_id}/memberships", response_model=MembershipOut, status_code=201)
def create_membership(
    workspace: EditWorkspace, body: MembershipCreate, session: SessionDep, actor: ActorDep
) -> MembershipOut:
    data = body.model_dump()
    membership = ws.create_membership(session, workspace, data, actor=actor)
    return _membership_out(session, workspace, membership.id or 0)


@router.get("/{workspace_id}/memberships/{membership_id}", response_model=MembershipOut)
def get_membership(
    workspace: ReadWorkspace, membership_id: DbId, session: SessionDep
) -> MembershipOut:
    return _membership_out(session, workspace, membership_id)


@router.patch("/{workspace_id}/memberships/{membership_id}", response_model=MembershipOut)
def update_membership(
    workspace: EditWorkspace,
    membership_id: DbId,
    body: MembershipUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> MembershipOut:
    membership = ws.get_membership(session, workspace, membership_id)
    changes = body.model_dump(exclude_unset=True)
    reject_nulls(Membership, changes)
    ws.update_membership(session, workspace, membership, changes, actor=actor)
    return _membership_out(session, workspace, membership_id)


@router.get(
    "/{workspace_id}/memberships/{membership_id}/fee-estimate", response_model=FeeEstimateOut
)
def get_fee_estimate(
    workspace: ReadWorkspace, membership_id: DbId, session: SessionDep
) -> FeeEstimateOut:
    """The fee the network's published rule gives for this city (population, income group)."""
    membership = ws.get_membership(session, workspace, membership_id)
    profile = ws.get_profile(session, workspace)
    return FeeEstimateOut.model_validate(facts.fee_estimate_dict(profile, membership.network_id))


@router.post(
    "/{workspace_id}/memberships/{membership_id}/fee-estimate", response_model=MembershipOut
)
def apply_fee_estimate(
    workspace: EditWorkspace, membership_id: DbId, session: SessionDep, actor: ActorDep
) -> MembershipOut:
    """Store the estimate as the membership's fee, marked as an estimate (422 when none applies).

    Entering a fee later (PATCH ``annual_fee``) replaces it and clears ``fee_is_estimate``.
    """
    membership = ws.get_membership(session, workspace, membership_id)
    facts.apply_fee_estimate(session, workspace, membership, actor=actor)
    return _membership_out(session, workspace, membership_id)


@router.delete("/{workspace_id}/memberships/{membership_id}", status_code=204)
def delete_membership(
    workspace: EditWorkspace, membership_id: DbId, session: SessionDep, actor: ActorDep
) -> Response:
    membership = ws.get_membership(session, workspace, membership_id)
    ws.delete_membership(session, workspace, membership, actor=actor)
    return Response(status_code=204)


# --- assessments ----------------------------------------------------------------------------


def _assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut.model_validate(assessment.model_dump())


@router.get("/{workspace_id}/assessments", response_model=list[AssessmentOut])
def list_assessments(
    workspace: ReadWorkspace,
    session: SessionDep,
    network_id: str | None = None,
    criterion: str | None = None,
) -> list[AssessmentOut]:
    rows = ws.list_assessments(session, workspace, network_id=network_id, criterion=criterion)
    return [_assessment_out(a) for a in rows]


@router.post("/{workspace_id}/assessments", response_model=AssessmentOut, status_code=201)
def create_assessment(
    workspace: EditWorkspace, body: AssessmentCreate, session: SessionDep, actor: ActorDep
) -> AssessmentOut:
    return _assessment_out(ws.create_assessment(session, workspace, body.model_dump(), actor=actor))


@router.get("/{workspace_id}/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(
    workspace: ReadWorkspace, assessment_id: DbId, session: SessionDep
) -> AssessmentOut:
    return _assessment_out(ws.get_assessment(session, workspace, assessment_id))


@router.patch("/{workspace_id}/assessments/{assessment_id}", response_model=AssessmentOut)
def update_assessment(
    workspace: EditWorkspace,
    assessment_id: DbId,
    body: AssessmentUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> AssessmentOut:
    assessment = ws.get_assessment(session, workspace, assessment_id)
    changes = body.model_dump(exclude_unset=True)
    reject_nulls(Assessment, changes)
    return _assessment_out(
        ws.update_assessment(session, workspace, assessment, changes, actor=actor)
    )


@router.delete("/{workspace_id}/assessments/{assessment_id}", status_code=204)
def delete_assessment(
    workspace: EditWorkspace, assessment_id: DbId, session: SessionDep, actor: ActorDep
) -> Response:
    assessment = ws.get_assessment(session, workspace, assessment_id)
    ws.delete_assessment(session, workspace, assessment, actor=actor)
    return Response(status_code=204)


# --- scenarios ------------------------------------------------------------------------------


def _scenario_out(scenario: Scenario) -> ScenarioOut:
    return ScenarioOut.model_validate(scenario.model_dump())


def _options(session: Session, workspace: Workspace, options: Any) -> dict[str, Any]:
    """Scenario options as stored: JSON values, overrides left out when not set, and the
    overrides checked against the workspace's settings (a leave bar above the join bar...)."""
    data: dict[str, Any] = options.model_dump(mode="json", exclude={"settings"})
    if options.settings is not None:
        overrides = options.settings.model_dump(mode="json", exclude_none=True)
        if overrides:
            decision_settings.check_overrides(session, workspace, overrides)
            data["settings"] = overrides
    return data


@router.get("/{workspace_id}/scenarios", response_model=list[ScenarioOut])
def list_scenarios(workspace: ReadWorkspace, session: SessionDep) -> list[ScenarioOut]:
    return [_scenario_out(s) for s in ws.list_scenarios(session, workspace)]


@router.post("/{workspace_id}/scenarios", response_model=ScenarioOut, status_code=201)
def create_scenario(
    workspace: EditWorkspace, body: ScenarioCreate, session: SessionDep, actor: ActorDep
) -> ScenarioOut:
    data = body.model_dump(exclude={"options"})
    data["options"] = _options(session, workspace, body.options)
    return _scenario_out(ws.create_scenario(session, workspace, data, actor=actor))


@router.get("/{workspace_id}/scenarios/{scenario_id}", response_model=ScenarioOut)
def get_scenario(workspace: ReadWorkspace, scenario_id: DbId, session: SessionDep) -> ScenarioOut:
    return _scenario_out(ws.get_scenario(session, workspace, scenario_id))


@router.patch("/{workspace_id}/scenarios/{scenario_id}", response_model=ScenarioOut)
def update_scenario(
    workspace: EditWorkspace,
    scenario_id: DbId,
    body: ScenarioUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> ScenarioOut:
    scenario = ws.get_scenario(session, workspace, scenario_id)
    changes = body.model_dump(exclude_unset=True, exclude={"options"})
    reject_nulls(Scenario, changes)
    if body.options is not None:
        changes["options"] = _options(session, workspace, body.options)
    return _scenario_out(ws.update_scenario(session, workspace, scenario, changes, actor=actor))


@router.delete("/{workspace_id}/scenarios/{scenario_id}", status_code=204)
def delete_scenario(
    workspace: EditWorkspace, scenario_id: DbId, session: SessionDep, actor: ActorDep
) -> Response:
    scenario = ws.get_scenario(session, workspace, scenario_id)
    ws.delete_scenario(session, workspace, scenario, actor=actor)
    return Response(status_code=204)


# --- analysis -------------------------------------------------------------------------------


AsOf = Annotated[
    date | None,
    Query(
        description="Date the notice deadlines are counted from (default: today).",
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
    ),
]


@router.get("/{workspace_id}/scenarios/{scenario_id}/analysis", response_model=AnalysisOut)
def scenario_analysis(
    workspace: ReadWorkspace, scenario_id: DbId, session: SessionDep, as_of: AsOf = None
) -> AnalysisOut:
    """Ranked JOIN/STAY/LEAVE advice with reasons and robustness for a scenario, with the
    summary line, the settings, bars and value functions it used, and its date."""
    scenario = ws.get_scenario(session, workspace, scenario_id)
    ctx = analysis.run_analysis(
        session,
        workspace,
        weights=scenario.weights,
        method=scenario.method,
        options=scenario.options,
        today=as_of,
    )
    return AnalysisOut.model_validate(analysis.analysis_dict(ctx))


@router.post("/{workspace_id}/analysis", response_model=AnalysisOut)
def adhoc_analysis(
    workspace: ReadWorkspace, body: AnalysisRequest, session: SessionDep, as_of: AsOf = None
) -> AnalysisOut:
    """The same analysis for weights, a method and options you send (nothing is stored)."""
    weights = ws.check_weights(session, workspace, body.weights)
    ctx = analysis.run_analysis(
        session,
        workspace,
        weights=weights,
        method=body.method,
        options=_options(session, workspace, body.options),
        today=as_of,
    )
    return AnalysisOut.model_validate(analysis.analysis_dict(ctx))


# --- decision settings ----------------------------------------------------------------------


def _settings_out(session: Session, workspace: Workspace) -> DecisionSettingsOut:
    row = decision_settings.get_settings(session, workspace)
    effective = decision_settings.effective(row, ws.get_profile(session, workspace))
    return DecisionSettingsOut.model_validate(
        decision_settings.settings_dict(row) | {"effective": effective.as_dict()}
    )


@router.get("/{workspace_id}/settings", response_model=DecisionSettingsOut)
def get_settings(workspace: ReadWorkspace, session: SessionDep) -> DecisionSettingsOut:
    """The workspace's decision settings, and the values an analysis uses with their source
    (default, workspace, or derived from the budget)."""
    return _settings_out(session, workspace)


@router.patch("/{workspace_id}/settings", response_model=DecisionSettingsOut)
def update_settings(
    workspace: EditWorkspace, body: DecisionSettingsUpdate, session: SessionDep, actor: ActorDep
) -> DecisionSettingsOut:
    """Change some decision settings (a reference set to null returns to its default)."""
    changes = body.model_dump(exclude_unset=True)
    for name in ("join_bar", "leave_bar", "join_cost", "leave_cost", "overlap_penalty",
                 "evidence_threshold"):  # fmt: skip
        if name in changes and changes[name] is None:
            raise InvalidInput(name, f"{name} cannot be null; leave it out to keep its value.")
    decision_settings.update_settings(session, workspace, changes, actor=actor)
    return _settings_out(session, workspace)


# --- workspace criteria and eligibility gates ------------------------------------------------


def _criterion_out(criterion: Criterion) -> CustomCriterionOut:
    return CustomCriterionOut(
        key=criterion.key,
        title=criterion.title,
        description=criterion.description,
        direction=str(criterion.direction),
        questions=list(criterion.questions),
        anchors=dict(criterion.anchors),
        evidence_examples=list(criterion.evidence_examples),
    )


@router.get("/{workspace_id}/criteria", response_model=list[CustomCriterionOut])
def list_criteria(workspace: ReadWorkspace, session: SessionDep) -> list[CustomCriterionOut]:
    """The workspace's own criteria (the default framework's are in every workspace)."""
    return [_criterion_out(c) for c in ws.list_custom_criteria(session, workspace)]


@router.post("/{workspace_id}/criteria", response_model=CustomCriterionOut, status_code=201)
def add_criterion(
    workspace: EditWorkspace, body: CustomCriterionIn, session: SessionDep, actor: ActorDep
) -> CustomCriterionOut:
    """Add a criterion (e.g. access to EU funding) that assessors then score 1-5."""
    return _criterion_out(
        ws.add_custom_criterion(session, workspace, body.model_dump(), actor=actor)
    )


@router.delete("/{workspace_id}/criteria/{criterion_key}", status_code=204)
def delete_criterion(
    workspace: EditWorkspace, criterion_key: str, session: SessionDep, actor: ActorDep
) -> Response:
    """Remove a workspace criterion and the scores given on it."""
    ws.delete_custom_criterion(session, workspace, criterion_key, actor=actor)
    return Response(status_code=204)


@router.get("/{workspace_id}/gates", response_model=list[GateOut])
def list_gates(workspace: ReadWorkspace, session: SessionDep) -> list[GateOut]:
    """Every eligibility gate that applies in this workspace (framework and own ones)."""
    builtin = {g.key for g in default_framework().gates}
    return [
        GateOut(
            key=g.key,
            title=g.title,
            description=g.description,
            rule=str(g.rule),
            applies_to=list(g.applies_to),
            custom=g.key not in builtin,
        )
        for g in ws.framework_of(session, workspace).gates
    ]


@router.post("/{workspace_id}/gates", response_model=GateOut, status_code=201)
def add_gate(
    workspace: EditWorkspace, body: GateIn, session: SessionDep, actor: ActorDep
) -> GateOut:
    """Add a condition that excludes a network unless the city answers yes for it."""
    gate = ws.add_custom_gate(session, workspace, body.model_dump(), actor=actor)
    return GateOut(
        key=gate.key,
        title=gate.title,
        description=gate.description,
        rule=str(gate.rule),
        applies_to=list(gate.applies_to),
        custom=True,
    )


@router.delete("/{workspace_id}/gates/{gate_key}", status_code=204)
def delete_gate(
    workspace: EditWorkspace, gate_key: str, session: SessionDep, actor: ActorDep
) -> Response:
    """Remove a workspace gate and the answers recorded for it (kept in the audit log)."""
    ws.delete_custom_gate(session, workspace, gate_key, actor=actor)
    return Response(status_code=204)


@router.get("/{workspace_id}/gate-answers", response_model=list[GateAnswerOut])
def list_gate_answers(workspace: ReadWorkspace, session: SessionDep) -> list[GateAnswerOut]:
    return [
        GateAnswerOut(network_id=a.network_id, gate=a.gate, answer=a.answer, note=a.note)
        for a in ws.list_gate_answers(session, workspace)
    ]


@router.put("/{workspace_id}/gates/{gate_key}/answers/{network_id}", response_model=GateAnswerOut)
def set_gate_answer(
    workspace: EditWorkspace,
    gate_key: str,
    network_id: str,
    body: GateAnswerIn,
    session: SessionDep,
    actor: ActorDep,
) -> GateAnswerOut:
    """Record whether the city meets a gate for one network (null = not known yet)."""
    row = ws.set_gate_answer(
        session, workspace, gate_key, network_id, answer=body.answer, note=body.note, actor=actor
    )
    return GateAnswerOut(network_id=row.network_id, gate=row.gate, answer=row.answer, note=row.note)
