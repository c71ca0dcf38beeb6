"""An outbox reader over any :class:`~shared.eventstore.EventStore`, for unit tests (the
in-memory store, typically); the contract suite runs against it too.

An append to the in-memory store commits at once and in position order, so the
position is also the transaction and nothing is ever held back."""

from __future__ import annotations

from datetime import datetime

from shared import jsontext
from shared.cloudevents import rfc3339
from shared.events import StoredEvent
from shared.eventstore.ports import EventStore
from shared.outbox.ports import START, OutboxCursor, OutboxEvent


def _encoded(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def outbox_event(event: StoredEvent) -> OutboxEvent:
    """An event as the bytes of its message, as the PostgreSQL reader reads them."""
    meta = event.metadata
    return OutboxEvent(
        tx=event.position,
        position=event.position,
        position_text=str(event.position).encode(),
        subject=event.stream_id.encode(),
        stream_version=str(event.stream_version).encode(),
        event_id=str(event.event_id).encode(),
        type=event.type.encode(),
        schema_version=str(event.schema_version).encode(),
        data=jsontext.dumps_bytes(event.data),
        occurred_at=rfc3339(event.occurred_at).encode(),
        recorded_at=rfc3339(event.recorded_at).encode(),
        partner=_encoded(meta.partner),
        causation_id=_encoded(meta.causation_id),
        correlation_id=_encoded(meta.correlation_id),
        traceparent=_encoded(meta.traceparent),
    )


class InMemoryOutbox:
    #: Appends commit at once: none is ever running while a read begins.
    writers_running = False

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._checkpoints: dict[str, OutboxCursor] = {}

    async def checkpoint(self, name: str) -> OutboxCursor:
        return self._checkpoints.setdefault(name, START)

    async def save_checkpoint(self, name: str, cursor: OutboxCursor) -> None:
        self._checkpoints[name] = cursor

    async def read(self, after: OutboxCursor, limit: int) -> list[OutboxEvent]:
        return [outbox_event(e) for e in await self._store.read_all(after.position, limit)]

    async def oldest_unpublished(self, after: OutboxCursor) -> datetime | None:
        events = await self._store.read_all(after.position, limit=1)
        return events[0].recorded_at if events else None

    async def listen(self, listening: bool) -> None:
        """Nothing to say: appends to the in-memory store notify no one."""
