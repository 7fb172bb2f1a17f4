"""Workspaces and what they hold: profile, memberships, assessments, scenarios.

Every function takes the workspace it works in; nothing here reaches across workspaces.
Each write records an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound
from app.models import (
    Assessment,
    CityProfile,
    CustomCriterion,
    CustomGate,
    Decision,
    GateAnswer,
    Membership,
    Network,
    Outcome,
    Scenario,
    Workspace,
    utcnow,
)
from app.services.common import audit, check_version, from_minor, jsonable, snapshot, to_minor
from criteria import (
    CriteriaError,
    Criterion,
    EligibilityGate,
    Framework,
    default_framework,
    extend_framework,
    parse_criterion,
    parse_function_needs,
    parse_gate,
)

Row = TypeVar("Row", Assessment, Scenario)


def _insert(
    session: Session,
    workspace: Workspace,
    row: Row,
    *,
    actor: str,
    entity: str,
    key: Callable[[Row], str],
    duplicate: str,
) -> Row:
    """Add a workspace row with its audit entry; a unique-key clash is a Conflict."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(duplicate) from exc
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity=entity,
        entity_key=key(row),
        after=snapshot(row),
    )
    session.commit()
    session.refresh(row)
    return row


def _update(
    session: Session,
    workspace: Workspace,
    row: Row,
    changes: dict[str, Any],
    *,
    actor: str,
    entity: str,
    key: Callable[[Row], str],
    duplicate: str = "",
) -> Row:
    """Apply `changes` (checking the optimistic `version`), bump the version, audit the diff."""
    check_version(row, changes.pop("version", None), entity)
    before = snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(duplicate or f"This {entity} clashes with another one.") from exc
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity=entity,
        entity_key=key(row),
        before=before,
        after=snapshot(row),
    )
    session.commit()
    session.refresh(row)
    return row


def _delete(
    session: Session,
    workspace: Workspace,
    row: Row,
    *,
    actor: str,
    entity: str,
    key: Callable[[Row], str],
) -> None:
    """Delete a workspace row, recording what it held."""
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity=entity,
        entity_key=key(row),
        before=snapshot(row),
    )
    session.delete(row)
    session.commit()


# --- workspaces -----------------------------------------------------------------------------


def list_workspaces(session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(col(Workspace.name))))


def get_workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("workspace", workspace_id)
    return workspace


def get_workspace_by_slug(session: Session, slug: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.slug == slug)).first()


def get_profile(session: Session, workspace: Workspace) -> CityProfile:
    profile = session.get(CityProfile, workspace.id)
    if profile is None:  # every workspace is created with one; repair rather than fail
        profile = CityProfile(workspace_id=workspace.id or 0)
        session.add(profile)
        session.flush()
    return profile


def profile_dict(profile: CityProfile) -> dict[str, Any]:
    return {
        "region": profile.region,
        "country": profile.country,
        "population_band": profile.population_band,
        "currency": profile.currency,
        "fee_budget": None
        if profile.fee_budget_minor is None
        else from_minor(profile.fee_budget_minor),
        "travel_budget": None
        if profile.travel_budget_minor is None
        else from_minor(profile.travel_budget_minor),
        "staff_hours_budget": profile.staff_hours_budget,
        "priority_themes": dict(profile.priority_themes),
        "population": profile.population,
        "income_group": profile.income_group,
        "gni_per_capita_usd": profile.gni_per_capita_usd,
        "world_heritage_site": profile.world_heritage_site,
        "capital_city": profile.capital_city,
        "function_needs": dict(profile.function_needs),
        "version": profile.version,
    }


def _apply_profile(profile: CityProfile, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "fee_budget":
            profile.fee_budget_minor = None if value is None else to_minor(value)
        elif key == "travel_budget":
            profile.travel_budget_minor = None if value is None else to_minor(value)
        elif key == "priority_themes":
            profile.priority_themes = {str(k): float(v) for k, v in value.items()}
        elif key == "function_needs":
            try:
                profile.function_needs = parse_function_needs(value)
            except CriteriaError as exc:
                first = next(iter(exc.fields), "")
                raise InvalidInput(
                    ("function_needs", first) if first else "function_needs", str(exc)
                ) from exc
        else:
            setattr(profile, key, value)


def create_workspace(
    session: Session, data: dict[str, Any], *, actor: str, owner_id: int | None = None
) -> Workspace:
    """A new workspace with its profile and, given `owner_id`, its owner: one transaction, so
    a failure part-way (the database going away) leaves no workspace without an owner."""
    if get_workspace_by_slug(session, data["slug"]) is not None:
        raise Conflict(f"A workspace with the slug '{data['slug']}' already exists.")
    profile_data = data.pop("profile", {})
    workspace = Workspace(**data)
    session.add(workspace)
    session.flush()
    profile = CityProfile(workspace_id=workspace.id or 0)
    _apply_profile(profile, profile_data)
    session.add(profile)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="workspace",
        entity_key=workspace.slug,
        after=snapshot(workspace) | {"profile": jsonable(profile_dict(profile))},
    )
    if owner_id is not None:
        from app.services.accounts import make_owner

        make_owner(session, workspace.id or 0, owner_id)
    session.commit()
    session.refresh(workspace)
    return workspace


def update_workspace(
    session: Session, workspace: Workspace, changes: dict[str, Any], *, actor: str
) -> Workspace:
    check_version(workspace, changes.pop("version", None), "workspace")
    before = snapshot(workspace)
    for key, value in changes.items():
        setattr(workspace, key, value)
    workspace.version += 1
    workspace.updated_at = utcnow()
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="workspace",
        entity_key=workspace.slug,
        before=before,
        after=snapshot(workspace),
    )
    session.commit()
    session.refresh(workspace)
    return workspace


def delete_workspace(session: Session, workspace: Workspace, *, actor: str) -> None:
    """Delete the workspace and everything in it, its audit trail too (the foreign key's
    ON DELETE CASCADE); the deletion itself is recorded as a site-level entry (no workspace)."""
    audit(
        session,
        workspace_id=None,
        actor=actor,
        action="delete",
        entity="workspace",
        entity_key=workspace.slug,
        before=snapshot(workspace),
    )
    for model in (Assessment, Scenario, CustomCriterion, CustomGate, Decision):
        for row in session.exec(select(model).where(model.workspace_id == workspace.id)):
            session.delete(row)
    for membership in session.exec(
        select(Membership).where(Membership.workspace_id == workspace.id)
    ):
        _delete_membership_rows(session, membership)
    profile = session.get(CityProfile, workspace.id)
    if profile is not None:
        session.delete(profile)
    session.flush()
    session.delete(workspace)
    session.commit()


def update_profile(
    session: Session, workspace: Workspace, changes: dict[str, Any], *, actor: str
) -> CityProfile:
    profile = get_profile(session, workspace)
    check_version(profile, changes.pop("version", None), "city profile")
    before = jsonable(profile_dict(profile))
    _apply_profile(profile, changes)
    profile.version += 1
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="profile",
        entity_key=workspace.slug,
        before=before,
        after=jsonable(profile_dict(profile)),
    )
    session.commit()
    session.refresh(profile)
    return profile


# --- framework ------------------------------------------------------------------------------


def framework_of(session: Session, workspace: Workspace) -> Framework:
    """The default framework extended by the workspace's own criteria and gates."""
    customs = session.exec(
        select(CustomCriterion)
        .where(CustomCriterion.workspace_id == workspace.id)
        .order_by(col(CustomCriterion.position), col(CustomCriterion.key))
    ).all()
    gates = session.exec(
        select(CustomGate)
        .where(CustomGate.workspace_id == workspace.id)
        .order_by(col(CustomGate.key))
    ).all()
    base = default_framework()
    if not customs and not gates:
        return base
    return extend_framework(
        base,
        [parse_criterion(c.definition) for c in customs],
        [parse_gate(g.definition) for g in gates],
    )


# --- memberships ----------------------------------------------------------------------------


def list_memberships(
    session: Session, workspace: Workspace, *, status: str | None = None
) -> list[tuple[Membership, Network]]:
    stmt = (
        select(Membership, Network)
        .join(Network, col(Network.id) == col(Membership.network_id))
        .where(Membership.workspace_id == workspace.id)
    )
    if status:
        stmt = stmt.where(Membership.status == status)
    rows = session.exec(stmt.order_by(col(Membership.status).desc(), col(Network.name))).all()
    return [(m, n) for m, n in rows]


def get_membership(session: Session, workspace: Workspace, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.workspace_id != workspace.id:
        raise NotFound("membership", membership_id)
    return membership


def outcomes_of(session: Session, membership_ids: list[int]) -> dict[int, list[Outcome]]:
    result: dict[int, list[Outcome]] = {m: [] for m in membership_ids}
    if not membership_ids:
        return result
    rows = session.exec(
        select(Outcome)
        .where(col(Outcome.membership_id).in_(membership_ids))
        .order_by(col(Outcome.membership_id), col(Outcome.year), col(Outcome.id))
    )
    for row in rows:
        result[row.membership_id].append(row)
    return result


def outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "year": outcome.year,
        "kind": outcome.kind,
        "title": outcome.title,
        "amount": None if outcome.amount_minor is None else from_minor(outcome.amount_minor),
    }


def membership_dict(
    membership: Membership, network: Network, outcomes: list[Outcome], currency: str
) -> dict[str, Any]:
    return {
        "id": membership.id,
        "network_id": membership.network_id,
        "network_name": network.name,
        "status": membership.status,
        "since": membership.since,
        "annual_fee": from_minor(membership.annual_fee_minor),
        "fee_is_estimate": membership.fee_is_estimate,
        "travel_cost": from_minor(membership.travel_cost_minor),
        "currency": currency,
        "staff_hours": membership.staff_hours,
        "engagement": membership.engagement,
        "roles": list(membership.roles),
        "renewal_date": membership.renewal_date,
        "notice_days": membership.notice_days,
        "lock": membership.lock,
        "notes": membership.notes,
        "outcomes": [outcome_dict(o) for o in outcomes],
        "version": membership.version,
    }


def _membership_rules(data: dict[str, Any]) -> None:
    if data.get("status") == "candidate" and data.get("engagement") is not None:
        raise InvalidInput(
            "engagement", "A candidate has no engagement yet; leave engagement empty."
        )


def _set_outcomes(session: Session, membership: Membership, outcomes: list[dict[str, Any]]) -> None:
    for old in session.exec(select(Outcome).where(Outcome.membership_id == membership.id)):
        session.delete(old)
    session.flush()
    for item in outcomes:
        amount = item.get("amount")
        session.add(
            Outcome(
                membership_id=membership.id or 0,
                year=item["year"],
                kind=item["kind"],
                title=item["title"],
                amount_minor=None if amount is None else to_minor(Decimal(amount)),
            )
        )


def _membership_snapshot(session: Session, membership: Membership) -> dict[str, Any]:
    data = snapshot(membership)
    outcomes = outcomes_of(session, [membership.id or 0])[membership.id or 0]
    data["outcomes"] = jsonable([outcome_dict(o) for o in outcomes])
    return data


def create_membership(
    session: Session, workspace: Workspace, data: dict[str, Any], *, actor: str
) -> Membership:
    if session.get(Network, data["network_id"]) is None:
        raise InvalidInput(
            "network_id", f"There is no network '{data['network_id']}' in the catalogue."
        )
    _membership_rules(data)
    outcomes = data.pop("outcomes", [])
    fee = data.pop("annual_fee", Decimal("0"))
    travel = data.pop("travel_cost", Decimal("0"))
    membership = Membership(
        workspace_id=workspace.id or 0,
        annual_fee_minor=to_minor(fee),
        travel_cost_minor=to_minor(travel),
        **data,
    )
    session.add(membership)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"This workspace already has a record for network '{data['network_id']}'."
        ) from exc
    _set_outcomes(session, membership, outcomes)
    session.flush()
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="membership",
        entity_key=membership.network_id,
        after=_membership_snapshot(session, membership),
    )
    session.commit()
    session.refresh(membership)
    return membership


def update_membership(
    session: Session,
    workspace: Workspace,
    membership: Membership,
    changes: dict[str, Any],
    *,
    actor: str,
) -> Membership:
    check_version(membership, changes.pop("version", None), "membership")
    before = _membership_snapshot(session, membership)
    merged = {"status": membership.status, "engagement": membership.engagement} | changes
    if merged["status"] == "candidate" and "engagement" not in changes:
        changes["engagement"] = None
        merged["engagement"] = None
    _membership_rules(merged)
    outcomes = changes.pop("outcomes", None)
    if "annual_fee" in changes:
        membership.annual_fee_minor = to_minor(changes.pop("annual_fee"))
        changes.setdefault("fee_is_estimate", False)  # an entered figure replaces the estimate
    if "travel_cost" in changes:
        membership.travel_cost_minor = to_minor(changes.pop("travel_cost"))
    for key, value in changes.items():
        setattr(membership, key, value)
    if outcomes is not None:
        _set_outcomes(session, membership, outcomes)
    membership.version += 1
    membership.updated_at = utcnow()
    session.flush()
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="update",
        entity="membership",
        entity_key=membership.network_id,
        before=before,
        after=_membership_snapshot(session, membership),
    )
    session.commit()
    session.refresh(membership)
    return membership


def _delete_membership_rows(session: Session, membership: Membership) -> None:
    for old in session.exec(select(Outcome).where(Outcome.membership_id == membership.id)):
        session.delete(old)
    session.flush()
    session.delete(membership)


def delete_membership(
    session: Session, workspace: Workspace, membership: Membership, *, actor: str
) -> None:
    before = _membership_snapshot(session, membership)
    _delete_membership_rows(session, membership)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity="membership",
        entity_key=membership.network_id,
        before=before,
    )
    session.commit()


# --- assessments ----------------------------------------------------------------------------


def list_assessments(
    session: Session,
    workspace: Workspace,
    *,
    network_id: str | None = None,
    criterion: str | None = None,
) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.workspace_id == workspace.id)
    if network_id:
        stmt = stmt.where(Assessment.network_id == network_id)
    if criterion:
        stmt = stmt.where(Assessment.criterion == criterion)
    stmt = stmt.order_by(
        col(Assessment.network_id), col(Assessment.criterion), col(Assessment.assessor)
    )
    return list(session.exec(stmt))


def get_assessment(session: Session, workspace: Workspace, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.workspace_id != workspace.id:
        raise NotFound("assessment", assessment_id)
    return assessment


def _check_criterion(session: Session, workspace: Workspace, key: str) -> None:
    framework = framework_of(session, workspace)
    if key not in framework.assessed_keys:
        allowed = ", ".join(framework.assessed_keys)
        raise InvalidInput(
            "criterion",
            f"'{key}' is not a criterion assessors score in this workspace; use one of: {allowed}.",
        )


def _assessment_key(assessment: Assessment) -> str:
    return f"{assessment.network_id}/{assessment.criterion}/{assessment.assessor}"


def create_assessment(
    session: Session, workspace: Workspace, data: dict[str, Any], *, actor: str
) -> Assessment:
    if session.get(Network, data["network_id"]) is None:
        raise InvalidInput(
            "network_id", f"There is no network '{data['network_id']}' in the catalogue."
        )
    _check_criterion(session, workspace, data["criterion"])
    return _insert(
        session,
        workspace,
        Assessment(workspace_id=workspace.id or 0, **data),
        actor=actor,
        entity="assessment",
        key=_assessment_key,
        duplicate=f"{data['assessor']} has already scored {data['network_id']} on "
        f"{data['criterion']}; update that assessment instead.",
    )


def update_assessment(
    session: Session,
    workspace: Workspace,
    assessment: Assessment,
    changes: dict[str, Any],
    *,
    actor: str,
) -> Assessment:
    return _update(
        session,
        workspace,
        assessment,
        changes,
        actor=actor,
        entity="assessment",
        key=_assessment_key,
    )


def delete_assessment(
    session: Session, workspace: Workspace, assessment: Assessment, *, actor: str
) -> None:
    _delete(session, workspace, assessment, actor=actor, entity="assessment", key=_assessment_key)


# --- scenarios ------------------------------------------------------------------------------


def list_scenarios(session: Session, workspace: Workspace) -> list[Scenario]:
    return list(
        session.exec(
            select(Scenario)
            .where(Scenario.workspace_id == workspace.id)
            .order_by(col(Scenario.created_at), col(Scenario.id))
        )
    )


def get_scenario(session: Session, workspace: Workspace, scenario_id: int) -> Scenario:
    scenario = session.get(Scenario, scenario_id)
    if scenario is None or scenario.workspace_id != workspace.id:
        raise NotFound("scenario", scenario_id)
    return scenario


def check_weights(
    session: Session, workspace: Workspace, weights: dict[str, float]
) -> dict[str, float]:
    keys = framework_of(session, workspace).keys
    unknown = sorted(set(weights) - set(keys))
    if unknown:
        raise InvalidInput(
            ("weights", unknown[0]),
            f"'{unknown[0]}' is not a criterion of this workspace's framework.",
        )
    complete = {k: float(weights.get(k, 0.0)) for k in keys}
    if not any(v > 0 for v in complete.values()):
        raise InvalidInput("weights", "At least one criterion needs a weight above zero.")
    return complete


def _scenario_key(scenario: Scenario) -> str:
    return scenario.name


def create_scenario(
    session: Session, workspace: Workspace, data: dict[str, Any], *, actor: str
) -> Scenario:
    data["weights"] = check_weights(session, workspace, data["weights"])
    return _insert(
        session,
        workspace,
        Scenario(workspace_id=workspace.id or 0, **data),
        actor=actor,
        entity="scenario",
        key=_scenario_key,
        duplicate=f"A scenario named '{data['name']}' already exists.",
    )


def update_scenario(
    session: Session,
    workspace: Workspace,
    scenario: Scenario,
    changes: dict[str, Any],
    *,
    actor: str,
) -> Scenario:
    if "weights" in changes:
        changes["weights"] = check_weights(session, workspace, changes["weights"])
    return _update(
        session,
        workspace,
        scenario,
        changes,
        actor=actor,
        entity="scenario",
        key=_scenario_key,
        duplicate=f"A scenario named '{changes.get('name')}' already exists.",
    )


def delete_scenario(
    session: Session, workspace: Workspace, scenario: Scenario, *, actor: str
) -> None:
    if workspace.default_scenario_id == scenario.id:
        workspace.default_scenario_id = None  # the dashboard falls back to the first scenario
        session.add(workspace)
    _delete(session, workspace, scenario, actor=actor, entity="scenario", key=_scenario_key)


def set_default_scenario(
    session: Session, workspace: Workspace, scenario: Scenario | None, *, actor: str
) -> Workspace:
    """Make ``scenario`` the one the dashboard opens (None: the first saved), audited."""
    return update_workspace(
        session,
        workspace,
        {"default_scenario_id": None if scenario is None else scenario.id},
        actor=actor,
    )


# --- workspace criteria and eligibility gates ------------------------------------------------


def list_custom_criteria(session: Session, workspace: Workspace) -> list[Criterion]:
    """The workspace's own criteria, in the order they were added."""
    return [c for c in framework_of(session, workspace).criteria if c.group == "custom"]


def add_custom_criterion(
    session: Session, workspace: Workspace, data: dict[str, Any], *, actor: str
) -> Criterion:
    """Validate a criterion against the workspace's framework (no clashing key) and store it."""
    criterion = parse_criterion({**data, "kind": "assessed", "group": "custom"})
    extend_framework(framework_of(session, workspace), [criterion])  # raises on a clash
    position = len(list_custom_criteria(session, workspace))
    definition = criterion.model_dump(mode="json")
    session.add(
        CustomCriterion(
            workspace_id=workspace.id or 0,
            key=criterion.key,
            position=position,
            definition=definition,
        )
    )
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="criterion",
        entity_key=criterion.key,
        after=definition,
    )
    session.commit()
    return criterion


def delete_custom_criterion(
    session: Session, workspace: Workspace, key: str, *, actor: str
) -> None:
    """Remove a workspace criterion and the scores given on it (both recorded in the audit)."""
    row = session.exec(
        select(CustomCriterion).where(
            CustomCriterion.workspace_id == workspace.id, CustomCriterion.key == key
        )
    ).first()
    if row is None:
        raise NotFound("criterion", key)
    scores = list_assessments(session, workspace, criterion=key)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity="criterion",
        entity_key=key,
        before=dict(row.definition) | {"assessments_removed": len(scores)},
    )
    for assessment in scores:
        session.delete(assessment)
    session.delete(row)
    session.commit()


def add_custom_gate(
    session: Session, workspace: Workspace, data: dict[str, Any], *, actor: str
) -> EligibilityGate:
    """Store a manual eligibility gate (the city answers it per network)."""
    gate = parse_gate({**data, "rule": "manual"})
    extend_framework(framework_of(session, workspace), (), [gate])  # raises on a clash
    definition = gate.model_dump(mode="json")
    session.add(CustomGate(workspace_id=workspace.id or 0, key=gate.key, definition=definition))
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create",
        entity="gate",
        entity_key=gate.key,
        after=definition,
    )
    session.commit()
    return gate


def delete_custom_gate(session: Session, workspace: Workspace, key: str, *, actor: str) -> None:
    row = session.exec(
        select(CustomGate).where(CustomGate.workspace_id == workspace.id, CustomGate.key == key)
    ).first()
    if row is None:
        raise NotFound("gate", key)
    answers = [a for a in list_gate_answers(session, workspace) if a.gate == key]
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="delete",
        entity="gate",
        entity_key=key,
        before=dict(row.definition)
        | {"answers_removed": {a.network_id: a.answer for a in answers}},
    )
    for answer in answers:
        session.delete(answer)
    session.delete(row)
    session.commit()


def list_gate_answers(session: Session, workspace: Workspace) -> list[GateAnswer]:
    return list(
        session.exec(
            select(GateAnswer)
            .where(GateAnswer.workspace_id == workspace.id)
            .order_by(col(GateAnswer.network_id), col(GateAnswer.gate))
        )
    )


def _is_rule_of(session: Session, gate: str, network_id: str) -> bool:
    """True for ``rule:<kind>`` naming an entry rule of the network in the catalogue (the
    city answers the rules its data cannot decide, such as an invitation)."""
    from app.services.catalogue import eligibility_rules  # late: keeps the import graph flat

    rules = eligibility_rules(session, [network_id]).get(network_id, ())
    return any(rule.key == gate for rule in rules)


def set_gate_answer(
    session: Session,
    workspace: Workspace,
    gate: str,
    network_id: str,
    *,
    answer: bool | None,
    note: str,
    actor: str,
) -> GateAnswer:
    """Record the city's answer to a gate for one network (None = not known)."""
    if session.get(Network, network_id) is None:
        raise NotFound("network", network_id)
    if gate not in framework_of(session, workspace).gate_keys and not _is_rule_of(
        session, gate, network_id
    ):
        raise NotFound("gate", gate)
    row = session.exec(
        select(GateAnswer).where(
            GateAnswer.workspace_id == workspace.id,
            GateAnswer.network_id == network_id,
            GateAnswer.gate == gate,
        )
    ).first()
    before = None if row is None else {"answer": row.answer, "note": row.note}
    if row is None:
        row = GateAnswer(workspace_id=workspace.id or 0, network_id=network_id, gate=gate)
    row.answer = answer
    row.note = note
    session.add(row)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="create" if before is None else "update",
        entity="gate_answer",
        entity_key=f"{network_id}/{gate}",
        before=before,
        after={"answer": answer, "note": note},
    )
    session.commit()
    session.refresh(row)
    return row
