"""Events as a consumer receives them, a registry that reads an older shape of one
type, and a connection that records the statements a handler runs: for testing
consumers' handlers without Kafka or a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.cloudevents import ReceivedEvent
from shared.events import EventData, EventMetadata, EventRegistry, JsonObject, new_event_id
from shared.jsontext import dumps

WHEN = datetime(2016, 1, 1, tzinfo=UTC)
#: The schema version before the first: what :func:`renaming` reads.
OLD = 0


def received(event_type: str, data: JsonObject, schema_version: int = 1) -> ReceivedEvent:
    return ReceivedEvent(
        event_id=new_event_id(),
        source="/pactstream/tests",
        type=event_type,
        subject="tests-1",
        occurred_at=WHEN,
        recorded_at=WHEN,
        schema_version=schema_version,
        stream_version=1,
        data=data,
        metadata=EventMetadata(),
        data_json=dumps(data),
    )


def renaming(model: type[EventData], old: str, new: str) -> EventRegistry:
    """A registry of ``model`` alone that also reads its version :data:`OLD`, in which
    the field ``new`` was called ``old``: what no registry of the contracts reads."""

    def upcast(data: JsonObject) -> JsonObject:
        renamed = {k: v for k, v in data.items() if k != old}
        return {**renamed, new: data[old]}

    return EventRegistry([model], {(model.event_type, OLD): upcast})


class Recording:
    """Stands for a connection: keeps each statement and its arguments."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    async def execute(self, sql: str, *args: Any) -> str:
        self.statements.append((" ".join(sql.split()), args))
        return "OK"
