"""The outbox relay: publishes committed events to Kafka in commit order, without gaps.

What it reads, and why in that order, is the outbox reader's business
(:class:`~shared.outbox.OutboxReader`; for PostgreSQL :mod:`shared.outbox.postgres`,
where the fence is): the relay sends each batch it is given and keeps its checkpoint.

Delivery is at least once: the relay reads the next batch while Kafka acknowledges the
previous ones, and moves its checkpoint only past acknowledged batches, so a relay
killed in between publishes the unacknowledged batches again on restart; consumers
deduplicate by event id. While a backlog drains, the checkpoint is written at the
first batch acknowledged ``checkpoint_seconds`` after the last write, before each wait,
and when the relay is asked to stop (``request_stop``), not after every batch (that was
a third of its round trips at full speed); a relay killed or failing in between sends
the batches acknowledged since again. Exactly one relay per database runs at a time,
holding a session advisory lock; the others stand by and take over within
``standby_poll_seconds`` when the holder's connection drops.

What goes out, where and as what is the service's :class:`~shared.publication.Publication`:
each event takes its route's topic, type and version, internal events only move the
checkpoint, and an unclassified one stops the relay before anything after it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from shared import cloudevents
from shared.eventstore.postgres import NOTIFY_CHANNEL
from shared.kafka import KafkaProducer, OutgoingMessage
from shared.observability import Metrics
from shared.outbox import START, OutboxCursor, OutboxEvent, OutboxReader
from shared.outbox.postgres import PostgresOutbox
from shared.publication import Publication, Route

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x7061637473  # "pacts": one relay per database
#: Batches sent to Kafka and not yet acknowledged, at most.
PIPELINE = 3
#: First pause before looking again at rows held behind the fence, or for appends
#: that may not wake the relay; the pause doubles up to the second figure.
FENCED_POLL_SECONDS = 0.02
FENCED_POLL_MAX_SECONDS = 0.16
#: A draining relay writes its checkpoint at the first batch acknowledged this long
#: after it last wrote it.
CHECKPOINT_SECONDS = 0.25


@dataclass
class RelayStatus:
    leader: bool = False
    published: int = 0  # acknowledged by Kafka (the checkpoint may trail it)
    sent: int = 0  # handed to the producer
    last_position: int = 0


class Relay:
    def __init__(
        self,
        *,
        database_url: str,
        producer: KafkaProducer,
        publication: Publication,
        source: str,
        name: str = "kafka",
        batch_size: int = 1000,
        idle_poll_seconds: float = 1.0,
        standby_poll_seconds: float = 1.0,
        metrics: Metrics | None = None,
        on_acknowledged: Callable[[int], Awaitable[None]] | None = None,
        checkpoint_seconds: float = CHECKPOINT_SECONDS,
    ) -> None:
        self._database_url = database_url
        self._producer = producer
        self._publication = publication
        self._routes = _Routes(publication)
        self._source = source
        self._name = name
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._standby_poll = standby_poll_seconds
        self._metrics = metrics
        self._on_acknowledged = on_acknowledged
        self._checkpoint_every = checkpoint_seconds
        self._unsaved: OutboxCursor | None = None  # acknowledged, not yet checkpointed
        self._saved_at = -math.inf
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
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
            topics = ", ".join(t.name for t in self._publication.topics)
            log.info("relay %s is leader for %s", self._name, topics)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            await self._lead(PostgresOutbox(conn))
        finally:
            self.status.leader = False
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close(timeout=2))

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _lead(self, outbox: OutboxReader) -> None:
        """Read the next batch while Kafka acknowledges the one before (at most
        ``PIPELINE`` batches in flight), settling the batches in order once
        acknowledged and writing the checkpoint past them now and then (``_settle``)
        and before each wait. Appends wake the relay except while it says it is busy:
        from its second batch without a wait in between (one batch a wake-up is no
        load) until it waits again."""
        # What an earlier leadership of this relay acknowledged is not this one's to
        # write: another leader may have moved the checkpoint on since.
        self._unsaved, self._saved_at = None, -math.inf
        cursor = await outbox.checkpoint(self._name)
        # Whatever the last leader left (it may have died busy), appends wake this one.
        await outbox.listen(listening := True)
        await self._fill(outbox, cursor)
        in_flight: deque[_Batch] = deque()
        fenced_wait = FENCED_POLL_SECONDS
        unwaited = 0  # batches read since the relay last waited
        try:
            while not self._stop.is_set() or in_flight:
                self._wake.clear()
                if not self._stop.is_set() and len(in_flight) < PIPELINE:
                    rows = await outbox.read(cursor, self._batch_size)
                    if rows:
                        batch = self._send(rows)
                        unwaited += 1
                        if listening and unwaited > 1:  # Appends need not wake it now.
                            await outbox.listen(listening := False)
                        if not in_flight:  # Its events are now the oldest not published.
                            self._lag(batch.oldest)
                        in_flight.append(batch)
                        cursor = batch.last
                        fenced_wait = FENCED_POLL_SECONDS
                        continue
                if in_flight:
                    await self._settle(outbox, in_flight.popleft())
                    if in_flight:  # A backlog drains: the lag is the next batch's age.
                        self._lag(in_flight[0].oldest)
                    continue
                if not self._stop.is_set() and not listening:
                    # Appends from now on wake the relay; read once more for those
                    # that committed while it was busy, then wait.
                    await outbox.listen(listening := True)
                    continue
                await self._save(outbox)
                fenced_wait = await self._wait(outbox, cursor, fenced_wait)
                unwaited = 0
            await self._save(outbox)
        finally:
            if not listening:  # Appends wake whoever leads next, of any release.
                with contextlib.suppress(Exception):
                    await outbox.listen(True)

    async def _wait(self, outbox: OutboxReader, cursor: OutboxCursor, fenced_wait: float) -> float:
        """Wait for an append to wake the relay, or less long if appends still ran at
        the last read (they may have seen the relay busy and will not wake it) or rows
        wait behind the fence (their writer still runs, or aborted: an abort wakes
        nobody): then a short pause, longer each time the relay finds them still there
        (returned for the next wait)."""
        backlog = await self._observe_backlog(outbox, cursor)
        if backlog or outbox.writers_running:
            longest = min(FENCED_POLL_MAX_SECONDS, self._idle_poll)
            timeout, fenced_wait = fenced_wait, min(fenced_wait * 2, longest)
        else:
            timeout, fenced_wait = self._idle_poll, FENCED_POLL_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        return fenced_wait

    async def _fill(self, outbox: OutboxReader, upto: OutboxCursor) -> None:
        """Publish to each topic of the publication's ``fill`` the history routed to it
        up to ``upto``, once: a mark under its own checkpoint name says it is done. A
        relay stopped half way fills again; consumers deduplicate."""
        for topic in sorted(self._publication.fill):
            mark = f"{self._name}>{topic}"
            if await outbox.checkpoint(mark) != START:
                continue
            cursor, filled = START, 0
            while cursor < upto:
                rows = [e for e in await outbox.read(cursor, self._batch_size) if e.cursor <= upto]
                if not rows:
                    break
                batch = self._send(rows, only=topic)
                await batch.acks
                self._count(batch)
                cursor, filled = batch.last, filled + sum(batch.topics.values())
            # A mark past the start even when there was nothing to fill.
            await outbox.save_checkpoint(mark, max(upto, OutboxCursor(0, 1)))
            log.info("relay %s filled %s with %d events of its history", self._name, topic, filled)

    def _send(self, events: list[OutboxEvent], only: str | None = None) -> _Batch:
        source = self._source.encode()
        messages = []
        topics: Counter[str] = Counter()
        for e in events:
            route = self._routes.of(e)
            if route is None or (only is not None and route.topic != only):
                continue
            topics[route.topic] += 1
            data = e.data if route.transform is None else route.transform(e.data)
            headers = cloudevents.kafka_headers(
                event_id=e.event_id,
                source=source,
                type=route.type_bytes,
                time=e.occurred_at,
                subject=e.subject,
                recorded_time=e.recorded_at,
                schema_version=route.version_bytes,
                stream_version=e.stream_version,
                position=e.position_text,
                partner=e.partner,
                correlation_id=e.correlation_id,
                causation_id=e.causation_id,
                traceparent=e.traceparent,
            )
            messages.append(OutgoingMessage(route.topic, e.subject, data, headers))
        acks = asyncio.ensure_future(self._producer.send_all(messages))
        self.status.sent += len(messages)
        # Every reader writes record times as rfc3339 does (UTC, Z, six digits): as
        # bytes, the earliest is the least.
        oldest = min(e.recorded_at for e in events)
        return _Batch(acks, events[-1].cursor, len(events), topics, oldest)

    async def _settle(self, outbox: OutboxReader, batch: _Batch) -> None:
        await batch.acks
        if self._on_acknowledged is not None:
            await self._on_acknowledged(batch.size)
        self._unsaved = batch.last
        if time.monotonic() - self._saved_at >= self._checkpoint_every:
            await self._save(outbox)
        self.status.published += batch.size
        self.status.last_position = batch.last.position
        self._count(batch)

    async def _save(self, outbox: OutboxReader) -> None:
        """Write the checkpoint past every batch acknowledged so far, if it moved."""
        if self._unsaved is not None:
            await outbox.save_checkpoint(self._name, self._unsaved)
            self._unsaved = None
        self._saved_at = time.monotonic()

    def _count(self, batch: _Batch) -> None:
        """Messages acknowledged by Kafka, by topic."""
        if self._metrics is not None:
            for topic, count in batch.topics.items():
                self._metrics.published(self._metrics.service, topic).inc(count)

    def _lag(self, recorded_at: bytes) -> None:
        """Keep the lag gauge current while a backlog drains (the idle path reads it
        from the outbox): the record-time age of the oldest event of the earliest batch
        not yet acknowledged, read from the batch itself (no query)."""
        if self._metrics is None:
            return
        try:
            oldest = datetime.fromisoformat(recorded_at.decode())
        except ValueError:
            return
        self._metrics.relay_lag.set(max((datetime.now(UTC) - oldest).total_seconds(), 0.0))

    async def _observe_backlog(self, outbox: OutboxReader, cursor: OutboxCursor) -> bool:
        """Whether rows wait behind the fence; the age of the oldest feeds the lag gauge."""
        oldest = await outbox.oldest_unpublished(cursor)
        if self._metrics is not None:
            age = 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
            self._metrics.relay_lag.set(max(age, 0.0))
        return oldest is not None


@dataclass(frozen=True, slots=True)
class _Batch:
    acks: asyncio.Future[Any]
    last: OutboxCursor
    size: int
    topics: Counter[str]
    #: The earliest record time of its events, as their messages carry it.
    oldest: bytes


@dataclass(frozen=True, slots=True)
class _Route:
    topic: str
    type_bytes: bytes
    version_bytes: bytes
    transform: Callable[[bytes], bytes] | None


class _Routes:
    """The publication's routes by the stored bytes of type and version, looked up
    once per distinct pair (the relay decodes nothing per event)."""

    def __init__(self, publication: Publication) -> None:
        self._publication = publication
        self._known: dict[tuple[bytes, bytes], _Route | None] = {}

    def of(self, event: OutboxEvent) -> _Route | None:
        key = (event.type, event.schema_version)
        try:
            return self._known[key]
        except KeyError:
            route = self._publication.route(event.type.decode(), int(event.schema_version))
            found = None if route is None else _encoded(route)
            self._known[key] = found
            return found


def _encoded(route: Route) -> _Route:
    version = str(route.schema_version).encode()
    return _Route(route.topic, route.type.encode(), version, route.transform)
