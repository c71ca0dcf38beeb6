"""The one handler of every aggregate: load its events, fold them, decide, append at
the version it was loaded at.

An :class:`Aggregate` ties a :class:`~shared.decider.Decider` to where its events are
stored. A use case in a unit of work is ``handle`` (load, decide, stage the events), or,
where it must look at the state before deciding (a scope, a lookup), ``load``, its own
checks, then ``decide`` and ``append``. Whoever wrote in between makes the commit fail
(:class:`~shared.eventstore.WrongExpectedVersion`), never interleave silently; the
retry policy decides again on the newer state.

An aggregate is a declaration, free of any registry: what reads its events (``fold``,
``load``, ``load_many``, ``handle``) is given the :class:`~shared.events.EventRegistry`
to decode them with, the one the service's composition root built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from shared.decider import Decider, Versioned, check_version, fold
from shared.events import EventData, EventMetadata, EventRegistry, StoredEvent, new_events
from shared.eventstore.ports import EventReader
from shared.unitofwork.ports import UnitOfWork

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Decision(Generic[S]):
    """What a command came to: its events and the state after them."""

    events: list[EventData]
    after: Versioned[S]


@dataclass(frozen=True, slots=True)
class Aggregate(Generic[C, S]):
    """One kind of aggregate: its rules, its streams and what to raise when one of
    them has no events (``missing(id)``)."""

    kind: str
    decider: Decider[C, S, EventData]
    stream: Callable[[str], str]
    missing: Callable[[str], Exception]

    def initial(self) -> Versioned[S]:
        return Versioned(self.decider.initial(), 0)

    def fold(
        self,
        registry: EventRegistry,
        stored: Iterable[StoredEvent],
        start: Versioned[S] | None = None,
    ) -> Versioned[S]:
        """The state after ``stored`` (the events following ``start``), each decoded
        and upcast by ``registry``."""
        current = start if start is not None else self.initial()
        events = list(stored)
        if not events:
            return current
        decoded = (registry.decode(e.type, e.schema_version, e.data) for e in events)
        return Versioned(fold(self.decider, decoded, current.value), events[-1].stream_version)

    async def load(
        self,
        reader: EventReader,
        registry: EventRegistry,
        aggregate_id: str,
        *,
        required: bool = True,
    ) -> Versioned[S]:
        """The aggregate as stored; ``missing`` when it has no events (unless not
        ``required``: then its initial state at version 0)."""
        current = self.fold(registry, await reader.read_stream(self.stream(aggregate_id)))
        if required and current.version == 0:
            raise self.missing(aggregate_id)
        return current

    async def load_many(
        self,
        reader: EventReader,
        registry: EventRegistry,
        starts: Mapping[str, Versioned[S] | None],
    ) -> dict[str, Versioned[S]]:
        """Several aggregates in one read, each from a known state of it (or from
        nothing) caught up with its newer events; those with no events are absent."""
        stored = await reader.read_streams(
            {self.stream(i): 0 if s is None else s.version for i, s in starts.items()}
        )
        found: dict[str, Versioned[S]] = {}
        for aggregate_id, start in starts.items():
            current = self.fold(registry, stored.get(self.stream(aggregate_id), []), start)
            if current.version > 0:
                found[aggregate_id] = current
        return found

    def decide(self, current: Versioned[S], command: C, if_match: int | None = None) -> Decision[S]:
        """The events ``command`` causes and the state after them, for a writer who
        may have named the version it saw (``if_match``)."""
        check_version(current, if_match, self.kind)
        events = list(self.decider.decide(current.value, command))
        after = fold(self.decider, events, current.value)
        return Decision(events, Versioned(after, current.version + len(events)))

    def append(
        self,
        uow: UnitOfWork,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[EventData],
        occurred_at: datetime,
        meta: EventMetadata,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Stage ``events`` in ``uow``, after the version the decision was made at."""
        uow.append(
            self.stream(aggregate_id),
            expected_version,
            new_events(events, occurred_at, meta),
            unique_keys=unique_keys,
        )

    async def handle(
        self,
        uow: UnitOfWork,
        registry: EventRegistry,
        aggregate_id: str,
        command: C,
        occurred_at: datetime,
        meta: EventMetadata,
        if_match: int | None = None,
    ) -> Versioned[S]:
        """Load, decide and stage in ``uow``: the state the command leaves once the
        unit commits."""
        current = await self.load(uow.events, registry, aggregate_id)
        decision = self.decide(current, command, if_match)
        self.append(uow, aggregate_id, current.version, decision.events, occurred_at, meta)
        return decision.after

    def create(
        self,
        uow: UnitOfWork,
        aggregate_id: str,
        command: C,
        occurred_at: Callable[[Sequence[EventData]], datetime],
        meta: EventMetadata,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> Versioned[S]:
        """Decide on a new aggregate and stage its first events at version 0, with the
        unique keys it reserves: no read, a stream that exists already is a conflict."""
        decision = self.decide(self.initial(), command)
        when = occurred_at(decision.events)
        self.append(uow, aggregate_id, 0, decision.events, when, meta, unique_keys)
        return decision.after
