"""How stale a read model may be: its lag in seconds, as its readers are told it.

A read model is as fresh as the last moment it was seen to hold every event that was
on its topics then. Every ``interval`` the watcher asks Kafka for the end offset of
each partition, then reads the offsets the consumer stored with the read model (in the
database: whichever replica applied them). Once the stored offset of a partition has
reached an end offset asked at time ``t``, the read model holds everything that
partition held at ``t``; the lag is the time since the oldest partition's such ``t``.

So under a steady load the lag is about one interval, at rest between nothing and one
interval, and while Kafka cannot be reached, or the consumer is down, it grows: the
read model may be missing anything recorded since, and says so. A partition not yet
seen complete since the process started (a replica back after an outage, with a
backlog) is as fresh as the record time of the last event applied from it, stored
with the offsets; with none applied, as fresh as the process's start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka import Kafka, endpoint

log = logging.getLogger(__name__)

Partition = tuple[str, int]
#: End offsets asked and not yet reached, kept per partition at most (older ones go:
#: the lag only grows by forgetting them).
PENDING_LIMIT = 256


@dataclass
class Freshness:
    """The pure part: end offsets seen at given times against stored offsets."""

    started: float = field(default_factory=time.time)
    _pending: dict[Partition, deque[tuple[float, int]]] = field(default_factory=dict)
    _fresh: dict[Partition, float] = field(default_factory=dict)
    _applied_until: dict[Partition, float] = field(default_factory=dict)

    def observe(
        self,
        asked_at: float,
        ends: Mapping[Partition, int],
        stored: Mapping[Partition, int],
        applied_until: Mapping[Partition, float] | None = None,
    ) -> None:
        """Kafka said ``ends`` at ``asked_at``; the read model has since stored ``stored``
        (read after the ends were asked), having applied from each partition events
        recorded until ``applied_until`` (epoch seconds)."""
        for partition in set(self._pending) - set(ends):
            del self._pending[partition]
            self._fresh.pop(partition, None)
        self._applied_until.update(applied_until or {})
        for partition, end in ends.items():
            pending = self._pending.setdefault(partition, deque(maxlen=PENDING_LIMIT))
            pending.append((asked_at, end))
            position = stored.get(partition, 0)
            while pending and pending[0][1] <= position:
                reached, _ = pending.popleft()
                self._fresh[partition] = max(self._fresh.get(partition, reached), reached)

    def lag(self, now: float | None = None) -> float:
        """Seconds since the read model last held everything on its topics."""
        now = time.time() if now is None else now
        if not self._pending:
            return max(now - self.started, 0.0)
        oldest = min(self._fresh_as_of(p) for p in self._pending)
        return max(now - oldest, 0.0)

    def _fresh_as_of(self, partition: Partition) -> float:
        seen = self._fresh.get(partition)
        if seen is not None:
            return seen
        return self._applied_until.get(partition, self.started)


class FreshnessWatch:
    """The watcher: a supervised worker keeping a :class:`Freshness` current."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        kafka: Kafka,
        consumer: str,
        topics: list[str],
        interval: float = 0.5,
        on_lag: Callable[[float], None] | None = None,
        freshness: Freshness | None = None,
    ) -> None:
        self.freshness = freshness if freshness is not None else Freshness()
        self._pool = pool
        self._kafka = endpoint(kafka)
        self._consumer = consumer
        self._topics = topics
        self._interval = interval
        self._on_lag = on_lag
        self._stop = asyncio.Event()

    def lag(self) -> float:
        return self.freshness.lag()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        client: Any = AIOKafkaConsumer(**self._kafka.options(), enable_auto_commit=False)
        await client.start()
        try:
            while not self._stop.is_set():
                try:
                    await asyncio.wait_for(self._check(client), self._interval * 4)
                except Exception as exc:  # Kafka unreachable: the lag grows meanwhile.
                    log.debug("freshness check failed: %s: %s", type(exc).__name__, exc)
                if self._on_lag is not None:
                    self._on_lag(self.lag())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._interval)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.stop(), 2)

    async def _check(self, client: Any) -> None:
        asked_at = time.time()
        await client.topics()  # Fresh metadata: partitions may have been added.
        partitions = [
            TopicPartition(topic, p)
            for topic in self._topics
            for p in sorted(client.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return
        ends = await client.end_offsets(partitions)
        rows = await self._pool.fetch(
            "SELECT topic, partition, next_offset, last_event_at FROM consumer_offsets "
            "WHERE consumer = $1",
            self._consumer,
        )
        self.freshness.observe(
            asked_at,
            {(tp.topic, tp.partition): int(offset) for tp, offset in ends.items()},
            {(r["topic"], r["partition"]): r["next_offset"] for r in rows},
            {
                (r["topic"], r["partition"]): r["last_event_at"].timestamp()
                for r in rows
                if r["last_event_at"] is not None
            },
        )
