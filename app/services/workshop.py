"""Workshops: create and run them, let phones join and submit, read a round's votes.

Every change the room can see (a submission, a reveal, a new round, closing) goes through
`_bump`: one UPDATE raises the workshop's ``seq`` and locks its row until the transaction
ends, so concurrent submissions from several app processes are ordered and numbered as they
commit; the change is announced on the event bus inside that transaction (PostgreSQL delivers
the NOTIFY on commit; the in-process bus after commit). A submission's rate limit and the
checks that the workshop and round are open are made under that lock.

Participants have no account: joining creates a random device token, kept in a cookie on the
phone; only its SHA-256 is stored. A token opens only its own workshop and only its own
submissions. Codes stop working when the workshop closes.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from app.models import (
    Scenario,
    Workshop,
    WorkshopParticipant,
    WorkshopRound,
    WorkshopSubmission,
    Workspace,
    utcnow,
)
from app.services import workspaces as ws
from app.services.accounts import digest
from app.services.common import as_utc, audit, snapshot
from app.services.events import EventBus

CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join codes avoid letters and digits that look alike (0/O, 1/I/L)."""
CODE_LENGTH: Final = 6
MAX_GROUPS: Final = 12
MAX_NAME: Final = 60
MAX_TITLE: Final = 120
AGGREGATIONS: Final = ("mean", "geometric", "median")
MIN_SUBMIT_INTERVAL: Final = timedelta(seconds=2)
"""A phone may submit at most once every two seconds (checked in the database, so the limit
holds across app processes)."""
PREVIEW_BURST: Final = 30
PREVIEW_PER_SECOND: Final = 10.0
"""A phone's live previews: bursts of 30, then 10 a second (per app process)."""
ALLOCATION_TOTAL: Final = 100.0
ALLOCATION_TOLERANCE: Final = 0.5
_CODE_RE: Final = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


class WorkshopFormErrors(Exception):
    """Field-level messages (field name -> message) for a workshop form; shown with 422."""

    def __init__(self, errors: Mapping[str, str], message: str = "") -> None:
        self.errors = dict(errors)
        self.message = message or _("Please correct the highlighted fields.")
        super().__init__(self.message)


class TooSoon(Exception):
    """A phone submitted or previewed faster than its rate limit allows."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class Closed(Exception):
    """The workshop or its round no longer accepts submissions."""


# --- parsing --------------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its stored form.

    >>> normalise_code(" k7m-2qx ")
    'K7M2QX'
    """
    return re.sub(r"[\s-]", "", raw).upper()


def is_code(raw: str) -> bool:
    """Whether a (normalised) string has the form of a join code.

    >>> is_code("K7M2QX"), is_code("K7M2Q0"), is_code("K7M")
    (True, False, False)
    """
    return bool(_CODE_RE.match(raw))


def parse_groups(raw: str) -> list[str]:
    """Stakeholder groups, one per line or comma-separated; raises `WorkshopFormErrors`.

    >>> parse_groups("Council, Staff\\nPartners, staff")
    ['Council', 'Staff', 'Partners']
    """
    groups: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[,\n]", raw):
        name = " ".join(part.split())
        if not name or name.casefold() in seen:
            continue
        if len(name) > MAX_NAME:
            raise WorkshopFormErrors(
                {"groups": _("Keep each group name under %(n)s characters.", n=MAX_NAME)}
            )
        seen.add(name.casefold())
        groups.append(name)
    if len(groups) > MAX_GROUPS:
        raise WorkshopFormErrors({"groups": _("Give at most %(n)s groups.", n=MAX_GROUPS)})
    return groups


def parse_weights(
    form: Mapping[str, Any], keys: Sequence[str], *, allocation: bool
) -> dict[str, float]:
    """A participant's points per criterion from ``w_<key>`` fields; raises
    `WorkshopFormErrors` naming each bad field.

    Sliders: 0-100 points each, at least one above 0. A 100-point allocation: the points must
    add up to 100. A ``w_`` field for a criterion the workshop does not use is refused.

    >>> parse_weights({"w_a": "60", "w_b": "40"}, ["a", "b"], allocation=True)
    {'a': 60.0, 'b': 40.0}
    >>> try:
    ...     parse_weights({"w_a": "60", "w_zz": "40"}, ["a"], allocation=False)
    ... except WorkshopFormErrors as exc:
    ...     exc.errors
    {'w_zz': "'zz' is not one of this workshop's criteria."}
    """
    errors: dict[str, str] = {}
    known = set(keys)
    for name in form:
        if name.startswith("w_") and name[2:] not in known:
            errors[name] = _("'%(key)s' is not one of this workshop's criteria.", key=name[2:])
    points: dict[str, float] = {}
    for key in keys:
        name = f"w_{key}"
        raw = str(form.get(name, "0") or "0").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            errors[name] = _("Enter a number of points from 0 to 100.")
            continue
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[name] = _("Enter a number of points from 0 to 100.")
            continue
        points[key] = value
    if errors:
        raise WorkshopFormErrors(errors)
    if not any(v > 0 for v in points.values()):
        raise WorkshopFormErrors(
            {}, _("All weights are zero: give at least one criterion some points.")
        )
    if allocation:
        total = sum(points.values())
        if abs(total - ALLOCATION_TOTAL) > ALLOCATION_TOLERANCE:
            raise WorkshopFormErrors(
                {
                    "allocation": _(
                        "Your points add up to %(total)s; they must add up to 100.",
                        total=f"{total:g}",
                    )
                },
            )
    return points


# --- facilitator ----------------------------------------------------------------------------


def criteria_of(workshop: Workshop, framework_keys: Sequence[str]) -> list[str]:
    """The criteria the workshop's participants weigh: the workspace's criteria when it
    opened that still exist (a criterion added later is not asked for mid-workshop)."""
    if not workshop.criteria:
        return list(framework_keys)
    known = set(framework_keys)
    return [k for k in workshop.criteria if k in known] or list(framework_keys)


def _new_code(session: Session) -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.exec(select(Workshop.id).where(Workshop.code == code)).first() is None:
            return code
    raise RuntimeError("could not find a free join code")


def create_workshop(
    session: Session,
    workspace: Workspace,
    *,
    title: str,
    scenario_id: int | None,
    groups: list[str],
    actor: str,
) -> Workshop:
    """Open a workshop (and its first round) on a workspace and, optionally, a scenario whose
    method and options the analysis uses. Raises `WorkshopFormErrors`."""
    title = " ".join(title.split())
    if not title:
        raise WorkshopFormErrors({"title": _("Give the workshop a title.")})
    if len(title) > MAX_TITLE:
        raise WorkshopFormErrors(
            {"title": _("Keep the title under %(n)s characters.", n=MAX_TITLE)}
        )
    scenario: Scenario | None = None
    if scenario_id is not None:
        try:
            scenario = ws.get_scenario(session, workspace, scenario_id)
        except NotFound:
            raise WorkshopFormErrors(
                {"scenario_id": _("Choose one of this workspace's scenarios.")}
            ) from None
    for _attempt in range(3):
        workshop = Workshop(
            workspace_id=workspace.id or 0,
            title=title,
            code=_new_code(session),
            scenario_id=scenario.id if scenario else None,
            method=scenario.method if scenario else "weighted_sum",
            options=dict(scenario.options) if scenario else {},
            criteria=list(ws.framework_of(session, workspace).keys),
            groups=groups,
            created_by=actor,
        )
        session.add(workshop)
        try:
            session.flush()
        except IntegrityError:  # the same code drawn by another process meanwhile
            session.rollback()
            continue
        first_round = WorkshopRound(workshop_id=workshop.id or 0, number=1)
        session.add(first_round)
        session.flush()
        workshop.open_round_id = first_round.id
        audit(
            session,
            workspace_id=workspace.id,
            actor=actor,
            action="create",
            entity="workshop",
            entity_key=title,
            after=snapshot(workshop, exclude={"seq", "code"}),
        )
        session.commit()
        session.refresh(workshop)
        return workshop
    raise RuntimeError("could not store the workshop")


def list_workshops(session: Session, workspace: Workspace) -> list[Workshop]:
    return list(
        session.exec(
            select(Workshop)
            .where(Workshop.workspace_id == workspace.id)
            .order_by(col(Workshop.created_at).desc(), col(Workshop.id).desc())
        )
    )


def get_workshop(session: Session, workspace: Workspace, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or workshop.workspace_id != workspace.id:
        raise NotFound("workshop", workshop_id)
    return workshop


def open_workshop_by_code(session: Session, code: str) -> Workshop:
    """The open workshop with this join code; NotFound for an unknown or closed one."""
    code = normalise_code(code)
    workshop = (
        session.exec(select(Workshop).where(Workshop.code == code)).first()
        if is_code(code)
        else None
    )
    if workshop is None or workshop.status != "open":
        raise NotFound("workshop", code)
    return workshop


def open_workshop_for(
    session: Session, code: str, token: str | None
) -> tuple[Workshop, WorkshopParticipant | None]:
    """The open workshop with this join code and the participant the device token belongs
    to (None: not joined), in one query; NotFound for an unknown or closed workshop."""
    code = normalise_code(code)
    if not is_code(code):
        raise NotFound("workshop", code)
    found = session.exec(
        select(Workshop, WorkshopParticipant)
        .outerjoin(
            WorkshopParticipant,
            sa.and_(
                col(WorkshopParticipant.workshop_id) == col(Workshop.id),
                col(WorkshopParticipant.token_hash) == digest(token or ""),
            ),
        )
        .where(Workshop.code == code)
    ).first()
    if found is None or found[0].status != "open":
        raise NotFound("workshop", code)
    return found[0], found[1] if token else None


def rounds_of(session: Session, workshop: Workshop) -> list[WorkshopRound]:
    return list(
        session.exec(
            select(WorkshopRound)
            .where(WorkshopRound.workshop_id == workshop.id)
            .order_by(col(WorkshopRound.number))
        )
    )


def current_round(session: Session, workshop: Workshop) -> WorkshopRound:
    """The newest round (open or closed)."""
    found = session.exec(
        select(WorkshopRound)
        .where(WorkshopRound.workshop_id == workshop.id)
        .order_by(col(WorkshopRound.number).desc())
    ).first()
    if found is None:  # every workshop is created with its first round
        raise NotFound("round", workshop.id)
    return found


def _bump(session: Session, workshop_id: int, bus: EventBus) -> int:
    """Raise the workshop's sequence number (locking its row until commit) and announce it."""
    found = _bump_row(session, workshop_id, bus)
    assert found is not None
    return found


def _bump_row(
    session: Session, workshop_id: int, bus: EventBus, *, open_round: int | None = None
) -> int | None:
    """One statement: raise ``seq``, lock the row, announce the change (on PostgreSQL from
    the statement itself), and return the new ``seq``. With ``open_round``, only while the
    workshop is open and that round takes submissions (None otherwise: nothing changed)."""
    statement = sa.update(Workshop).where(col(Workshop.id) == workshop_id)
    if open_round is not None:
        statement = statement.where(
            col(Workshop.status) == "open", col(Workshop.open_round_id) == open_round
        )
    statement = statement.values(seq=col(Workshop.seq) + 1)
    row = session.execute(
        statement.returning(col(Workshop.seq), *bus.returning(workshop_id, col(Workshop.seq)))
    ).first()
    if row is None:
        return None
    seq = int(row[0])
    bus.raised(session, workshop_id, seq)
    return seq


def _locked(session: Session, workshop: Workshop, bus: EventBus) -> tuple[Workshop, int]:
    """The workshop re-read under its lock, with the new sequence number."""
    seq = _bump(session, workshop.id or 0, bus)
    session.refresh(workshop)
    return workshop, seq


def set_revealed(session: Session, workshop: Workshop, revealed: bool, bus: EventBus) -> None:
    """Show (or hide again) the current round's votes to the room."""
    _locked(session, workshop, bus)
    round_ = current_round(session, workshop)
    round_.revealed = revealed
    session.add(round_)
    session.commit()


def set_aggregation(session: Session, workshop: Workshop, how: str, bus: EventBus) -> None:
    if how not in AGGREGATIONS:
        raise WorkshopFormErrors(
            {"aggregation": _("Choose the mean, the geometric mean or the median.")}
        )
    _locked(session, workshop, bus)
    workshop.aggregation = how
    workshop.version += 1
    session.add(workshop)
    session.commit()


def close_round(session: Session, workshop: Workshop, bus: EventBus) -> None:
    """Stop taking submissions for the current round (its votes stay)."""
    _locked(session, workshop, bus)
    round_ = current_round(session, workshop)
    if round_.status == "open":
        round_.status = "closed"
        round_.closed_at = utcnow()
        session.add(round_)
    workshop.open_round_id = None
    session.add(workshop)
    session.commit()


def next_round(session: Session, workshop: Workshop, bus: EventBus) -> WorkshopRound:
    """Close the current round and open the next one (hidden until revealed)."""
    _locked(session, workshop, bus)
    if workshop.status != "open":
        session.rollback()
        raise Closed
    round_ = current_round(session, workshop)
    if round_.status == "open":
        round_.status = "closed"
        round_.closed_at = utcnow()
        session.add(round_)
    new = WorkshopRound(workshop_id=workshop.id or 0, number=round_.number + 1)
    session.add(new)
    session.flush()
    workshop.open_round_id = new.id
    session.add(workshop)
    session.commit()
    session.refresh(new)
    return new


def close_workshop(session: Session, workshop: Workshop, bus: EventBus, *, actor: str) -> None:
    """End the workshop: its code stops working; its rounds and votes stay for reading."""
    _locked(session, workshop, bus)
    if workshop.status == "closed":
        session.rollback()
        return
    round_ = current_round(session, workshop)
    if round_.status == "open":
        round_.status = "closed"
        round_.closed_at = utcnow()
        session.add(round_)
    workshop.status = "closed"
    workshop.open_round_id = None
    workshop.closed_at = utcnow()
    workshop.version += 1
    session.add(workshop)
    audit(
        session,
        workspace_id=workshop.workspace_id,
        actor=actor,
        action="update",
        entity="workshop",
        entity_key=workshop.title,
        before={"status": "open"},
        after={"status": "closed"},
    )
    session.commit()


def freeze_round(
    session: Session,
    workspace: Workspace,
    workshop: Workshop,
    round_: WorkshopRound,
    points: dict[str, float],
    *,
    name: str,
    actor: str,
    bus: EventBus,
) -> Scenario:
    """Save a round's aggregate weights as a new scenario (audited like any scenario)."""
    description = _(
        "Frozen from round %(round)s of the workshop '%(title)s' (%(aggregation)s of the "
        "participants' weights).",
        round=round_.number,
        title=workshop.title,
        aggregation=workshop.aggregation,
    )
    try:
        scenario = ws.create_scenario(
            session,
            workspace,
            {
                "name": name,
                "description": description,
                "method": workshop.method,
                "weights": points,
                "options": dict(workshop.options),
            },
            actor=actor,
        )
    except Conflict:
        raise WorkshopFormErrors(
            {"name": _("A scenario named '%(name)s' already exists.", name=name)}
        ) from None
    _locked(session, workshop, bus)
    round_ = session.get(WorkshopRound, round_.id) or round_
    round_.frozen_scenario_id = scenario.id
    session.add(round_)
    session.commit()
    return scenario


# --- participants ---------------------------------------------------------------------------


def join(
    session: Session, workshop: Workshop, *, name: str, group: str | None, bus: EventBus
) -> tuple[WorkshopParticipant, str]:
    """A new participant and their device token (only its digest is stored)."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name:
        errors["display_name"] = _("Tell the room your name (or a nickname).")
    elif len(name) > MAX_NAME:
        errors["display_name"] = _("Keep your name under %(n)s characters.", n=MAX_NAME)
    chosen = (group or "").strip() or None
    if chosen is not None and chosen not in workshop.groups:
        errors["group"] = _("Choose one of the groups listed.")
    if errors:
        raise WorkshopFormErrors(errors)
    token = secrets.token_urlsafe(32)
    participant = WorkshopParticipant(
        workshop_id=workshop.id or 0,
        display_name=name,
        stakeholder_group=chosen,
        token_hash=digest(token),
    )
    _bump(session, workshop.id or 0, bus)
    session.add(participant)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise WorkshopFormErrors(
            {"display_name": _("Someone here already uses that name: add an initial.")}
        ) from None
    session.commit()
    session.refresh(participant)
    return participant, token


def participant_by_token(
    session: Session, workshop: Workshop, token: str | None
) -> WorkshopParticipant | None:
    if not token:
        return None
    found = session.exec(
        select(WorkshopParticipant).where(WorkshopParticipant.token_hash == digest(token))
    ).first()
    if found is None or found.workshop_id != workshop.id:
        return None
    return found


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored submission: its sequence number and weights, whether this post added it
    (False: a retried post of the same form), and how many times the participant has
    submitted in that round."""

    seq: int
    weights: dict[str, float]
    new: bool
    count: int


def submit(
    session: Session,
    workshop: Workshop,
    participant: WorkshopParticipant,
    weights: dict[str, float],
    *,
    key: str,
    bus: EventBus,
) -> Stored:
    """Store a participant's weights for the open round. Raises `Closed` when the workshop
    or round is closed, `TooSoon` within `MIN_SUBMIT_INTERVAL` of their last submission.

    ``key`` identifies the posted form: posting the same form twice stores it once.
    """
    key = key.strip()[:64] or secrets.token_urlsafe(16)
    workshop_id, workshop_status = workshop.id or 0, workshop.status
    participant_id = participant.id or 0
    # Read first, without a lock: the open round, the phone's last submission and count,
    # and whether this form was stored already.
    last_submission = (
        select(sa.func.max(WorkshopSubmission.submitted_at))
        .where(WorkshopSubmission.participant_id == participant.id)
        .scalar_subquery()
    )
    earlier = (
        select(sa.func.count())
        .where(
            WorkshopSubmission.participant_id == participant.id,
            WorkshopSubmission.round_id == WorkshopRound.id,
        )
        .scalar_subquery()
    )
    already = (
        select(WorkshopSubmission.id)
        .where(
            WorkshopSubmission.participant_id == participant.id,
            WorkshopSubmission.submission_key == key,
        )
        .scalar_subquery()
    )
    round_id, round_status, last, count, stored_id = session.execute(
        sa.select(
            col(WorkshopRound.id), col(WorkshopRound.status), last_submission, earlier, already
        )
        .where(col(WorkshopRound.workshop_id) == workshop_id)
        .order_by(col(WorkshopRound.number).desc())
        .limit(1)
    ).one()
    session.rollback()  # end the read: nothing is held while the checks run
    if stored_id is not None:  # this form was stored already: answer with it
        return _stored(session, participant_id, key)
    if workshop_status != "open" or round_status != "open":
        raise Closed
    now = utcnow()
    if last is not None and now - as_utc(last) < MIN_SUBMIT_INTERVAL:
        raise TooSoon((MIN_SUBMIT_INTERVAL - (now - as_utc(last))).total_seconds())
    # Under the workshop's row lock from here to the commit: the locking UPDATE (which also
    # checks, on the locked row, that the workshop and this round still take submissions,
    # and announces the change), the INSERT and the commit, as every submission of the room
    # waits for it.
    seq = _bump_row(session, workshop_id, bus, open_round=round_id)
    if seq is None:  # closed meanwhile
        session.rollback()
        raise Closed
    session.add(
        WorkshopSubmission(
            round_id=round_id,
            participant_id=participant_id,
            weights=weights,
            seq=seq,
            submission_key=key,
            submitted_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:  # the same form, posted twice at once: keep the first
        session.rollback()
        return _stored(session, participant_id, key)
    return Stored(seq, dict(weights), True, int(count) + 1)


def _stored(session: Session, participant_id: int, key: str) -> Stored:
    found = session.exec(
        select(WorkshopSubmission).where(
            WorkshopSubmission.participant_id == participant_id,
            WorkshopSubmission.submission_key == key,
        )
    ).one()
    total = session.exec(
        select(sa.func.count()).where(
            WorkshopSubmission.participant_id == participant_id,
            WorkshopSubmission.round_id == found.round_id,
        )
    ).one()
    return Stored(found.seq, dict(found.weights), False, int(total))


@dataclass(frozen=True, slots=True)
class Vote:
    """A participant's newest submission in a round."""

    participant_id: int
    name: str
    group: str | None
    weights: dict[str, float]
    seq: int
    count: int  # how many times they submitted in this round


def participants_of(session: Session, workshop: Workshop) -> list[WorkshopParticipant]:
    return list(
        session.exec(
            select(WorkshopParticipant)
            .where(WorkshopParticipant.workshop_id == workshop.id)
            .order_by(col(WorkshopParticipant.id))
        )
    )


def votes(
    session: Session, round_: WorkshopRound, participants: Sequence[WorkshopParticipant]
) -> list[Vote]:
    """Each participant's newest submission in the round (participants who have not
    submitted are left out), in the order of ``participants``."""
    statement = (
        select(
            WorkshopSubmission.participant_id,
            WorkshopSubmission.weights,
            WorkshopSubmission.seq,
        )
        .where(WorkshopSubmission.round_id == round_.id)
        .order_by(col(WorkshopSubmission.participant_id), col(WorkshopSubmission.seq))
    )
    if len(participants) <= 20:  # one phone's own vote: read only its rows
        ids = [p.id for p in participants]
        statement = statement.where(col(WorkshopSubmission.participant_id).in_(ids))
    rows = session.exec(statement).all()
    newest: dict[int, tuple[dict[str, float], int, int]] = {}
    for participant_id, weights, seq in rows:
        count = newest[participant_id][2] + 1 if participant_id in newest else 1
        newest[participant_id] = (dict(weights), seq, count)
    return [
        Vote(p.id or 0, p.display_name, p.stakeholder_group, *newest[p.id or 0])
        for p in participants
        if (p.id or 0) in newest
    ]


def submission_count(session: Session, round_: WorkshopRound) -> int:
    return int(
        session.exec(select(sa.func.count()).where(WorkshopSubmission.round_id == round_.id)).one()
    )


# --- preview rate limit ---------------------------------------------------------------------


class PreviewLimiter:
    """A token bucket per device for the live preview (per process; cheap and local)."""

    def __init__(self, burst: int = PREVIEW_BURST, rate: float = PREVIEW_PER_SECOND) -> None:
        self.burst, self.rate = burst, rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, device: str, now: float | None = None) -> None:
        """Use one preview; raises `TooSoon` when the bucket is empty.

        >>> limiter = PreviewLimiter(burst=2, rate=1.0)
        >>> limiter.take("d", now=0.0); limiter.take("d", now=0.0)
        >>> try:
        ...     limiter.take("d", now=0.5)
        ... except TooSoon as exc:
        ...     round(exc.retry_after, 2)
        0.5
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.get(device, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[device] = (tokens, now)
                raise TooSoon((1.0 - tokens) / self.rate)
            self._buckets[device] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:  # forget idle phones
                for stale in [d for d, (_t, at) in self._buckets.items() if now - at > 60]:
                    del self._buckets[stale]


PREVIEWS = PreviewLimiter()
"""The process-wide preview limiter."""
