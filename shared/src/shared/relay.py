"""The outbox relay: publishes committed events to Kafka in commit order, without gaps.

Identity columns become visible in commit order, not number order, so "position >
last" would skip an event whose transaction commits late. Each row records its writing
transaction id, and the relay reads, in ``(tx_id, position)`` order after its
checkpoint, only rows whose transaction is older than a *fence* that no transaction
still able to write events is below. Every such transaction has ended, so no row can
still appear before the checkpoint.

The fence is the oldest transaction among those holding the writers' lock (every
transaction that appends holds it from before it has an id, see
:mod:`shared.eventstore.postgres`), or the next transaction id when none does. It is
computed by its own statement before the rows are read: a holder that commits in
between is below the fence only if its rows are visible to the read that follows. So
transactions that write no events never hold publication back: not a long one in this
database (a migration, a bulk import, a forgotten ``BEGIN``), nor one in another
database of the same server, which the server-wide ``pg_snapshot_xmin`` would wait for.

Delivery is at least once: the relay reads the next batch while Kafka acknowledges the
previous ones, and writes each batch's checkpoint only after its acknowledgement, so a
relay killed in between publishes the unacknowledged batches again on restart;
consumers deduplicate by event id. Exactly one relay per database runs at a time,
holding a session advisory lock; the others stand by and take over within
``standby_poll_seconds`` when the holder's connection drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from shared import cloudevents
from shared.eventstore.postgres import NOTIFY_CHANNEL, WRITER_LOCK
from shared.kafka import KafkaProducer, OutgoingMessage
from shared.observability import Metrics

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x7061637473  # "pacts": one relay per database
#: Batches sent to Kafka and not yet checkpointed, at most.
PIPELINE = 3
#: First pause before looking again at rows held behind the fence.
FENCED_POLL_SECONDS = 0.02


@dataclass
class RelayStatus:
    leader: bool = False
    published: int = 0  # acknowledged by Kafka and checkpointed
    sent: int = 0  # handed to the producer
    last_position: int = 0


class Relay:
    def __init__(
        self,
        *,
        database_url: str,
        producer: KafkaProducer,
        topic: str,
        source: str,
        name: str = "kafka",
        batch_size: int = 1000,
        idle_poll_seconds: float = 1.0,
        standby_poll_seconds: float = 1.0,
        metrics: Metrics | None = None,
        before_checkpoint: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._database_url = database_url
        self._producer = producer
        self._topic = topic
        self._source = source
        self._name = name
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._standby_poll = standby_poll_seconds
        self._metrics = metrics
        self._before_checkpoint = before_checkpoint
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        #: A fence stays valid once computed (it can only be too low): it is kept
        #: while batches come full.
        self._fence: int | None = None
        self.status = RelayStatus()

    def request_stop(self) -> None:
        """Finish the batches being published (and their checkpoints), then return."""
        self._stop.set()
        self._wake.set()

    async def run(self) -> None:
        """Stand by until leader, then publish until cancelled or the connection fails."""
        conn: asyncpg.Connection = await asyncpg.connect(self._database_url)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_KEY):
                self.status.leader = False
                if self._stop.is_set():
                    return
                await asyncio.sleep(self._standby_poll)
            self.status.leader = True
            log.info("relay %s is leader for %s", self._name, self._topic)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            await self._lead(conn)
        finally:
            self.status.leader = False
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close(timeout=2))

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _lead(self, conn: asyncpg.Connection) -> None:
        """Read the next batch while Kafka acknowledges the one before (at most
        ``PIPELINE`` batches in flight), checkpointing each batch in order once
        acknowledged."""
        cursor = await self._load_checkpoint(conn)
        in_flight: deque[_Batch] = deque()
        fenced_wait = FENCED_POLL_SECONDS
        while not self._stop.is_set() or in_flight:
            self._wake.clear()
            if not self._stop.is_set() and len(in_flight) < PIPELINE:
                rows = await self._read(conn, cursor)
                if rows:
                    batch = self._send(rows)
                    in_flight.append(batch)
                    cursor = batch.last
                    fenced_wait = FENCED_POLL_SECONDS
                    continue
            if in_flight:
                await self._settle(conn, in_flight.popleft())
                continue
            if await self._observe_backlog(conn, cursor):
                # Rows wait behind the fence: their writer is still running, or it
                # aborted (an abort sends no notification). A commit notifies, so
                # look again soon, then less often while the fence stays put.
                timeout, fenced_wait = fenced_wait, min(fenced_wait * 2, self._idle_poll)
            else:
                timeout, fenced_wait = self._idle_poll, FENCED_POLL_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _load_checkpoint(self, conn: asyncpg.Connection) -> tuple[object, int]:
        await conn.execute(
            "INSERT INTO relay_checkpoints (name, tx_id, position) VALUES ($1, '0'::xid8, 0) "
            "ON CONFLICT (name) DO NOTHING",
            self._name,
        )
        row = await conn.fetchrow(
            "SELECT tx_id, position FROM relay_checkpoints WHERE name = $1", self._name
        )
        assert row is not None
        return row["tx_id"], row["position"]

    async def _read(self, conn: asyncpg.Connection, cursor: tuple[object, int]) -> list[Any]:
        if self._fence is None:
            self._fence = await conn.fetchval(FENCE, *_lock_key(WRITER_LOCK))
        rows = list(
            await conn.fetch(_READ, *cursor, self._batch_size, cloudevents.RFC3339_SQL, self._fence)
        )
        if len(rows) < self._batch_size:  # Caught up with the fence: move it next time.
            self._fence = None
        return rows

    def _send(self, rows: list[Any]) -> _Batch:
        source = self._source.encode()
        messages = [
            OutgoingMessage(
                self._topic,
                row["subject"],
                row["data"],
                cloudevents.kafka_headers(
                    event_id=row["event_id"],
                    source=source,
                    type=row["type"],
                    time=row["occurred_at"],
                    subject=row["subject"],
                    recorded_time=row["recorded_at"],
                    schema_version=row["schema_version"],
                    stream_version=row["stream_version"],
                    position=row["position_text"],
                    partner=row["partner"],
                    correlation_id=row["correlation_id"],
                    causation_id=row["causation_id"],
                    traceparent=row["traceparent"],
                ),
            )
            for row in rows
        ]
        acks = asyncio.ensure_future(self._producer.send_all(messages))
        self.status.sent += len(rows)
        return _Batch(acks, (rows[-1]["tx"], rows[-1]["position"]), len(rows))

    async def _settle(self, conn: asyncpg.Connection, batch: _Batch) -> None:
        await batch.acks
        if self._before_checkpoint is not None:
            await self._before_checkpoint(batch.size)
        await conn.execute(
            "UPDATE relay_checkpoints SET tx_id = $2, position = $3 WHERE name = $1",
            self._name,
            *batch.last,
        )
        self.status.published += batch.size
        self.status.last_position = batch.last[1]
        if self._metrics is not None:
            self._metrics.published(self._metrics.service, self._topic).inc(batch.size)

    async def _observe_backlog(self, conn: asyncpg.Connection, cursor: tuple[object, int]) -> bool:
        """Whether rows wait behind the fence; the age of the oldest feeds the lag gauge."""
        oldest = await conn.fetchval(
            "SELECT min(recorded_at) FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)",
            *cursor,
        )
        if self._metrics is not None:
            age = 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
            self._metrics.relay_lag.set(max(age, 0.0))
        return oldest is not None


#: What the relay reads of each event, as the UTF-8 bytes that go into its Kafka
#: message: (column, SQL expression). Times are formatted by $4, the RFC 3339 form
#: cloudevents.rfc3339 writes too.
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

# The next batch after the cursor, below the fence. The relay decodes and re-encodes
# nothing, which leaves it little more to do per event than a raw producer.
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
    )::text::xid8
"""


def _lock_key(key: int) -> tuple[int, int]:
    """A bigint advisory key as pg_locks shows it: (classid, objid)."""
    return key >> 32, key & 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class _Batch:
    acks: asyncio.Future[Any]
    last: tuple[object, int]
    size: int
