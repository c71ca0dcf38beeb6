"""The consumer runner over either tracking store (PostgreSQL, in-memory), with real
Kafka: each event applied once, a poison one dead-lettered on the topic and in the
store, and on assignment it starts where the store says, never where Kafka does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared import cloudevents
from shared.consumer import ConsumerConfig, ConsumerRunner, Position
from shared.events import EventMetadata, StoredEvent
from shared.kafka import KafkaProducer, OutgoingMessage, ensure_topics
from tests.integration.tracking_backends import BACKENDS, Backend, backend_named, projection
from tests.kafka_reader import read_topic
from tests.polling import until
from tests.refs import random_ref


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with backend_named(request.param) as backend:
        yield backend


def message(topic: str, n: int, event_id: UUID | None = None) -> OutgoingMessage:
    event = StoredEvent(
        position=n,
        stream_id="s",
        stream_version=n + 1,
        event_id=event_id or uuid4(),
        type="org.pactstream.test.happened",
        schema_version=1,
        data={"n": n},
        metadata=EventMetadata(),
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
    )
    return OutgoingMessage(topic, *cloudevents.to_kafka(event, "/test"))


async def consuming(runner: ConsumerRunner[Any], done: Callable[[], Awaitable[bool]]) -> None:
    """Run the runner until ``done``, then stop it as a supervisor would."""
    running = asyncio.create_task(runner.run())
    try:
        await until(done)
        runner.request_stop()
        await asyncio.wait_for(running, 30)
    finally:
        running.cancel()


async def test_the_runner_applies_once_dead_letters_and_resumes_from_the_store(
    backend: Backend, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic, dlq = topic_prefix, f"{topic_prefix}.dlq"
    await ensure_topics(kafka_bootstrap, [topic, dlq], partitions=1)
    producer = KafkaProducer(kafka_bootstrap, "test-runner")
    await producer.start()
    try:
        first = uuid4()
        batch = [message(topic, 0, first), message(topic, 666)]
        batch += [message(topic, n) for n in range(1, 10)]
        await producer.send_all([*batch, message(topic, 0, first)])  # Published twice.
        config = ConsumerConfig(random_ref("group-"), kafka_bootstrap, [topic], dlq)
        runner = ConsumerRunner(
            config, projection(backend), tracking=backend.store, producer=producer
        )

        async def all_twelve() -> bool:
            return await backend.store.offsets(config.name) == {(topic, 0): 12}

        await consuming(runner, all_twelve)
        assert await backend.numbers() == list(range(10))
        assert [(d.offset, d.error) for d in await backend.dead(config.name)] == [
            (1, "ValueError: poison")
        ]
        parked = await read_topic(kafka_bootstrap, dlq, until=lambda r: len(r) >= 1)
        assert dict(parked[0].headers)["dlq_offset"] == b"1"
        assert await backend.store.offsets(config.name) == {(topic, 0): 12}

        # The store, not Kafka, says where to start: two records it marks as done are
        # never applied, though Kafka's committed offset is before them.
        await producer.send_all([message(topic, 100), message(topic, 101)])
        async with backend.store.unit() as tracking:
            await tracking.advance(config.name, {(topic, 0): Position(14)})
        await producer.send_all([message(topic, 102)])
        again = ConsumerRunner(
            config, projection(backend), tracking=backend.store, producer=producer
        )

        async def the_last() -> bool:
            return 102 in await backend.numbers()

        await consuming(again, the_last)
        assert await backend.numbers() == [*range(10), 102]
        assert await backend.store.offsets(config.name) == {(topic, 0): 15}
    finally:
        await producer.stop()
