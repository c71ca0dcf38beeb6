"""The event store port: what the application layer needs, and nothing more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.events import NewEvent, StoredEvent


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events to append to one stream after ``expected_version`` (0: a new stream)."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]


class EventReader(Protocol):
    """The reading half of the store: what loading an aggregate needs."""

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        """Events of one stream in version order."""
        ...

    async def read_streams(self, after: Mapping[str, int]) -> dict[str, list[StoredEvent]]:
        """Events of several streams, each after its given version, in version order:
        one read however many streams. Streams without newer events are absent."""
        ...

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Committed events in position order (not gap-free: the relay has its own read)."""
        ...

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version, 0 when it has no events."""
        ...

    async def owner_of(self, scope: str, key: str) -> str | None:
        """The stream that reserved a unique key, if any."""
        ...

    async def owners_under(self, scope: str, prefix: str) -> dict[str, str]:
        """Every key of ``scope`` that starts with ``prefix``, with the stream that
        reserved it (what a plan holds: its commitments' ``plan/code`` keys)."""
        ...


class EventStore(EventReader, Protocol):
    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> list[StoredEvent]:
        """Append ``events`` atomically after version ``expected_version`` (0: new stream).

        Raises :class:`WrongExpectedVersion` when the stream is not at that version.
        Appending events whose ids are all already stored at the same places in this
        stream is a no-op that returns the stored events (a retried write); an id stored
        elsewhere raises :class:`DuplicateEvent`. ``unique_keys`` are ``(scope, key)``
        pairs reserved for this stream in the same transaction
        (:class:`UniqueKeyTaken` when another stream holds one).
        """
        ...

    async def append_streams(self, appends: Sequence[StreamAppend]) -> int:
        """Append to several streams atomically, each after its expected version: all of
        them or none. Returns how many events were stored.

        Raises :class:`WrongExpectedVersion` for a stream not at its version and
        :class:`DuplicateEvent` for an event id already stored (no replay detection:
        a retried batch is for the caller to recognise, e.g. by a claim). Inside a
        transaction of the caller's, roll it back after either: it may be aborted.
        """
        ...
