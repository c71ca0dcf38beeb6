"""A change partners may ask for, declared once for both ways in: a REST route's body
and a CloudEvent's ``data`` are the same model, and one builder turns it into the
domain command, so the two cannot drift apart.

A service lists its :class:`Change` declarations; its REST routes call
``change.command(body)`` and its ``POST /v1/events`` route asks :func:`command_of`
for the command a CloudEvent stands for, or the problem that refuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from shared.cloudevents import StructuredEvent
from shared.http.problems import Problem, json_pointer

Body = TypeVar("Body", bound=BaseModel)
Command = TypeVar("Command", covariant=True)


@dataclass(frozen=True, slots=True)
class Change(Generic[Body, Command]):
    """``body`` (the request body, or a CloudEvent's ``data``) and the ``build`` of its
    command; ``event_type`` when partners may also send it as a CloudEvent."""

    body: type[Body]
    build: Callable[[Body], Command]
    event_type: str | None = None

    def command(self, body: Body) -> Command:
        return self.build(body)

    def from_data(self, data: Any) -> Command:
        """The command of a CloudEvent's ``data``; raises pydantic's
        :class:`ValidationError` for data the body does not accept."""
        return self.build(self.body.model_validate(data))


def by_event_type(changes: Iterable[Change[Any, Any]]) -> dict[str, Change[Any, Any]]:
    """The changes partners may send as CloudEvents, by type."""
    return {c.event_type: c for c in changes if c.event_type is not None}


def command_of(
    accepted: Mapping[str, Change[Any, Command]], event: StructuredEvent, subject: str
) -> Command | Problem:
    """The command ``event`` asks for, or the 422 that refuses it: a type not in
    ``accepted``, no ``subject`` (which names ``subject``), or ``data`` its body
    does not accept (each error pointing into ``/data``). Rules the domain refuses
    are the caller's to map."""
    change = accepted.get(event.type)
    if change is None:
        return Problem(
            422,
            "unsupported-event-type",
            f"type {event.type!r} is not accepted here; accepted: {', '.join(sorted(accepted))}",
            errors=[{"pointer": "/type", "detail": "unsupported type"}],
        )
    if not event.subject:
        return Problem(
            422,
            "validation-error",
            f"subject ({subject}) is required",
            errors=[{"pointer": "/subject", "detail": "required"}],
        )
    try:
        return change.from_data(event.data)
    except ValidationError as exc:
        errors = [
            {"pointer": "/data" + json_pointer(list(e["loc"])), "detail": e["msg"]}
            for e in exc.errors()
        ]
        return Problem(
            422,
            "validation-error",
            "invalid event data: " + ", ".join(e["pointer"] for e in errors[:5]),
            errors=errors,
        )
