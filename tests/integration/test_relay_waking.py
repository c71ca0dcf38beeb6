"""Appends wake the relay except while it says it is busy (``relay_listening``), and a
writer that found it busy is still published at once, not after the relay's idle poll."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from shared.events import NewEvent
from shared.eventstore.postgres import NOTIFY_CHANNEL, PostgresEventStore, install_schema
from shared.kafka import KafkaProducer
from shared.outbox.postgres import PostgresOutbox
from shared.publication import Publication
from shared.relay import Relay

LISTENING = "SELECT pg_sequence_last_value('relay_listening')"


def new_event() -> NewEvent:
    return NewEvent(uuid4(), "org.pactstream.test.happened", {}, datetime.now(UTC))


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[KafkaProducer]:
    p = KafkaProducer(kafka_bootstrap, "test-relay-waking")
    await p.start()
    yield p
    await p.stop()


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

    try:
        # No relay has led yet: whichever comes, of any release, waits to be woken.
        assert await notified_by(store.append("a", 0, [new_event()]))
        await outbox.listen(False)
        assert not await notified_by(store.append("a", 1, [new_event()]))
        assert not await notified_by(in_transaction(0))
        await outbox.listen(True)
        assert await notified_by(store.append("a", 2, [new_event()]))
        assert await notified_by(in_transaction(2))
    finally:
        await listener.close()
        await relay_side.close()


async def test_a_writer_that_found_the_relay_busy_is_published_without_the_idle_poll(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """A transaction appends while the relay sends a batch (not listening, so it sends
    no notification) and commits after the relay has started to listen and found
    nothing: the relay saw it running, so it looks again soon instead of waiting its
    idle poll (30 s here) for a notification that never comes."""
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    appended, commit = asyncio.Event(), asyncio.Event()

    async def late_writer() -> None:
        async with store.transaction() as tx:
            await tx.append("late", 0, [new_event()])
            appended.set()
            await commit.wait()

    writer: asyncio.Task[None] | None = None

    async def while_busy(size: int) -> None:
        nonlocal writer
        if writer is None:  # The first batch is out: the relay does not listen.
            writer = asyncio.create_task(late_writer())
            await appended.wait()

    relay = _slow_to_poll(database_url, producer, topic, before_checkpoint=while_busy)
    task = asyncio.create_task(relay.run())
    try:
        async with pool.acquire() as conn:
            await _until(lambda: relay.status.leader)
            await _until_listening(conn, 1)
            await store.append("first", 0, [new_event()])
            await _until(lambda: relay.status.published == 1)
            await _until_listening(conn, 1)  # Listening again, the late writer still open.
        assert writer is not None and not writer.done()
        committed = time.monotonic()
        commit.set()
        await writer
        await _until(lambda: relay.status.published == 2, timeout=5)
        assert time.monotonic() - committed < 5
    finally:
        commit.set()
        relay.request_stop()
        await asyncio.wait_for(task, 10)
    async with pool.acquire() as conn:
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
    relay = _slow_to_poll(database_url, producer, topic)
    task = asyncio.create_task(relay.run())
    try:
        async with pool.acquire() as conn:
            await _until_listening(conn, 1)
        await asyncio.sleep(0.2)  # Past its first reads: now it waits for a wake-up.
        await store.append("s", 0, [new_event()])
        await _until(lambda: relay.status.published == 1, timeout=5)
    finally:
        relay.request_stop()
        await asyncio.wait_for(task, 10)


def _slow_to_poll(
    database_url: str,
    producer: KafkaProducer,
    topic: str,
    before_checkpoint: Callable[[int], Awaitable[None]] | None = None,
) -> Relay:
    """A relay that, without a notification, looks again only after 30 s."""
    return Relay(
        database_url=database_url,
        producer=producer,
        publication=Publication.everything(topic),
        source="/test",
        idle_poll_seconds=30,
        before_checkpoint=before_checkpoint,
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
