"""The operator's tool for dead letters (``./pactstream dlq list|replay``): what is
waiting, and applying a dead-lettered record again once its cause is fixed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.cloudevents import MalformedMessage, ReceivedEvent, from_kafka
from shared.consumer.apply import Handler
from shared.consumer.tracking_postgres import PostgresTracking
from shared.database import CONNECTION_ERRORS, Connection
from shared.kafka import Kafka, endpoint


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    error: str
    recorded_at: datetime
    replayed_at: datetime | None

    def line(self) -> str:
        """One line of ``dlq list``."""
        state = "replayed" if self.replayed_at else "waiting"
        return (
            f"{self.id:>5}  {state:<8}  {self.topic}/{self.partition}@{self.offset}"
            f"  {self.event_id or '-'}  {self.error}"
        )


async def dead_letters(pool: asyncpg.Pool, *, replayed: bool = False) -> list[StoredDeadLetter]:
    """The dead letters in the order they were recorded; the replayed ones too if asked."""
    rows = await pool.fetch(
        'SELECT id, consumer, topic, partition, "offset", event_id, error, '
        "recorded_at, replayed_at FROM dead_letters ORDER BY id"
    )
    found = [StoredDeadLetter(*r) for r in rows]
    return [d for d in found if replayed or d.replayed_at is None]


async def replay_dead_letter(
    pool: asyncpg.Pool,
    kafka: Kafka,
    dead_letter_id: int,
    handler_of: Callable[[str], Handler[Connection]],
) -> str:
    """Fetch a dead-lettered message from its original topic and offset and apply it
    again with the handler of the consumer that dead-lettered it (``handler_of(name)``);
    on success it is marked replayed. Returns what happened, in words."""
    row = await pool.fetchrow(
        'SELECT id, consumer, topic, partition, "offset", event_id, replayed_at '
        "FROM dead_letters WHERE id = $1",
        dead_letter_id,
    )
    if row is None:
        return f"no dead letter {dead_letter_id}"
    if row["replayed_at"] is not None:
        return f"dead letter {dead_letter_id} was replayed at {row['replayed_at']}"
    record = await _fetch_record(kafka, row["topic"], row["partition"], row["offset"])
    try:
        event = from_kafka(record.value, record.headers or ())
    except MalformedMessage as exc:
        return f"dead letter {dead_letter_id} still cannot be read: {exc}"
    async with pool.acquire() as conn, conn.transaction():
        handler = handler_of(row["consumer"])
        return await _apply_again(conn, dead_letter_id, row["consumer"], event, handler)


async def _fetch_record(kafka: Kafka, topic: str, partition: int, offset: int) -> Any:
    reader = AIOKafkaConsumer(**endpoint(kafka).options(), enable_auto_commit=False)
    await reader.start()
    try:
        tp = TopicPartition(topic, partition)
        reader.assign([tp])
        reader.seek(tp, offset)
        return await asyncio.wait_for(reader.getone(tp), 30)
    finally:
        await reader.stop()


async def _apply_again(
    conn: Connection,
    dead_letter_id: int,
    consumer: str,
    event: ReceivedEvent,
    handler: Handler[Connection],
) -> str:
    """Inside the caller's transaction: out of the inbox, applied, back in the inbox,
    marked replayed; or, if the handler fails again, the new error kept."""
    tracking = PostgresTracking(conn)
    await tracking.release(consumer, event.event_id)
    try:
        async with tracking.savepoint():
            await handler(conn, event)
    except CONNECTION_ERRORS:
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        await conn.execute(
            "UPDATE dead_letters SET error = $2 WHERE id = $1", dead_letter_id, error
        )
        return f"dead letter {dead_letter_id} failed again: {error}"
    await tracking.claim(consumer, [event.event_id])
    await conn.execute("UPDATE dead_letters SET replayed_at = now() WHERE id = $1", dead_letter_id)
    return f"dead letter {dead_letter_id} replayed: {event.type} {event.event_id}"
