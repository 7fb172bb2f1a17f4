"""The workshop event buses: announced in a transaction, delivered on commit, never for a
rolled-back change; several announcements coalesce; PostgreSQL carries them across buses
(processes) through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.services.events import LocalBus, PostgresBus, make_bus


def _announce_in_thread(
    engine: Engine, bus: object, workshop_id: int, seq: int, commit: bool
) -> None:
    """Announce from another thread, as a route running in the thread pool does."""

    def work() -> None:
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
            bus.announce(session, workshop_id, seq)  # type: ignore[attr-defined]
            if commit:
                session.commit()
            else:
                session.rollback()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_the_local_bus_delivers_after_commit_only(engine: Engine) -> None:
    async def scenario() -> list[int | None]:
        bus = LocalBus()
        await bus.start()
        seen: list[int | None] = []
        async with bus.subscribe(7) as subscription:
            _announce_in_thread(engine, bus, 7, 3, commit=False)
            seen.append(await subscription.wait(0.3))  # rolled back: nothing
            _announce_in_thread(engine, bus, 8, 4, commit=True)
            seen.append(await subscription.wait(0.3))  # another workshop: nothing
            _announce_in_thread(engine, bus, 7, 5, commit=True)
            _announce_in_thread(engine, bus, 7, 6, commit=True)
            seen.append(await subscription.wait(1.0))  # two commits, one wake-up, the newest
            seen.append(await subscription.wait(0.3))
        assert bus.subscriber_count() == 0
        await bus.stop()
        return seen

    assert asyncio.run(scenario()) == [None, None, 6, None]


def test_make_bus_follows_the_database(database_url: str) -> None:
    expected = "postgres" if database_url.startswith("postgresql") else "local"
    assert make_bus(database_url).kind == expected


# PostgreSQL only (LISTEN/NOTIFY): the backend is chosen here, not skipped on SQLite.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_notify_reaches_every_listening_process(database_url: str, engine: Engine) -> None:

    async def scenario() -> tuple[int | None, int | None, int | None]:
        # Two buses stand for two app processes: one announces, both hear it.
        first, second = PostgresBus(database_url), PostgresBus(database_url)
        await first.start()
        await second.start()
        for bus in (first, second):
            assert await asyncio.to_thread(bus.listening.wait, 10)
        async with first.subscribe(11) as a, second.subscribe(11) as b:
            await asyncio.to_thread(_announce_in_thread, engine, first, 11, 9, False)
            lost = await b.wait(0.5)  # rolled back: PostgreSQL drops the NOTIFY
            await asyncio.to_thread(_announce_in_thread, engine, first, 11, 10, True)
            got_a, got_b = await a.wait(5), await b.wait(5)
        await first.stop()
        await second.stop()
        return lost, got_a, got_b

    assert asyncio.run(scenario()) == (None, 10, 10)
