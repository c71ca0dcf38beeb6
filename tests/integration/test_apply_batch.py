"""Partition batches applied to PostgreSQL: events a consumer does not want are passed
over unread yet its offset moves past them; a poll costs the statements of one partition."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

import asyncpg

from shared import cloudevents
from shared.cloudevents import ReceivedEvent
from shared.consumer import PostgresTracking, Projection, apply_poll, install_schema
from shared.database import Connection
from shared.events import EventMetadata, StoredEvent


def record(offset: int, type_: str) -> SimpleNamespace:
    event = StoredEvent(
        position=offset,
        stream_id="s",
        stream_version=offset + 1,
        event_id=uuid4(),
        type=type_,
        schema_version=1,
        data={"n": offset},
        metadata=EventMetadata(),
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
    )
    key, value, headers = cloudevents.to_kafka(event, "/test")
    return SimpleNamespace(offset=offset, key=key, value=value, headers=list(headers))


async def test_unwanted_types_are_skipped_and_the_offset_still_moves(pool: asyncpg.Pool) -> None:
    seen: list[int] = []

    async def handler(conn: Connection, event: ReceivedEvent) -> None:
        seen.append(event.data["n"])

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        seen.extend(e.data["n"] for e in events)

    kinds = ["org.t.kept", "org.t.other", "org.t.kept", "org.t.other"]
    records = [record(10 + i, kind) for i, kind in enumerate(kinds)]
    wants = {"org.t.kept"}.__contains__
    async with pool.acquire() as conn:
        await install_schema(conn)
        for with_bulk in (None, bulk):
            seen.clear()
            async with conn.transaction():
                tracking, name = PostgresTracking(conn), f"c-{with_bulk is None}"
                projection = Projection(handler, with_bulk, wants)
                results = await apply_poll(tracking, name, {("t", 0): records}, projection)
                await tracking.advance(name, results)
                result = results[("t", 0)]
            assert seen == [10, 12]
            assert (result.applied, result.next_offset) == (2, 14)
        nothing_wanted = (
            await apply_poll(
                PostgresTracking(conn),
                "c-none",
                {("t", 0): records[1::2]},
                Projection(handler, bulk, wants),
            )
        )[("t", 0)]
        assert (nothing_wanted.applied, nothing_wanted.next_offset) == (0, 14)
        assert await conn.fetchval("SELECT count(*) FROM consumer_inbox") == 4
        assert await conn.fetchval("SELECT min(next_offset) FROM consumer_offsets") == 14


async def test_a_poll_of_many_partitions_costs_the_statements_of_one(pool: asyncpg.Pool) -> None:
    """Every partition of a poll shares one offsets read, one inbox write, one bulk
    projection and one offsets write."""

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        await conn.execute("SELECT 1")

    async def handler(conn: Connection, event: ReceivedEvent) -> None:
        raise AssertionError("the bulk path takes every event")

    statements: list[str] = []
    async with pool.acquire() as conn:
        await install_schema(conn)
        conn.add_query_logger(lambda query: statements.append(query.query))
        counts = []
        for run, partitions in enumerate((1, 1, 6)):  # The first prepares the statements.
            statements.clear()
            batches = {
                ("t", p): [record(o, "org.t.kept") for o in range(3)] for p in range(partitions)
            }
            async with conn.transaction():
                tracking = PostgresTracking(conn)
                results = await apply_poll(tracking, f"c{run}", batches, Projection(handler, bulk))
                await tracking.advance(f"c{run}", results)
            assert [r.applied for r in results.values()] == [3] * partitions
            counts.append(len(statements))
        assert counts[1] == counts[2]
        stored = await conn.fetch(
            "SELECT partition, next_offset FROM consumer_offsets WHERE consumer = 'c2'"
        )
        assert sorted((r["partition"], r["next_offset"]) for r in stored) == [
            (p, 3) for p in range(6)
        ]


async def test_a_poison_record_in_one_partition_leaves_the_others_in_bulk(
    pool: asyncpg.Pool,
) -> None:
    bulked: list[int] = []
    one_by_one: list[int] = []

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        if any(e.data["n"] == 666 for e in events):
            raise ValueError("poison")
        bulked.extend(e.data["n"] for e in events)

    async def handler(conn: Connection, event: ReceivedEvent) -> None:
        if event.data["n"] == 666:
            raise ValueError("poison")
        one_by_one.append(event.data["n"])

    clean = [record(o, "org.t.kept") for o in range(3)]
    poisoned = [record(0, "org.t.kept"), record(666, "org.t.kept"), record(667, "org.t.kept")]
    async with pool.acquire() as conn, conn.transaction():
        await install_schema(conn)
        batches = {("t", 0): poisoned, ("t", 1): clean}
        results = await apply_poll(PostgresTracking(conn), "p", batches, Projection(handler, bulk))
    assert bulked == [0, 1, 2]
    assert one_by_one == [0, 667]
    assert [d.offset for d in results[("t", 0)].dead] == [666]
    assert (results[("t", 0)].applied, results[("t", 1)].applied) == (2, 3)


async def test_a_second_copy_of_an_event_in_the_same_poll_is_a_duplicate(
    pool: asyncpg.Pool,
) -> None:
    """A relay that publishes a batch again after a crash can put both copies of an
    event into one poll: the projection sees it once."""
    projected: list[int] = []

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        projected.extend(e.data["n"] for e in events)

    async def handler(conn: Connection, event: ReceivedEvent) -> None:
        raise AssertionError("the bulk path takes every event")

    once, other = record(0, "org.t.kept"), record(1, "org.t.kept")
    again = SimpleNamespace(offset=2, key=once.key, value=once.value, headers=once.headers)
    async with pool.acquire() as conn, conn.transaction():
        await install_schema(conn)
        results = await apply_poll(
            PostgresTracking(conn), "d", {("t", 0): [once, other, again]}, Projection(handler, bulk)
        )
    assert projected == [0, 1]
    result = results[("t", 0)]
    assert (result.applied, result.duplicates, result.next_offset) == (2, 1, 3)
