"""Pydantic request and response models of the JSON API (`/api/v1`).

Input models are strict about types (a boolean is not a number, a number is not a string) and
forbid unknown fields, so a typo is a 422 naming the field instead of silently ignored data.
Money travels as decimal strings in major units ("12500.00"); the database keeps minor units.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from app.forms import INT32_MAX, UtcDateTime, reject_nul

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=2, allow_inf_nan=False)]
Hours = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Score = Annotated[StrictInt, Field(ge=1, le=5)]
CriterionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
Points = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False, strict=False)]
Status = Literal["member", "candidate", "former"]
Engagement = Literal["active", "passive"]
Confidence = Literal["low", "medium", "high"]
MethodName = Literal[
    "weighted_sum", "weighted_product", "topsis", "vikor", "electre", "promethee_ii"
]
OutcomeKind = Literal["project", "funding", "policy", "event", "knowledge"]
Lock = Literal["keep", "exclude"]
FunctionKey = Literal[
    "sharing_information",
    "showcasing",
    "story_telling",
    "shaming",
    "seeking_support",
    "standard_setting",
    "advocacy",
    "funding_access",
    "technical_assistance",
    "data_reporting",
    "training",
]  # criteria.functions.FUNCTION_KEYS (a test keeps them equal)
NeedWeight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, strict=True)]
IncomeGroupName = Literal["low", "lower_middle", "upper_middle", "high"]
Population = Annotated[StrictInt, Field(ge=1, le=100_000_000)]
GniPerCapita = Annotated[StrictInt, Field(ge=0, le=1_000_000)]


class Input(BaseModel):
    """Base of every request body: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """NUL characters anywhere in a field (PostgreSQL cannot store them): 422."""
        return reject_nul(value)


class Versioned(Input):
    """Updates carry the version they were based on; a stale version gets 409."""

    version: Annotated[StrictInt, Field(ge=0, le=INT32_MAX)] | None = Field(
        default=None, description="The version you read; omit to overwrite unconditionally."
    )


# --- networks -------------------------------------------------------------------------------


class NetworkFields(Input):
    name: Name
    acronym: Annotated[str, StringConstraints(max_length=60)] = ""
    founded: Annotated[str, StringConstraints(max_length=120)] = "unknown"
    hq_secretariat: Text = "unknown"
    scope: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "unknown"
    member_count: Annotated[str, StringConstraints(max_length=200)] = "unknown"
    member_unit: Text = ""
    member_count_year: Annotated[str, StringConstraints(max_length=120)] = ""
    themes: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = []
    governance_type: Text = "unknown"
    format: Text = "unknown"
    membership_fee: Text = "unknown"
    eligibility: Text = "unknown"
    services: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = []
    website: Annotated[str, StringConstraints(max_length=500)] = "unknown"
    confidence: Confidence = "low"
    notes: Text = ""
    membership_kind: Literal["membership", "commitment", "programme"] = "membership"
    active: Literal["yes", "no", "uncertain"] = "yes"
    sources: list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]] = Field(
        min_length=1, description="URLs or seed document references behind these facts."
    )


class NetworkCreate(NetworkFields):
    id: Slug


class NetworkUpdate(Versioned):
    name: Name | None = None
    acronym: Annotated[str, StringConstraints(max_length=60)] | None = None
    founded: Annotated[str, StringConstraints(max_length=120)] | None = None
    hq_secretariat: Text | None = None
    scope: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    member_count: Annotated[str, StringConstraints(max_length=200)] | None = None
    member_unit: Text | None = None
    member_count_year: Annotated[str, StringConstraints(max_length=120)] | None = None
    themes: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] | None = None
    governance_type: Text | None = None
    format: Text | None = None
    membership_fee: Text | None = None
    eligibility: Text | None = None
    services: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] | None = None
    website: Annotated[str, StringConstraints(max_length=500)] | None = None
    confidence: Confidence | None = None
    notes: Text | None = None
    membership_kind: Literal["membership", "commitment", "programme"] | None = None
    active: Literal["yes", "no", "uncertain"] | None = None
    sources: list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]] | None = Field(
        default=None, min_length=1
    )


class NetworkOut(BaseModel):
    id: str
    name: str
    acronym: str
    founded: str
    hq_secretariat: str
    scope: str
    member_count: str
    member_unit: str
    member_count_year: str
    themes: list[str]
    governance_type: str
    format: str
    membership_fee: str
    eligibility: str
    services: list[str]
    website: str
    confidence: str
    notes: str
    membership_kind: str
    active: str
    sources: list[str]
    version: int


class FunctionTagOut(BaseModel):
    function: str
    title: str
    source: str
    note: str


class FamilyLinkOut(BaseModel):
    parent_id: str
    child_id: str
    relation: str
    source: str
    rule: Literal["implies", "requires", "unstated"]
    rule_source: str
    note: str


class EligibilityRuleOut(BaseModel):
    kind: str
    title: str
    minimum: int | None
    capital_exempt: bool
    regions: list[str]
    status: str | None
    source: str
    note: str


class NetworkFactsOut(BaseModel):
    """What the catalogue records beyond the reference columns, each fact with its source."""

    network_id: str
    functions: list[FunctionTagOut]
    family: list[FamilyLinkOut]
    eligibility_rules: list[EligibilityRuleOut]


# --- workspaces and profile -----------------------------------------------------------------


class ProfileFields(Input):
    region: Annotated[str, StringConstraints(max_length=100)] = ""
    country: Annotated[str, StringConstraints(max_length=100)] | None = None
    population_band: Literal["", "<100k", "100k-500k", "500k-1M", "1M-3M", "3M-10M", ">10M"] = ""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    fee_budget: Money | None = None
    travel_budget: Money | None = Field(
        default=None,
        description="Yearly budget for travel and event costs; null = they count against the fee budget.",
    )
    staff_hours_budget: Hours | None = None
    priority_themes: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=60)], Points
    ] = {}
    population: Population | None = Field(default=None, description="Inhabitants; null = unknown.")
    income_group: IncomeGroupName | None = Field(
        default=None, description="The country's World Bank income group; null = unknown."
    )
    gni_per_capita_usd: GniPerCapita | None = Field(
        default=None, description="The country's gross national income per head (current USD)."
    )
    world_heritage_site: StrictBool | None = Field(
        default=None, description="A UNESCO World Heritage site in the city; null = unknown."
    )
    capital_city: StrictBool | None = Field(
        default=None, description="The city is its country's capital; null = unknown."
    )
    function_needs: dict[FunctionKey, NeedWeight] = Field(
        default={}, description="What the city needs from networks: function -> weight 0-100."
    )


class ProfileUpdate(Versioned, ProfileFields):
    pass


class ProfileOut(BaseModel):
    region: str
    country: str | None
    population_band: str
    currency: str
    fee_budget: Decimal | None
    travel_budget: Decimal | None
    staff_hours_budget: int | None
    priority_themes: dict[str, float]
    population: int | None
    income_group: str | None
    gni_per_capita_usd: int | None
    world_heritage_site: bool | None
    capital_city: bool | None
    function_needs: dict[str, float]
    version: int


class WorkspaceCreate(Input):
    slug: Slug
    name: Name
    fictional: StrictBool = False
    notice: Text = ""
    profile: ProfileFields = ProfileFields()


class WorkspaceUpdate(Versioned):
    name: Name | None = None
    fictional: StrictBool | None = None
    notice: Text | None = None
    default_scenario_id: Annotated[StrictInt, Field(ge=1, le=INT32_MAX)] | None = Field(
        default=None, description="The scenario the dashboard opens; null: the first saved."
    )


class WorkspaceOut(BaseModel):
    id: int
    slug: str
    name: str
    fictional: bool
    notice: str
    framework: str
    default_scenario_id: int | None = None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int
    profile: ProfileOut


# --- memberships ----------------------------------------------------------------------------


class OutcomeIn(Input):
    year: Annotated[StrictInt, Field(ge=1900, le=2200)]
    kind: OutcomeKind
    title: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    amount: Money | None = None


class OutcomeOut(BaseModel):
    year: int
    kind: str
    title: str
    amount: Decimal | None


class MembershipCreate(Input):
    network_id: Slug
    status: Status
    since: date | None = None
    annual_fee: Money = Decimal("0")
    fee_is_estimate: StrictBool = Field(
        default=False, description="true when the fee comes from the fee estimator."
    )
    travel_cost: Money = Field(
        default=Decimal("0"), description="Expected travel and event costs per year."
    )
    staff_hours: Hours = 0
    engagement: Engagement | None = None
    roles: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = []
    renewal_date: date | None = None
    notice_days: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None
    lock: Lock | None = None
    notes: Text = ""
    outcomes: list[OutcomeIn] = []


class MembershipUpdate(Versioned):
    status: Status | None = None
    since: date | None = None
    annual_fee: Money | None = Field(
        default=None, description="Setting the fee clears fee_is_estimate unless it is sent too."
    )
    fee_is_estimate: StrictBool | None = None
    travel_cost: Money | None = None
    staff_hours: Hours | None = None
    engagement: Engagement | None = None
    roles: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] | None = None
    renewal_date: date | None = None
    notice_days: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None
    lock: Lock | None = None
    notes: Text | None = None
    outcomes: list[OutcomeIn] | None = None


class MembershipOut(BaseModel):
    id: int
    network_id: str
    network_name: str
    status: str
    since: date | None
    annual_fee: Decimal
    fee_is_estimate: bool
    travel_cost: Decimal
    currency: str
    staff_hours: int
    engagement: str | None
    roles: list[str]
    renewal_date: date | None
    notice_days: int | None
    lock: str | None
    notes: str
    outcomes: list[OutcomeOut]
    version: int


class FeeEstimateOut(BaseModel):
    network_id: str
    status: Literal["estimate", "no_fee", "basis_only", "unknown", "none_published"]
    amount: Decimal | None
    currency: str | None
    applies: bool = Field(
        description="true when the estimate is an amount in the workspace's currency, so it can "
        "be stored as the membership's fee (with fee_is_estimate true)."
    )
    source: str | None
    explanation: str
    caveats: list[str]


# --- assessments ----------------------------------------------------------------------------


class AssessmentCreate(Input):
    network_id: Slug
    criterion: CriterionKey
    assessor: Name
    score: Score | None = Field(
        default=None, description="1-5 on the anchored scale; null = missing"
    )
    evidence: Text = ""
    source_url: Url | None = None
    confidence: Confidence = "medium"


class AssessmentUpdate(Versioned):
    score: Score | None = None
    evidence: Text | None = None
    source_url: Url | None = None
    confidence: Confidence | None = None


class AssessmentOut(BaseModel):
    id: int
    network_id: str
    criterion: str
    assessor: str
    score: int | None
    evidence: str
    source_url: str | None
    confidence: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int


# --- scenarios ------------------------------------------------------------------------------


Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
SwitchCost = Annotated[float, Field(ge=0, le=0.5, allow_inf_nan=False)]
Reference = Annotated[
    Decimal, Field(ge=Decimal("0.01"), le=Decimal("1e12"), decimal_places=2, allow_inf_nan=False)
]
HoursReference = Annotated[StrictInt, Field(ge=1, le=1_000_000)]


class DecisionSettingsFields(Input):
    """The decision settings (see `scoring.settings`): every field optional.

    In a scenario's options a field left out (or null) keeps the workspace's setting.
    """

    join_bar: Share | None = Field(
        default=None, description="Value a candidate needs before joining is considered (0-1)."
    )
    leave_bar: Share | None = Field(
        default=None, description="Value below which a member is advised to leave (0-1)."
    )
    join_cost: SwitchCost | None = Field(
        default=None, description="Value a candidate must clear the join bar by (0-0.5)."
    )
    leave_cost: SwitchCost | None = Field(
        default=None, description="Value lost by leaving a network (0-0.5)."
    )
    overlap_penalty: Share | None = Field(
        default=None, description="Value lost per unit of overlap with a stronger network."
    )
    evidence_threshold: Share | None = Field(
        default=None,
        description="Share of the assessed criteria's weight that needs scores (0-1).",
    )
    fee_reference: Reference | None = Field(
        default=None,
        description="Yearly cash cost that counts as worst; null: a quarter of the fee budget.",
    )
    hours_reference: HoursReference | None = Field(
        default=None,
        description="Yearly staff hours that count as worst; null: a quarter of the hours budget.",
    )


class DecisionSettingsUpdate(Versioned, DecisionSettingsFields):
    """Change the workspace's settings: fields left out keep their value; a reference set to
    null returns to its default."""


class DecisionSettingsOut(BaseModel):
    join_bar: float
    leave_bar: float
    join_cost: float
    leave_cost: float
    overlap_penalty: float
    evidence_threshold: float
    fee_reference: Decimal | None
    hours_reference: int | None
    version: int
    effective: dict[str, Any]


class ScenarioOptions(Input):
    samples: Annotated[StrictInt, Field(ge=100, le=20_000)] = 2000
    concentration: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)] = 50.0
    seed: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] = 0
    top_k: Annotated[StrictInt, Field(ge=1, le=50)] = 3
    fee_budget_factor: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 1.0
    settings: DecisionSettingsFields | None = Field(
        default=None, description="Overrides of the workspace's decision settings."
    )


class ScenarioCreate(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    description: Text = ""
    method: MethodName = "weighted_sum"
    weights: dict[CriterionKey, Points]
    options: ScenarioOptions = ScenarioOptions()


class ScenarioUpdate(Versioned):
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = None
    description: Text | None = None
    method: MethodName | None = None
    weights: dict[CriterionKey, Points] | None = None
    options: ScenarioOptions | None = None


class ScenarioOut(BaseModel):
    id: int
    name: str
    description: str
    method: str
    weights: dict[str, float]
    options: dict[str, Any]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int


# --- analysis -------------------------------------------------------------------------------


class AnalysisRequest(Input):
    method: MethodName = "weighted_sum"
    weights: dict[CriterionKey, Points]
    options: ScenarioOptions = ScenarioOptions()


class ReasonOut(BaseModel):
    criterion: str
    title: str
    contribution: float
    versus_average: float
    sentence: str


class FlagOut(BaseModel):
    code: str
    message: str


class NoticeOut(BaseModel):
    next_renewal: date
    notice_by: date
    exit_on: date
    deadline_missed: bool
    committed_from: date | None


class RecommendationOut(BaseModel):
    network_id: str
    network_name: str
    status: str
    action: Literal[
        "join", "stay", "leave", "at_risk", "assess_first", "not_recommended", "not_eligible"
    ]
    rank: int | None = Field(description="Rank by the method; null when too few scores.")
    value_rank: int | None
    value: float
    evidence_coverage: float
    annual_fee: Decimal
    staff_hours: int
    engagement: str | None
    cost_per_value_point: float | None
    explanation: str
    explanation_code: str | None
    method_note: str
    robustness: str
    robustness_level: Literal["stable", "fairly_stable", "uncertain"] | None
    action_stability: float | None
    top_k_probability: float | None
    notice_by: date | None
    notice: NoticeOut | None
    strengths: list[ReasonOut]
    weaknesses: list[ReasonOut]
    flags: list[FlagOut]


class WeightOut(BaseModel):
    points: float
    share: float
    used: float = Field(description="Share used: 0 for a cost without a reference level.")
    title: str


class BudgetOut(BaseModel):
    fee_current: Decimal
    fee_selected: Decimal
    fee_budget: Decimal | None
    hours_current: float
    hours_selected: float
    hours_budget: float | None
    binding: list[str]


class SummaryOut(BaseModel):
    sentence: str
    keep: int
    leave: int
    join: int
    at_risk: int
    assess_first: int
    leave_saves: Decimal
    leave_saves_hours: float
    join_costs: Decimal
    join_costs_hours: float


class ValueFunctionOut(BaseModel):
    criterion: str
    kind: Literal["score", "cost", "unset"]
    worst: float
    best: float
    unit: str
    description: str


class RobustnessOut(BaseModel):
    samples: int
    seed: int
    concentration: float
    top_k: int


class AgreementOut(BaseModel):
    a: str
    b: str
    kendall_tau: float


class AnalysisOut(BaseModel):
    workspace_id: int
    date: date
    method: str
    currency: str
    summary: SummaryOut
    settings: dict[str, Any]
    value_functions: list[ValueFunctionOut]
    weights: dict[str, WeightOut]
    recommendations: list[RecommendationOut]
    budget: BudgetOut
    robustness: RobustnessOut | None
    stability: list[str]
    method_agreement: list[AgreementOut]
    warnings: list[str]


# --- workspace criteria and eligibility gates ------------------------------------------------


class CustomCriterionIn(Input):
    """A criterion the workspace adds to the default framework, scored 1-5 by assessors."""

    key: CriterionKey
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    direction: Literal["benefit", "cost"] = "benefit"
    questions: list[Annotated[str, StringConstraints(min_length=1, max_length=500)]] = Field(
        min_length=2, max_length=4
    )
    anchors: dict[
        Annotated[int, Field(ge=1, le=5)],
        Annotated[str, StringConstraints(min_length=1, max_length=500)],
    ] = Field(description="One line per scale point 1-5.")
    evidence_examples: list[Annotated[str, StringConstraints(min_length=1, max_length=500)]] = []


class CustomCriterionOut(BaseModel):
    key: str
    title: str
    description: str
    direction: str
    questions: list[str]
    anchors: dict[int, str]
    evidence_examples: list[str]


class GateIn(Input):
    """An eligibility condition the city answers yes or no per network."""

    key: CriterionKey
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    applies_to: list[Slug] = Field(default=[], description="Network ids; empty = every network.")


class GateOut(BaseModel):
    key: str
    title: str
    description: str
    rule: str
    applies_to: list[str]
    custom: bool


class GateAnswerIn(Input):
    answer: StrictBool | None = Field(description="true = eligible, false = not, null = unknown")
    note: Text = ""


class GateAnswerOut(BaseModel):
    network_id: str
    gate: str
    answer: bool | None
    note: str
