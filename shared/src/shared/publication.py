"""What a service publishes: which stored events go out, on which topic, as what.

A service's event store holds its own events; what other services and partners read
on Kafka is a contract apart. A :class:`Publication` maps each stored type and schema
version to a :class:`Route` (the topic, the published type and version, and a
transform of the data when they differ), so an internal rename or reshaping is a new
route, not a breaking change on a topic. Stored types kept in on purpose are listed
as ``internal``; any other type is unclassified, and the relay stops on it rather than
publish or drop it (a unit test checks that every type a service stores is
classified).

A topic added after events now routed to it were first stored (credentials moved
from the commitments topic to their own) is listed in ``fill``: the relay publishes
the history routed to it there once, before anything new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from shared.events import EventData

#: Reshapes the data of a stored event (JSON text) into that of its published type.
Transform = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class Route:
    """Where and as what one stored type and version is published."""

    topic: str
    type: str
    schema_version: int
    transform: Transform | None = None


class Unclassified(LookupError):
    """A stored type neither routed nor internal: a programming error, which stops the
    relay (nothing is published or skipped) until a route or an ``internal`` entry for
    it is deployed."""


@dataclass(frozen=True)
class Topic:
    """A topic a service publishes, for the AsyncAPI document."""

    name: str
    description: str
    internal: bool = False


@dataclass(frozen=True)
class Publication:
    topics: tuple[Topic, ...]
    routes: Mapping[tuple[str, int], Route]
    internal: frozenset[str] = frozenset()
    fill: frozenset[str] = frozenset()
    #: Tests and benchmarks only: every unclassified type, as stored, to this topic.
    everything_to: str | None = field(default=None)

    def route(self, event_type: str, schema_version: int) -> Route | None:
        """The route of a stored event, ``None`` for an internal one."""
        found = self.routes.get((event_type, schema_version))
        if found is not None:
            return found
        if event_type in self.internal:
            return None
        if self.everything_to is not None:
            return Route(self.everything_to, event_type, schema_version)
        raise Unclassified(
            f"stored event type {event_type} (schema version {schema_version}) is neither "
            "published nor internal: add a route or an internal entry to the publication"
        )

    def published(self, topic: str) -> list[tuple[str, int]]:
        """The published types and versions on a topic, each once."""
        seen = {(r.type, r.schema_version) for r in self.routes.values() if r.topic == topic}
        return sorted(seen)

    @classmethod
    def unchanged(
        cls,
        topics: Mapping[Topic, Iterable[type[EventData]]],
        *,
        internal: Iterable[str] = (),
        fill: Iterable[str] = (),
    ) -> Publication:
        """Each contract model's stored versions published as they are stored, on the
        topic it is listed under."""
        routes = {
            (model.event_type, version): Route(topic.name, model.event_type, version)
            for topic, models in topics.items()
            for model in models
            for version in range(1, model.schema_version + 1)
        }
        return cls(tuple(topics), routes, frozenset(internal), frozenset(fill))

    @classmethod
    def everything(cls, topic: str) -> Publication:
        """Every stored event to one topic as stored: for tests and benchmarks, whose
        events have made-up types."""
        return cls((Topic(topic, "everything"),), {}, everything_to=topic)
