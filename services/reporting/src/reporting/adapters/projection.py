"""What a read model's projection of one event type is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from shared.cloudevents import ReceivedEvent
from shared.database import Connection

#: Applies one decoded event (its payload model as the third argument) to the read
#: models, inside the consumer's transaction.
Projection = Callable[[Connection, ReceivedEvent, Any], Awaitable[None]]
