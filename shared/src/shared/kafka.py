"""A small typed wrapper around aiokafka, which ships no type information of its own.

The producer is idempotent with ``acks=all``: a send returns only once every in-sync
replica has the message, and retries never duplicate or reorder within a partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.partitioner import DefaultPartitioner, murmur2

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


_DEFAULT_PARTITIONER = DefaultPartitioner()


@functools.lru_cache(maxsize=65_536)
def _murmur2(key: bytes) -> int:
    return int(murmur2(key))


def partition_for_key(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's default partitioner (Java's murmur2 of the key, so every client
    puts a stream on the same partition), remembering each key's hash: aiokafka's
    murmur2 is pure Python, and a stream's events, sent together, share their key."""
    if key is None:
        return int(_DEFAULT_PARTITIONER(key, all_partitions, available))
    return all_partitions[(_murmur2(key) & 0x7FFFFFFF) % len(all_partitions)]


#: How every producer of the platform is configured (the benchmark's raw peer too).
#: Sends are not held back (``linger_ms=0``): batches form from whatever is queued
#: while the previous request is in flight, so a lone event leaves at once.
PRODUCER_SETTINGS: Final[dict[str, Any]] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 0,
    "max_batch_size": 256 * 1024,
    "request_timeout_ms": 15_000,
    "partitioner": partition_for_key,
}


class KafkaProducer:
    def __init__(self, bootstrap: str, client_id: str) -> None:
        self._producer: Any = AIOKafkaProducer(
            bootstrap_servers=bootstrap, client_id=client_id, **PRODUCER_SETTINGS
        )
        self._started = False

    async def start(self) -> None:
        await self._producer.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await self._producer.stop()

    @property
    def started(self) -> bool:
        return self._started

    async def send_all(self, messages: Sequence[OutgoingMessage]) -> list[tuple[int, int]]:
        """Send in order and wait for every acknowledgement: ``(partition, offset)`` each.

        All sends are queued before any is awaited so they batch; the idempotent
        producer keeps their order within each partition.
        """
        futures = [
            await self._producer.send(m.topic, m.value, key=m.key, headers=list(m.headers))
            for m in messages
        ]
        results = await asyncio.gather(*futures)
        return [(r.partition, r.offset) for r in results]

    async def send(self, message: OutgoingMessage) -> tuple[int, int]:
        (result,) = await self.send_all([message])
        return result

    async def partitions(self, topic: str) -> set[int]:
        found = await self._producer.partitions_for(topic)
        return set(found or ())


async def ensure_topics(
    bootstrap: str, topics: Sequence[str], partitions: int = 6, timeout: float = 30.0
) -> None:
    """Create missing topics with unlimited retention, so read models can be rebuilt
    from offset 0 at any time."""
    admin: Any = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [
                        NewTopic(
                            name=t,
                            num_partitions=partitions,
                            replication_factor=1,
                            topic_configs={"retention.ms": "-1", "retention.bytes": "-1"},
                        )
                        for t in missing
                    ]
                )
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, prefix: str, timeout: float = 30.0) -> list[str]:
    """Delete every topic whose name starts with ``prefix``; returns their names.
    For scratch topics (tests, benchmarks): each holds partitions on the broker
    until deleted."""
    admin: Any = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await asyncio.wait_for(admin.start(), timeout)
    try:
        doomed = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        if doomed:
            await admin.delete_topics(doomed)
        return doomed
    finally:
        await admin.close()


def topic_partition(topic: str, partition: int) -> Any:
    return TopicPartition(topic, partition)
