"""The append-only event store, which is also the outbox (see ``relay``)."""

from shared.eventstore.errors import (
    DuplicateEvent,
    EventStoreError,
    UniqueKeyTaken,
    WrongExpectedVersion,
)
from shared.eventstore.ports import EventStore

__all__ = [
    "DuplicateEvent",
    "EventStore",
    "EventStoreError",
    "UniqueKeyTaken",
    "WrongExpectedVersion",
]
