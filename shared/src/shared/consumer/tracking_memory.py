"""Consumer tracking in memory, for unit tests; the contract suite runs against it too.

Its read model is :class:`Tables`, rows by table name: what handlers receive as their
connection. A unit of work runs alone (one lock for the store: the locking of offsets
the contract asks for, made coarse) and is undone, read model included, if its body
raises; savepoints likewise."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.consumer.tracking import DeadLetter, Partition, Reached


@dataclass
class Tables:
    """A fake read model: rows by table name."""

    rows: dict[str, list[Any]] = field(default_factory=dict)

    def table(self, name: str) -> list[Any]:
        return self.rows.setdefault(name, [])


@dataclass
class _State:
    offsets: dict[tuple[str, str, int], tuple[int, datetime | None]] = field(default_factory=dict)
    inbox: set[tuple[str, UUID]] = field(default_factory=set)
    dead: list[tuple[str, DeadLetter]] = field(default_factory=list)
    tables: Tables = field(default_factory=Tables)

    def copy(self) -> _State:
        return _State(
            dict(self.offsets),
            set(self.inbox),
            list(self.dead),
            Tables({name: list(rows) for name, rows in self.tables.rows.items()}),
        )

    def restore(self, saved: _State) -> None:
        self.offsets, self.inbox, self.dead = saved.offsets, saved.inbox, saved.dead
        self.tables.rows = saved.tables.rows


class InMemoryTracking:
    def __init__(self, state: _State) -> None:
        self._state = state

    @property
    def connection(self) -> Tables:
        return self._state.tables

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        saved = self._state.copy()
        try:
            yield
        except BaseException:
            self._state.restore(saved)
            raise

    async def lock_offsets(
        self, consumer: str, partitions: Iterable[Partition]
    ) -> dict[Partition, int]:
        offsets = self._state.offsets
        return {
            (topic, partition): offsets[(consumer, topic, partition)][0]
            for topic, partition in partitions
            if (consumer, topic, partition) in offsets
        }

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        fresh = {i for i in event_ids if (consumer, i) not in self._state.inbox}
        self._state.inbox.update((consumer, i) for i in fresh)
        return fresh

    async def release(self, consumer: str, event_id: UUID) -> None:
        self._state.inbox.discard((consumer, event_id))

    async def advance(self, consumer: str, reached: Mapping[Partition, Reached]) -> None:
        for (topic, partition), r in reached.items():
            key = (consumer, topic, partition)
            offset, at = self._state.offsets.get(key, (r.next_offset, None))
            self._state.offsets[key] = (
                max(offset, r.next_offset),
                r.last_event_at if r.last_event_at is not None else at,
            )

    async def record_dead(self, consumer: str, dead: Sequence[DeadLetter]) -> None:
        self._state.dead.extend((consumer, d) for d in dead)


class InMemoryTrackingStore:
    def __init__(self) -> None:
        self._state = _State()
        self._lock = asyncio.Lock()

    @property
    def tables(self) -> Tables:
        """The read model as committed."""
        return self._state.tables

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[InMemoryTracking]:
        async with self._lock:
            tracking = InMemoryTracking(self._state)
            async with tracking.savepoint():
                yield tracking

    async def offsets(self, consumer: str) -> dict[Partition, int]:
        return {
            (topic, partition): offset
            for (name, topic, partition), (offset, _) in self._state.offsets.items()
            if name == consumer
        }

    def dead_letters(self, consumer: str) -> list[DeadLetter]:
        return [d for name, d in self._state.dead if name == consumer]

    def last_event_at(self, consumer: str, partition: Partition) -> datetime | None:
        stored = self._state.offsets.get((consumer, *partition))
        return None if stored is None else stored[1]
