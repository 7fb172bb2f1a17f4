"""The decision settings: the bars, costs, penalty, evidence threshold and cost references.

One frozen `DecisionSettings` carries every number that turns values into advice, so that an
analysis can state exactly what it used and a scenario can override any of them. `BOUNDS`
gives each setting's allowed range; the app's forms and API validate against the same table.

==================  =======  ==========================================================
setting             default  meaning
==================  =======  ==========================================================
join_bar            0.60     value a candidate needs before joining is considered
leave_bar           0.45     value below which a member is advised to leave
join_cost           0.02     value a candidate must clear the join bar by (setting up,
                             learning the network's ways); also counts in trades
leave_cost          0.02     value lost by leaving (relations, standing): a member is
                             only traded away for a clearly better use of the budget
overlap_penalty     0.10     value lost per unit of overlap when two chosen networks
                             work on the same themes (overlap 0.5 costs 0.05)
evidence_threshold  0.70     share of the assessed criteria's weight that needs scores
                             before a network gets advice of its own
fee_reference       none     yearly cash cost (minor units) that counts as worst on the
                             cost criterion; by default a quarter of the fee budget
hours_reference     none     yearly staff hours that count as worst; by default a
                             quarter of the staff-hours budget
==================  =======  ==========================================================

The costs are in value units (0-1, shown as points out of 100). The default references are a
quarter of the budget: a single membership taking a quarter of all the money (or time) set
aside for networks is as expensive as one can reasonably be; anything dearer is equally bad.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from criteria.errors import CriteriaError
from scoring.recommend import Thresholds

__all__ = [
    "BOUNDS",
    "REFERENCE_SHARE",
    "DecisionSettings",
    "default_reference",
]

REFERENCE_SHARE = 0.25
"""Default cost reference levels: this share of the fee and staff-hours budgets."""

MAX_MINOR = 10**15
"""The largest amount of money (minor units) any setting may hold: fits a signed 64-bit column."""

BOUNDS: dict[str, tuple[float, float]] = {
    "join_bar": (0.0, 1.0),
    "leave_bar": (0.0, 1.0),
    "join_cost": (0.0, 0.5),
    "leave_cost": (0.0, 0.5),
    "overlap_penalty": (0.0, 1.0),
    "evidence_threshold": (0.0, 1.0),
    "fee_reference": (1.0, float(MAX_MINOR)),
    "hours_reference": (1.0, 1_000_000.0),
}
"""Inclusive range of each setting (money in minor units)."""


@dataclass(frozen=True, slots=True)
class DecisionSettings:
    """Every number that turns values into advice (see the module docstring).

    >>> DecisionSettings().thresholds
    Thresholds(join_above=0.6, leave_below=0.45)
    >>> DecisionSettings(leave_bar=0.7)
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: The leave bar (0.7) must not be above the join bar (0.6).
    """

    join_bar: float = 0.60
    leave_bar: float = 0.45
    join_cost: float = 0.02
    leave_cost: float = 0.02
    overlap_penalty: float = 0.10
    evidence_threshold: float = 0.70
    fee_reference: int | None = None
    hours_reference: float | None = None

    def __post_init__(self) -> None:
        for name, (low, high) in BOUNDS.items():
            raw = getattr(self, name)
            if raw is None and name in ("fee_reference", "hours_reference"):
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise CriteriaError(
                    f"The setting {name} must be a number.", fields={name: "not a number"}
                )
            if not (math.isfinite(raw) and low <= raw <= high):
                raise CriteriaError(
                    f"The setting {name} must be between {low:g} and {high:g}, not {raw!r}.",
                    fields={name: f"must be between {low:g} and {high:g}"},
                )
        if self.fee_reference is not None and int(self.fee_reference) != self.fee_reference:
            raise CriteriaError(
                "The fee reference must be a whole number of minor units.",
                fields={"fee_reference": "not a whole number"},
            )
        if self.leave_bar > self.join_bar:
            raise CriteriaError(
                f"The leave bar ({self.leave_bar:g}) must not be above the join bar "
                f"({self.join_bar:g}).",
                fields={"leave_bar": "above the join bar"},
            )

    @property
    def thresholds(self) -> Thresholds:
        """The two bars as `scoring.recommend.Thresholds`."""
        return Thresholds(join_above=self.join_bar, leave_below=self.leave_bar)

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name (for reports and the API)."""
        return asdict(self)


def default_reference(budget: float | None) -> float | None:
    """The default cost reference for a budget: `REFERENCE_SHARE` of it (None without one).

    >>> default_reference(12_000_000), default_reference(None), default_reference(0)
    (3000000.0, None, None)
    """
    if budget is None or budget <= 0:
        return None
    return budget * REFERENCE_SHARE
