"""Errors of the event store, independent of the adapter that raised them."""

from __future__ import annotations


class EventStoreError(Exception):
    """Root of event-store errors."""


class WrongExpectedVersion(EventStoreError):
    """The stream moved on since the writer read it (optimistic concurrency)."""

    def __init__(self, stream_id: str, expected: int, actual: int | None = None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        found = "" if actual is None else f", found {actual}"
        super().__init__(f"stream {stream_id!r}: expected version {expected}{found}")


class DuplicateEvent(EventStoreError):
    """An event id that is already stored in another stream or at another version."""

    def __init__(self, event_id: object) -> None:
        self.event_id = event_id
        super().__init__(f"event {event_id} is already stored elsewhere")


class UniqueKeyTaken(EventStoreError):
    """A business key (a plan code, a commitment code in its plan) already reserved."""

    def __init__(self, scope: str, key: str, owner: str) -> None:
        self.scope = scope
        self.key = key
        self.owner = owner
        super().__init__(f"{scope} {key!r} is already taken by {owner}")


class Contention(EventStoreError):
    """The database gave up a transaction for a concurrent one (a serialization
    failure or a deadlock): nothing of it was stored, and running it again may work."""
