"""Pydantic models of what is judged: criteria, eligibility gates and frameworks.

This module owns the shape and the internal rules of a framework. Every model is frozen and
rejects unknown fields, so a typo in a YAML file or in a form is reported instead of ignored.
Turning raw data (a parsed YAML file, a JSON body) into these models with readable errors is
the job of `criteria.parsing`; loading the bundled files is the job of `criteria.frameworks`.

Rules enforced here:

- keys are slugs (``^[a-z][a-z0-9_]{1,47}$``) and are unique within a framework;
- every criterion has 2-4 guiding questions and at most 6 examples of evidence;
- ``assessed`` and ``computed`` criteria have a one-line anchor for each scale point 1-5,
  ``fact`` criteria have none and state their own unit (``"hours/year"``);
- a framework has a semantic version (``1.0.0``) and a source citation;
- a criterion people score may carry `Guidance`: what to look at when the city is a member and
  when it is a candidate (peer cities' experience, the network's published reports and results,
  its governance documents); every ``checklist`` criterion of a framework must have it;
- ``distinct_from`` names other criteria of the same framework and says how this one differs
  (each named key must exist, and a criterion cannot name itself);
- `ScoringRules` hold the framework-wide rules (partial matches, candidates, missing scores);
- ``history`` lists what changed in each version, newest first, starting with the current one;
- an `EligibilityRule` is a structured entry condition from the catalogue (population
  threshold, region, invitation only, World Heritage site, network no longer active) with the
  source it rests on and exactly the parameters its kind needs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from criteria.errors import CriteriaError

__all__ = [
    "KEY_PATTERN",
    "SCALE",
    "SCORE_UNIT",
    "Criterion",
    "CriterionGroup",
    "CriterionKind",
    "Direction",
    "EligibilityGate",
    "EligibilityRule",
    "Framework",
    "GateRule",
    "Guidance",
    "RuleKind",
    "ScoringRules",
    "VersionNote",
]

KEY_PATTERN: Final = r"^[a-z][a-z0-9_]{1,47}$"
FRAMEWORK_KEY_PATTERN: Final = r"^[a-z][a-z0-9-]{1,47}$"
VERSION_PATTERN: Final = r"^\d+\.\d+\.\d+$"
SCALE: Final = (1, 2, 3, 4, 5)
SCORE_UNIT: Final = "score 1-5"
MIN_QUESTIONS: Final = 2
MAX_QUESTIONS: Final = 4
MAX_EVIDENCE_EXAMPLES: Final = 6
NETWORK_ID_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{0,63}$"
MAX_POPULATION: Final = 100_000_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=KEY_PATTERN)]


class Direction(StrEnum):
    """Whether more is better (``benefit``) or less is better (``cost``)."""

    BENEFIT = "benefit"
    COST = "cost"


class CriterionKind(StrEnum):
    """Where a criterion's value comes from."""

    ASSESSED = "assessed"  # scored 1-5 by assessors on the anchored scale
    COMPUTED = "computed"  # derived from data by the app (thematic_fit), on the same 1-5 scale
    FACT = "fact"  # a quantity from the membership record (fee, staff hours)


class CriterionGroup(StrEnum):
    """Which part of the framework a criterion belongs to."""

    CHECKLIST = "checklist"  # the 11-point "ideal network" checklist
    CONTEXT = "context"  # the city's own situation: fit, fee, staff time
    CUSTOM = "custom"  # added by a workspace


class GateRule(StrEnum):
    """How an eligibility gate is decided."""

    MANUAL = "manual"  # the city records yes / no per network
    ACTIVE_NETWORK = "active_network"  # the network must still be operating
    REGION_MATCH = "region_match"  # a regional or national network admits only its own cities


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _one_line(text: str, what: str) -> str:
    if "\n" in text or "\r" in text:
        raise PydanticCustomError("one_line", "{what} must fit on a single line", {"what": what})
    return text


class Guidance(_Frozen):
    """How to find the evidence for one criterion, by the city's relation to the network.

    ``member`` applies when the city belongs to the network; ``candidate`` when it does not
    (yet), and says what a candidate can be judged on: peer cities' experience, the network's
    published reports and results, its governance documents. ``candidate_evidence`` lists 1-6
    places to look.

    >>> g = Guidance(member="Use the outcome log.", candidate="Ask peer cities.",
    ...              candidate_evidence=("A peer city's account",))
    >>> g.for_status("candidate"), g.for_status("member")
    ('Ask peer cities.', 'Use the outcome log.')
    """

    member: Text
    candidate: Text
    candidate_evidence: tuple[Text, ...]

    @field_validator("candidate_evidence")
    @classmethod
    def _some_evidence(cls, examples: tuple[str, ...]) -> tuple[str, ...]:
        if not 1 <= len(examples) <= MAX_EVIDENCE_EXAMPLES:
            raise PydanticCustomError(
                "evidence_count",
                "lists {n} places to look, give 1 to {high}",
                {"n": len(examples), "high": MAX_EVIDENCE_EXAMPLES},
            )
        return examples

    def for_status(self, status: str) -> str:
        """The guidance for a membership status: ``member``, else the candidate's."""
        return self.member if status == "member" else self.candidate


class Criterion(_Frozen):
    """One criterion: what is judged, how to judge it and which way is better.

    >>> c = Criterion(
    ...     key="eu_funding",
    ...     title="Access to EU funding",
    ...     description="Whether membership opens doors to EU programmes.",
    ...     questions=("Did the network help a bid?", "Does it run funded projects?"),
    ...     anchors={1: "Never.", 2: "Rarely.", 3: "Sometimes.", 4: "Often.", 5: "Always."},
    ... )
    >>> c.direction, c.kind, c.group, c.unit
    (<Direction.BENEFIT: 'benefit'>, <CriterionKind.ASSESSED: 'assessed'>, \
<CriterionGroup.CUSTOM: 'custom'>, 'score 1-5')
    """

    key: Key
    title: Title
    description: Text
    kind: CriterionKind = CriterionKind.ASSESSED
    direction: Direction = Direction.BENEFIT
    unit: Text = Field(default=SCORE_UNIT, validate_default=True)
    group: CriterionGroup = CriterionGroup.CUSTOM
    questions: tuple[Text, ...]
    anchors: dict[int, Text] = Field(default_factory=dict, validate_default=True)
    evidence_examples: tuple[Text, ...] = ()
    guidance: Guidance | None = None
    distinct_from: dict[Key, Text] = Field(default_factory=dict)

    @field_validator("unit")
    @classmethod
    def _unit_fits_kind(cls, unit: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is CriterionKind.FACT and unit == SCORE_UNIT:
            raise PydanticCustomError(
                "fact_unit",
                "a fact criterion must state its unit, for example 'hours/year'",
            )
        if kind in (CriterionKind.ASSESSED, CriterionKind.COMPUTED) and unit != SCORE_UNIT:
            raise PydanticCustomError(
                "score_unit",
                "an {kind} criterion is scored on the 1-5 scale: its unit is '{unit}', not '{got}'",
                {"kind": str(kind), "unit": SCORE_UNIT, "got": unit},
            )
        return unit

    @field_validator("questions")
    @classmethod
    def _two_to_four_questions(cls, questions: tuple[str, ...]) -> tuple[str, ...]:
        if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
            raise PydanticCustomError(
                "question_count",
                "needs {low} to {high} guiding questions, found {n}",
                {"low": MIN_QUESTIONS, "high": MAX_QUESTIONS, "n": len(questions)},
            )
        return questions

    @field_validator("anchors")
    @classmethod
    def _anchors_fit_kind(cls, anchors: dict[int, str], info: ValidationInfo) -> dict[int, str]:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is invalid and already reported
            return anchors
        if kind is CriterionKind.FACT:
            if anchors:
                raise PydanticCustomError(
                    "fact_anchors", "a fact criterion is a quantity, it takes no anchors"
                )
            return anchors
        for point in sorted(anchors):
            if point not in SCALE:
                raise PydanticCustomError(
                    "anchor_scale",
                    "scale point {point} is outside the 1-5 scale",
                    {"point": point},
                )
        for point in SCALE:
            if point not in anchors:
                raise PydanticCustomError(
                    "anchor_missing", "scale point {point} has no anchor", {"point": point}
                )
            _one_line(anchors[point], f"the anchor of scale point {point}")
        return dict(sorted(anchors.items()))

    @field_validator("evidence_examples")
    @classmethod
    def _few_examples(cls, examples: tuple[str, ...]) -> tuple[str, ...]:
        if len(examples) > MAX_EVIDENCE_EXAMPLES:
            raise PydanticCustomError(
                "evidence_count",
                "lists {n} examples of evidence, at most {high} are allowed",
                {"n": len(examples), "high": MAX_EVIDENCE_EXAMPLES},
            )
        return examples

    @field_validator("guidance")
    @classmethod
    def _guidance_for_people(
        cls, guidance: Guidance | None, info: ValidationInfo
    ) -> Guidance | None:
        kind = info.data.get("kind")
        if guidance is not None and kind is not None and kind is not CriterionKind.ASSESSED:
            raise PydanticCustomError(
                "guidance_kind",
                "guidance tells assessors where to find evidence; a {kind} criterion is not "
                "scored by people",
                {"kind": str(kind)},
            )
        return guidance

    @field_validator("distinct_from")
    @classmethod
    def _not_distinct_from_itself(
        cls, others: dict[str, str], info: ValidationInfo
    ) -> dict[str, str]:
        key = info.data.get("key")
        if key is not None and key in others:
            raise PydanticCustomError(
                "distinct_self", "criterion '{key}' cannot be told apart from itself", {"key": key}
            )
        return others

    @property
    def is_scored(self) -> bool:
        """True when the criterion is on the anchored 1-5 scale (assessed or computed)."""
        return self.kind is not CriterionKind.FACT


class EligibilityGate(_Frozen):
    """A condition a network must meet before it can be recommended to JOIN.

    Gates are constraints, not scores. ``applies_to`` lists network ids; empty means every
    network.

    >>> EligibilityGate(key="active_network", title="Still operating",
    ...                 description="Closed networks cannot be joined.", rule="active_network").rule
    <GateRule.ACTIVE_NETWORK: 'active_network'>
    """

    key: Key
    title: Title
    description: Text
    rule: GateRule = GateRule.MANUAL
    applies_to: tuple[Text, ...] = ()

    def applies(self, network_id: str) -> bool:
        """True when this gate concerns ``network_id``.

        >>> gate = EligibilityGate(key="size_rule", title="Size", description="d",
        ...                        applies_to=("eurocities",))
        >>> gate.applies("eurocities"), gate.applies("c40")
        (True, False)
        """
        return not self.applies_to or network_id in self.applies_to


class RuleKind(StrEnum):
    """The kinds of structured entry condition the catalogue records."""

    MIN_POPULATION = "min_population"  # at least `minimum` inhabitants (capitals may be exempt)
    REGION = "region"  # only cities of the listed regions
    INVITATION_ONLY = "invitation_only"  # the network invites or selects its members
    WORLD_HERITAGE_SITE = "world_heritage_site"  # a UNESCO World Heritage site in the city
    NOT_ACTIVE = "not_active"  # the network has closed, or its status is uncertain


class EligibilityRule(_Frozen):
    """An entry condition a source states for one network, with that source.

    Each kind takes exactly its own parameters: ``minimum`` (and optionally
    ``capital_exempt``) for ``min_population``, ``regions`` for ``region``, ``status``
    (``closed`` or ``uncertain``) for ``not_active``; the others take none.

    >>> rule = EligibilityRule(network="eurocities", kind="min_population", minimum=250_000,
    ...                        source="catalogue:eurocities/eligibility")
    >>> rule.key, rule.title
    ('rule:min_population', 'At least 250,000 inhabitants')
    >>> from criteria.parsing import parse_rule
    >>> parse_rule({"network": "owhc", "kind": "world_heritage_site", "minimum": 5, "source": "s"})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: rule for owhc: a world_heritage_site rule takes no minimum
    """

    network: Annotated[str, StringConstraints(strip_whitespace=True, pattern=NETWORK_ID_PATTERN)]
    kind: RuleKind
    source: Text
    note: str = ""
    minimum: Annotated[int, Field(ge=1, le=MAX_POPULATION)] | None = None
    capital_exempt: bool = False
    regions: tuple[Text, ...] = ()
    status: Literal["closed", "uncertain"] | None = None

    @model_validator(mode="after")
    def _parameters_fit_kind(self) -> EligibilityRule:
        wanted = {
            RuleKind.MIN_POPULATION: {"minimum"},
            RuleKind.REGION: {"regions"},
            RuleKind.NOT_ACTIVE: {"status"},
        }.get(self.kind, set())
        given = {
            name
            for name, value in (
                ("minimum", self.minimum),
                ("regions", self.regions or None),
                ("status", self.status),
            )
            if value is not None
        }
        if self.capital_exempt and self.kind is not RuleKind.MIN_POPULATION:
            given.add("capital_exempt")
        for name in sorted(wanted - given):
            raise ValueError(f"a {self.kind} rule needs {name}")
        for name in sorted(given - wanted):
            raise ValueError(f"a {self.kind} rule takes no {name}")
        return self

    @property
    def key(self) -> str:
        """The key of this rule's results (``rule:<kind>``), one rule per kind and network."""
        return f"rule:{self.kind}"

    @property
    def title(self) -> str:
        """A short title, as a gate's."""
        if self.kind is RuleKind.MIN_POPULATION:
            return f"At least {self.minimum:,} inhabitants"
        return {
            RuleKind.REGION: "Open to the city's region",
            RuleKind.INVITATION_ONLY: "By invitation or selection only",
            RuleKind.WORLD_HERITAGE_SITE: "A World Heritage site in the city",
            RuleKind.NOT_ACTIVE: "Network still active",
        }[self.kind]


def _duplicates(keys: list[str]) -> tuple[str, int, int] | None:
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            return key, seen[key], index
        seen[key] = index
    return None


class ScoringRules(_Frozen):
    """Rules that hold for every criterion people score.

    ``partial_match``: which score to give when an anchor's conditions are only partly met.
    ``candidates``: how to judge a network the city has not joined. ``missing``: when to leave a
    score missing.
    """

    partial_match: Text
    candidates: Text
    missing: Text


class VersionNote(_Frozen):
    """What changed in one version of a framework."""

    version: Annotated[str, StringConstraints(strip_whitespace=True, pattern=VERSION_PATTERN)]
    changes: tuple[Text, ...] = Field(min_length=1)


class Framework(_Frozen):
    """A versioned, ordered set of criteria plus eligibility gates.

    >>> from criteria.frameworks import default_framework
    >>> fw = default_framework()
    >>> fw.key, fw.keys[:2], fw.criterion("annual_fee").direction
    ('ideal-network', ('relevant_agenda', 'sharp_focus'), <Direction.COST: 'cost'>)
    """

    key: Annotated[str, StringConstraints(strip_whitespace=True, pattern=FRAMEWORK_KEY_PATTERN)]
    version: Annotated[str, StringConstraints(strip_whitespace=True, pattern=VERSION_PATTERN)]
    title: Title
    description: Text
    source: Text
    scoring_rules: ScoringRules | None = None
    history: tuple[VersionNote, ...] = ()
    criteria: tuple[Criterion, ...]
    gates: tuple[EligibilityGate, ...] = ()

    @field_validator("criteria")
    @classmethod
    def _criteria_unique(cls, criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        if not criteria:
            raise PydanticCustomError("no_criteria", "a framework needs at least one criterion")
        _raise_on_duplicate([c.key for c in criteria], "criterion")
        keys = {c.key for c in criteria}
        for c in criteria:
            for other in c.distinct_from:
                if other not in keys:
                    raise PydanticCustomError(
                        "distinct_unknown",
                        "criterion '{key}', field 'distinct_from': '{other}' is not a criterion "
                        "of this framework",
                        {"key": c.key, "other": other},
                    )
            if c.group is CriterionGroup.CHECKLIST and c.guidance is None:
                raise PydanticCustomError(
                    "guidance_missing",
                    "criterion '{key}', field 'guidance': every checklist criterion needs "
                    "guidance for members and for candidates",
                    {"key": c.key},
                )
        return criteria

    @field_validator("history")
    @classmethod
    def _history_starts_with_this_version(
        cls, history: tuple[VersionNote, ...], info: ValidationInfo
    ) -> tuple[VersionNote, ...]:
        _raise_on_duplicate([note.version for note in history], "version note")
        version = info.data.get("version")
        if history and version is not None and history[0].version != version:
            raise PydanticCustomError(
                "history_version",
                "the newest entry ({first}) must be the framework's version ({version}): say "
                "what changed in it",
                {"first": history[0].version, "version": version},
            )
        return history

    @field_validator("gates")
    @classmethod
    def _gates_unique(cls, gates: tuple[EligibilityGate, ...]) -> tuple[EligibilityGate, ...]:
        _raise_on_duplicate([g.key for g in gates], "gate")
        return gates

    @property
    def keys(self) -> tuple[str, ...]:
        """Criterion keys in framework order."""
        return tuple(c.key for c in self.criteria)

    @property
    def assessed_keys(self) -> tuple[str, ...]:
        """Keys of the criteria that assessors score by hand, in framework order."""
        return self.keys_of(CriterionKind.ASSESSED)

    @property
    def gate_keys(self) -> tuple[str, ...]:
        """Gate keys in framework order."""
        return tuple(g.key for g in self.gates)

    def keys_of(self, kind: CriterionKind) -> tuple[str, ...]:
        """Keys of the criteria of one kind, in framework order."""
        return tuple(c.key for c in self.criteria if c.kind is kind)

    def criterion(self, key: str) -> Criterion:
        """The criterion with this key; `CriteriaError` when the framework has none."""
        for c in self.criteria:
            if c.key == key:
                return c
        raise CriteriaError(
            f"framework '{self.key}' {self.version} has no criterion '{key}'",
            fields={"key": f"unknown criterion '{key}'"},
        )

    def gate(self, key: str) -> EligibilityGate:
        """The eligibility gate with this key; `CriteriaError` when the framework has none."""
        for g in self.gates:
            if g.key == key:
                return g
        raise CriteriaError(
            f"framework '{self.key}' {self.version} has no eligibility gate '{key}'",
            fields={"key": f"unknown gate '{key}'"},
        )


def _raise_on_duplicate(keys: list[str], what: str) -> None:
    clash = _duplicates(keys)
    if clash is not None:
        key, first, second = clash
        ctx: dict[str, Any] = {"key": key, "what": what, "first": first + 1, "index": second}
        ctx["second"] = second + 1
        raise PydanticCustomError(
            "duplicate_key",
            "key '{key}' is used by more than one {what} (positions {first} and {second})",
            ctx,
        )
