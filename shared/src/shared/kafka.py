"""A small typed wrapper around aiokafka, which ships no type information of its own.

The producer is idempotent with ``acks=all``: a send returns only once every in-sync
replica has the message, and retries never duplicate or reorder within a partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Sequence
from typing import Any, Final, NamedTuple

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.partitioner import DefaultPartitioner, murmur2

Headers = Sequence[tuple[str, bytes]]


class OutgoingMessage(NamedTuple):  # A tuple: a relay builds thousands a second.
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


def _append(batch: Any, message: OutgoingMessage) -> int | None:
    """The message's index in ``batch``, or ``None`` if the batch is full."""
    if (
        batch.append(key=message.key, value=message.value, timestamp=None, headers=message.headers)
        is None
    ):
        return None
    return int(batch.record_count()) - 1


class KafkaProducer:
    def __init__(self, bootstrap: str, client_id: str) -> None:
        self._producer: Any = AIOKafkaProducer(
            bootstrap_servers=bootstrap, client_id=client_id, **PRODUCER_SETTINGS
        )
        self._started = False
        self._queueing = asyncio.Lock()

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

        Messages are packed into record batches here, a partition's in their order,
        and every batch is queued before any is awaited; the idempotent producer keeps
        their order within each partition. (``send`` costs a coroutine and a future per
        message: a third of a relay's time.)
        """
        placed: list[tuple[int, int]] = []  # (batch, index in it) of each message
        batches: list[tuple[str, int, Any]] = []
        open_batches: dict[tuple[str, int], int] = {}
        # Calls queue their batches one after another: a relay has several in flight.
        async with self._queueing:
            partitions: dict[str, list[int]] = {}
            for m in messages:
                if m.topic not in partitions:
                    partitions[m.topic] = sorted(await self._producer.partitions_for(m.topic))
                every = partitions[m.topic]
                tp = (m.topic, partition_for_key(m.key, every, every))
                n = open_batches.get(tp, -1)
                index = _append(batches[n][2], m) if n >= 0 else None
                if index is None:  # No batch for this partition yet, or it is full.
                    open_batches[tp] = n = len(batches)
                    batches.append((*tp, self._producer.create_batch()))
                    index = _append(batches[n][2], m)
                    assert index is not None, "an empty batch takes any message"
                placed.append((n, index))
            sent = []
            for topic, partition, batch in batches:
                batch.close()
                sent.append(await self._producer.send_batch(batch, topic, partition=partition))
        acks = [await ack for ack in sent]
        return [(acks[n].partition, acks[n].offset + index) for n, index in placed]

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
