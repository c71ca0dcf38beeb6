"""The change feed's table: every change the live consumer applies, numbered in the
order the consumer's transactions commit.

Numbers are drawn under a transaction-level advisory lock held until the commit, so
the numbers a reader can see always form an unbroken prefix: a follower reading after
its cursor never skips a change that was still committing (the relay's problem, solved
here by serialising the numbering rather than by a fence). Replicas consuming
different partitions queue on that lock for the moment of their commit.

The table is not a read model (``rm_*``): a rebuild replays into its shadow without
it and keeps it as it is, so followers' cursors survive rebuilds.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from reporting.application.feed import FeedFilter
from reporting.application.ports import Row
from shared.cloudevents import ReceivedEvent
from shared.consumer import Projection
from shared.database import Connection

#: Run by ``reporting_0005``: never edit it; a change is a new revision.
FEED_SQL = """
CREATE SEQUENCE IF NOT EXISTS feed_seq;
CREATE TABLE IF NOT EXISTS feed (
    seq            bigint PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    source         text NOT NULL,
    type           text NOT NULL,
    subject        text,
    plan_id        text,
    commitment_id  text,
    agreement_id   text,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    partner        text,
    schema_version int NOT NULL,
    data           jsonb NOT NULL
);
"""

#: The advisory lock the numbering is drawn under ("feed").
FEED_LOCK = 0x66656564

#: The lock is taken by the statement that draws the numbers (a poll's round trip
#: fewer): every row joins the lock's, so no number is drawn before it is held.
_APPEND = """
WITH numbering AS MATERIALIZED (SELECT pg_advisory_xact_lock($13))
INSERT INTO feed (seq, event_id, source, type, subject, plan_id, commitment_id,
                  agreement_id, occurred_at, recorded_at, partner, schema_version, data)
SELECT nextval('feed_seq'), event_id, source, type, subject, plan_id, commitment_id,
       agreement_id, occurred_at, recorded_at, partner, schema_version, data
FROM numbering, (
    SELECT * FROM unnest(
        $1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::timestamptz[], $9::timestamptz[], $10::text[], $11::int[], $12::text[]::jsonb[]
    ) WITH ORDINALITY AS e(event_id, source, type, subject, plan_id, commitment_id,
                           agreement_id, occurred_at, recorded_at, partner, schema_version,
                           data, n)
    ORDER BY n
) ordered
ON CONFLICT (event_id) DO NOTHING
"""


def _text(data: object, field: str) -> str | None:
    value = data.get(field) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


async def append(conn: Connection, events: Sequence[ReceivedEvent]) -> None:
    """Number and keep ``events`` in the consumer's transaction, in their order."""
    if not events:
        return
    columns: list[list[object]] = [[] for _ in range(12)]
    for e in events:
        row = (
            e.event_id,
            e.source,
            e.type,
            e.subject,
            _text(e.data, "plan_id"),
            _text(e.data, "commitment_id"),
            _text(e.data, "agreement_id"),
            e.occurred_at,
            e.recorded_at,
            e.metadata.partner,
            e.schema_version,
            e.data_json,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    await conn.execute(_APPEND, *columns, FEED_LOCK)


# A change's plan: its own, its commitment's, or its agreement's (funding events).
_SELECT = """
SELECT f.seq, f.event_id, f.source, f.type, f.subject, f.occurred_at, f.recorded_at,
       f.partner, f.schema_version, f.data,
       coalesce(f.plan_id, c.plan_id, a.plan_id) AS plan_id
FROM feed f
LEFT JOIN rm_commitments c ON c.commitment_id = f.commitment_id
LEFT JOIN rm_fund_agreements a ON a.agreement_id = f.agreement_id
WHERE f.seq > $1
  AND (cardinality($2::text[]) = 0 OR f.type = ANY($2))
  AND ($3::text IS NULL OR coalesce(f.plan_id, c.plan_id, a.plan_id) = $3)
  AND (cardinality($4::text[]) = 0 OR coalesce(f.plan_id, c.plan_id, a.plan_id) = ANY($4))
  AND (cardinality($5::text[]) = 0 OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(c.parties) p WHERE p->>'name' = ANY($5)))
ORDER BY f.seq
LIMIT $6
"""


class FeedQueries:
    """Implements :class:`reporting.application.feed.FeedReader`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def after(self, seq: int, only: FeedFilter, limit: int) -> tuple[Sequence[Row], int]:
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            rows = await conn.fetch(
                _SELECT,
                seq,
                list(only.types),
                only.plan,
                sorted(only.plans),
                sorted(only.parties),
                limit,
            )
            if len(rows) == limit:
                return rows, rows[-1]["seq"]
            # Every change up to the newest one this snapshot sees was looked at.
            newest = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM feed")
            return rows, max(seq, newest)


def with_feed(projection: Projection[Connection]) -> Projection[Connection]:
    """The live consumer's projection: the read models, then the feed, in the same
    transaction (a rebuild's replay uses the projection alone)."""
    handler, bulk = projection.handler, projection.bulk

    async def one(conn: Connection, event: ReceivedEvent) -> None:
        await handler(conn, event)
        await append(conn, [event])

    async def many(conn: Connection, events: list[ReceivedEvent]) -> None:
        if bulk is None:
            for event in events:
                await handler(conn, event)
        else:
            await bulk(conn, events)
        # A poll brings its partitions one after another; the feed gives the changes
        # in the order they were recorded (each stream's order is the same either way).
        await append(conn, sorted(events, key=lambda e: e.recorded_at))

    return Projection(one, many, projection.wants)
