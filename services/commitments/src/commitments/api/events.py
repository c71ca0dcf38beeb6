"""Partner CloudEvents at ``POST /v1/events``: structured, binary (one event) or batch.

``data`` carries the same body as the matching REST call and ``subject`` the
commitment id; both ways in build the same command, from one declaration each
(``commitments.api.changes.CHANGES``). (``source``, ``id``) identifies an event for
good: 201 the first time, 200 after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from commitments.api.changes import CHANGES
from commitments.api.dependencies import Writer
from commitments.api.errors import to_problem
from commitments.application.ingestion import EventRef, OnceOnlyCommands, Outcome
from commitments.domain.commitment import Command
from commitments.domain.errors import CommitmentsError
from shared.cloudevents import StructuredEvent
from shared.events import EventMetadata
from shared.http.changes import by_event_type, command_of
from shared.http.ingest import ingest, rejected
from shared.http.problems import Problem

router = APIRouter(prefix="/v1", tags=["events"])

#: The changes partners may send, by CloudEvent type.
TYPES = by_event_type(CHANGES)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An event refused before it could run: its status alone and its result item."""

    status: int
    item: dict[str, Any]


def _parse(event: StructuredEvent) -> tuple[EventRef, Command] | Refusal:
    """The command a CloudEvent asks for, or why it cannot be run."""
    try:
        command = command_of(TYPES, event, "the commitment id")
    except CommitmentsError as exc:
        problem = to_problem(exc)
        return Refusal(problem.status, rejected(event.id, problem, "/data"))
    if isinstance(command, Problem):
        return Refusal(command.status, rejected(event.id, command))
    assert event.subject is not None  # command_of refuses an event without one
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
