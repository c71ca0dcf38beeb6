"""The store's hot reads probe the stream index and never scan the events table:
a scan grows with the whole store, so each write of a batch would slow down as the
platform lives. Checked on a store big enough that the planner has the choice, with
PostgreSQL's own per-transaction counters."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import asyncpg

from shared.events import NewEvent
from shared.eventstore import StreamAppend
from shared.eventstore.postgres import PostgresEventStore, install_schema

STREAMS = 400
PER_STREAM = 100


async def scans_of_events(conn: asyncpg.Connection) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT seq_scan, coalesce(idx_scan, 0) AS idx_scan "
        "FROM pg_stat_xact_user_tables WHERE relname = 'events'"
    )
    assert row is not None
    return row["seq_scan"], row["idx_scan"]


async def test_reading_many_streams_after_known_versions_uses_the_index(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    now = datetime.now(UTC)
    for first in range(0, STREAMS, 50):
        await store.append_streams(
            [
                StreamAppend(
                    f"commitment-{s}",
                    0,
                    [
                        NewEvent(uuid4(), "org.pactstream.test.happened", {"n": n}, now)
                        for n in range(PER_STREAM)
                    ],
                )
                for s in range(first, first + 50)
            ]
        )
    async with pool.acquire() as conn:
        await conn.execute("ANALYZE events")
    async with store.transaction() as tx:
        before = await scans_of_events(tx.connection)
        found = await tx.read_streams(
            {f"commitment-{s}": PER_STREAM - 1 if s % 2 else PER_STREAM for s in range(100)}
        )
        after = await scans_of_events(tx.connection)
    assert sorted(found) == sorted(f"commitment-{s}" for s in range(1, 100, 2))
    assert all([e.stream_version for e in events] == [PER_STREAM] for events in found.values())
    assert after[0] == before[0], "read_streams scanned the whole events table"
    assert after[1] > before[1]
