"""One partition batch applied to PostgreSQL: events a consumer does not want are
passed over unread, yet its offset moves past them."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

import asyncpg

from shared import cloudevents
from shared.cloudevents import ReceivedEvent
from shared.consumer import apply_batch, install_schema, store_offset
from shared.database import Connection
from shared.events import EventMetadata, StoredEvent


def record(offset: int, type_: str) -> SimpleNamespace:
    event = StoredEvent(
        position=offset,
        stream_id="s",
        stream_version=offset + 1,
        event_id=uuid4(),
        type=type_,
        schema_version=1,
        data={"n": offset},
        metadata=EventMetadata(),
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
    )
    key, value, headers = cloudevents.to_kafka(event, "/test")
    return SimpleNamespace(offset=offset, key=key, value=value, headers=list(headers))


async def test_unwanted_types_are_skipped_and_the_offset_still_moves(pool: asyncpg.Pool) -> None:
    seen: list[int] = []

    async def handler(conn: Connection, event: ReceivedEvent) -> None:
        seen.append(event.data["n"])

    async def bulk(conn: Connection, events: list[ReceivedEvent]) -> None:
        seen.extend(e.data["n"] for e in events)

    kinds = ["org.t.kept", "org.t.other", "org.t.kept", "org.t.other"]
    records = [record(10 + i, kind) for i, kind in enumerate(kinds)]
    wants = {"org.t.kept"}.__contains__
    async with pool.acquire() as conn:
        await install_schema(conn)
        for with_bulk in (None, bulk):
            seen.clear()
            async with conn.transaction():
                result = await apply_batch(
                    conn, f"c-{with_bulk is None}", "t", 0, records, handler, with_bulk, wants
                )
                await store_offset(conn, f"c-{with_bulk is None}", "t", 0, result)
            assert seen == [10, 12]
            assert (result.applied, result.next_offset) == (2, 14)
        nothing_wanted = await apply_batch(
            conn, "c-none", "t", 0, records[1::2], handler, bulk, wants
        )
        assert (nothing_wanted.applied, nothing_wanted.next_offset) == (0, 14)
        assert await conn.fetchval("SELECT count(*) FROM consumer_inbox") == 4
        assert await conn.fetchval("SELECT min(next_offset) FROM consumer_offsets") == 14
