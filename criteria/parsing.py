"""Turning raw data into criteria models, with errors a person can act on.

This module owns the translation of Pydantic's validation errors into one readable sentence
per problem, naming where the problem is (file, criterion key, or its position when the key
itself is bad), the field and why::

    ideal-network.yaml: criterion 'sharp_focus', field 'anchors': scale point 4 has no anchor

`parse_criterion` and `parse_gate` validate a user's input (a form or a JSON body) and raise
`CriteriaError`; `parse_framework` validates a whole framework and raises `FrameworkError`.
Both errors carry ``fields`` (field path -> problem) for inline form messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from criteria.errors import CriteriaError, FrameworkError
from criteria.model import KEY_PATTERN, Criterion, EligibilityGate, EligibilityRule, Framework

__all__ = ["describe_errors", "parse_criterion", "parse_framework", "parse_gate", "parse_rule"]

M = TypeVar("M", bound=BaseModel)

_KEY_RE = re.compile(KEY_PATTERN)
_COLLECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "criteria": ("criterion", Criterion),
    "gates": ("gate", EligibilityGate),
}


def parse_criterion(data: Mapping[str, Any]) -> Criterion:
    """Validate one criterion given as a mapping (a form, a JSON body, a YAML entry).

    ``group`` defaults to ``custom`` and ``kind`` to ``assessed``.

    >>> c = parse_criterion({
    ...     "key": "eu_funding", "title": "Access to EU funding",
    ...     "description": "Help in reaching EU programmes.",
    ...     "questions": ["Did it help a bid?", "Does it run EU projects?"],
    ...     "anchors": {1: "No", 2: "Little", 3: "Some", 4: "Much", 5: "Decisive"}})
    >>> c.key, c.group.value
    ('eu_funding', 'custom')
    >>> parse_criterion({"key": "eu_funding", "title": "EU funding", "description": "d",
    ...                  "questions": ["q1?", "q2?"], "anchors": {1: "a", 2: "b", 3: "c"}})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: criterion 'eu_funding', field 'anchors': scale point 4 has no anchor
    """
    return _parse_item(data, "criterion", Criterion)


def parse_gate(data: Mapping[str, Any]) -> EligibilityGate:
    """Validate one eligibility gate given as a mapping; ``rule`` defaults to ``manual``.

    >>> gate = parse_gate({"key": "eurocities_size", "title": "Size and region rule",
    ...                    "description": "Only European cities over 250,000 inhabitants.",
    ...                    "applies_to": ["eurocities"]})
    >>> gate.rule.value, gate.applies_to
    ('manual', ('eurocities',))
    >>> parse_gate({"key": "x1", "title": "T", "description": "D", "rule": "vote"})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: gate 'x1', field 'rule': 'vote' is not allowed; use 'manual', 'active_network' or 'region_match'
    """
    return _parse_item(data, "gate", EligibilityGate)


def parse_rule(data: Mapping[str, Any]) -> EligibilityRule:
    """Validate one catalogue eligibility rule given as a mapping (a YAML entry).

    >>> parse_rule({"network": "p4hc", "kind": "invitation_only", "source": "seed:x"}).key
    'rule:invitation_only'
    >>> parse_rule({"network": "eurocities", "kind": "min_population", "source": "s"})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: rule for eurocities: a min_population rule needs minimum
    """
    if not isinstance(data, Mapping):
        raise CriteriaError(f"a rule must be a mapping of fields, found {_type_name(data)}")
    try:
        return EligibilityRule.model_validate(dict(data))
    except ValidationError as exc:
        network = data.get("network")
        name = f"rule for {network}" if isinstance(network, str) and network else "the rule"
        lines, fields = describe_errors(exc, data, item=(name, EligibilityRule))
        raise CriteriaError(_join(None, lines), fields=fields) from None


def parse_framework(data: Any, *, source: str = "framework") -> Framework:
    """Validate a whole framework (the parsed content of a YAML file).

    ``source`` names the file in error messages.

    >>> parse_framework(["not", "a", "mapping"], source="mine.yaml")
    Traceback (most recent call last):
    ...
    criteria.errors.FrameworkError: mine.yaml: a framework file must hold a mapping of fields \
(key, version, title...), found a list
    """
    if not isinstance(data, Mapping):
        raise FrameworkError(
            f"{source}: a framework file must hold a mapping of fields (key, version, title...), "
            f"found {_type_name(data)}"
        )
    try:
        return Framework.model_validate(dict(data))
    except ValidationError as exc:
        lines, fields = describe_errors(exc, data)
        raise FrameworkError(_join(source, lines), fields=fields) from None


def _parse_item(data: Mapping[str, Any], label: str, model: type[M]) -> M:
    if not isinstance(data, Mapping):
        raise CriteriaError(f"a {label} must be a mapping of fields, found {_type_name(data)}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        name = _item_name(label, data, None)
        lines, fields = describe_errors(exc, data, item=(name, model))
        raise CriteriaError(_join(None, lines), fields=fields) from None


def describe_errors(
    exc: ValidationError,
    data: Any,
    *,
    item: tuple[str, type[BaseModel]] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Readable lines and a ``{field path: problem}`` mapping for a validation error.

    ``item`` is ``(name, model)`` when ``data`` is a single criterion or gate rather than a
    framework.
    """
    lines: list[str] = []
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        where, path, model, rest = _locate(error, data, item)
        problem = _problem(error, model, rest)
        field_part = _field_part(rest)
        parts = [p for p in (where, field_part) if p]
        lines.append(f"{', '.join(parts)}: {problem}" if parts else problem)
        fields.setdefault(".".join([*path, *(str(r) for r in rest[:1])]) or "__root__", problem)
    return lines, fields


def _locate(
    error: ErrorDetails, data: Any, item: tuple[str, type[BaseModel]] | None
) -> tuple[str, list[str], type[BaseModel], tuple[int | str, ...]]:
    """(where, field path prefix, model the field belongs to, location inside that model)."""
    loc = tuple(error["loc"])
    if error["type"] == "duplicate_key":  # reported on the list: point at the second item
        loc = (*loc, int(error.get("ctx", {})["index"]), "key")
    if item is not None:
        name, model = item
        return name, [], model, loc
    if len(loc) >= 2 and loc[0] in _COLLECTIONS and isinstance(loc[1], int):
        label, model = _COLLECTIONS[str(loc[0])]
        entries = data.get(loc[0]) if isinstance(data, Mapping) else None
        entry = entries[loc[1]] if isinstance(entries, Sequence) and loc[1] < len(entries) else {}
        name = _item_name(label, entry, loc[1])
        key = _valid_key(entry)
        return name, [str(loc[0]), key if key else str(loc[1])], model, loc[2:]
    return "", [], Framework, loc


def _item_name(label: str, entry: Any, index: int | None) -> str:
    key = _valid_key(entry)
    if key:
        return f"{label} '{key}'"
    return f"{label} #{index + 1}" if index is not None else f"the {label}"


def _valid_key(entry: Any) -> str | None:
    key = entry.get("key") if isinstance(entry, Mapping) else None
    if isinstance(key, str) and _KEY_RE.match(key.strip()):
        return key.strip()
    return None


def _field_part(rest: tuple[int | str, ...]) -> str:
    if not rest:
        return ""
    text = f"field '{rest[0]}'"
    inner = [r for r in rest[1:] if r != "[key]"]
    if inner and rest[0] == "anchors":
        text += f", scale point {inner[0]!r}"
    elif inner and isinstance(inner[0], int):
        text += f", item {inner[0] + 1}"
    elif inner and rest[0] != "distinct_from":
        text = f"field '{'.'.join(str(r) for r in rest if r != '[key]')}'"
    return text


def _problem(error: ErrorDetails, model: type[BaseModel], rest: tuple[int | str, ...]) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return f"is not a known field (allowed fields: {allowed})"
    if kind == "enum":
        return f"{value!r} is not allowed; use {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return _pattern_problem(rest[0] if rest else "", value, model)
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_type" and rest == ("version",) and model is Framework:
        return f"{value!r} is not a version number like 1.0.0"
    if kind == "string_type":
        return f"must be text, found {_type_name(value)}"
    if kind == "int_parsing" and rest and rest[0] == "anchors":
        return f"scale points are the whole numbers 1 to 5, not {value!r}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of fields, found {_type_name(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, found {_type_name(value)}"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _pattern_problem(field: int | str, value: Any, model: type[BaseModel]) -> str:
    if field == "version":
        return f"{value!r} is not a version number like 1.0.0"
    if field == "key" and model is Framework:
        return (
            f"{value!r} is not a valid framework key: use 2 to 48 lowercase letters, digits or "
            "hyphens, starting with a letter"
        )
    return (
        f"{value!r} is not a valid key: use 2 to 48 lowercase letters, digits or underscores, "
        "starting with a letter"
    )


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "yes/no", type(None): "nothing"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


def _join(source: str | None, lines: list[str]) -> str:
    prefix = f"{source}: " if source else ""
    return "\n".join(prefix + line for line in lines)
