"""Consumer tracking in PostgreSQL: ``consumer_offsets``, ``consumer_inbox`` and
``dead_letters`` (see :mod:`.schema`), written in the read model's own transaction.

Tables are named unqualified, so a rebuild applies into its shadow schema by setting
``search_path`` for its transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from uuid import UUID

import asyncpg

from shared.consumer.tracking import DeadLetter, Partition, Reached
from shared.database import Connection

_LOCK_OFFSETS = """
    SELECT topic, partition, next_offset FROM consumer_offsets
    WHERE consumer = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))
    ORDER BY topic, partition FOR UPDATE
"""

_CLAIM = """
    INSERT INTO consumer_inbox (consumer, event_id)
    SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id
"""

_CLAIM_ONE = """
    INSERT INTO consumer_inbox (consumer, event_id) VALUES ($1, $2)
    ON CONFLICT DO NOTHING RETURNING true
"""

_ADVANCE = """
    INSERT INTO consumer_offsets (consumer, topic, partition, next_offset, last_event_at)
    SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::timestamptz[])
    ON CONFLICT (consumer, topic, partition) DO UPDATE
    SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
        last_event_at = coalesce(EXCLUDED.last_event_at, consumer_offsets.last_event_at),
        updated_at = now()
"""

_RECORD_DEAD = """
    INSERT INTO dead_letters (consumer, topic, partition, "offset", event_id, error)
    VALUES ($1, $2, $3, $4, $5, $6)
"""


class PostgresTracking:
    """Tracking on one connection, inside the transaction the caller holds open."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> Connection:
        return self._conn

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return self._conn.transaction()

    async def lock_offsets(
        self, consumer: str, partitions: Iterable[Partition]
    ) -> dict[Partition, int]:
        """Locked in one order everywhere (topic, partition), so replicas in a
        rebalance queue rather than deadlock."""
        topics, numbers = zip(*sorted(partitions), strict=True)
        rows = await self._conn.fetch(_LOCK_OFFSETS, consumer, list(topics), list(numbers))
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        if len(event_ids) == 1:
            fresh = await self._conn.fetchval(_CLAIM_ONE, consumer, event_ids[0])
            return {event_ids[0]} if fresh else set()
        return {r["event_id"] for r in await self._conn.fetch(_CLAIM, consumer, list(event_ids))}

    async def release(self, consumer: str, event_id: UUID) -> None:
        await self._conn.execute(
            "DELETE FROM consumer_inbox WHERE consumer = $1 AND event_id = $2", consumer, event_id
        )

    async def advance(self, consumer: str, reached: Mapping[Partition, Reached]) -> None:
        """One statement for every partition, in the lock order of :meth:`lock_offsets`."""
        done = sorted(reached.items())
        await self._conn.execute(
            _ADVANCE,
            consumer,
            [topic for (topic, _), _ in done],
            [partition for (_, partition), _ in done],
            [r.next_offset for _, r in done],
            [r.last_event_at for _, r in done],
        )

    async def record_dead(self, consumer: str, dead: Sequence[DeadLetter]) -> None:
        await self._conn.executemany(
            _RECORD_DEAD,
            [(consumer, d.topic, d.partition, d.offset, d.event_id, d.error) for d in dead],
        )


class PostgresTrackingStore:
    """Units of work on a pool's connections. With ``barrier``, each unit holds that
    advisory lock shared: a rebuild's swap takes it exclusively, pausing the units."""

    def __init__(self, pool: asyncpg.Pool, *, barrier: int | None = None) -> None:
        self._pool = pool
        self._barrier = barrier

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[PostgresTracking]:
        async with self._pool.acquire() as conn, conn.transaction():
            if self._barrier is not None:
                await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", self._barrier)
            yield PostgresTracking(conn)

    async def offsets(self, consumer: str) -> dict[Partition, int]:
        rows = await self._pool.fetch(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
            consumer,
        )
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
