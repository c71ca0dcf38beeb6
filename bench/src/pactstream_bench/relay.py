"""The outbox relay against a raw aiokafka producer with the same settings and message."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

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
from shared.kafka import PRODUCER_SETTINGS, KafkaProducer
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
                database_url=url, producer=producer, topic=topic, source="/bench", batch_size=BATCH
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
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, **PRODUCER_SETTINGS)
    async with scratch_topic("raw") as topic:
        await producer.start()
        try:
            warmup = [
                await producer.send(topic, value, key=key, headers=headers) for _ in range(WARMUP)
            ]
            await asyncio.gather(*warmup)
            with Timer() as t:
                futures = [
                    await producer.send(topic, value, key=f"s-{i // 100}".encode(), headers=headers)
                    for i in range(total)
                ]
                await asyncio.gather(*futures)
        finally:
            await producer.stop()
    return Result("aiokafka_raw_mps", rate(total, t.seconds), "messages/s", total)
