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
- a framework has a semantic version (``1.0.0``) and a source citation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
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
    "Framework",
    "GateRule",
]

KEY_PATTERN: Final = r"^[a-z][a-z0-9_]{1,47}$"
FRAMEWORK_KEY_PATTERN: Final = r"^[a-z][a-z0-9-]{1,47}$"
VERSION_PATTERN: Final = r"^\d+\.\d+\.\d+$"
SCALE: Final = (1, 2, 3, 4, 5)
SCORE_UNIT: Final = "score 1-5"
MIN_QUESTIONS: Final = 2
MAX_QUESTIONS: Final = 4
MAX_EVIDENCE_EXAMPLES: Final = 6

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


def _duplicates(keys: list[str]) -> tuple[str, int, int] | None:
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            return key, seen[key], index
        seen[key] = index
    return None


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
    criteria: tuple[Criterion, ...]
    gates: tuple[EligibilityGate, ...] = ()

    @field_validator("criteria")
    @classmethod
    def _criteria_unique(cls, criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        if not criteria:
            raise PydanticCustomError("no_criteria", "a framework needs at least one criterion")
        _raise_on_duplicate([c.key for c in criteria], "criterion")
        return criteria

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
