"""Partner CloudEvents at ``POST /v1/events``: ``org.pactstream.funding.flow_recorded``,
``subject`` the agreement id and ``data`` the same body as ``POST .../flows``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from funding.api import schemas
from funding.api.dependencies import Service, Writer
from funding.api.errors import to_problem
from funding.api.routes import flow_command
from funding.application.service import FundingService
from funding.domain.errors import FundingError
from shared.access import OutOfScope, Scope
from shared.cloudevents import StructuredEvent
from shared.events import EventMetadata
from shared.eventstore import EventStoreError
from shared.http.ingest import ingest, rejected
from shared.http.problems import Problem, json_pointer
from shared.unitofwork import Claim

router = APIRouter(prefix="/v1", tags=["events"])
FLOW_RECORDED = "org.pactstream.funding.flow_recorded"


async def _apply(
    service: FundingService, event: StructuredEvent, meta: EventMetadata, scope: Scope
) -> tuple[int, dict[str, Any]]:
    if event.type != FLOW_RECORDED:
        return 422, rejected(
            event.id,
            Problem(
                422,
                "unsupported-event-type",
                f"type {event.type!r} is not accepted here; accepted: {FLOW_RECORDED}",
                errors=[{"pointer": "/type", "detail": "unsupported type"}],
            ),
        )
    if not event.subject:
        return 422, rejected(
            event.id,
            Problem(
                422,
                "validation-error",
                "subject (the agreement id) is required",
                errors=[{"pointer": "/subject", "detail": "required"}],
            ),
        )
    agreement_id = event.subject
    try:
        body = schemas.FlowIn.model_validate(event.data)
        command = flow_command(body)
        claim = Claim(event.source, event.id, event.type, agreement_id, meta.partner)
        result = await service.act_once(claim, agreement_id, command, meta, scope)
    except ValidationError as exc:
        errors = [
            {"pointer": "/data" + json_pointer(list(e["loc"])), "detail": e["msg"]}
            for e in exc.errors()
        ]
        return 422, rejected(
            event.id,
            Problem(
                422,
                "validation-error",
                "invalid event data: " + ", ".join(e["pointer"] for e in errors[:5]),
                errors=errors,
            ),
        )
    except (FundingError, EventStoreError, OutOfScope) as exc:
        problem = to_problem(exc)
        return problem.status, rejected(event.id, problem, "/data")
    if result is None:
        return 200, {"id": event.id, "status": "duplicate"}
    return 201, {
        "id": event.id,
        "status": "accepted",
        "agreement": agreement_id,
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
