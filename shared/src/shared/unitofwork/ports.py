"""The unit of work port: one atomic write of a use case, whatever the database.

A unit claims the inbound events it acts on (:class:`Claim`), reads the streams it
decides on, stages the events it decides and commits all of it at once, or none of it.
Its reads see what is committed (and, once the unit has begun a transaction, that
transaction); its staged events are not read back before the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from shared.events import NewEvent
from shared.eventstore.ports import EventReader, StreamAppend


@dataclass(frozen=True, slots=True, order=True)
class Claim:
    """An inbound event, identified for good by (``source``, ``id``)."""

    source: str
    id: str
    type: str
    subject: str | None
    partner: str | None


class UnitOfWork(Protocol):
    """Used as ``async with units() as uow: ...; await uow.commit()``: leaving the
    block without a commit, or by an exception, rolls everything back."""

    @property
    def events(self) -> EventReader:
        """Reads inside this unit."""
        ...

    async def claim(self, claims: Sequence[Claim]) -> set[tuple[str, str]]:
        """Claim inbound events for this unit: the (source, id) pairs that were new.
        A pair claimed by a unit still running is not new once that unit commits; a
        rolled-back claim is withdrawn, so the event may come again."""
        ...

    async def release(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Withdraw claims this unit made, for events it refused."""
        ...

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Stage events for one stream after ``expected_version``, with the unique
        keys to reserve; the commit raises what the store's ``append`` would."""
        ...

    def append_streams(self, appends: Sequence[StreamAppend]) -> None:
        """Stage events for several streams, each after its expected version."""
        ...

    async def commit(self) -> None:
        """Store everything staged and claimed, atomically. Raises
        :class:`~shared.eventstore.WrongExpectedVersion` (or
        :class:`~shared.eventstore.Contention`) when another writer got in between:
        then nothing is stored."""
        ...

    async def rollback(self) -> None:
        """Forget everything staged and claimed."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitsOfWork(Protocol):
    """Makes a fresh unit of work for each try of a use case."""

    def __call__(self) -> UnitOfWork: ...
