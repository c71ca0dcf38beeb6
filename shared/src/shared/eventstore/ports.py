"""The event store port: what the application layer needs, and nothing more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.events import NewEvent, StoredEvent


class EventStore(Protocol):
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

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        """Events of one stream in version order."""
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
