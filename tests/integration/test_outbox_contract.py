"""One outbox-reader contract, two implementations: the PostgreSQL reader (with its
fence) and the fake over the in-memory event store. What the relay makes of the events
(Kafka, leadership, pipelining) is tested in ``test_relay.py`` and
``test_relay_fence.py``; here, only what it reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from shared.cloudevents import rfc3339
from shared.events import EventMetadata, NewEvent
from shared.eventstore import EventStore
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.outbox import START, OutboxCursor, OutboxEvent, OutboxReader
from shared.outbox.memory import InMemoryOutbox
from shared.outbox.postgres import PostgresOutbox
from tests.integration.conftest import fresh_database, fresh_pool
from tests.refs import random_ref


@dataclass
class Outbox:
    store: EventStore
    reader: OutboxReader


@pytest.fixture(params=["postgres", "memory"])
async def outbox(request: pytest.FixtureRequest) -> AsyncIterator[Outbox]:
    if request.param == "memory":
        store = InMemoryEventStore()
        yield Outbox(store, InMemoryOutbox(store))
        return
    async with fresh_database() as url, fresh_pool(url) as pool:
        async with pool.acquire() as conn:
            await install_schema(conn)
        own = await asyncpg.connect(url)  # The relay reads on a connection of its own.
        try:
            yield Outbox(PostgresEventStore(pool), PostgresOutbox(own))
        finally:
            await own.close()


def event(n: int, metadata: EventMetadata | None = None) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type="org.pactstream.test.happened",
        data={"n": n, "text": "moins de 3 % — CO₂"},
        occurred_at=datetime(2016, 6, 30, 12, 30, 15, 250, tzinfo=UTC),
        metadata=metadata or EventMetadata(),
    )


async def read_everything(reader: OutboxReader, after: OutboxCursor = START) -> list[OutboxEvent]:
    return await reader.read(after, 1000)


async def test_a_publisher_never_saved_starts_at_the_beginning_and_keeps_its_own_place(
    outbox: Outbox,
) -> None:
    reader = outbox.reader
    assert await reader.checkpoint("kafka") == START
    assert await reader.checkpoint("kafka") == START  # Asking twice creates nothing new.
    await reader.save_checkpoint("kafka", OutboxCursor(7, 3))
    assert await reader.checkpoint("kafka") == OutboxCursor(7, 3)
    assert await reader.checkpoint("other") == START


async def test_events_read_back_in_order_as_the_bytes_of_their_messages(outbox: Outbox) -> None:
    stream = random_ref("s-")
    meta = EventMetadata(partner="ministry", correlation_id="c-1", traceparent="00-ab-cd-01")
    stored = await outbox.store.append(stream, 0, [event(1, meta), event(2)])
    read = await read_everything(outbox.reader)
    assert [e.event_id.decode() for e in read] == [str(e.event_id) for e in stored]
    assert read == sorted(read, key=lambda e: e.cursor)
    first = read[0]
    assert first.subject == stream.encode()
    assert first.type == b"org.pactstream.test.happened"
    assert (first.stream_version, first.schema_version) == (b"1", b"1")
    assert first.position_text == str(stored[0].position).encode()
    assert json.loads(first.data) == {"n": 1, "text": "moins de 3 % — CO₂"}
    assert first.occurred_at == rfc3339(stored[0].occurred_at).encode()
    assert first.recorded_at == rfc3339(stored[0].recorded_at).encode()
    assert (first.partner, first.correlation_id, first.causation_id, first.traceparent) == (
        b"ministry",
        b"c-1",
        None,
        b"00-ab-cd-01",
    )
    assert read[1].partner is None


async def test_reads_from_each_cursor_go_on_where_the_last_stopped_up_to_the_limit(
    outbox: Outbox,
) -> None:
    for n in range(7):
        await outbox.store.append(random_ref("s-"), 0, [event(n)])
    seen: list[OutboxEvent] = []
    cursor = START
    while batch := await outbox.reader.read(cursor, 3):
        assert len(batch) <= 3
        seen.extend(batch)
        cursor = batch[-1].cursor
    assert [json.loads(e.data)["n"] for e in seen] == list(range(7))
    assert await outbox.reader.read(cursor, 3) == []


async def test_the_oldest_unpublished_event_is_the_first_after_the_cursor(outbox: Outbox) -> None:
    assert await outbox.reader.oldest_unpublished(START) is None
    stored = await outbox.store.append(random_ref("s-"), 0, [event(1), event(2)])
    assert await outbox.reader.oldest_unpublished(START) == stored[0].recorded_at
    read = await read_everything(outbox.reader)
    assert await outbox.reader.oldest_unpublished(read[0].cursor) == stored[1].recorded_at
    assert await outbox.reader.oldest_unpublished(read[-1].cursor) is None


async def test_an_open_event_writer_holds_back_what_commits_after_it_and_nothing_is_skipped(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """PostgreSQL only (the fake commits every append at once): the fence."""
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    own = await asyncpg.connect(database_url)
    try:
        reader = PostgresOutbox(own)
        await store.append("before", 0, [event(0)])
        async with store.transaction() as slow:
            await slow.append("slow", 0, [event(1)])
            await store.append("fast", 0, [event(2)])  # Committed after `slow` began.
            held = await read_everything(reader)
            assert [json.loads(e.data)["n"] for e in held] == [0]
            assert await reader.oldest_unpublished(held[-1].cursor) is not None
        await asyncio.sleep(0)
        rest = await read_everything(reader, held[-1].cursor)
        assert sorted(json.loads(e.data)["n"] for e in rest) == [1, 2]
    finally:
        await own.close()
