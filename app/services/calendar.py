"""The decision calendar: every membership by its next deadline, and the same as an ICS feed.

Dates come from `scoring.calendar.schedule` (renewals recur yearly; a missed notice deadline
moves the earliest exit a year on and commits that year's fee). Each row also carries the
advice of the scenario shown, so a LEAVE comes with the date by which it must be acted on.
The council's decisions add their next review dates (`review_rows`), for members and
candidates alike, in the page and the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from icalendar import Calendar, Event

from app.i18n import format_money
from app.i18n import gettext as _
from app.models import Decision, Membership, Network, Workspace
from app.services.common import from_minor
from scoring.calendar import Schedule, schedule

__all__ = ["CalendarRow", "ReviewRow", "calendar_rows", "ics_feed", "review_rows"]


@dataclass(frozen=True)
class CalendarRow:
    """One current membership and its dates (``schedule`` None: renewal or notice unknown)."""

    network_id: str
    name: str
    fee_minor: int
    renewal_date: date | None
    notice_days: int | None
    schedule: Schedule | None
    action: str | None  # the advice's action code (join, stay, leave...)

    @property
    def deadline(self) -> date | None:
        """The next date the city must act by (the last day to give notice)."""
        return None if self.schedule is None else self.schedule.notice_by


@dataclass(frozen=True)
class ReviewRow:
    """A decision in force with a next review date: when the council looks at it again."""

    network_id: str
    name: str
    decided: str  # the decided action (join, stay, leave, not_join, defer)
    decided_on: date
    body: str
    reference: str
    review_on: date
    today: date

    @property
    def days_left(self) -> int:
        """Days from today to the review (negative: overdue)."""
        return (self.review_on - self.today).days


def review_rows(
    decisions: Mapping[str, Decision], names: Mapping[str, str], today: date
) -> list[ReviewRow]:
    """The decisions in force that name a next review date, the soonest first (overdue first).

    ``decisions`` maps a network id to its decision in force; ``names`` gives the names shown.
    """
    rows = [
        ReviewRow(
            network_id=network_id,
            name=names.get(network_id, network_id),
            decided=d.action,
            decided_on=d.decided_on,
            body=d.body,
            reference=d.reference,
            review_on=d.next_review_on,
            today=today,
        )
        for network_id, d in decisions.items()
        if d.next_review_on is not None
    ]
    return sorted(rows, key=lambda r: (r.review_on, r.name.lower()))


def calendar_rows(
    memberships: Sequence[tuple[Membership, Network]],
    today: date,
    actions: Mapping[str, str] | None = None,
) -> list[CalendarRow]:
    """Current memberships, the nearest deadline first; those without dates last, by name."""
    rows = []
    for membership, network in memberships:
        if membership.status != "member":
            continue
        rows.append(
            CalendarRow(
                network_id=network.id,
                name=network.acronym or network.name,
                fee_minor=membership.annual_fee_minor,
                renewal_date=membership.renewal_date,
                notice_days=membership.notice_days,
                schedule=schedule(membership.renewal_date, membership.notice_days, today),
                action=(actions or {}).get(network.id),
            )
        )
    return sorted(rows, key=lambda r: (r.deadline is None, r.deadline or today, r.name.lower()))


def ics_feed(
    workspace: Workspace,
    rows: Sequence[CalendarRow],
    currency: str,
    *,
    labels: Callable[[str], str] = str,
    reviews: Sequence[ReviewRow] = (),
    decided_labels: Callable[[str], str] = str,
    now: datetime | None = None,
) -> bytes:
    """An iCalendar file: for each membership, its last day to give notice and its renewal;
    for each decision with a next review date, the review.

    All-day events with stable UIDs, so a subscribed calendar updates them in place.
    """
    stamp = now or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//Network Compass//Decision calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("%(workspace)s: network memberships", workspace=workspace.name))
    for row in rows:
        s = row.schedule
        if s is None:
            continue
        fee = format_money(from_minor(row.fee_minor), currency)
        notice = Event()
        notice.add(
            "uid", f"notice-{workspace.id}-{row.network_id}-{s.exit_on.isoformat()}@network-compass"
        )
        notice.add("dtstamp", stamp)
        notice.add("dtstart", s.notice_by)
        notice.add(
            "summary",
            _("Last day to give notice: %(network)s", network=row.name),
        )
        description = _(
            "To leave %(network)s on %(exit)s, written notice must reach it by %(deadline)s "
            "(%(days)s days before the renewal).",
            network=row.name,
            exit=s.exit_on.isoformat(),
            deadline=s.notice_by.isoformat(),
            days=s.notice_days,
        )
        if row.action:
            description += " " + _("Current advice: %(action)s.", action=labels(row.action))
        notice.add("description", description)
        calendar.add_component(notice)
        renewal = Event()
        renewal.add(
            "uid",
            f"renewal-{workspace.id}-{row.network_id}-{s.next_renewal.isoformat()}@network-compass",
        )
        renewal.add("dtstamp", stamp)
        renewal.add("dtstart", s.next_renewal)
        renewal.add("summary", _("%(network)s renews (fee %(fee)s)", network=row.name, fee=fee))
        calendar.add_component(renewal)
    for review in reviews:
        event = Event()
        event.add(
            "uid",
            f"review-{workspace.id}-{review.network_id}-{review.review_on.isoformat()}"
            "@network-compass",
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", review.review_on)
        event.add("summary", _("Review due: %(network)s", network=review.name))
        event.add(
            "description",
            _(
                "%(body)s decided on %(decided_on)s: %(action)s. This decision is due for review.",
                body=review.body,
                decided_on=review.decided_on.isoformat(),
                action=decided_labels(review.decided),
            ),
        )
        calendar.add_component(event)
    return bytes(calendar.to_ical())
