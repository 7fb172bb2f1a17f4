"""Framework files: loading, the bundled default, and workspace extensions.

This package owns the versioned YAML framework files (``*.yaml`` next to this module, shipped
as package data and read through `importlib.resources`, so they load from an installed wheel
too) and the three ways to obtain a `Framework`:

- `load_framework(path)`: read and validate any framework file;
- `default_framework()`: the bundled ``ideal-network.yaml``;
- `extend_framework(framework, custom_criteria, custom_gates)`: a workspace's own criteria and
  eligibility gates appended to a framework, with clashes rejected.

Every problem raises `FrameworkError` naming the file, the criterion and the field. YAML is read
with a safe loader that also refuses a key written twice in the same mapping (plain
``yaml.safe_load`` would silently keep the last one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml

from criteria.errors import CriteriaError, FrameworkError
from criteria.model import Criterion, CriterionGroup, CriterionKind, EligibilityGate, Framework
from criteria.parsing import parse_criterion, parse_framework, parse_gate

__all__ = [
    "DEFAULT_FRAMEWORK_FILE",
    "default_framework",
    "extend_framework",
    "framework_from_yaml",
    "load_framework",
]

DEFAULT_FRAMEWORK_FILE: Final = "ideal-network.yaml"

T = TypeVar("T", Criterion, EligibilityGate)


class _StrictSafeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that rejects duplicate keys within one mapping."""


def _construct_mapping(loader: _StrictSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):  # construct_mapping reports it below
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} appears twice",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def framework_from_yaml(text: str, *, source: str = "framework") -> Framework:
    """Parse and validate a framework from YAML text; ``source`` names it in errors.

    >>> framework_from_yaml("key: mini\\nversion: 1.0\\n", source="mini.yaml")
    Traceback (most recent call last):
    ...
    criteria.errors.FrameworkError: mini.yaml: field 'version': 1.0 is not a version number like 1.0.0
    mini.yaml: field 'title': is required but missing
    mini.yaml: field 'description': is required but missing
    mini.yaml: field 'source': is required but missing
    mini.yaml: field 'criteria': is required but missing
    >>> framework_from_yaml("key: [unclosed\\n", source="mini.yaml")
    Traceback (most recent call last):
    ...
    criteria.errors.FrameworkError: mini.yaml: YAML syntax error at line 2, column 1: \
expected ',' or ']', but got '<stream end>'
    """
    try:
        data = yaml.load(text, Loader=_StrictSafeLoader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FrameworkError(f"{source}: YAML syntax error{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{source}: YAML syntax error: {exc}") from None
    return parse_framework(data, source=source)


def load_framework(path: str | PathLike[str]) -> Framework:
    """Read and validate a framework file.

    >>> load_framework("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    criteria.errors.FrameworkError: file.yaml: cannot read the file (No such file or directory)
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FrameworkError(f"{file.name}: cannot read the file ({reason})") from None
    return framework_from_yaml(text, source=file.name)


@functools.cache
def default_framework() -> Framework:
    """The bundled ``ideal-network`` framework (read once, then cached; models are frozen).

    >>> fw = default_framework()
    >>> len(fw.assessed_keys), fw.keys[-3:]
    (11, ('function_fit', 'annual_fee', 'staff_time'))
    """
    resource = resources.files(__package__).joinpath(DEFAULT_FRAMEWORK_FILE)
    return framework_from_yaml(resource.read_text(encoding="utf-8"), source=DEFAULT_FRAMEWORK_FILE)


def extend_framework(
    framework: Framework,
    custom_criteria: Iterable[Criterion | Mapping[str, Any]] = (),
    custom_gates: Iterable[EligibilityGate | Mapping[str, Any]] = (),
) -> Framework:
    """A copy of ``framework`` with a workspace's own criteria and gates appended.

    Items may be models or raw mappings (validated with `parse_criterion` / `parse_gate`). A
    workspace may add ``assessed`` or ``fact`` criteria in the ``custom`` or ``context`` group;
    ``computed`` criteria and the ``checklist`` group belong to the framework. The framework's
    key and version are kept, so scores recorded against it stay valid. Any problem raises
    `FrameworkError`.

    >>> from criteria.frameworks import default_framework
    >>> fw = extend_framework(default_framework(), [{
    ...     "key": "eu_funding", "title": "Access to EU funding",
    ...     "description": "Help in reaching EU programmes.",
    ...     "questions": ["Did it help a bid?", "Does it run EU projects?"],
    ...     "anchors": {1: "No", 2: "Little", 3: "Some", 4: "Much", 5: "Decisive"}}])
    >>> fw.keys[-1], len(fw.criteria)
    ('eu_funding', 16)
    >>> extend_framework(fw, [fw.criterion("sharp_focus")])
    Traceback (most recent call last):
    ...
    criteria.errors.FrameworkError: custom criterion 'sharp_focus' clashes with the criterion \
of the same key in framework 'ideal-network' 1.1.0; choose another key
    """
    criteria = [_as_model(c, parse_criterion, Criterion) for c in custom_criteria]
    gates = [_as_model(g, parse_gate, EligibilityGate) for g in custom_gates]
    _check_clashes(framework, "criterion", framework.keys, [c.key for c in criteria])
    _check_clashes(framework, "gate", framework.gate_keys, [g.key for g in gates])
    for criterion in criteria:
        _check_custom_criterion(criterion)
    return framework.model_copy(
        update={
            "criteria": (*framework.criteria, *criteria),
            "gates": (*framework.gates, *gates),
        }
    )


def _as_model(
    item: T | Mapping[str, Any],
    parse: Callable[[Mapping[str, Any]], T],
    model: type[T],
) -> T:
    if isinstance(item, model):
        return item
    if not isinstance(item, Mapping):
        raise FrameworkError(f"a custom {model.__name__.lower()} must be a mapping of fields")
    try:
        return parse(item)
    except CriteriaError as exc:
        raise FrameworkError(f"custom {exc.message}", fields=exc.fields) from None


def _check_custom_criterion(criterion: Criterion) -> None:
    name = f"custom criterion '{criterion.key}'"
    if criterion.kind is CriterionKind.COMPUTED:
        raise FrameworkError(
            f"{name}, field 'kind': computed criteria are derived by the app from data; "
            "a workspace can add 'assessed' or 'fact' criteria",
            fields={"kind": "use 'assessed' or 'fact'"},
        )
    if criterion.group is CriterionGroup.CHECKLIST:
        raise FrameworkError(
            f"{name}, field 'group': the checklist belongs to the framework; "
            "use 'custom' or 'context'",
            fields={"group": "use 'custom' or 'context'"},
        )


def _check_clashes(
    framework: Framework, what: str, existing: Iterable[str], added: list[str]
) -> None:
    taken = set(existing)
    seen: set[str] = set()
    for key in added:
        if key in taken:
            raise FrameworkError(
                f"custom {what} '{key}' clashes with the {what} of the same key in framework "
                f"'{framework.key}' {framework.version}; choose another key",
                fields={"key": f"'{key}' is already used by the framework"},
            )
        if key in seen:
            raise FrameworkError(
                f"custom {what} '{key}' is given twice",
                fields={"key": f"'{key}' is given twice"},
            )
        seen.add(key)
