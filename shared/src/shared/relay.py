"""The outbox relay: publishes committed events to Kafka in commit order, without gaps.

Identity columns become visible in commit order, not number order, so "position >
last" would skip an event whose transaction commits late. Each row records its writing
transaction id; the relay reads only rows whose transaction is older than the oldest
one still running (``pg_snapshot_xmin``), in ``(tx_id, position)`` order, after its
checkpoint. Every such transaction has ended, so no row can still appear before the
checkpoint.

Delivery is at least once: the checkpoint is written after Kafka acknowledges a batch,
so a relay killed in between publishes that batch again on restart; consumers
deduplicate by event id. Exactly one relay per database runs at a time, holding a
session advisory lock; the others stand by and take over within
``standby_poll_seconds`` when the holder's connection drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from shared import cloudevents
from shared.eventstore.postgres import NOTIFY_CHANNEL, event_columns, row_to_event
from shared.kafka import KafkaProducer, OutgoingMessage
from shared.observability import Metrics

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x7061637473  # "pacts": one relay per database


@dataclass
class RelayStatus:
    leader: bool = False
    published: int = 0
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
        batch_size: int = 500,
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
        self.status = RelayStatus()

    def request_stop(self) -> None:
        """Finish the batch being published (and its checkpoint), then return."""
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
            await self._ensure_checkpoint(conn)
            while not self._stop.is_set():
                self._wake.clear()
                published, fenced = await self.publish_pending(conn)
                if published:
                    continue
                # Rows beyond the fence belong to transactions still running or just
                # aborted (an abort sends no notification): look again soon.
                timeout = 0.02 if fenced else self._idle_poll
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
        finally:
            self.status.leader = False
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close(timeout=2))

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _ensure_checkpoint(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO relay_checkpoints (name, tx_id, position) VALUES ($1, '0'::xid8, 0) "
            "ON CONFLICT (name) DO NOTHING",
            self._name,
        )

    async def publish_pending(self, conn: asyncpg.Connection) -> tuple[int, bool]:
        """Publish one batch; return how many were published and whether rows wait
        behind the fence."""
        rows = await conn.fetch(
            f"""
            WITH cp AS (SELECT tx_id, position FROM relay_checkpoints WHERE name = $1)
            SELECT e.tx_id AS tx, {event_columns("e")}
            FROM events e, cp
            WHERE (e.tx_id, e.position) > (cp.tx_id, cp.position)
              AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.tx_id, e.position
            LIMIT $2
            """,
            self._name,
            self._batch_size,
        )
        if not rows:
            fenced = await conn.fetchval(
                """
                SELECT EXISTS (
                    SELECT 1 FROM events e, relay_checkpoints cp
                    WHERE cp.name = $1 AND (e.tx_id, e.position) > (cp.tx_id, cp.position))
                """,
                self._name,
            )
            if self._metrics is not None:
                oldest = await conn.fetchval(
                    """
                    SELECT extract(epoch FROM now() - min(e.recorded_at))
                    FROM events e, relay_checkpoints cp
                    WHERE cp.name = $1 AND (e.tx_id, e.position) > (cp.tx_id, cp.position)
                    """,
                    self._name,
                )
                self._metrics.relay_lag.set(float(oldest or 0))
            return 0, bool(fenced)
        messages = []
        for row in rows:
            # The payload goes out as PostgreSQL's JSON text: no decode and re-encode.
            event = row_to_event(row, data={})
            key, value, headers = cloudevents.to_kafka(event, self._source, row["data"])
            messages.append(OutgoingMessage(self._topic, key, value, headers))
        await self._producer.send_all(messages)
        last = rows[-1]
        if self._before_checkpoint is not None:
            await self._before_checkpoint(len(rows))
        await conn.execute(
            "UPDATE relay_checkpoints SET tx_id = $2, position = $3 WHERE name = $1",
            self._name,
            last["tx"],
            last["position"],
        )
        self.status.published += len(rows)
        self.status.last_position = last["position"]
        if self._metrics is not None:
            self._metrics.published(self._metrics.service, self._topic).inc(len(rows))
        return len(rows), False
