"""Partner CloudEvents at ``POST /v1/events``: ``org.pactstream.funding.flow_recorded``,
``subject`` the agreement id and ``data`` the same body as ``POST .../flows``, through
the same declaration (``funding.api.routes.FLOW``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from funding.api.dependencies import Service, Writer
from funding.api.errors import to_problem
from funding.api.routes import FLOW
from funding.application.service import FundingService
from funding.domain.errors import FundingError
from shared.access import OutOfScope, Scope
from shared.cloudevents import StructuredEvent
from shared.events import EventMetadata
from shared.eventstore import EventStoreError
from shared.http.changes import by_event_type, command_of
from shared.http.ingest import ingest, rejected
from shared.http.problems import Problem
from shared.unitofwork import Claim

router = APIRouter(prefix="/v1", tags=["events"])

#: The changes partners may send, by CloudEvent type.
TYPES = by_event_type([FLOW])


async def _apply(
    service: FundingService, event: StructuredEvent, meta: EventMetadata, scope: Scope
) -> tuple[int, dict[str, Any]]:
    try:
        command = command_of(TYPES, event, "the agreement id")
        if isinstance(command, Problem):
            return command.status, rejected(event.id, command)
        assert event.subject is not None  # command_of refuses an event without one
        claim = Claim(event.source, event.id, event.type, event.subject, meta.partner)
        result = await service.act_once(claim, event.subject, command, meta, scope)
    except (FundingError, EventStoreError, OutOfScope) as exc:
        problem = to_problem(exc)
        return problem.status, rejected(event.id, problem, "/data")
    if result is None:
        return 200, {"id": event.id, "status": "duplicate"}
    return 201, {
        "id": event.id,
        "status": "accepted",
        "agreement": event.subject,
        "flow": command.flow_id,
        "version": result.version,
    }


@router.post("/events")
async def post_events(request: Request, principal: Writer, service: Service) -> JSONResponse:
    """Partner CloudEvents, structured (`application/cloudevents+json`), batch
    (`application/cloudevents-batch+json`, at most 500, results in order) or binary
    (`ce-*` headers, the `data` as a JSON body). `data_base64` is taken when it holds
    JSON."""

    async def apply(event: StructuredEvent, meta: EventMetadata) -> tuple[int, dict[str, Any]]:
        return await _apply(service, event, meta, principal.write_scope)

    return await ingest(request, principal, apply)
