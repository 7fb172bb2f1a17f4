"""Workshop events: "something changed in workshop W, its sequence number is now S".

The state of a workshop lives in the database; an event only wakes the screens that show it,
which then read the state again (several quick changes wake a screen once). One interface,
two implementations, chosen from the database URL by `make_bus`:

- `LocalBus` (SQLite, one process): announcements are delivered to this process's
  subscribers after the transaction commits.
- `PostgresBus` (PostgreSQL, any number of processes): `announce` runs ``pg_notify`` inside
  the transaction that made the change, so PostgreSQL delivers it on commit (and never for a
  rolled-back change) to every process listening on the channel; each process runs one
  listening connection (psycopg 3, asynchronous) and hands events to its own subscribers. If
  that connection drops, it reconnects and wakes every subscriber once (they re-read the
  state, so an event missed meanwhile costs nothing).

Each subscription belongs to the event loop of the stream that made it; announcements and
notifications reach it from any thread (routes run in the thread pool).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

RESYNC: Final = -1
"""The sequence number of "read the state again": sent after a lost listening connection."""
_PENDING: Final = "nc_workshop_events"


class Subscription:
    """One screen's view of one workshop's events: the newest sequence number announced, and
    a flag that wakes `wait`. Announcements that arrive while the screen is busy coalesce.
    It belongs to the event loop it was made on; deliveries from other threads go there."""

    def __init__(self, workshop_id: int) -> None:
        self.workshop_id = workshop_id
        self.latest = RESYNC
        self.loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def _deliver(self, seq: int) -> None:
        self.latest = seq if seq == RESYNC else max(self.latest, seq)
        self._event.set()

    def deliver(self, seq: int) -> None:
        """Hand over an event from any thread."""
        if self.loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody listens
            self.loop.call_soon_threadsafe(self._deliver, seq)

    async def wait(self, timeout: float) -> int | None:
        """The newest sequence number announced since the last wait, or None on timeout."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return None
        self._event.clear()
        return self.latest


class EventBus:
    """The interface (and the shared subscriber registry) of both implementations."""

    kind = "abstract"

    def __init__(self) -> None:
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()

    async def start(self) -> None:
        """Start delivering (the app's lifespan calls this on its event loop)."""

    async def stop(self) -> None:
        """Stop delivering on the running event loop."""

    def announce(self, session: Session, workshop_id: int, seq: int) -> None:
        """Announce a change made in ``session``'s open transaction; delivered on commit."""
        raise NotImplementedError

    def returning(self, workshop_id: int, seq: Any) -> list[Any]:  # noqa: ARG002
        """Extra RETURNING columns for the statement that raises a workshop's sequence
        number (``seq``: its new value), if this bus announces from inside that statement;
        `raised` is then called with the value it returned."""
        return []

    def raised(self, session: Session, workshop_id: int, seq: int) -> None:
        """The sequence number was raised by a statement built with `returning`."""
        self.announce(session, workshop_id, seq)

    @contextlib.asynccontextmanager
    async def subscribe(self, workshop_id: int) -> AsyncIterator[Subscription]:
        """Receive the workshop's events while the block runs."""
        subscription = Subscription(workshop_id)
        with self._lock:
            self._subscribers[workshop_id].add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribers[workshop_id].discard(subscription)
                if not self._subscribers[workshop_id]:
                    del self._subscribers[workshop_id]

    def subscriber_count(self, workshop_id: int | None = None) -> int:
        with self._lock:
            if workshop_id is not None:
                return len(self._subscribers.get(workshop_id, ()))
            return sum(len(s) for s in self._subscribers.values())

    def dispatch(self, workshop_id: int, seq: int) -> None:
        """Deliver an event to this process's subscribers (from any thread); ``RESYNC`` as
        the workshop wakes every subscriber."""
        with self._lock:
            targets = (
                [s for subs in self._subscribers.values() for s in subs]
                if workshop_id == RESYNC
                else list(self._subscribers.get(workshop_id, ()))
            )
        for subscription in targets:
            subscription.deliver(seq)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        bus, events = pending
        for workshop_id, seq in events:
            bus.dispatch(workshop_id, seq)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


_hooks_installed = False
_hooks_lock = threading.Lock()


def _install_session_hooks() -> None:
    """Deliver `LocalBus` announcements after commit (and drop them on rollback)."""
    global _hooks_installed
    with _hooks_lock:
        if not _hooks_installed:
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
            _hooks_installed = True


class LocalBus(EventBus):
    """Events within one process (the SQLite default)."""

    kind = "local"

    def announce(self, session: Session, workshop_id: int, seq: int) -> None:
        _install_session_hooks()
        pending = session.info.setdefault(_PENDING, (self, []))
        pending[1].append((workshop_id, seq))


def channel_for(url: str) -> str:
    """The NOTIFY channel of a database (and schema): every process of one deployment uses
    the same; two test schemas in one database do not hear each other.

    >>> channel_for("postgresql+psycopg://u:secret@db:5432/compass").startswith("nc_workshop_")
    True
    >>> channel_for("postgresql+psycopg://u:a@db/c") == channel_for("postgresql+psycopg://u:b@db/c")
    True
    """
    parsed = make_url(url)
    where = f"{parsed.host}:{parsed.port}/{parsed.database}?{sorted(parsed.query.items())}"
    return "nc_workshop_" + hashlib.sha256(where.encode()).hexdigest()[:16]


class PostgresBus(EventBus):
    """Events across processes through PostgreSQL LISTEN/NOTIFY."""

    kind = "postgres"
    RETRY_SECONDS = 1.0

    def __init__(self, url: str) -> None:
        super().__init__()
        self.channel = channel_for(url)
        self._conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._tasks: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self.listening = threading.Event()

    def announce(self, session: Session, workshop_id: int, seq: int) -> None:
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": self.channel, "payload": f"{workshop_id}:{seq}"},
        )

    def returning(self, workshop_id: int, seq: Any) -> list[Any]:
        """``pg_notify`` in the raising statement's RETURNING: queued with the change, sent
        at commit, and no extra round trip while the workshop's row is locked."""
        payload = sa.literal(f"{workshop_id}:") + sa.cast(seq, sa.String)
        return [sa.func.pg_notify(self.channel, payload)]

    def raised(self, session: Session, workshop_id: int, seq: int) -> None:
        """Already notified by the statement itself."""

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if loop not in self._tasks:
            self._tasks[loop] = asyncio.create_task(self._listen(), name="workshop-events")

    async def stop(self) -> None:
        task = self._tasks.pop(asyncio.get_running_loop(), None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        import psycopg

        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    await conn.execute(f'LISTEN "{self.channel}"')
                    self.listening.set()
                    if not first:  # events may have been missed while disconnected
                        self.dispatch(RESYNC, RESYNC)
                    first = False
                    async for note in conn.notifies():
                        self._handle(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: retry, then resync
                self.listening.clear()
                log.warning("workshop events: listening connection lost (%s); retrying", exc)
                await asyncio.sleep(self.RETRY_SECONDS)

    def _handle(self, payload: str) -> None:
        workshop, _, seq = payload.partition(":")
        if workshop.isdigit() and seq.lstrip("-").isdigit():
            self.dispatch(int(workshop), int(seq))


def make_bus(database_url: str) -> EventBus:
    """`PostgresBus` for a PostgreSQL URL, `LocalBus` otherwise.

    >>> make_bus("sqlite:///x.db").kind, make_bus("postgresql+psycopg://u@h/d").kind
    ('local', 'postgres')
    """
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresBus(database_url)
    return LocalBus()


def bus_of(app: Any) -> EventBus:
    """The application's bus (created in `app.main.create_app`)."""
    bus: EventBus = app.state.workshop_events
    return bus
