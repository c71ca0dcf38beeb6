"""The outbox reader of the PostgreSQL event store: in commit order, without gaps.

Identity columns become visible in commit order, not number order, so "position >
last" would skip an event whose transaction commits late. Each row records its writing
transaction id, and the reader reads, in ``(tx_id, position)`` order after its cursor,
only rows whose transaction is older than a *fence* that no transaction still able to
write events is below. Every such transaction has ended, so no row can still appear
before the cursor.

The fence is the oldest transaction among those holding the writers' lock (every
transaction that appends holds it from before it has an id, see
:mod:`shared.eventstore.postgres`), or the next transaction id when none does. It is
computed by its own statement before the rows are read: a holder that commits in
between is below the fence only if its rows are visible to the read that follows. So
transactions that write no events never hold publication back: not a long one in this
database (a migration, a bulk import, a forgotten ``BEGIN``), nor one in another
database of the same server, which the server-wide ``pg_snapshot_xmin`` would wait for.

A fence stays valid once computed (it can only be too low), so it is kept while reads
come back full, and computed again after a read that caught up with it.
"""

from __future__ import annotations

from datetime import datetime

from shared import cloudevents
from shared.database import Connection
from shared.eventstore.postgres import WRITER_LOCK
from shared.outbox.ports import START, OutboxCursor, OutboxEvent

#: What the reader reads of each event, as the UTF-8 bytes that go into its Kafka
#: message: (column, SQL expression), in the order of :class:`OutboxEvent`'s fields.
#: Times are formatted by $4, the RFC 3339 form cloudevents.rfc3339 writes too.
_MESSAGE_BYTES = (
    ("position_text", "e.position::text"),
    ("subject", "e.stream_id"),
    ("stream_version", "e.stream_version::text"),
    ("event_id", "e.event_id::text"),
    ("type", "e.type"),
    ("schema_version", "e.schema_version::text"),
    ("data", "e.data::text"),
    ("occurred_at", "to_char(e.occurred_at AT TIME ZONE 'UTC', $4)"),
    ("recorded_at", "to_char(e.recorded_at AT TIME ZONE 'UTC', $4)"),
    ("partner", "e.metadata->>'partner'"),
    ("causation_id", "e.metadata->>'causation_id'"),
    ("correlation_id", "e.metadata->>'correlation_id'"),
    ("traceparent", "e.metadata->>'traceparent'"),
)

# The next batch after the cursor, below the fence. Nothing is decoded and re-encoded,
# which leaves the relay little more to do per event than a raw producer.
_READ = f"""
    SELECT e.tx_id AS tx, e.position,
           {", ".join(f"convert_to({sql}, 'UTF8') AS {name}" for name, sql in _MESSAGE_BYTES)}
    FROM events e
    WHERE (e.tx_id, e.position) > ($1::xid8, $2::bigint)
      AND e.tx_id < $5::xid8
    ORDER BY e.tx_id, e.position
    LIMIT $3
"""

#: The fence: the oldest transaction holding the writers' lock in this database, else
#: the next transaction id. A holder's id comes from its backend's entry
#: (pg_stat_activity.backend_xid), which PostgreSQL sets together with the id itself:
#: its lock on its own id, in pg_locks, is taken a moment later, and a holder caught
#: in between would be missed. (That lock stands in for a holder whose session
#: details the relay's role may not see.) A 32-bit id is widened against the next
#: full id (xid8), serial-number style: an id within 2^31 below it is older, any other
#: is newer and cannot lower the fence. Holders without an id yet will get one at or
#: above the next, whichever of the views is read first.
FENCE = """
    WITH next AS (
        SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS id
    ), holders AS (
        SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1
    ), writers AS (
        SELECT a.backend_xid::text::bigint AS id32
        FROM holders h JOIN pg_stat_activity a ON a.pid = h.pid
        WHERE a.backend_xid IS NOT NULL
        UNION ALL
        SELECT own.transactionid::text::bigint
        FROM holders h JOIN pg_locks own ON own.pid = h.pid AND own.locktype = 'transactionid'
                                        AND own.mode = 'ExclusiveLock' AND own.granted
    ), behind AS (
        SELECT ((next.id % 4294967296) - writers.id32 + 4294967296) % 4294967296 AS by
        FROM next, writers
    )
    SELECT least(
        (SELECT id FROM next),
        (SELECT min((SELECT id FROM next) - by) FROM behind WHERE by < 2147483648)
    )::text::xid8 AS fence, (SELECT id FROM next)::text::xid8 AS next
"""


def _lock_key(key: int) -> tuple[int, int]:
    """A bigint advisory key as pg_locks shows it: (classid, objid)."""
    return key >> 32, key & 0xFFFFFFFF


class PostgresOutbox:
    """Reads the ``events`` table on one connection (the relay's own, outside any
    transaction: each statement sees what has committed before it)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._fence: int | None = None
        self.writers_running = False

    async def checkpoint(self, name: str) -> OutboxCursor:
        await self._conn.execute(
            "INSERT INTO relay_checkpoints (name, tx_id, position) VALUES ($1, $2::xid8, $3) "
            "ON CONFLICT (name) DO NOTHING",
            name,
            START.tx,
            START.position,
        )
        row = await self._conn.fetchrow(
            "SELECT tx_id, position FROM relay_checkpoints WHERE name = $1", name
        )
        assert row is not None
        return OutboxCursor(row["tx_id"], row["position"])

    async def save_checkpoint(self, name: str, cursor: OutboxCursor) -> None:
        await self._conn.execute(
            "UPDATE relay_checkpoints SET tx_id = $2, position = $3 WHERE name = $1",
            name,
            cursor.tx,
            cursor.position,
        )

    async def read(self, after: OutboxCursor, limit: int) -> list[OutboxEvent]:
        if self._fence is None:
            fence = await self._conn.fetchrow(FENCE, *_lock_key(WRITER_LOCK))
            assert fence is not None
            self._fence = fence["fence"]
            self.writers_running = fence["fence"] < fence["next"]
        rows = await self._conn.fetch(
            _READ, after.tx, after.position, limit, cloudevents.RFC3339_SQL, self._fence
        )
        if len(rows) < limit:  # Caught up with the fence: move it next time.
            self._fence = None
        return list(map(OutboxEvent._make, rows))

    async def listen(self, listening: bool) -> None:
        # setval is seen by every session at once; the fence is computed again
        # after it, so the next read knows which writers may have seen the old value.
        await self._conn.execute("SELECT setval('relay_listening', $1)", int(listening))
        self._fence = None

    async def oldest_unpublished(self, after: OutboxCursor) -> datetime | None:
        oldest: datetime | None = await self._conn.fetchval(
            "SELECT min(recorded_at) FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)",
            after.tx,
            after.position,
        )
        return oldest
