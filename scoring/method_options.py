"""Settings of the methods beyond the weights: normalisations, thresholds, strategy weight.

This module owns `MethodOptions` and its parsing from a plain mapping (what a scenario, a
query string or a JSON body holds). Every field has the default that reproduces the method as
the registry ran it before options existed, so ``MethodOptions()`` changes nothing:

``weighted_sum_normalisation``
    ``"bounds"`` (default): utilities from the criteria's plausible ranges
    (`scoring.matrix.utilities`). ``"raw"``: ``score_i = sum_j w_j x_ij`` on the values as
    they are (Triantaphyllou's WSM; only meaningful when every criterion is a benefit in the
    same unit, so a cost criterion is refused). ``"reciprocal_sum"``: a benefit column is
    divided by its sum, ``x_ij / sum_k x_kj``; a cost column is first inverted,
    ``(1 / x_ij) / sum_k (1 / x_kj)`` (the "distributive" normalisation of AHP-style
    studies; a cost of 0 or less, or a benefit column summing to 0, is refused).
``topsis_normalisation``
    ``"vector"`` (default, Hwang & Yoon): ``x_ij / sqrt(sum_k x_kj^2)``. ``"minmax"``:
    ``(x_ij - min_j) / (max_j - min_j)`` for a benefit, ``(max_j - x_ij) / (max_j - min_j)``
    for a cost, over the networks compared (a constant column gives 0 for everybody).
``vikor_v``
    VIKOR's strategy weight ``v`` in [0, 1] (default 0.5).
``electre_concordance`` / ``electre_discordance``
    ELECTRE I's thresholds ``c^`` and ``d^`` in [0, 1] (defaults 0.65 and 0.35, as
    scikit-criteria): ``a`` outranks ``b`` when ``C(a, b) >= c^`` and ``D(a, b) <= d^``.
``promethee``
    Per-criterion overrides of PROMETHEE's preference functions (criterion key ->
    `scoring.promethee.PreferenceSpec`); criteria not listed keep
    `scoring.promethee.default_specs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from criteria.errors import CriteriaError
from scoring.promethee import PreferenceSpec

__all__ = ["MethodOptions", "parse_method_options"]

WeightedSumNormalisation = Literal["bounds", "raw", "reciprocal_sum"]
TopsisNormalisation = Literal["vector", "minmax"]

_WS = ("bounds", "raw", "reciprocal_sum")
_TOPSIS = ("vector", "minmax")


@dataclass(frozen=True)
class MethodOptions:
    """Method settings; the defaults reproduce the registry's methods unchanged.

    >>> MethodOptions().is_default()
    True
    >>> MethodOptions(topsis_normalisation="minmax").is_default()
    False
    """

    weighted_sum_normalisation: WeightedSumNormalisation = "bounds"
    topsis_normalisation: TopsisNormalisation = "vector"
    vikor_v: float = 0.5
    electre_concordance: float = 0.65
    electre_discordance: float = 0.35
    promethee: Mapping[str, PreferenceSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weighted_sum_normalisation not in _WS:
            raise CriteriaError(
                f"The weighted sum normalisation is one of {', '.join(_WS)}, not "
                f"'{self.weighted_sum_normalisation}'.",
                fields={"weighted_sum_normalisation": "unknown normalisation"},
            )
        if self.topsis_normalisation not in _TOPSIS:
            raise CriteriaError(
                f"The TOPSIS normalisation is one of {', '.join(_TOPSIS)}, not "
                f"'{self.topsis_normalisation}'.",
                fields={"topsis_normalisation": "unknown normalisation"},
            )
        for name in ("vikor_v", "electre_concordance", "electre_discordance"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CriteriaError(f"{name} must be a number.", fields={name: "not a number"})
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise CriteriaError(
                    f"{name} must be between 0 and 1, got {value!r}.",
                    fields={name: "must be between 0 and 1"},
                )
            object.__setattr__(self, name, float(value))
        object.__setattr__(self, "promethee", dict(self.promethee))

    def is_default(self) -> bool:
        """True when every setting is the default (the registry's original methods)."""
        return self == MethodOptions()


def parse_method_options(raw: Mapping[str, Any] | None) -> MethodOptions:
    """`MethodOptions` from a plain mapping; unknown keys and bad values raise `CriteriaError`
    with the field named.

    ``promethee`` maps criterion keys to ``{"function": ..., "q": ..., "p": ..., "s": ...}``.

    >>> parse_method_options({"topsis_normalisation": "minmax"}).topsis_normalisation
    'minmax'
    >>> parse_method_options({"promethee": {"fee": {"function": "usual"}}}).promethee["fee"].function
    <PreferenceFunction.USUAL: 'usual'>
    """
    data = dict(raw or {})
    known = {
        "weighted_sum_normalisation",
        "topsis_normalisation",
        "vikor_v",
        "electre_concordance",
        "electre_discordance",
        "promethee",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise CriteriaError(
            f"'{unknown[0]}' is not a method option.", fields={unknown[0]: "unknown option"}
        )
    specs: dict[str, PreferenceSpec] = {}
    promethee = data.pop("promethee", None) or {}
    if not isinstance(promethee, Mapping):
        raise CriteriaError(
            "The PROMETHEE settings must map criteria to their preference functions.",
            fields={"promethee": "not a mapping"},
        )
    for key, spec in promethee.items():
        if isinstance(spec, PreferenceSpec):
            specs[str(key)] = spec
            continue
        if not isinstance(spec, Mapping):
            raise CriteriaError(
                f"The PROMETHEE setting of '{key}' must give a function and its thresholds.",
                fields={str(key): "not a mapping"},
            )
        extra = sorted(set(spec) - {"function", "q", "p", "s"})
        if extra:
            raise CriteriaError(
                f"Criterion '{key}': '{extra[0]}' is not a PROMETHEE setting; use function, q, "
                "p or s.",
                fields={str(key): f"unknown setting {extra[0]}"},
            )
        try:
            specs[str(key)] = PreferenceSpec(**dict(spec))
        except (CriteriaError, TypeError) as exc:
            raise CriteriaError(f"Criterion '{key}': {exc}", fields={str(key): str(exc)}) from None
        specs[str(key)].check(str(key))
    return MethodOptions(
        weighted_sum_normalisation=cast(
            WeightedSumNormalisation, data.get("weighted_sum_normalisation", "bounds")
        ),
        topsis_normalisation=cast(TopsisNormalisation, data.get("topsis_normalisation", "vector")),
        vikor_v=data.get("vikor_v", 0.5),
        electre_concordance=data.get("electre_concordance", 0.65),
        electre_discordance=data.get("electre_discordance", 0.35),
        promethee=specs,
    )
