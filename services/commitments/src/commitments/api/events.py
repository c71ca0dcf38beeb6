"""Partner CloudEvents at ``POST /v1/events``: structured, binary (one event) or batch.

``data`` carries the same body as the matching REST call and ``subject`` the
commitment id; both ways in build the same command (``commitments.api.commands``).
(``source``, ``id``) identifies an event for good: 201 the first time, 200 after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from commitments.api import commands, schemas
from commitments.api.dependencies import Writer
from commitments.api.errors import to_problem
from commitments.application.ingestion import EventRef, OnceOnlyCommands, Outcome
from commitments.domain.commitment import Command
from commitments.domain.errors import CommitmentsError
from shared.cloudevents import StructuredEvent
from shared.events import EventMetadata
from shared.http.ingest import ingest, rejected
from shared.http.problems import Problem, json_pointer

router = APIRouter(prefix="/v1", tags=["events"])


Builder = Callable[[Any], Command]
TYPES: dict[str, tuple[type[BaseModel], Builder]] = {
    "org.pactstream.commitment.progress_reported": (schemas.ProgressIn, commands.progress),
    "org.pactstream.commitment.measurement_recorded": (
        schemas.MeasurementIn,
        commands.measurement,
    ),
    "org.pactstream.commitment.status_changed": (schemas.StatusIn, commands.status),
    "org.pactstream.commitment.amended": (schemas.AmendmentIn, commands.amendment),
}


class MilestoneReachedEventIn(schemas.MilestoneReachedIn):
    milestone: schemas.Code


TYPES["org.pactstream.commitment.milestone_reached"] = (
    MilestoneReachedEventIn,
    lambda body: commands.milestone_reached(body.milestone, body),
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An event refused before it could run: its status alone and its result item."""

    status: int
    item: dict[str, Any]


def _parse(event: StructuredEvent) -> tuple[EventRef, Command] | Refusal:
    """The command a CloudEvent asks for, or why it cannot be run."""
    entry = TYPES.get(event.type)
    if entry is None:
        problem = Problem(
            422,
            "unsupported-event-type",
            f"type {event.type!r} is not accepted here; accepted: {', '.join(sorted(TYPES))}",
            errors=[{"pointer": "/type", "detail": "unsupported type"}],
        )
        return Refusal(422, rejected(event.id, problem))
    if not event.subject:
        problem = Problem(
            422,
            "validation-error",
            "subject (the commitment id) is required",
            errors=[{"pointer": "/subject", "detail": "required"}],
        )
        return Refusal(422, rejected(event.id, problem))
    model, build = entry
    try:
        command = build(model.model_validate(event.data))
    except ValidationError as exc:
        errors = [
            {"pointer": "/data" + json_pointer(list(e["loc"])), "detail": e["msg"]}
            for e in exc.errors()
        ]
        problem = Problem(
            422,
            "validation-error",
            "invalid event data: " + ", ".join(e["pointer"] for e in errors[:5]),
            errors=errors,
        )
        return Refusal(422, rejected(event.id, problem))
    except CommitmentsError as exc:
        problem = to_problem(exc)
        return Refusal(problem.status, rejected(event.id, problem, "/data"))
    return EventRef(event.source, event.id, event.type, event.subject), command


def _answer(event: StructuredEvent, outcome: Outcome) -> tuple[int, dict[str, Any]]:
    """(HTTP status for a single event, result item) for what an event came to."""
    if outcome is None:
        return 200, {"id": event.id, "status": "duplicate"}
    if isinstance(outcome, Exception):
        problem = to_problem(outcome)
        return problem.status, rejected(event.id, problem, "/data")
    return 201, {
        "id": event.id,
        "status": "accepted",
        "commitment": event.subject,
        "version": outcome.version,
    }


@router.post(
    "/events",
    responses={
        201: {"description": "The event took effect."},
        200: {"description": "Seen before (no second effect), or a batch's results."},
    },
)
async def post_events(request: Request, principal: Writer) -> JSONResponse:
    """Partner CloudEvents, structured (`application/cloudevents+json`), batch
    (`application/cloudevents-batch+json`, at most 500 events, results in order) or
    binary (`ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-subject` headers, the
    `data` as a JSON body). `data_base64` is taken when it holds JSON."""
    once: OnceOnlyCommands = request.app.state.ingest
    scope = principal.write_scope

    async def apply(event: StructuredEvent, meta: EventMetadata) -> tuple[int, dict[str, Any]]:
        parsed = _parse(event)
        if isinstance(parsed, Refusal):
            return parsed.status, parsed.item
        return _answer(event, await once.outcome(*parsed, meta, scope))

    async def apply_many(
        events: list[tuple[StructuredEvent, EventMetadata]],
    ) -> list[dict[str, Any]]:
        parsed = [_parse(event) for event, _ in events]
        runnable = [
            (*p, meta)
            for p, (_, meta) in zip(parsed, events, strict=True)
            if not isinstance(p, Refusal)
        ]
        outcomes = iter(await once.run_many(runnable, scope))
        return [
            p.item if isinstance(p, Refusal) else _answer(event, next(outcomes))[1]
            for p, (event, _) in zip(parsed, events, strict=True)
        ]

    return await ingest(request, principal, apply, apply_many)
