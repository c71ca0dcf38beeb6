"""An in-memory event store for unit tests; the contract suite runs against it too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from shared.events import NewEvent, StoredEvent
from shared.eventstore.errors import DuplicateEvent, UniqueKeyTaken, WrongExpectedVersion
from shared.eventstore.ports import StreamAppend


class InMemoryEventStore:
    def __init__(self) -> None:
        self._events: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._keys: dict[tuple[str, str], str] = {}

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> list[StoredEvent]:
        if not events:
            return []
        by_id = {e.event_id: e for e in self._events}
        if any(e.event_id in by_id for e in events):
            stored = [by_id.get(e.event_id) for e in events]
            if all(
                s is not None
                and s.stream_id == stream_id
                and s.stream_version == expected_version + i + 1
                for i, s in enumerate(stored)
            ):
                return [s for s in stored if s is not None]
            raise DuplicateEvent(next(e.event_id for e in events if e.event_id in by_id))
        stream = self._streams.get(stream_id, [])
        if len(stream) != expected_version:
            raise WrongExpectedVersion(stream_id, expected_version, len(stream))
        for scope, key in unique_keys:
            owner = self._keys.get((scope, key))
            if owner is not None and owner != stream_id:
                raise UniqueKeyTaken(scope, key, owner)
        for scope, key in unique_keys:
            self._keys[(scope, key)] = stream_id
        now = datetime.now(UTC)
        new = [
            StoredEvent(
                position=len(self._events) + i + 1,
                stream_id=stream_id,
                stream_version=expected_version + i + 1,
                event_id=e.event_id,
                type=e.type,
                schema_version=e.schema_version,
                data=e.data,
                metadata=e.metadata,
                occurred_at=e.occurred_at,
                recorded_at=now,
            )
            for i, e in enumerate(events)
        ]
        self._events.extend(new)
        self._streams[stream_id] = [*stream, *new]
        return new

    async def append_streams(self, appends: Sequence[StreamAppend]) -> int:
        known = {e.event_id for e in self._events}
        incoming = [e.event_id for a in appends for e in a.events]
        for event_id in incoming:
            if event_id in known:
                raise DuplicateEvent(event_id)
            known.add(event_id)
        for a in appends:
            actual = len(self._streams.get(a.stream_id, []))
            if a.events and actual != a.expected_version:
                raise WrongExpectedVersion(a.stream_id, a.expected_version, actual)
        for a in appends:
            await self.append(a.stream_id, a.expected_version, a.events)
        return len(incoming)

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        return [e for e in self._streams.get(stream_id, []) if e.stream_version > after_version]

    async def read_streams(self, after: Mapping[str, int]) -> dict[str, list[StoredEvent]]:
        found = {s: await self.read_stream(s, v) for s, v in after.items()}
        return {s: events for s, events in found.items() if events}

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        return [e for e in self._events if e.position > after_position][:limit]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))

    async def owner_of(self, scope: str, key: str) -> str | None:
        return self._keys.get((scope, key))

    async def owners_under(self, scope: str, prefix: str) -> dict[str, str]:
        return {k: s for (c, k), s in self._keys.items() if c == scope and k.startswith(prefix)}
