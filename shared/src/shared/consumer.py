"""Consumers with an exactly-once effect on a PostgreSQL read model.

Kafka delivers at least once. For each poll, the handler's changes, the ids of the
events it applied (the inbox) and the next offset to read in every partition the poll
brought commit in one PostgreSQL transaction; on assignment the consumer seeks to the
offsets stored there, never to Kafka's. A crash anywhere before that commit loses
nothing and doubles nothing: the batch is read again and applied once. The inbox also
absorbs the duplicates the outbox relay may publish after a crash of its own.

A message that cannot be decoded or whose handler fails goes to the dead-letter topic
with its error, is recorded, and the partition moves on. Errors of the database
connection itself are not the message's fault: they stop the runner, whose supervisor
restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from shared import tracing
from shared.cloudevents import MalformedMessage, ReceivedEvent, from_kafka, type_of
from shared.database import CONNECTION_ERRORS, Connection
from shared.kafka import Kafka, KafkaProducer, OutgoingMessage, endpoint
from shared.observability import Metrics

log = logging.getLogger(__name__)

Handler = Callable[[Connection, ReceivedEvent], Awaitable[None]]
#: Whether a consumer wants events of a type at all; the others only move its offset.
Wants = Callable[[str], bool]
#: Applies many events at once, as the handler would one by one, in order.
BulkHandler = Callable[[Connection, list[ReceivedEvent]], Awaitable[None]]
#: Seconds between offset commits to Kafka (informational: the database holds the truth).
KAFKA_COMMIT_INTERVAL = 1.0

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS consumer_offsets (
    consumer    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL,
    last_event_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE IF NOT EXISTS consumer_inbox (
    consumer  text NOT NULL,
    event_id  uuid NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    "offset"    bigint  NOT NULL,
    event_id    text,
    error       text    NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
"""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    event_id: str | None
    error: str


async def install_schema(conn: Connection) -> None:
    """The baseline SQL on one connection, for scratch databases in tests and the bench;
    a service's database gets its schema from its migration chain."""
    await conn.execute(SCHEMA_SQL)


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    dead: list[DeadLetter] = field(default_factory=list)
    next_offset: int = 0
    last_event_at: datetime | None = None


#: A partition of a topic: aiokafka's ``TopicPartition`` is one.
Partition = tuple[str, int]


async def apply_batch(
    conn: Connection,
    consumer: str,
    topic: str,
    partition: int,
    records: Sequence[Any],
    handler: Handler,
    bulk: BulkHandler | None = None,
    wants: Wants | None = None,
) -> BatchResult:
    """:func:`apply_poll` for one partition's records."""
    results = await apply_poll(conn, consumer, {(topic, partition): records}, handler, bulk, wants)
    return results[(topic, partition)]


async def apply_poll(
    conn: Connection,
    consumer: str,
    batches: Mapping[Partition, Sequence[Any]],
    handler: Handler,
    bulk: BulkHandler | None = None,
    wants: Wants | None = None,
) -> dict[Partition, BatchResult]:
    """Apply the records of one poll, partition by partition in order, inside the
    caller's transaction: skip what the stored offsets say is done, skip event ids
    already in the inbox, and collect the ones that cannot be applied.

    With ``bulk``, every partition's events are first tried at once (one offsets
    statement, one inbox statement, one bulk projection) in a savepoint, whatever the
    number of partitions; if anything in it fails, each partition is applied on its own
    and, failing that, event by event, so a poison message is still isolated.

    Records whose type ``wants`` refuses are passed over unread: no inbox row, no
    handler call. Each partition's result says where its offset moves to."""
    results = {
        tp: BatchResult(next_offset=records[-1].offset + 1) for tp, records in batches.items()
    }
    todo: dict[Partition, Sequence[Any]] = {}
    for tp, records in batches.items():
        if wants is not None:
            records = [r for r in records if _wanted(r, wants)]
        if records:  # Otherwise nothing wanted: only the offset moves.
            todo[tp] = records
    if not todo:
        return results
    if bulk is not None and await _apply_bulk(conn, consumer, todo, bulk, results):
        return results
    for tp, records in todo.items():
        alone = {tp: records}
        if (
            len(todo) > 1
            and bulk is not None
            and await _apply_bulk(conn, consumer, alone, bulk, results)
        ):
            continue
        await _apply_careful(conn, consumer, tp, records, handler, results[tp])
    return results


async def _stored_offsets(
    conn: Connection, consumer: str, partitions: Iterable[Partition]
) -> dict[Partition, int]:
    """The next offset stored for each partition, locked until the transaction ends
    (in one order everywhere, so replicas in a rebalance queue rather than deadlock)."""
    topics, numbers = zip(*sorted(partitions), strict=True)
    rows = await conn.fetch(
        "SELECT topic, partition, next_offset FROM consumer_offsets "
        "WHERE consumer = $1 AND (topic, partition) IN "
        "(SELECT * FROM unnest($2::text[], $3::int[])) "
        "ORDER BY topic, partition FOR UPDATE",
        consumer,
        list(topics),
        list(numbers),
    )
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


def _wanted(record: Any, wants: Wants) -> bool:
    kind = type_of(record.headers or ())
    return kind is None or wants(kind)  # No type: let the careful path judge it.


async def _apply_bulk(
    conn: Connection,
    consumer: str,
    batches: Mapping[Partition, Sequence[Any]],
    bulk: BulkHandler,
    results: Mapping[Partition, BatchResult],
) -> bool:
    """Whether the batches went through all at once; if not, nothing of them stayed."""
    stored = await _stored_offsets(conn, consumer, batches)
    events: list[tuple[Partition, ReceivedEvent]] = []
    for tp, records in batches.items():
        stored_next = stored.get(tp)
        for record in records:
            if stored_next is not None and record.offset < stored_next:
                continue  # Another replica applied it before a rebalance.
            try:
                events.append((tp, from_kafka(record.value, record.headers or ())))
            except MalformedMessage:
                return False  # Let the careful path park it.
    if not events:
        return True
    try:
        async with conn.transaction():
            fresh = {
                r["event_id"]
                for r in await conn.fetch(
                    "INSERT INTO consumer_inbox (consumer, event_id) "
                    "SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id",
                    consumer,
                    [e.event_id for _, e in events],
                )
            }
            todo: list[tuple[Partition, ReceivedEvent]] = []
            for tp, event in events:
                if event.event_id in fresh:
                    # Only the first copy: a second in the same poll (a relay that
                    # published again after a crash) is a duplicate like any other.
                    fresh.discard(event.event_id)
                    todo.append((tp, event))
            if todo:
                traced = next((e for _, e in todo if e.metadata.traceparent), None)
                with tracing.span(
                    f"project {len(todo)} events",
                    traced.metadata.traceparent if traced else None,
                    consumer=consumer,
                ):
                    await bulk(conn, [e for _, e in todo])
    except CONNECTION_ERRORS:
        raise
    except Exception:
        return False
    applied = Counter(tp for tp, _ in todo)
    for tp, count in Counter(tp for tp, _ in events).items():
        results[tp].duplicates += count - applied[tp]
    for tp, event in todo:
        results[tp].applied += 1
        results[tp].last_event_at = event.recorded_at
    return True


async def _apply_careful(
    conn: Connection,
    consumer: str,
    tp: Partition,
    records: Sequence[Any],
    handler: Handler,
    result: BatchResult,
) -> None:
    """One event at a time, each in its own savepoint: what fails is dead-lettered."""
    topic, partition = tp
    stored_next = (await _stored_offsets(conn, consumer, [tp])).get(tp)
    for record in records:
        if stored_next is not None and record.offset < stored_next:
            continue
        try:
            event = from_kafka(record.value, record.headers or ())
        except MalformedMessage as exc:
            result.dead.append(DeadLetter(topic, partition, record.offset, None, str(exc)))
            continue
        fresh = await conn.fetchval(
            "INSERT INTO consumer_inbox (consumer, event_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING RETURNING true",
            consumer,
            event.event_id,
        )
        if not fresh:
            result.duplicates += 1
            continue
        try:
            with tracing.span(
                f"project {event.type}",
                event.metadata.traceparent,
                consumer=consumer,
                event_id=str(event.event_id),
            ):
                async with conn.transaction():
                    await handler(conn, event)
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:
            log.warning(
                "dead-lettering %s at %s/%s:%s: %r",
                event.type,
                topic,
                partition,
                record.offset,
                exc,
            )
            result.dead.append(
                DeadLetter(
                    topic,
                    partition,
                    record.offset,
                    str(event.event_id),
                    f"{type(exc).__name__}: {exc}",
                )
            )
            continue
        result.applied += 1
        result.last_event_at = event.recorded_at


def one_after_another(handler: Handler) -> BulkHandler:
    """A bulk handler from a per-event one: every event in turn, in the one savepoint
    the bulk attempt runs in (rather than one savepoint each)."""

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        for event in events:
            await handler(conn, event)

    return bulk


async def record_dead_letters(conn: Connection, consumer: str, dead: list[DeadLetter]) -> None:
    await conn.executemany(
        'INSERT INTO dead_letters (consumer, topic, partition, "offset", event_id, error) '
        "VALUES ($1, $2, $3, $4, $5, $6)",
        [(consumer, d.topic, d.partition, d.offset, d.event_id, d.error) for d in dead],
    )


async def store_offset(
    conn: Connection, consumer: str, topic: str, partition: int, result: BatchResult
) -> None:
    await store_offsets(conn, consumer, {(topic, partition): result})


async def store_offsets(
    conn: Connection, consumer: str, results: Mapping[Partition, BatchResult]
) -> None:
    """Move each partition's stored offset on to where its result says, in one
    statement (and in the lock order of :func:`_stored_offsets`)."""
    done = sorted(results.items())
    await conn.execute(
        """
        INSERT INTO consumer_offsets (consumer, topic, partition, next_offset, last_event_at)
        SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::timestamptz[])
        ON CONFLICT (consumer, topic, partition) DO UPDATE
        SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
            last_event_at = coalesce(EXCLUDED.last_event_at, consumer_offsets.last_event_at),
            updated_at = now()
        """,
        consumer,
        [topic for (topic, _), _ in done],
        [partition for (_, partition), _ in done],
        [r.next_offset for _, r in done],
        [r.last_event_at for _, r in done],
    )


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, position each partition at the offset stored with the read model."""

    def __init__(self, runner: ConsumerRunner, consumer: Any) -> None:
        self._runner = runner
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._runner._seek_stored(self._consumer, list(assigned))


class ConsumerRunner:
    def __init__(
        self,
        *,
        name: str,
        pool: asyncpg.Pool,
        kafka: Kafka,
        topics: Sequence[str],
        handler: Handler,
        producer: KafkaProducer,
        dead_letter_topic: str,
        max_records: int = 500,
        metrics: Metrics | None = None,
        barrier: int | None = None,
        bulk: BulkHandler | None = None,
        wants: Wants | None = None,
    ) -> None:
        self.name = name
        self._barrier = barrier
        self._bulk = bulk if bulk is not None else one_after_another(handler)
        self._wants = wants
        self._pool = pool
        self._kafka = endpoint(kafka)
        self._topics = list(topics)
        self._handler = handler
        self._producer = producer
        self._dlq = dead_letter_topic
        self._max_records = max_records
        self._metrics = metrics
        self._consumer: Any = None
        self._stop = asyncio.Event()
        self._uncommitted: dict[Any, int] = {}
        self._committing: asyncio.Task[None] | None = None
        self.applied = 0

    def request_stop(self) -> None:
        """Finish the batch in hand (its offsets commit with it), then return."""
        self._stop.set()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            **self._kafka.options(),
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self._max_records,
            # The broker's minimum: a replica killed without leaving the group hands
            # its partitions over this soon.
            session_timeout_ms=6_000,
            heartbeat_interval_ms=1_000,
            metadata_max_age_ms=10_000,
        )
        await consumer.start()
        self._consumer = consumer
        if self._metrics is not None:  # Expose the series before the first dead letter.
            for topic in self._topics:
                self._metrics.dead_lettered(self._metrics.service, self.name, topic)
        try:
            await self._await_topics(consumer)
            consumer.subscribe(self._topics, listener=_SeekToStoredOffsets(self, consumer))
            while not self._stop.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
                ready = {tp: records for tp, records in batches.items() if records}
                if ready:
                    await self._process(ready)
        finally:
            self._consumer = None
            if self._committing is not None:
                self._committing.cancel()
            with contextlib.suppress(Exception):
                if self._uncommitted:  # What the last interval held back.
                    await consumer.commit(self._uncommitted)
            with contextlib.suppress(Exception):
                await asyncio.shield(consumer.stop())

    async def _await_topics(self, consumer: Any, timeout: float = 30.0) -> None:
        """A topic created a moment ago may not be in this client's metadata yet; a
        subscription made before it appears would get no partitions until the next
        metadata refresh."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            missing = set(self._topics) - set(await consumer.topics())
            if not missing:
                return
            if loop.time() > deadline:
                raise RuntimeError(f"topics not found: {', '.join(sorted(missing))}")
            await asyncio.sleep(0.2)

    async def _seek_stored(self, consumer: Any, assigned: list[Any]) -> None:
        if not assigned:
            return
        rows = await self._pool.fetch(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
            self.name,
        )
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        fresh = []
        for tp in assigned:
            offset = stored.get((tp.topic, tp.partition))
            if offset is None:
                fresh.append(tp)
            else:
                consumer.seek(tp, offset)
        if fresh:
            await consumer.seek_to_beginning(*fresh)

    async def _process(self, batches: dict[Any, list[Any]]) -> None:
        """Apply every partition's records from one poll in one transaction: a few
        statements and one commit (one WAL flush) however many partitions it brought."""
        async with self._pool.acquire() as conn, conn.transaction():
            if self._barrier is not None:
                # A rebuild's swap takes this lock exclusively: batches pause meanwhile.
                await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", self._barrier)
            results = await apply_poll(
                conn, self.name, batches, self._handler, self._bulk, self._wants
            )
            for tp, result in results.items():
                if result.dead:
                    by_offset = {r.offset: r for r in batches[tp]}
                    await self._send_dead_letters(result.dead, by_offset)
                    await record_dead_letters(conn, self.name, result.dead)
            await store_offsets(conn, self.name, results)
        for tp, records in batches.items():
            self.applied += results[tp].applied
            self._observe(tp, records, results[tp])
            self._uncommitted[tp] = records[-1].offset + 1
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_to_kafka())

    def _observe(self, tp: Any, records: list[Any], result: BatchResult) -> None:
        if self._metrics is None:
            return
        m, service = self._metrics, self._metrics.service
        m.consumed(service, self.name, "applied").inc(result.applied)
        m.consumed(service, self.name, "duplicate").inc(result.duplicates)
        if result.dead:
            m.dead_lettered(service, self.name, tp.topic).inc(len(result.dead))
        if result.last_event_at is not None:
            age = (datetime.now(UTC) - result.last_event_at).total_seconds()
            m.projection_lag(service, self.name).set(max(age, 0.0))
        if self._consumer is not None:
            end = self._consumer.highwater(tp)
            if end is not None:
                behind = max(end - (records[-1].offset + 1), 0)
                m.consumer_lag(service, self.name, tp.topic, str(tp.partition)).set(behind)

    async def _commit_to_kafka(self) -> None:
        """Kafka's own committed offsets are informational (tooling shows lag); the
        database holds the truth. So they are sent off the hot path, the latest
        offsets winning, at most once per ``KAFKA_COMMIT_INTERVAL``: committing after
        every poll doubled the broker's requests under steady small batches."""
        while self._uncommitted and self._consumer is not None:
            offsets, self._uncommitted = self._uncommitted, {}
            with contextlib.suppress(Exception):
                await self._consumer.commit(offsets)
            await asyncio.sleep(KAFKA_COMMIT_INTERVAL)

    async def _send_dead_letters(self, dead: list[DeadLetter], by_offset: dict[int, Any]) -> None:
        messages = []
        for d in dead:
            record = by_offset[d.offset]
            headers = [
                *(record.headers or ()),
                ("dlq_error", d.error.encode()[:4000]),
                ("dlq_consumer", self.name.encode()),
                ("dlq_topic", d.topic.encode()),
                ("dlq_partition", str(d.partition).encode()),
                ("dlq_offset", str(d.offset).encode()),
            ]
            messages.append(
                OutgoingMessage(self._dlq, record.key or b"", record.value or b"", headers)
            )
        await self._producer.send_all(messages)

    async def end_offsets(self) -> dict[tuple[str, int], int]:
        """Kafka's end offset of every partition of the subscribed topics."""
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("consumer is not running")
        partitions = [
            TopicPartition(topic, p)
            for topic in self._topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): int(offset) for tp, offset in ends.items()}


async def replay_dead_letter(
    pool: asyncpg.Pool, kafka: Kafka, dead_letter_id: int, handler: Handler
) -> str:
    """Fetch a dead-lettered message from its original topic and offset and apply it
    again; on success it is marked replayed. Returns what happened, in words."""
    row = await pool.fetchrow(
        'SELECT id, consumer, topic, partition, "offset", event_id, replayed_at '
        "FROM dead_letters WHERE id = $1",
        dead_letter_id,
    )
    if row is None:
        return f"no dead letter {dead_letter_id}"
    if row["replayed_at"] is not None:
        return f"dead letter {dead_letter_id} was replayed at {row['replayed_at']}"
    reader = AIOKafkaConsumer(**endpoint(kafka).options(), enable_auto_commit=False)
    await reader.start()
    try:
        tp = TopicPartition(row["topic"], row["partition"])
        reader.assign([tp])
        reader.seek(tp, row["offset"])
        record = await asyncio.wait_for(reader.getone(tp), 30)
    finally:
        await reader.stop()
    try:
        event = from_kafka(record.value, record.headers or ())
    except MalformedMessage as exc:
        return f"dead letter {dead_letter_id} still cannot be read: {exc}"
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "DELETE FROM consumer_inbox WHERE consumer = $1 AND event_id = $2",
            row["consumer"],
            event.event_id,
        )
        try:
            async with conn.transaction():
                await handler(conn, event)
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:
            await conn.execute(
                "UPDATE dead_letters SET error = $2 WHERE id = $1",
                dead_letter_id,
                f"{type(exc).__name__}: {exc}",
            )
            return f"dead letter {dead_letter_id} failed again: {type(exc).__name__}: {exc}"
        await conn.execute(
            "INSERT INTO consumer_inbox (consumer, event_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            row["consumer"],
            event.event_id,
        )
        await conn.execute(
            "UPDATE dead_letters SET replayed_at = now() WHERE id = $1", dead_letter_id
        )
    return f"dead letter {dead_letter_id} replayed: {event.type} {event.event_id}"
