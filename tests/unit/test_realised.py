"""Realised value: yearly cost against funding obtained (scoring.realised)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scoring.realised import KINDS, OutcomeFact, realised_years, since_decision, totals


def test_worked_example_from_the_issue() -> None:
    # Issue 10: "council decided STAY in 2026; since then: EUR 40,000 of funding obtained
    # against EUR 21,500 fees" (one year at the demo's UCLG fee of EUR 21,500).
    log = [
        OutcomeFact(2024, "event", "World Congress side event"),
        OutcomeFact(2026, "funding", "EU grant found through the network", 40_000_00),
    ]
    rows = realised_years(log, yearly_cost=21_500_00, since_year=2005, until=2026)
    assert [r.year for r in rows] == list(range(2017, 2027))  # at most ten years shown
    since = since_decision(rows, 2026)
    assert (since.funding, since.cost, since.balance) == (40_000_00, 21_500_00, 18_500_00)
    assert totals(rows).counts["event"] == 1


def test_no_cost_before_joining() -> None:
    rows = realised_years(
        [OutcomeFact(2022, "project", "Pilot")], yearly_cost=1000, since_year=2024, until=2025
    )
    assert [(r.year, r.member, r.cost) for r in rows] == [
        (2022, False, 0),
        (2023, False, 0),
        (2024, True, 1000),
        (2025, True, 1000),
    ]


outcomes = st.lists(
    st.builds(
        OutcomeFact,
        year=st.integers(2010, 2026),
        kind=st.sampled_from(KINDS),
        title=st.text(max_size=5),
        amount=st.none() | st.integers(0, 10**9),
    ),
    max_size=30,
)


@given(outcomes, st.integers(0, 10**8), st.none() | st.integers(2000, 2026))
def test_totals_add_up(log: list[OutcomeFact], cost: int, since: int | None) -> None:
    rows = realised_years(log, yearly_cost=cost, since_year=since, until=2026)
    total = totals(rows)
    assert total.cost == sum(r.cost for r in rows) == cost * sum(r.member for r in rows)
    shown = {r.year for r in rows}
    assert total.funding == sum(
        f.amount or 0 for f in log if f.kind == "funding" and f.year in shown
    )
    assert total.balance == total.funding - total.cost
    assert sum(total.counts.values()) == sum(1 for f in log if f.year in shown)
