"""Appends wake the relay except while it says it is busy (``relay_listening``), and a
writer that found it busy is still published at once, not after the relay's idle poll."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg

from shared.events import NewEvent
from shared.eventstore import StreamAppend
from shared.eventstore.postgres import NOTIFY_CHANNEL, PostgresEventStore, install_schema
from shared.kafka import KafkaProducer
from shared.outbox.postgres import PostgresOutbox
from shared.relay import Relay
from tests.relays import relay_of, running

LISTENING = "SELECT pg_sequence_last_value('relay_listening')"


def new_event() -> NewEvent:
    return NewEvent(uuid4(), "org.pactstream.test.happened", {}, datetime.now(UTC))


async def test_appends_notify_unless_the_relay_is_busy(
    pool: asyncpg.Pool, database_url: str
) -> None:
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    received: list[str] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: received.append(args[2]))
    relay_side = await asyncpg.connect(database_url)
    outbox = PostgresOutbox(relay_side)

    async def notified_by(append: Awaitable[object]) -> bool:
        received.clear()
        await append
        await listener.execute("SELECT 1")  # a round trip: notifications sent by now arrive
        await asyncio.sleep(0.05)
        return bool(received)

    async def in_transaction(version: int) -> None:
        async with store.transaction() as tx:
            await tx.append("b", version, [new_event(), new_event()])

    def appends(n: int) -> list[Awaitable[object]]:
        """One of each kind of append statement, the n-th time."""
        return [
            store.append("a", n, [new_event()]),
            in_transaction(2 * n),
            store.append(f"c{n}", 0, [new_event()], unique_keys=[("code", f"k{n}")]),
            store.append_streams([StreamAppend(f"d{n}", 0, [new_event()])]),
        ]

    try:
        # No relay has led yet: whichever comes, of any release, waits to be woken.
        assert [await notified_by(a) for a in appends(0)] == [True] * 4
        await outbox.listen(False)
        assert [await notified_by(a) for a in appends(1)] == [False] * 4
        await outbox.listen(True)
        assert [await notified_by(a) for a in appends(2)] == [True] * 4
    finally:
        await listener.close()
        await relay_side.close()


class WhenBusy:
    """A relay's ``on_acknowledged``: at its first batch's acknowledgement it appends one
    more event, so the relay reads a second batch without waiting in between and says
    it is busy; at that batch's acknowledgement it runs ``then``, once."""

    def __init__(self, store: PostgresEventStore, then: Callable[[], Awaitable[None]]) -> None:
        self._store = store
        self._then = then
        self._batches = 0

    async def __call__(self, size: int) -> None:
        self._batches += 1
        if self._batches == 1:
            await self._store.append("second", 0, [new_event()])
        elif self._batches == 2:
            await self._then()


async def test_a_writer_that_found_the_relay_busy_is_published_without_the_idle_poll(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """A transaction appends while the relay is busy (so it sends no notification)
    and commits after the relay has started to listen and found nothing: the relay saw
    it running, so it looks again soon instead of waiting its idle poll (30 s here)
    for a notification that never comes."""
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    appended, commit = asyncio.Event(), asyncio.Event()

    async def late_writer() -> None:
        async with store.transaction() as tx:
            await tx.append("late", 0, [new_event()])
            appended.set()
            await commit.wait()

    writer: list[asyncio.Task[None]] = []

    async def start_writing() -> None:
        async with pool.acquire() as conn:
            assert await conn.fetchval(LISTENING) == 0, "the relay says it is busy"
        writer.append(asyncio.create_task(late_writer()))
        await appended.wait()

    relay = slow_to_poll(database_url, producer, topic, WhenBusy(store, start_writing))
    async with running(relay):
        try:
            async with pool.acquire() as conn:
                await _until(lambda: relay.status.leader)
                await _until_listening(conn, 1)
                await store.append("first", 0, [new_event()])
                await _until(lambda: relay.status.published == 2)
                await _until_listening(conn, 1)  # Listening again, the late writer open.
            assert writer and not writer[0].done()
            committed = time.monotonic()
            commit.set()
            await writer[0]
            await _until(lambda: relay.status.published == 3, timeout=5)
            assert time.monotonic() - committed < 5
        finally:
            commit.set()


async def test_a_relay_that_stops_busy_leaves_appends_waking_the_next(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)

    async def stop() -> None:
        relay.request_stop()

    relay = slow_to_poll(database_url, producer, topic, WhenBusy(store, stop))
    task = asyncio.create_task(relay.run())
    async with pool.acquire() as conn:
        await _until_listening(conn, 1)
        await store.append("first", 0, [new_event()])
        await asyncio.wait_for(task, 10)
        assert relay.status.published == 2
        assert await conn.fetchval(LISTENING) == 1, "appends wake whoever leads next"


async def test_a_new_leader_is_woken_whatever_the_last_one_left(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """A relay that died while busy left the flag at 0, so appends do not notify; the
    next leader sets it before it reads, and the next append wakes it at once."""
    async with pool.acquire() as conn:
        await install_schema(conn)
        await PostgresOutbox(conn).listen(False)
    store = PostgresEventStore(pool)
    async with running(slow_to_poll(database_url, producer, topic)) as relay:
        async with pool.acquire() as conn:
            await _until_listening(conn, 1)
        await asyncio.sleep(0.2)  # Past its first reads: now it waits for a wake-up.
        await store.append("s", 0, [new_event()])
        await _until(lambda: relay.status.published == 1, timeout=5)


def slow_to_poll(
    database_url: str,
    producer: KafkaProducer,
    topic: str,
    on_acknowledged: Callable[[int], Awaitable[None]] | None = None,
) -> Relay:
    """A relay that, without a notification, looks again only after 30 s."""
    return relay_of(
        database_url, producer, topic, idle_poll_seconds=30, on_acknowledged=on_acknowledged
    )


async def _until(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _until_listening(conn: asyncpg.Connection, value: int) -> None:
    deadline = time.monotonic() + 10
    while await conn.fetchval(LISTENING) != value:
        assert time.monotonic() < deadline, "the relay never listened"
        await asyncio.sleep(0.01)
