"""Appends: the event store in batches against raw COPY (the limit) and the
eventsourcing library's PostgreSQL recorder (the peer); and 16 concurrent
single-event writers, for both the event store and the library."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from datetime import UTC, datetime

import asyncpg

from pactstream_bench.common import PG, PG_PORT, Result, Timer, rate, scratch_database
from shared.events import NewEvent
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.eventstore.postgres_sql import COLUMN_NAMES
from shared.outbox.postgres import PostgresOutbox

BATCH = 100
#: Batches written before the clock starts, by every contender alike: connections,
#: statement caches and the table's first pages warm, so that a short run measures
#: the steady state rather than the start.
WARMUP_BATCHES = 50
PAYLOAD = {
    "commitment_id": "c",
    "indicator": "n",
    "value": "12.5",
    "as_of": "2016-06-01",
    "plan_id": "p",
}


async def _event_store(pool: asyncpg.Pool) -> PostgresEventStore:
    """The event store in a scratch database, its relay's flag as the leading relay
    keeps it while appends come faster than it waits: busy, so appends send no
    notification. With no relay ever, they would notify (a relay of an earlier
    release relies on it); with one publishing beside 16 writers, 17-31 of 8,000
    appends did (README, "16 concurrent writers")."""
    async with pool.acquire() as conn:
        await install_schema(conn)
        await PostgresOutbox(conn).listen(False)
    return PostgresEventStore(pool)


def _events(count: int) -> list[NewEvent]:
    now = datetime.now(UTC)
    return [
        NewEvent(uuid.uuid4(), "org.pactstream.commitment.measurement_recorded", PAYLOAD, now)
        for _ in range(count)
    ]


async def append_batched(total: int) -> Result:
    async with scratch_database() as (_, pool):
        store = await _event_store(pool)
        batches = [_events(BATCH) for _ in range(WARMUP_BATCHES + total // BATCH)]
        for i, batch in enumerate(batches[:WARMUP_BATCHES]):
            await store.append(f"warmup-{i}", 0, batch)
        with Timer() as t:
            for i, batch in enumerate(batches[WARMUP_BATCHES:]):
                await store.append(f"stream-{i}", 0, batch)
    return Result("append_batched_eps", rate(total, t.seconds), "events/s", total)


async def copy_raw(total: int) -> Result:
    """Binary COPY of the same rows into the same ``events`` table (jsonb payloads,
    the same indexes), on a plain connection whose jsonb codec is asyncpg's own."""
    async with scratch_database() as (url, pool):
        async with pool.acquire() as conn:
            await install_schema(conn)
        now = datetime.now(UTC)
        payload = json.dumps(PAYLOAD)
        batches = [
            [(f"stream-{b}", v + 1, uuid.uuid4(), "t", 1, payload, "{}", now) for v in range(BATCH)]
            for b in range(WARMUP_BATCHES + total // BATCH)
        ]
        # Record time takes the table's default, as the store's own appends do.
        columns = [c for c in COLUMN_NAMES[1:] if c != "recorded_at"]
        plain = await asyncpg.connect(url)
        try:
            for rows in batches[:WARMUP_BATCHES]:
                await plain.copy_records_to_table("events", records=rows, columns=columns)
            with Timer() as t:
                for rows in batches[WARMUP_BATCHES:]:
                    await plain.copy_records_to_table("events", records=rows, columns=columns)
            stored = await plain.fetchval("SELECT count(*) FROM events WHERE data ? 'value'")
            assert stored == total + WARMUP_BATCHES * BATCH
        finally:
            await plain.close()
    return Result("copy_raw_rps", rate(total, t.seconds), "rows/s", total)


def _eventsourcing_run(dbname: str, total: int) -> float:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore

    datastore = PostgresDatastore(
        dbname=dbname, host="127.0.0.1", port=str(PG_PORT), user="pactstream", password=""
    )
    recorder = PostgresAggregateRecorder(datastore, events_table_name="stored_events")
    recorder.create_table()
    state = json.dumps(PAYLOAD).encode()
    batches = []
    for _ in range(WARMUP_BATCHES + total // BATCH):
        originator = uuid.uuid4()
        batches.append(
            [
                StoredEvent(
                    originator_id=originator,
                    originator_version=v + 1,
                    topic="bench:Measured",
                    state=state,
                )
                for v in range(BATCH)
            ]
        )
    for batch in batches[:WARMUP_BATCHES]:
        recorder.insert_events(batch)
    with Timer() as t:
        for batch in batches[WARMUP_BATCHES:]:
            recorder.insert_events(batch)
    datastore.close()
    return t.seconds


async def eventsourcing_peer(total: int) -> Result:
    async with scratch_database() as (url, _):
        dbname = url.rsplit("/", 1)[1]
        seconds = await asyncio.to_thread(_eventsourcing_run, dbname, total)
    return Result("eventsourcing_eps", rate(total, seconds), "events/s", total)


def _eventsourcing_concurrent_run(dbname: str, per_writer: int, writers: int) -> float:
    """``writers`` threads, each appending one event at a time to its own aggregate
    through one recorder (the library is synchronous and thread-safe: threads sharing
    its connection pool are how an application runs it concurrently)."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore

    datastore = PostgresDatastore(
        dbname=dbname,
        host="127.0.0.1",
        port=str(PG_PORT),
        user="pactstream",
        password="",
        pool_size=writers,
    )
    recorder = PostgresAggregateRecorder(datastore, events_table_name="stored_events")
    recorder.create_table()
    state = json.dumps(PAYLOAD).encode()
    originators = [uuid.uuid4() for _ in range(writers)]
    warmup = 20
    start = threading.Barrier(writers + 1)
    done = threading.Barrier(writers + 1)

    def writer(w: int) -> None:
        def one(version: int) -> None:
            recorder.insert_events([StoredEvent(originators[w], version, "bench:Measured", state)])

        for v in range(1, warmup + 1):
            one(v)
        start.wait()
        for v in range(warmup + 1, warmup + per_writer + 1):
            one(v)
        done.wait()

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    with Timer() as t:
        done.wait()
    for thread in threads:
        thread.join()
    datastore.close()
    return t.seconds


async def eventsourcing_concurrent(total: int, writers: int = 16) -> Result:
    """The library's peer of :func:`append_concurrent`: the same count of single-event
    appends with the same payload, from ``writers`` concurrent writers."""
    per_writer = total // writers
    async with scratch_database() as (url, _):
        dbname = url.rsplit("/", 1)[1]
        seconds = await asyncio.to_thread(
            _eventsourcing_concurrent_run, dbname, per_writer, writers
        )
    return Result(
        "eventsourcing_concurrent_eps",
        rate(per_writer * writers, seconds),
        "events/s",
        per_writer * writers,
    )


async def append_concurrent(total: int, writers: int = 16) -> Result:
    async with scratch_database() as (_, pool):
        store = await _event_store(pool)
        per_writer = total // writers

        async def writer(w: int, first: int, count: int) -> None:
            for v in range(first, first + count):
                await store.append(f"w{w}", v, _events(1))

        warmup = 20
        await asyncio.gather(*(writer(w, 0, warmup) for w in range(writers)))
        with Timer() as t:
            await asyncio.gather(*(writer(w, warmup, per_writer) for w in range(writers)))
    return Result(
        "append_concurrent_eps",
        rate(per_writer * writers, t.seconds),
        "events/s",
        per_writer * writers,
    )


__all__ = [
    "PG",
    "append_batched",
    "append_concurrent",
    "copy_raw",
    "eventsourcing_concurrent",
    "eventsourcing_peer",
]
