"""Reading the event store as an outbox: what the relay publishes, in order, without
gaps (:mod:`.ports` states the contract; :mod:`.postgres` holds the fence)."""

from shared.outbox.ports import START, OutboxCursor, OutboxEvent, OutboxReader

__all__ = ["START", "OutboxCursor", "OutboxEvent", "OutboxReader"]
