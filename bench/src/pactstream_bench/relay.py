"""The outbox relay against raw aiokafka producers with the same settings and message."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from pactstream_bench.common import (
    KAFKA,
    Result,
    Timer,
    rate,
    scratch_database,
    scratch_topic,
)
from pactstream_bench.store import PAYLOAD
from shared import cloudevents
from shared.events import EventMetadata, NewEvent, StoredEvent
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.kafka import PRODUCER_SETTINGS, KafkaProducer, partition_for_key
from shared.publication import Publication
from shared.relay import Relay

#: Messages each contender sends before the clock starts (connections up, topic
#: metadata fetched, the first batches through): the steady state is what is timed.
WARMUP = 2000
BATCH = 2000


async def relay(total: int) -> Result:
    async with scratch_topic("relay") as topic, scratch_database() as (url, pool):
        async with pool.acquire() as conn:
            await install_schema(conn)
        store = PostgresEventStore(pool)
        now = datetime.now(UTC)
        for i in range((WARMUP + total) // 100):
            await store.append(
                f"s-{i}",
                0,
                [
                    NewEvent(
                        uuid.uuid4(), "org.pactstream.commitment.measurement_recorded", PAYLOAD, now
                    )
                    for _ in range(100)
                ],
            )
        producer = KafkaProducer(KAFKA, "bench-relay")
        await producer.start()
        try:
            worker = Relay(
                database_url=url,
                producer=producer,
                publication=Publication.everything(topic),
                source="/bench",
                batch_size=BATCH,
            )
            task = asyncio.create_task(worker.run())
            while worker.status.published < WARMUP:
                await asyncio.sleep(0.001)
            started = worker.status.published
            with Timer() as t:
                while worker.status.published < WARMUP + total:
                    await asyncio.sleep(0.001)
            published = worker.status.published - started
            task.cancel()
        finally:
            await producer.stop()
    return Result("relay_eps", rate(published, t.seconds), "events/s", published)


async def aiokafka_raw(total: int) -> Result:
    """The limit: aiokafka's batch API, which the relay publishes through too."""
    seconds = await _raw(total, _send_in_batches)
    return Result("aiokafka_raw_mps", rate(total, seconds), "messages/s", total)


async def aiokafka_send(total: int) -> Result:
    """For context: one ``send`` per message, as a hand-written producer loop does."""
    seconds = await _raw(total, _send_one_by_one)
    return Result("aiokafka_send_mps", rate(total, seconds), "messages/s", total)


def relayed_message() -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """The key, value and headers the relay publishes for a measurement."""
    now = datetime.now(UTC)
    sample = StoredEvent(
        1,
        "s-0",
        1,
        uuid.uuid4(),
        "org.pactstream.commitment.measurement_recorded",
        1,
        PAYLOAD,
        EventMetadata(),
        now,
        now,
    )
    key, value, headers = cloudevents.to_kafka(sample, "/bench")
    return key, value, list(headers)


Sender = Callable[[Any, str, list[bytes], bytes, list[Any]], Awaitable[None]]


async def _raw(total: int, send: Sender) -> float:
    """Seconds to publish ``total`` copies of a relayed event's message (its value and
    headers), keyed 100 to a stream as the relay's are."""
    key, value, headers = relayed_message()
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, **PRODUCER_SETTINGS)
    async with scratch_topic("raw") as topic:
        await producer.start()
        try:
            await send(producer, topic, [key] * WARMUP, value, headers)
            keys = [f"s-{i // 100}".encode() for i in range(total)]
            with Timer() as t:
                await send(producer, topic, keys, value, headers)
        finally:
            await producer.stop()
    return t.seconds


async def _send_one_by_one(
    producer: Any, topic: str, keys: list[bytes], value: bytes, headers: list[Any]
) -> None:
    futures = [await producer.send(topic, value, key=key, headers=headers) for key in keys]
    await asyncio.gather(*futures)


async def _send_in_batches(
    producer: Any, topic: str, keys: list[bytes], value: bytes, headers: list[Any]
) -> None:
    """aiokafka's fastest way to publish: record batches filled per partition and
    queued as each fills (the relay publishes through the same API), then every
    acknowledgement awaited."""
    partitions = sorted(await producer.partitions_for(topic))
    filling: dict[int, Any] = {}
    acks = []
    for key in keys:
        partition = partition_for_key(key, partitions, partitions)
        batch = filling.get(partition)
        if (
            batch is None
            or batch.append(key=key, value=value, timestamp=None, headers=headers) is None
        ):
            if batch is not None:
                batch.close()
                acks.append(await producer.send_batch(batch, topic, partition=partition))
            batch = filling[partition] = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None, headers=headers)
    for partition, batch in filling.items():
        batch.close()
        acks.append(await producer.send_batch(batch, topic, partition=partition))
    await asyncio.gather(*acks)
