"""The append-only event store, which is also the outbox (see ``relay``)."""

from shared.eventstore.errors import (
    DuplicateEvent,
    EventStoreError,
    UniqueKeyTaken,
    WrongExpectedVersion,
)
from shared.eventstore.ports import EventStore, StreamAppend

__all__ = [
    "DuplicateEvent",
    "EventStore",
    "EventStoreError",
    "StreamAppend",
    "UniqueKeyTaken",
    "WrongExpectedVersion",
]
