"""Projectors by event type: each read model's change for one kind of event lives in a
function of its own, found by the event's class (or a class it derives from)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from shared.cloudevents import ReceivedEvent
from shared.database import Connection
from shared.events import EventData

#: Applies one decoded event of its type to the read models.
Projector = Callable[[Connection, ReceivedEvent, Any], Awaitable[None]]


def projector_for(data: EventData, projectors: Mapping[type, Projector]) -> Projector | None:
    """The projector registered for the event's class or the nearest class it derives
    from, as a ``match`` on class patterns would pick it."""
    for cls in type(data).__mro__:
        found = projectors.get(cls)
        if found is not None:
            return found
    return None
