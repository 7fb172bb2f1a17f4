"""Realised value: what a membership delivered each year against what it cost.

A review should start from facts. The outcome log of a membership records, per year, the
funding obtained through the network (an amount), and the projects, policy changes, events
and knowledge gained (counted). This module sets them against the yearly cash cost:

- ``cost`` per year is the membership's yearly cash cost (fee plus travel and events, minor
  units) for every year the city was a member, from the year it joined (``since``; every
  year of the window when unknown) to ``until`` (normally the current year). No fee history
  is kept, so the cost of past years is the *current* yearly cost: reports say so;
- ``funding`` per year is the sum of the amounts of the year's ``funding`` outcomes;
- ``balance`` is funding minus cost; it leaves out what has no price (a policy change, a
  peer review), which the counts report beside it.

`since_decision` answers the review question "since the council decided, what came of it?":
the same sums over the years from the decision's year on.

All money in integer minor units; pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "OutcomeFact",
    "RealisedTotals",
    "RealisedYear",
    "realised_years",
    "since_decision",
    "totals",
]

KINDS: tuple[str, ...] = ("funding", "project", "policy", "event", "knowledge")
"""Outcome kinds, in the order reports list them."""


@dataclass(frozen=True, slots=True)
class OutcomeFact:
    """One entry of the outcome log (``amount`` in minor units, for funding)."""

    year: int
    kind: str
    title: str
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class RealisedYear:
    """One year of one membership: its cost, the funding obtained and what else came of it."""

    year: int
    member: bool  # a member that year (the cost counts)
    cost: int
    funding: int
    counts: dict[str, int]
    titles: tuple[str, ...]

    @property
    def balance(self) -> int:
        """Funding obtained minus the cash cost of the year (minor units)."""
        return self.funding - self.cost


@dataclass(frozen=True, slots=True)
class RealisedTotals:
    """Sums over some years (`totals`)."""

    first_year: int | None
    last_year: int | None
    years: int
    cost: int
    funding: int
    counts: dict[str, int]

    @property
    def balance(self) -> int:
        return self.funding - self.cost


def realised_years(
    outcomes: Iterable[OutcomeFact],
    *,
    yearly_cost: int,
    since_year: int | None,
    until: int,
    first_year: int | None = None,
) -> list[RealisedYear]:
    """One row per year, oldest first, from ``first_year`` (default: the earlier of the
    join year and the first outcome, never before ``until - 9``) to ``until``.

    >>> log = [OutcomeFact(2024, "funding", "Grant", 150_000_00), OutcomeFact(2024, "event", "Forum"),
    ...        OutcomeFact(2025, "policy", "Roadmap")]
    >>> rows = realised_years(log, yearly_cost=21_500_00, since_year=2024, until=2025)
    >>> [(r.year, r.cost, r.funding, r.balance, r.counts["event"]) for r in rows]
    [(2024, 2150000, 15000000, 12850000, 1), (2025, 2150000, 0, -2150000, 0)]
    """
    facts = list(outcomes)
    years_seen = [f.year for f in facts if f.year <= until]
    if first_year is None:
        starts = [y for y in (since_year, min(years_seen, default=None)) if y is not None]
        first_year = max(min(starts, default=until), until - 9)
    rows = []
    for year in range(first_year, until + 1):
        of_year = [f for f in facts if f.year == year]
        member = since_year is None or year >= since_year
        counts = dict.fromkeys(KINDS, 0)
        for fact in of_year:
            counts[fact.kind] = counts.get(fact.kind, 0) + 1
        rows.append(
            RealisedYear(
                year=year,
                member=member,
                cost=yearly_cost if member else 0,
                funding=sum(f.amount or 0 for f in of_year if f.kind == "funding"),
                counts=counts,
                titles=tuple(f.title for f in of_year),
            )
        )
    return rows


def totals(rows: Sequence[RealisedYear]) -> RealisedTotals:
    """Sums of cost, funding and counts over ``rows``.

    >>> t = totals(realised_years([OutcomeFact(2025, "funding", "EU", 40_000_00)],
    ...                           yearly_cost=21_500_00, since_year=2020, until=2025,
    ...                           first_year=2025))
    >>> t.funding, t.cost, t.balance, t.years
    (4000000, 2150000, 1850000, 1)
    """
    counts = dict.fromkeys(KINDS, 0)
    for row in rows:
        for kind, n in row.counts.items():
            counts[kind] = counts.get(kind, 0) + n
    return RealisedTotals(
        first_year=rows[0].year if rows else None,
        last_year=rows[-1].year if rows else None,
        years=len(rows),
        cost=sum(r.cost for r in rows),
        funding=sum(r.funding for r in rows),
        counts=counts,
    )


def since_decision(rows: Sequence[RealisedYear], decision_year: int) -> RealisedTotals:
    """Totals over the years from ``decision_year`` on (the decision's year included).

    >>> rows = realised_years([OutcomeFact(2026, "funding", "EU", 40_000_00)],
    ...                       yearly_cost=21_500_00, since_year=2005, until=2026)
    >>> t = since_decision(rows, 2026)
    >>> t.funding, t.cost, t.years
    (4000000, 2150000, 1)
    """
    return totals([r for r in rows if r.year >= decision_year])
