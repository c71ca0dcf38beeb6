"""An in-memory unit of work for unit tests; the contract suite runs against it too.

A commit checks every staged write before it stores any, and awaits nothing that could
let another task in between, so it is atomic on one event loop. A claim is taken at
once and withdrawn if the unit rolls back; a second unit claiming the same pair
meanwhile finds it taken (where PostgreSQL would make it wait for the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from shared.events import NewEvent
from shared.eventstore.errors import DuplicateEvent, UniqueKeyTaken, WrongExpectedVersion
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.ports import EventReader, StreamAppend
from shared.unitofwork.ports import Claim

Pair = tuple[str, str]
#: A claim's key: (partner, source, id).
Claimed = tuple[str, str, str]


class InMemoryUnitOfWork:
    """Implements :class:`shared.unitofwork.UnitOfWork` on an :class:`InMemoryEventStore`."""

    def __init__(self, store: InMemoryEventStore, claimed: dict[Claimed, Claim]) -> None:
        self._store = store
        self._claimed = claimed
        self._mine: list[Claimed] = []
        self._staged: list[StreamAppend] = []
        self._keys: list[tuple[str, str, str]] = []

    @property
    def events(self) -> EventReader:
        return self._store

    async def claim(self, claims: Sequence[Claim]) -> set[Pair]:
        new: set[Pair] = set()
        for c in sorted(claims):
            key = (c.partner or "", c.source, c.id)
            if key not in self._claimed:
                self._claimed[key] = c
                self._mine.append(key)
                new.add((c.source, c.id))
        return new

    async def release(self, pairs: Sequence[Pair]) -> None:
        for key in list(self._mine):
            if (key[1], key[2]) in pairs:
                self._mine.remove(key)
                del self._claimed[key]

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> None:
        if events:
            self._staged.append(StreamAppend(stream_id, expected_version, events))
            self._keys.extend((scope, key, stream_id) for scope, key in unique_keys)

    def append_streams(self, appends: Sequence[StreamAppend]) -> None:
        self._staged.extend(a for a in appends if a.events)

    async def commit(self) -> None:
        staged, keys = self._staged, self._keys
        self._staged, self._keys = [], []
        await self._check(staged, keys)
        for a in staged:
            stored = await self._store.append(
                a.stream_id,
                a.expected_version,
                a.events,
                unique_keys=[(s, k) for s, k, owner in keys if owner == a.stream_id],
            )
            assert len(stored) == len(a.events)
        self._mine = []

    async def _check(self, staged: list[StreamAppend], keys: list[tuple[str, str, str]]) -> None:
        """Raise what the first write to fail would, before anything is stored."""
        versions: dict[str, int] = {}
        known = {e.event_id for e in await self._store.read_all(0, limit=1 << 62)}
        for a in staged:
            actual = versions.get(a.stream_id)
            if actual is None:
                actual = await self._store.stream_version(a.stream_id)
            if actual != a.expected_version:
                raise WrongExpectedVersion(a.stream_id, a.expected_version, actual)
            for e in a.events:
                if e.event_id in known:
                    raise DuplicateEvent(e.event_id)
                known.add(e.event_id)
            versions[a.stream_id] = actual + len(a.events)
        for scope, key, stream_id in keys:
            owner = await self._store.owner_of(scope, key)
            if owner is not None and owner != stream_id:
                raise UniqueKeyTaken(scope, key, owner)

    async def rollback(self) -> None:
        self._staged, self._keys = [], []
        await self.release([key[1:] for key in self._mine])

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()


class InMemoryUnitsOfWork:
    """Implements :class:`shared.unitofwork.UnitsOfWork` over one in-memory store."""

    def __init__(self, store: InMemoryEventStore | None = None) -> None:
        self.store = store if store is not None else InMemoryEventStore()
        self.claimed: dict[Claimed, Claim] = {}

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, self.claimed)
