"""Errors raised by the criteria package.

This module owns the two exception types the rest of the product catches:

- `CriteriaError`: a rule the user broke (a custom criterion without anchors, a gate with an
  unknown rule...), worded so that it can be shown as is to a city officer or a councillor.
- `FrameworkError`: a broken framework file or a framework extension that does not fit
  (duplicate keys, a custom criterion clashing with a built-in one).

Both carry ``fields``: a mapping from a field name to the problem with it, so that a form can
put each message next to the right input.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["CriteriaError", "FrameworkError"]


class CriteriaError(ValueError):
    """A rule about criteria, weights or gates that the user broke.

    >>> err = CriteriaError("field 'title': must not be empty", fields={"title": "must not be empty"})
    >>> str(err)
    "field 'title': must not be empty"
    >>> dict(err.fields)
    {'title': 'must not be empty'}
    """

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: Mapping[str, str] = MappingProxyType(dict(fields or {}))


class FrameworkError(CriteriaError):
    """A framework file, or a workspace's extension of a framework, is not valid.

    The message names the file (when there is one), the criterion or gate and the field.
    """
