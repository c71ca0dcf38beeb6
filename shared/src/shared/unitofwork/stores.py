"""Units of work over an event store that is already built, for use cases constructed
from a store alone (tests, tools): the unit that matches the store's kind."""

from __future__ import annotations

from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.ports import EventStore
from shared.eventstore.postgres import PostgresEventStore
from shared.unitofwork.memory import InMemoryUnitsOfWork
from shared.unitofwork.ports import UnitsOfWork
from shared.unitofwork.postgres import PostgresUnitsOfWork


def units_for(store: EventStore) -> UnitsOfWork:
    """Units of work writing to ``store``, which must be one of the two kinds."""
    if isinstance(store, PostgresEventStore):
        return PostgresUnitsOfWork(store)
    if isinstance(store, InMemoryEventStore):
        return InMemoryUnitsOfWork(store)
    raise TypeError(f"no unit of work for a {type(store).__name__}")
