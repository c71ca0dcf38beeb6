"""The broker's warm-up: a broker just started spends its first minute or two
compiling its hot paths, which no broker that has been up for a while does.

Measured on a cold broker here (bench/README.md), in 10-second windows of batch
ingest: Kafka's CPU per ingested event fell from 37-41 µs to 10-12 over the first
80-90 s of that traffic. The platform's Python is most of the CPU such traffic costs,
so the broker sees few requests a second. The same requests sent straight to Kafka
reach it many times faster: after 30 s of them the first window of batch ingest cost
15-20 µs per event, the next ones 12-16, at the warm rate."""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import AsyncExitStack

from aiokafka import AIOKafkaConsumer

from pactstream_bench.common import KAFKA, flush_disk, scratch_topic
from pactstream_bench.relay import BATCH, relayed_message
from shared.kafka import Headers, KafkaProducer, OutgoingMessage

#: Messages a send: a relay's batch a poll under batch ingest, and every tenth send
#: one as large as the bench's relay batches (``relay.BATCH``), which fill the large
#: record batches the raw peer sends too.
SMALL, LARGE = 100, BATCH


async def warm_broker(seconds: float) -> None:
    """For ``seconds``, what the platform asks of Kafka: a producer with its settings
    publishing a relayed event's message in batches keyed 100 to a stream, and a
    consumer group that reads committed records, as reporting does, and commits its
    offsets after each poll. Its writes are on disk when it returns."""
    _, value, headers = relayed_message()
    deadline = time.monotonic() + seconds
    async with scratch_topic("warm") as topic, AsyncExitStack() as clients:
        producer = KafkaProducer(KAFKA, "bench-warm")
        await producer.start()
        clients.push_async_callback(producer.stop)
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=KAFKA,
            group_id=f"bench-warm-{uuid.uuid4().hex[:8]}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=500,
        )
        await consumer.start()
        clients.push_async_callback(consumer.stop)
        async with asyncio.TaskGroup() as both:  # One failing stops the other.
            both.create_task(_produce(producer, topic, value, headers, deadline))
            both.create_task(_consume(consumer, deadline))
    await flush_disk()  # About a gigabyte: 1.9 million relayed messages.


async def _produce(
    producer: KafkaProducer, topic: str, value: bytes, headers: Headers, deadline: float
) -> None:
    sends = 0
    while time.monotonic() < deadline:
        count = LARGE if sends % 10 == 9 else SMALL
        keys = (f"s-{sends}-{i // 100}".encode() for i in range(count))
        await producer.send_all([OutgoingMessage(topic, key, value, headers) for key in keys])
        sends += 1


async def _consume(consumer: AIOKafkaConsumer, deadline: float) -> None:
    while time.monotonic() < deadline:
        if await consumer.getmany(timeout_ms=100):
            await consumer.commit()
