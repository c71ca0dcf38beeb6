"""A consumer killed with SIGKILL mid-batch loses nothing and doubles nothing; a poison
message goes to the dead-letter topic while the partition keeps flowing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared import cloudevents
from shared.cloudevents import ReceivedEvent
from shared.consumer import (
    ConsumerConfig,
    ConsumerRunner,
    PostgresTrackingStore,
    Projection,
    install_schema,
)
from shared.consumer import runner as runner_module
from shared.database import Connection
from shared.events import EventMetadata, StoredEvent
from shared.kafka import KafkaProducer, OutgoingMessage, ensure_topics
from tests.kafka_reader import read_topic
from tests.refs import random_ref

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 1500


def message(topic: str, n: int, **extra: object) -> OutgoingMessage:
    event = StoredEvent(
        position=n,
        stream_id=f"stream-{n % 17}",
        stream_version=n,
        event_id=uuid4(),
        type="org.pactstream.test.happened",
        schema_version=1,
        data={"n": n, **extra},
        metadata=EventMetadata(),
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
    )
    key, value, headers = cloudevents.to_kafka(event, "/test")
    return OutgoingMessage(topic, key, value, headers)


def start_consumer(database_url: str, bootstrap: str, topic: str, group: str) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.counting_consumer",
            database_url,
            bootstrap,
            topic,
            group,
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )


async def tally(pool: asyncpg.Pool) -> tuple[int, int]:
    try:
        row = await pool.fetchrow("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM tally")
    except asyncpg.UndefinedTableError:
        return 0, 0
    assert row is not None
    return row["n"], row["d"]


async def wait_for(pool: asyncpg.Pool, predicate: object, timeout: float) -> tuple[int, int]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        counts = await tally(pool)
        if predicate(counts):  # type: ignore[operator]
            return counts
        assert loop.time() < deadline, f"timed out at {counts}"
        await asyncio.sleep(0.05)


async def test_a_consumer_killed_mid_batch_loses_and_doubles_nothing(
    pool: asyncpg.Pool, database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    producer = KafkaProducer(kafka_bootstrap, "test")
    await producer.start()
    messages = [message(topic, n) for n in range(EVENTS)]
    await producer.send_all(messages)
    # The relay may publish again after a crash: the same events, a second time.
    await producer.send_all(messages[:100])
    group = random_ref("group-")
    consumer = start_consumer(database_url, kafka_bootstrap, topic, group)
    try:
        before_kill = await wait_for(pool, lambda c: c[0] >= 300, timeout=60)
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        at_kill = await tally(pool)
        assert before_kill[0] <= at_kill[0] < EVENTS, "the kill must land mid-stream"
        consumer = start_consumer(database_url, kafka_bootstrap, topic, group)
        await wait_for(pool, lambda c: c[0] >= EVENTS, timeout=90)
        await asyncio.sleep(1.0)  # Anything doubled would arrive now.
        assert await tally(pool) == (EVENTS, EVENTS)
    finally:
        consumer.kill()
        consumer.wait()
        await producer.stop()


async def test_a_poison_message_is_dead_lettered_and_the_partition_keeps_flowing(
    pool: asyncpg.Pool, database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_prefix
    await ensure_topics(kafka_bootstrap, [topic, f"{topic}.dlq"], partitions=1)
    producer = KafkaProducer(kafka_bootstrap, "test")
    await producer.start()
    garbage = OutgoingMessage(topic, b"k", b"not a cloudevent", [("ce_specversion", b"1.0")])
    await producer.send_all(
        [message(topic, 1), message(topic, 2, poison=True), garbage, message(topic, 3)]
    )
    consumer = start_consumer(database_url, kafka_bootstrap, topic, random_ref("group-"))
    try:
        await wait_for(pool, lambda c: c[0] >= 2, timeout=60)
        dead = await read_topic(kafka_bootstrap, f"{topic}.dlq", until=lambda r: len(r) >= 2)
        by_offset = {
            int(dict(r.headers)["dlq_offset"]): dict(r.headers)["dlq_error"].decode() for r in dead
        }
        assert by_offset[1] == "ValueError: this event cannot be applied"
        assert by_offset[2].startswith("not a binary-mode CloudEvent")
        rows = await pool.fetch('SELECT "offset", error FROM dead_letters ORDER BY "offset"')
        assert [r["offset"] for r in rows] == [1, 2]
        assert sorted(r["n"] for r in await pool.fetch("SELECT n FROM tally")) == [1, 3]
    finally:
        consumer.kill()
        consumer.wait()
        await producer.stop()


async def test_kafka_holds_the_last_applied_offsets_once_a_consumer_stops(
    pool: asyncpg.Pool, kafka_bootstrap: str, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kafka's committed offsets are informational (the database holds the truth) and
    are sent at most once per interval; what the last interval held back is committed
    when the consumer stops, so operators' lag tools read zero after a clean stop."""
    # An interval longer than the test: only the first poll's offsets go out before stop.
    monkeypatch.setattr(runner_module, "KAFKA_COMMIT_INTERVAL", 600.0)
    async with pool.acquire() as conn:
        await install_schema(conn)
    producer = KafkaProducer(kafka_bootstrap, "test")
    await producer.start()
    applied: list[int] = []

    async def apply(conn: Connection, event: ReceivedEvent) -> None:
        applied.append(event.data["n"])

    group = random_ref("group-")
    config = ConsumerConfig(
        name=group, kafka=kafka_bootstrap, topics=[topic], dead_letter_topic=f"{topic}.dlq"
    )
    runner = ConsumerRunner(
        config, Projection(apply), tracking=PostgresTrackingStore(pool), producer=producer
    )
    running = asyncio.create_task(runner.run())
    try:
        for n in range(40):  # Small batches, each one poll: many more than one interval.
            await producer.send(message(topic, n))
            await asyncio.sleep(0.02)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(applied) < 40:
            assert loop.time() < deadline, f"applied {len(applied)} of 40"
            await asyncio.sleep(0.05)
        runner.request_stop()
        await asyncio.wait_for(running, 30)
    finally:
        running.cancel()
        await producer.stop()
    stored = {
        (r["partition"], r["next_offset"])
        for r in await pool.fetch(
            "SELECT partition, next_offset FROM consumer_offsets WHERE consumer = $1", group
        )
    }
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    assert {(tp.partition, meta.offset) for tp, meta in committed.items()} == stored
    assert sum(offset for _, offset in stored) == 40
