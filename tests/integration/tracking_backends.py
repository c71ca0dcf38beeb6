"""The two consumer-tracking backends the contract suites run against, each with a
read model to write through it: a table of numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

from shared import cloudevents
from shared.cloudevents import ReceivedEvent
from shared.consumer import (
    DeadLetter,
    PostgresTrackingStore,
    Projection,
    TrackingStore,
    install_schema,
)
from shared.consumer.tracking_memory import InMemoryTrackingStore, Tables
from shared.events import EventMetadata, StoredEvent
from tests.integration.conftest import fresh_database, fresh_pool

BACKENDS = ["postgres", "memory"]

TALLY = "CREATE TABLE tally (n integer NOT NULL)"
T0, T1 = datetime(2017, 1, 1, tzinfo=UTC), datetime(2017, 1, 2, tzinfo=UTC)


@dataclass
class Backend:
    """A tracking store and a read model to write through it: a table of numbers."""

    store: TrackingStore[Any]
    write: Callable[[Any, int], Awaitable[None]]
    numbers: Callable[[], Awaitable[list[int]]]
    dead: Callable[[str], Awaitable[list[DeadLetter]]]


def memory() -> Backend:
    store = InMemoryTrackingStore()

    async def write(tables: Tables, n: int) -> None:
        tables.table("tally").append(n)

    async def numbers() -> list[int]:
        return sorted(store.tables.table("tally"))

    async def dead(consumer: str) -> list[DeadLetter]:
        return store.dead_letters(consumer)

    return Backend(store, write, numbers, dead)


@asynccontextmanager
async def backend_named(name: str) -> AsyncIterator[Backend]:
    if name == "memory":
        yield memory()
        return
    async with fresh_database() as url, fresh_pool(url) as pool:
        async with pool.acquire() as conn:
            await install_schema(conn)
            await conn.execute(TALLY)

        async def write(conn: Any, n: int) -> None:
            await conn.execute("INSERT INTO tally (n) VALUES ($1)", n)

        async def numbers() -> list[int]:
            return sorted(r["n"] for r in await pool.fetch("SELECT n FROM tally"))

        async def dead(consumer: str) -> list[DeadLetter]:
            rows = await pool.fetch(
                'SELECT topic, partition, "offset", event_id, error FROM dead_letters '
                "WHERE consumer = $1 ORDER BY id",
                consumer,
            )
            return [DeadLetter(*r) for r in rows]

        yield Backend(PostgresTrackingStore(pool), write, numbers, dead)


def record(offset: int, n: int, kind: str = "org.t.kept", event_id: Any = None) -> Any:
    """A Kafka record as the runner receives it."""
    event = StoredEvent(
        position=offset,
        stream_id="s",
        stream_version=offset + 1,
        event_id=event_id or uuid4(),
        type=kind,
        schema_version=1,
        data={"n": n},
        metadata=EventMetadata(),
        occurred_at=T0,
        recorded_at=T0 + timedelta(seconds=offset),
    )
    key, value, headers = cloudevents.to_kafka(event, "/test")
    return SimpleNamespace(offset=offset, key=key, value=value, headers=list(headers))


def projection(backend: Backend, *, bulk: bool = True, **kw: Any) -> Projection[Any]:
    """Writes each event's ``n``; an ``n`` of 666 is poison (written, then refused)."""

    async def handler(conn: Any, event: ReceivedEvent) -> None:
        await backend.write(conn, event.data["n"])
        if event.data["n"] == 666:
            raise ValueError("poison")

    async def many(conn: Any, events: list[ReceivedEvent]) -> None:
        for event in events:
            await handler(conn, event)

    return Projection(handler, many if bulk else None, **kw)
