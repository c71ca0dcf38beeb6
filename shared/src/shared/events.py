"""Events as stored and published, and the registry of their stable type names.

A type name (``org.pactstream.commitment.made``) and a schema version identify the
shape of an event's data for good. Python class names may change; type names never do.
A breaking change bumps the schema version and adds a pure upcaster that turns the old
data into the new shape; stored events are never rewritten.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

JsonObject = dict[str, Any]


class EventData(BaseModel):
    """Base of every published event payload: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """Provenance carried by every stored event."""

    partner: str | None = None
    causation_id: str | None = None
    correlation_id: str | None = None
    traceparent: str | None = None

    def to_json(self) -> JsonObject:
        fields = ("partner", "causation_id", "correlation_id", "traceparent")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> EventMetadata:
        data = data or {}
        return cls(
            partner=data.get("partner"),
            causation_id=data.get("causation_id"),
            correlation_id=data.get("correlation_id"),
            traceparent=data.get("traceparent"),
        )


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended: its id is chosen by the writer (idempotency)."""

    event_id: UUID
    type: str
    data: JsonObject
    occurred_at: datetime
    schema_version: int = 1
    metadata: EventMetadata = field(default_factory=EventMetadata)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as committed: global position, stream version and record time added."""

    position: int
    stream_id: str
    stream_version: int
    event_id: UUID
    type: str
    schema_version: int
    data: JsonObject
    metadata: EventMetadata
    occurred_at: datetime
    recorded_at: datetime


#: Random bits for event ids: not secret, only unique, so drawn without a system call
#: each. Seeded from the OS, and again in a forked child, so no two processes share it.
_RANDOM = random.Random()
os.register_at_fork(after_in_child=_RANDOM.seed)
_MS_MASK = (1 << 48) - 1
_RAND_B_BITS = 62


def new_event_id() -> UUID:
    """A UUIDv7 (RFC 9562): the milliseconds since the epoch, then 74 random bits.
    Ids made close in time sort close together, so the B-tree indexes keyed by event
    id (the store's, every consumer's inbox, the read models') grow at their right
    edge rather than dirtying pages all over as random ids do."""
    rand = _RANDOM.getrandbits(74)
    return UUID(
        int=((time.time_ns() // 1_000_000) & _MS_MASK) << 80
        | 0x7 << 76  # version
        | (rand >> _RAND_B_BITS) << 64  # rand_a, 12 bits
        | 0b10 << 62  # variant
        | rand & ((1 << _RAND_B_BITS) - 1)  # rand_b
    )


def new_events(
    events: Sequence[EventData], occurred_at: datetime, metadata: EventMetadata
) -> list[NewEvent]:
    """Payloads decided by a domain, ready to append: fresh ids, one business time."""
    return [
        NewEvent(
            event_id=new_event_id(),
            type=e.event_type,
            schema_version=e.schema_version,
            data=e.model_dump(mode="json"),
            occurred_at=occurred_at,
            metadata=metadata,
        )
        for e in events
    ]


Upcaster = Callable[[JsonObject], JsonObject]


class UnknownEventType(LookupError):
    """A type name that no registry entry knows."""


@dataclass(frozen=True, slots=True, eq=False, init=False, repr=False)
class EventRegistry:
    """Maps stable type names to payload models, and upcasts old schema versions.

    Built whole from its models and upcasters and never changed after: a process's
    composition root builds one (:func:`shared.contracts.build_registry`) and hands it
    to whatever decodes events, so no code finds it through a module of its own.
    """

    _models: Mapping[str, type[EventData]]
    _upcasters: Mapping[tuple[str, int], Upcaster]

    def __init__(
        self,
        models: Iterable[type[EventData]],
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        """``models`` by their ``event_type``; ``upcasters`` keyed by the type and the
        schema version each turns into the next one."""
        by_type: dict[str, type[EventData]] = {}
        for model in models:
            existing = by_type.setdefault(model.event_type, model)
            if existing is not model:
                raise ValueError(f"event type {model.event_type!r} is registered twice")
        steps = dict(upcasters or {})
        for event_type, version in steps:
            if event_type not in by_type:
                raise ValueError(f"an upcaster of {event_type!r} v{version}, a type with no model")
        object.__setattr__(self, "_models", MappingProxyType(by_type))
        object.__setattr__(self, "_upcasters", MappingProxyType(steps))

    def __repr__(self) -> str:
        return f"EventRegistry({len(self._models)} types, {len(self._upcasters)} upcasters)"

    def knows(self, event_type: str) -> bool:
        return event_type in self._models

    def model(self, event_type: str) -> type[EventData]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def upcast(self, event_type: str, schema_version: int, data: JsonObject) -> JsonObject:
        """Bring ``data`` from ``schema_version`` to the registered model's version."""
        target = self.model(event_type).schema_version
        version = schema_version
        while version < target:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventType(f"{event_type} v{version}: no upcaster to v{version + 1}")
            data = step(data)
            version += 1
        if version > target:
            raise UnknownEventType(f"{event_type} v{version} is newer than this reader")
        return data

    def decode(self, event_type: str, schema_version: int, data: JsonObject) -> EventData:
        return self.model(event_type).model_validate(self.upcast(event_type, schema_version, data))

    def types(self) -> list[str]:
        return sorted(self._models)
