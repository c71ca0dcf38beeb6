"""The append-only event store, which is also the outbox (see ``relay``)."""

from shared.eventstore.errors import (
    Contention,
    DuplicateEvent,
    EventStoreError,
    UniqueKeyTaken,
    WrongExpectedVersion,
)
from shared.eventstore.ports import EventReader, EventStore, StreamAppend

__all__ = [
    "Contention",
    "DuplicateEvent",
    "EventReader",
    "EventStore",
    "EventStoreError",
    "StreamAppend",
    "UniqueKeyTaken",
    "WrongExpectedVersion",
]
