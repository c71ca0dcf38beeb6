"""Consumer tracking: where each consumer is in each partition (its offsets) and which
events it has applied (its inbox), kept in the same unit of work as its read model.

This is the port the apply algorithm and the runner see; :mod:`.tracking_postgres` is
the real one and :mod:`.tracking_memory` the fake, and one contract suite
(``tests/integration/test_consumer_tracking_contract.py``) holds both to it.

The contract, for one consumer name:

- A unit of work (:meth:`TrackingStore.unit`) is all or nothing: the claims, offset
  moves and dead letters of a unit whose body raises are gone, and so are the read
  model's changes made through its :attr:`ConsumerTracking.connection`.
- A savepoint inside it (:meth:`ConsumerTracking.savepoint`) undoes just its own part.
- An event id is claimed at most once: :meth:`ConsumerTracking.claim` returns the ids
  that were not claimed before (the inbox); :meth:`ConsumerTracking.release` frees one
  again (an operator's replay).
- A stored offset never moves back: :meth:`ConsumerTracking.advance` keeps the greater
  of the stored and the new one, and keeps the last event time when the new one has
  none.
- Units that lock the same partitions' offsets (:meth:`ConsumerTracking.lock_offsets`)
  run one after the other: replicas in a rebalance queue, never both apply a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

#: A partition of a topic: aiokafka's ``TopicPartition`` is one.
Partition = tuple[str, int]

#: What handlers write the read model through (an asyncpg connection, or a fake's).
C_co = TypeVar("C_co", covariant=True)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that could not be applied, and why."""

    topic: str
    partition: int
    offset: int
    event_id: str | None
    error: str


class Reached(Protocol):
    """Where a partition's stored offset moves to (a batch's result is one)."""

    @property
    def next_offset(self) -> int: ...

    @property
    def last_event_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Position:
    next_offset: int
    last_event_at: datetime | None = None


class ConsumerTracking(Protocol[C_co]):
    """Offsets, inbox and dead letters inside one unit of work."""

    @property
    def connection(self) -> C_co:
        """Where handlers change the read model, in this same unit of work."""
        ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested unit: what its body changed is undone if the body raises."""
        ...

    async def lock_offsets(
        self, consumer: str, partitions: Iterable[Partition]
    ) -> dict[Partition, int]:
        """The stored next offset of each partition that has one, held until the unit
        ends: a concurrent unit locking one of them waits."""
        ...

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Record ``event_ids`` in the inbox; returns those that were not in it."""
        ...

    async def release(self, consumer: str, event_id: UUID) -> None:
        """Take an event id out of the inbox, so that it can be applied again."""
        ...

    async def advance(self, consumer: str, reached: Mapping[Partition, Reached]) -> None:
        """Move each partition's stored offset on (never back), with its last event
        time when there is one."""
        ...

    async def record_dead(self, consumer: str, dead: Sequence[DeadLetter]) -> None:
        """Keep the records that could not be applied, with their errors."""
        ...


class TrackingStore(Protocol[C_co]):
    """Where a consumer's tracking lives, and its units of work."""

    def unit(self) -> AbstractAsyncContextManager[ConsumerTracking[C_co]]:
        """One unit of work: it commits when the block ends, or leaves nothing."""
        ...

    async def offsets(self, consumer: str) -> dict[Partition, int]:
        """The committed next offset of every partition the consumer has stored."""
        ...
