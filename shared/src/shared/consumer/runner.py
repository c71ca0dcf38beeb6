"""The consumer runner: polls Kafka and applies each poll in one unit of work.

For each poll, the handler's changes, the inbox entries of the events applied, the
dead letters and the next offset of every partition the poll brought commit together
(:class:`~.tracking.TrackingStore`); on assignment the consumer seeks to the offsets
stored there, never to Kafka's. A crash anywhere before that commit loses nothing and
doubles nothing: the batch is read again and applied once.

A record that cannot be decoded or whose handler fails goes to the dead-letter topic
with its error (acknowledged before the unit commits), is recorded, and the partition
moves on. Errors of the database connection itself are not the record's fault, nor is
a deadlock with another replica's transaction: they stop the runner, whose supervisor
restarts it, and the poll is read again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from shared.consumer.apply import BatchResult, C, Projection, apply_poll, one_after_another
from shared.consumer.deadletters import DeadLetterPublisher
from shared.consumer.tracking import Partition, TrackingStore
from shared.kafka import Kafka, KafkaProducer, endpoint
from shared.observability import Metrics

#: Seconds between offset commits to Kafka (informational: the database holds the truth).
KAFKA_COMMIT_INTERVAL = 1.0


@dataclass(frozen=True)
class ConsumerConfig:
    """What a consumer reads and as whom: ``name`` is its Kafka group and the key of
    its offsets and inbox."""

    name: str
    kafka: Kafka
    topics: Sequence[str]
    dead_letter_topic: str
    max_records: int = 500


class Consumer(Protocol):
    """What the composition roots and the status endpoints use of a running consumer."""

    @property
    def name(self) -> str: ...

    async def run(self) -> None:
        """Consume until :meth:`request_stop` (or an error of the database)."""
        ...

    def request_stop(self) -> None:
        """Finish the batch in hand (its offsets commit with it), then return."""
        ...

    async def end_offsets(self) -> dict[Partition, int]:
        """Kafka's end offset of every partition of the subscribed topics."""
        ...


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, position each partition at the offset stored with the read model."""

    def __init__(self, runner: ConsumerRunner[Any], consumer: Any) -> None:
        self._runner = runner
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._runner._seek_stored(self._consumer, list(assigned))


class ConsumerRunner(Generic[C]):
    def __init__(
        self,
        config: ConsumerConfig,
        projection: Projection[C],
        *,
        tracking: TrackingStore[C],
        producer: KafkaProducer,
        metrics: Metrics | None = None,
    ) -> None:
        self.config = config
        if projection.bulk is None:
            projection = Projection(
                projection.handler, one_after_another(projection.handler), projection.wants
            )
        self._projection = projection
        self._tracking = tracking
        self._dead_letters = DeadLetterPublisher(producer, config.dead_letter_topic)
        self._metrics = metrics
        self._consumer: Any = None
        self._stop = asyncio.Event()
        self._uncommitted: dict[Any, int] = {}
        self._committing: asyncio.Task[None] | None = None
        self.applied = 0

    @property
    def name(self) -> str:
        return self.config.name

    def request_stop(self) -> None:
        """Finish the batch in hand (its offsets commit with it), then return."""
        self._stop.set()

    def _kafka_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            **endpoint(self.config.kafka).options(),
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.config.max_records,
            # The broker's minimum: a replica killed without leaving the group hands
            # its partitions over this soon.
            session_timeout_ms=6_000,
            heartbeat_interval_ms=1_000,
            metadata_max_age_ms=10_000,
        )

    async def run(self) -> None:
        consumer = self._kafka_consumer()
        await consumer.start()
        self._consumer = consumer
        topics = list(self.config.topics)
        if self._metrics is not None:  # Expose the series before the first dead letter.
            for topic in topics:
                self._metrics.dead_lettered(self._metrics.service, self.name, topic)
        try:
            await self._await_topics(consumer)
            consumer.subscribe(topics, listener=_SeekToStoredOffsets(self, consumer))
            while not self._stop.is_set():
                batches = await consumer.getmany(
                    timeout_ms=500, max_records=self.config.max_records
                )
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
            missing = set(self.config.topics) - set(await consumer.topics())
            if not missing:
                return
            if loop.time() > deadline:
                raise RuntimeError(f"topics not found: {', '.join(sorted(missing))}")
            await asyncio.sleep(0.2)

    async def _seek_stored(self, consumer: Any, assigned: list[Any]) -> None:
        if not assigned:
            return
        stored = await self._tracking.offsets(self.name)
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
        """Apply every partition's records from one poll in one unit of work: with
        PostgreSQL, a few statements and one commit (one WAL flush) however many
        partitions it brought."""
        async with self._tracking.unit() as tracking:
            results = await apply_poll(tracking, self.name, batches, self._projection)
            for tp, result in results.items():
                if result.dead:
                    by_offset = {r.offset: r for r in batches[tp]}
                    await self._dead_letters.publish(self.name, result.dead, by_offset)
                    await tracking.record_dead(self.name, result.dead)
            await tracking.advance(self.name, results)
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

    async def end_offsets(self) -> dict[Partition, int]:
        """Kafka's end offset of every partition of the subscribed topics."""
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("consumer is not running")
        partitions = [
            TopicPartition(topic, p)
            for topic in self.config.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): int(offset) for tp, offset in ends.items()}
