"""The decision calendar: when a membership renews, by when notice must be given, and the
earliest exit still open.

Memberships renew yearly on the same day (the *anniversary* recorded as ``renewal_date``, in
any year). To leave at a renewal the city must give written notice ``notice_days`` before it
(UCLG asks six months, some associations twelve). Given today's date this module works out:

- ``next_renewal``: the first renewal on or after today;
- ``notice_by``: the last day to give notice for the *earliest exit still open*, and
  ``exit_on``, that exit's renewal. When the notice deadline of ``next_renewal`` is still
  ahead (today included), ``exit_on == next_renewal``; when it has passed, the next
  renewal's fee year is already committed (``committed_from`` .. ``exit_on``) and the exit
  moves a year on, or more for notice periods longer than a year.

Dates are exact across year ends and leap days: an anniversary on 29 February falls on
28 February in common years and on 29 February again in leap years (the same day of the same
month, clamped to the month's length, always counted from the recorded anniversary, so it
never drifts). All functions are pure and take ``today`` explicitly.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from criteria.errors import CriteriaError

__all__ = ["MAX_NOTICE_DAYS", "Schedule", "anniversary", "schedule"]

MAX_NOTICE_DAYS = 3 * 366
"""The longest notice period accepted (three years); longer ones are surely typing errors."""


def anniversary(day: date, year: int) -> date:
    """``day``'s month and day in ``year``, clamped to the month's length (29 Feb -> 28 Feb).

    >>> anniversary(date(2024, 2, 29), 2027), anniversary(date(2024, 2, 29), 2028)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 29))
    """
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Schedule:
    """One membership's dates relative to ``today``.

    ``missed`` is True when the notice deadline of ``next_renewal`` has passed, so leaving
    takes effect only at ``exit_on`` and the fee year from ``committed_from`` (the renewal
    whose deadline was missed) to ``exit_on`` is already committed.
    """

    today: date
    next_renewal: date
    notice_by: date
    exit_on: date
    missed: bool
    committed_from: date | None
    notice_days: int

    @property
    def days_left(self) -> int:
        """Days from today to ``notice_by`` (0 on the day itself)."""
        return (self.notice_by - self.today).days


def schedule(renewal: date | None, notice_days: int | None, today: date) -> Schedule | None:
    """The membership's next renewal, notice deadline and earliest exit, or None if unknown.

    ``renewal`` is any renewal date of the membership (past or future: it recurs yearly).

    >>> s = schedule(date(2026, 1, 1), 90, today=date(2026, 12, 1))
    >>> s.next_renewal, s.notice_by, s.exit_on, s.missed, s.committed_from
    (datetime.date(2027, 1, 1), datetime.date(2027, 10, 3), datetime.date(2028, 1, 1), True, datetime.date(2027, 1, 1))
    >>> s = schedule(date(2027, 6, 30), 30, today=date(2026, 12, 1))
    >>> s.next_renewal, s.notice_by, s.exit_on, s.missed
    (datetime.date(2027, 6, 30), datetime.date(2027, 5, 31), datetime.date(2027, 6, 30), False)
    """
    if renewal is None or notice_days is None:
        return None
    if not 0 <= notice_days <= MAX_NOTICE_DAYS:
        raise CriteriaError(
            f"A notice period must be between 0 and {MAX_NOTICE_DAYS} days, not {notice_days}.",
            fields={"notice_days": "out of range"},
        )
    year = today.year - 1
    upcoming = anniversary(renewal, year)
    while upcoming < today:
        year += 1
        upcoming = anniversary(renewal, year)
    exit_year = year
    exit_on = upcoming
    notice = timedelta(days=notice_days)
    while exit_on - notice < today:
        exit_year += 1
        exit_on = anniversary(renewal, exit_year)
    missed = exit_on != upcoming
    return Schedule(
        today=today,
        next_renewal=upcoming,
        notice_by=exit_on - notice,
        exit_on=exit_on,
        missed=missed,
        committed_from=upcoming if missed else None,
        notice_days=notice_days,
    )
