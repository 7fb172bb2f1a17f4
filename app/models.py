"""SQLModel tables. Money is stored as integer minor units (cents), never as float.

Timestamps are timezone-aware UTC. JSON columns hold small structured values (theme lists,
weights) that are always read and written whole.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import JSON, BigInteger, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

AUTOINCREMENT: Final[dict[str, Any]] = {"sqlite_autoincrement": True}
"""Table option: SQLite never hands out a deleted row's id again (PostgreSQL never does)."""


def utcnow() -> datetime:
    """Now, in UTC, truncated to whole microseconds (what both databases keep)."""
    return datetime.now(UTC)


class Network(SQLModel, table=True):
    """A real international city network, shared by all workspaces; facts as published."""

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    acronym: str = Field(default="", max_length=60)
    founded: str = Field(default="unknown", max_length=120)
    hq_secretariat: str = Field(default="unknown", sa_type=Text)
    scope: str = Field(default="unknown", max_length=200)
    member_count: str = Field(default="unknown", max_length=200)
    member_unit: str = Field(default="", sa_type=Text)
    member_count_year: str = Field(default="", max_length=120)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    governance_type: str = Field(default="unknown", sa_type=Text)
    format: str = Field(default="unknown", sa_type=Text)
    membership_fee: str = Field(default="unknown", sa_type=Text)
    eligibility: str = Field(default="unknown", sa_type=Text)
    services: list[str] = Field(default_factory=list, sa_type=JSON)
    website: str = Field(default="unknown", max_length=500)
    confidence: str = Field(default="low", max_length=10)
    notes: str = Field(default="", sa_type=Text)
    membership_kind: str = Field(default="membership", max_length=20)
    active: str = Field(default="yes", max_length=10)
    version: int = Field(default=1)


class NetworkSource(SQLModel, table=True):
    """One source (URL or seed document) behind a network's facts, in citation order."""

    __table_args__ = (UniqueConstraint("network_id", "position"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    network_id: str = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    position: int
    url: str = Field(sa_type=Text)


class NetworkFunctionTag(SQLModel, table=True):
    """A function the network serves (`criteria.functions`), with the source that says so."""

    __table_args__ = (UniqueConstraint("network_id", "function"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    network_id: str = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    function: str = Field(max_length=40)
    source: str = Field(sa_type=Text)
    note: str = Field(default="", sa_type=Text)


class NetworkFamilyLink(SQLModel, table=True):
    """A child network's link to its parent (a section, branch...), with the membership rule."""

    __table_args__ = (UniqueConstraint("parent_id", "child_id"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: str = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    child_id: str = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    relation: str = Field(max_length=20)  # section | branch | chapter | committee | ...
    source: str = Field(sa_type=Text)
    rule: str = Field(max_length=20)  # implies | requires | unstated
    rule_source: str = Field(default="", sa_type=Text)
    note: str = Field(default="", sa_type=Text)


class NetworkEligibilityRule(SQLModel, table=True):
    """An entry condition a source states for a network (`criteria.EligibilityRule`)."""

    __table_args__ = (UniqueConstraint("network_id", "kind"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    network_id: str = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)  # min_population | region | invitation_only | ...
    minimum: int | None = None  # inhabitants, for min_population
    capital_exempt: bool = False
    regions: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str | None = Field(default=None, max_length=10)  # closed | uncertain
    source: str = Field(sa_type=Text)
    note: str = Field(default="", sa_type=Text)


class Workspace(SQLModel, table=True):
    """One city's private space: profile, memberships, assessments, scenarios."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    fictional: bool = False
    notice: str = Field(default="", sa_type=Text)
    framework: str = Field(default="ideal-network", max_length=64)
    # The scenario the dashboard opens (chosen by an owner); None or a deleted one: the first.
    default_scenario_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class CityProfile(SQLModel, table=True):
    """The city behind a workspace: where it is, how big, what it cares about, what it can spend."""

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True, ondelete="CASCADE")
    region: str = Field(default="", max_length=100)
    country: str | None = Field(default=None, max_length=100)
    population_band: str = Field(default="", max_length=20)
    currency: str = Field(default="EUR", max_length=3)
    fee_budget_minor: int | None = Field(default=None, sa_type=BigInteger)  # minor units/year
    # Travel and event costs: None = they count against the fee budget; else their own budget.
    travel_budget_minor: int | None = Field(default=None, sa_type=BigInteger)  # minor/year
    staff_hours_budget: int | None = None  # hours/year
    priority_themes: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    population: int | None = None  # inhabitants; None = not recorded
    income_group: str | None = Field(default=None, max_length=20)  # World Bank: low ... high
    gni_per_capita_usd: int | None = None  # the country's GNI per head, current USD
    world_heritage_site: bool | None = None  # a UNESCO World Heritage site in the city
    capital_city: bool | None = None  # the country's capital
    function_needs: dict[str, float] = Field(default_factory=dict, sa_type=JSON)  # key -> weight
    version: int = Field(default=1)


class Membership(SQLModel, table=True):
    """The city's relation to one network: member, candidate or former member."""

    __table_args__ = (UniqueConstraint("workspace_id", "network_id"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    network_id: str = Field(foreign_key="network.id", index=True)
    status: str = Field(max_length=10)  # member | candidate | former
    since: date | None = None
    annual_fee_minor: int = Field(default=0, sa_type=BigInteger)  # minor units/year
    fee_is_estimate: bool = False  # the fee came from `scoring.fees`, not an invoice or quote
    travel_cost_minor: int = Field(default=0, sa_type=BigInteger)  # travel and events, minor/year
    staff_hours: int = 0  # hours/year
    engagement: str | None = Field(default=None, max_length=10)  # active | passive
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    renewal_date: date | None = None
    notice_days: int | None = None
    lock: str | None = Field(default=None, max_length=10)  # keep | exclude
    notes: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class Outcome(SQLModel, table=True):
    """Something a membership delivered in a given year: the realised value of a review."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="membership.id", index=True, ondelete="CASCADE")
    year: int
    kind: str = Field(max_length=20)  # project | funding | policy | event | knowledge
    title: str = Field(sa_type=Text)
    amount_minor: int | None = Field(default=None, sa_type=BigInteger)


class Assessment(SQLModel, table=True):
    """One assessor's anchored 1-5 score of one network on one criterion (None = missing)."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "network_id", "criterion", "assessor"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    network_id: str = Field(foreign_key="network.id", index=True)
    criterion: str = Field(max_length=48)
    assessor: str = Field(max_length=200)
    score: int | None = None
    evidence: str = Field(default="", sa_type=Text)
    source_url: str | None = Field(default=None, sa_type=Text)
    confidence: str = Field(default="medium", max_length=10)  # low | medium | high
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class Scenario(SQLModel, table=True):
    """A named set of weights (points per criterion), a method and analysis options."""

    __table_args__ = (UniqueConstraint("workspace_id", "name"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text)
    method: str = Field(default="weighted_sum", max_length=30)
    weights: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class DecisionSettings(SQLModel, table=True):
    """A workspace's decision settings (see `scoring.settings`); one row per workspace.

    Scenarios may override any of them in ``Scenario.options["settings"]``. Money in minor
    units; a reference left empty defaults to a quarter of the budget.
    """

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True, ondelete="CASCADE")
    join_bar: float = 0.60
    leave_bar: float = 0.45
    join_cost: float = 0.02
    leave_cost: float = 0.02
    overlap_penalty: float = 0.10
    evidence_threshold: float = 0.70
    fee_reference_minor: int | None = Field(default=None, sa_type=BigInteger)
    hours_reference: int | None = None
    calendar_token_hash: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class CustomCriterion(SQLModel, table=True):
    """A criterion a workspace adds to its framework (validated by `criteria.parse_criterion`)."""

    __table_args__ = (UniqueConstraint("workspace_id", "key"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=48)
    position: int = 0
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CustomGate(SQLModel, table=True):
    """An eligibility gate a workspace adds (validated by `criteria.parse_gate`)."""

    __table_args__ = (UniqueConstraint("workspace_id", "key"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=48)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class GateAnswer(SQLModel, table=True):
    """The city's answer to a manual eligibility gate for one network (None = not answered)."""

    __table_args__ = (UniqueConstraint("workspace_id", "network_id", "gate"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    network_id: str = Field(foreign_key="network.id", index=True)
    gate: str = Field(max_length=48)
    answer: bool | None = None
    note: str = Field(default="", sa_type=Text)


class Decision(SQLModel, table=True):
    """What a council (or other body) decided about one network, with the advice it followed.

    ``snapshot`` freezes the advice at the time of the decision (scenario, method, weights,
    settings, recommended action, value, rank, robustness, input fingerprint), so a later
    review can set "recommended LEAVE, council decided STAY" against what happened since.
    One decision per network and day; the newest ``decided_on`` is the one in force.
    """

    __table_args__ = (UniqueConstraint("workspace_id", "network_id", "decided_on"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    network_id: str = Field(foreign_key="network.id", index=True)
    action: str = Field(max_length=12)  # join | stay | leave | not_join | defer
    decided_on: date
    body: str = Field(max_length=200)  # e.g. "City Council", "Mayor's office"
    reference: str = Field(default="", max_length=200)  # minute or resolution reference
    effective_on: date | None = None
    next_review_on: date | None = None
    notes: str = Field(default="", sa_type=Text)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, from what to what. Written by services, never edited."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    # Deleting the workspace deletes its trail (site-level entries have no workspace).
    workspace_id: int | None = Field(
        default=None, foreign_key="workspace.id", index=True, ondelete="CASCADE"
    )
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=20)  # create | update | delete | import
    entity: str = Field(max_length=40)  # membership | assessment | scenario | profile | ...
    entity_key: str = Field(max_length=200)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


# --- accounts -------------------------------------------------------------------------------


class User(SQLModel, table=True):
    """A person who signs in. `is_admin` (site admin) may edit the shared network catalogue."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)  # stored lowercased
    password_hash: str = Field(default="", sa_type=Text)  # empty: no password set yet
    display_name: str = Field(default="", max_length=200)
    is_active: bool = True
    is_admin: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    locale: str | None = Field(default=None, max_length=8)  # en, es, fr; None: the browser's


class WorkspaceMember(SQLModel, table=True):
    """A user's role in one workspace: owner (manages members), analyst (edits), viewer."""

    __table_args__ = (UniqueConstraint("workspace_id", "user_id"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=10)  # owner | analyst | viewer
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class UserSession(SQLModel, table=True):
    """A signed-in browser. `id` is the SHA-256 of the random token kept in the cookie."""

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    csrf_secret: str = Field(max_length=64)


class ApiToken(SQLModel, table=True):
    """A personal API token for integrations; only its SHA-256 is stored."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, for rate limiting that holds across processes."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    succeeded: bool = False


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a password (first sign-in or reset); only its SHA-256 is stored."""

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


# --- workshops ------------------------------------------------------------------------------


class Workshop(SQLModel, table=True):
    """A live session in which participants give their own weights from their phones.

    ``code`` is the short join code (`/w/CODE`); it works while ``status`` is ``open``.
    ``seq`` counts every change the room can see (a submission, a reveal, a new round): it is
    raised in the same transaction as the change, under the row's lock, so it orders the
    changes as they were committed and names the events sent to the screens.
    ``open_round_id`` names the round taking submissions, on this row so that the one UPDATE
    that takes the lock also checks it (no foreign key: rounds refer to the workshop).
    """

    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=120)
    code: str = Field(unique=True, max_length=12)
    scenario_id: int | None = Field(default=None, foreign_key="scenario.id", ondelete="SET NULL")
    method: str = Field(default="weighted_sum", max_length=30)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    criteria: list[str] = Field(default_factory=list, sa_type=JSON)  # the keys people weigh
    groups: list[str] = Field(default_factory=list, sa_type=JSON)  # stakeholder groups
    aggregation: str = Field(default="mean", max_length=10)  # mean | geometric | median
    status: str = Field(default="open", max_length=10)  # open | closed
    open_round_id: int | None = None  # the round taking submissions (none: closed)
    seq: int = 0
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    version: int = Field(default=1)


class WorkshopRound(SQLModel, table=True):
    """One round of a workshop: participants submit while it is open; votes stay hidden from
    the room until the facilitator reveals them."""

    __table_args__ = (UniqueConstraint("workshop_id", "number"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    number: int
    status: str = Field(default="open", max_length=10)  # open | closed
    revealed: bool = False
    opened_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    frozen_scenario_id: int | None = Field(
        default=None, foreign_key="scenario.id", ondelete="SET NULL"
    )


class WorkshopParticipant(SQLModel, table=True):
    """A phone that joined a workshop. Only the SHA-256 of its device token is stored; the
    token itself lives in a cookie on that phone and lets it change its own submission."""

    __table_args__ = (UniqueConstraint("workshop_id", "display_name"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    display_name: str = Field(max_length=60)
    stakeholder_group: str | None = Field(default=None, max_length=60)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class WorkshopSubmission(SQLModel, table=True):
    """One submission of a participant's weights (points per criterion) in a round.

    Resubmitting adds a row; the participant's vote is their newest row (largest ``seq``).
    ``submission_key`` comes from the form the phone posted: a retried post of the same form
    finds its row instead of adding a second one.
    """

    __table_args__ = (UniqueConstraint("participant_id", "submission_key"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="workshopround.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(
        foreign_key="workshopparticipant.id", index=True, ondelete="CASCADE"
    )
    weights: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    seq: int
    submission_key: str = Field(max_length=64)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
