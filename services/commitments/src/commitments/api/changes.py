"""Routes that change a commitment after it is made: progress, measurements,
indicators, milestones, amendments. Each answers the new version as its ETag and
honours ``If-Match``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from commitments.api import commands, schemas
from commitments.api.dependencies import Metadata, Service, Writer
from commitments.api.routes import commitment_out, etag
from commitments.domain.commitment import Command
from shared.access import Scope
from shared.http.dependencies import parse_if_match
from shared.http.languages import Languages

router = APIRouter(prefix="/v1")

IfMatch = Annotated[str | None, Header()]


async def _created(
    service: Service,
    commitment_id: str,
    command: Command,
    meta: Metadata,
    response: Response,
    if_match: str | None,
    created_id: str,
    scope: Scope,
) -> schemas.CreatedOut:
    commitment = await service.handle(
        commitment_id, command, meta, parse_if_match(if_match), scope=scope
    )
    etag(response, commitment.version)
    return schemas.CreatedOut(id=created_id, commitment=commitment_id, version=commitment.version)


async def _changed(
    service: Service,
    commitment_id: str,
    command: Command,
    meta: Metadata,
    response: Response,
    if_match: str | None,
    scope: Scope,
    languages: Languages,
) -> schemas.CommitmentOut:
    """Apply a command to the commitment and answer its new state with its ETag (its
    titles in the best of the caller's ``languages``)."""
    commitment = await service.handle(
        commitment_id, command, meta, parse_if_match(if_match), scope=scope
    )
    etag(response, commitment.version)
    return commitment_out(await service.as_placed(commitment), languages)


@router.post(
    "/commitments/{commitment_id}/progress",
    status_code=201,
    response_model=schemas.CreatedOut,
    tags=["commitments"],
)
async def report_progress(
    commitment_id: str,
    body: schemas.ProgressIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.CreatedOut:
    """A progress report on the completion scale, with narrative and evidence links."""
    command = commands.progress(body)
    return await _created(
        service,
        commitment_id,
        command,
        meta,
        response,
        if_match,
        command.report_id,
        principal.write_scope,
    )


@router.post(
    "/commitments/{commitment_id}/progress/{report_id}/retraction",
    response_model=schemas.CommitmentOut,
    tags=["commitments"],
)
async def retract_report(
    commitment_id: str,
    report_id: str,
    body: schemas.RetractionIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
    if_match: IfMatch = None,
) -> schemas.CommitmentOut:
    """Withdraw a mistaken report; it stays in the history, marked retracted."""
    return await _changed(
        service,
        commitment_id,
        commands.retraction(report_id, body),
        meta,
        response,
        if_match,
        principal.write_scope,
        languages,
    )


@router.post(
    "/commitments/{commitment_id}/measurements",
    status_code=201,
    response_model=schemas.CreatedOut,
    tags=["commitments"],
)
async def record_measurement(
    commitment_id: str,
    body: schemas.MeasurementIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.CreatedOut:
    """A value of one of the commitment's indicators, as of a date."""
    return await _created(
        service,
        commitment_id,
        commands.measurement(body),
        meta,
        response,
        if_match,
        f"{body.indicator}@{body.as_of.isoformat()}",
        principal.write_scope,
    )


@router.post(
    "/commitments/{commitment_id}/indicators",
    status_code=201,
    response_model=schemas.CreatedOut,
    tags=["commitments"],
)
async def add_indicator(
    commitment_id: str,
    body: schemas.IndicatorIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.CreatedOut:
    return await _created(
        service,
        commitment_id,
        commands.add_indicator(body),
        meta,
        response,
        if_match,
        body.code,
        principal.write_scope,
    )


@router.post(
    "/commitments/{commitment_id}/milestones",
    status_code=201,
    response_model=schemas.CreatedOut,
    tags=["commitments"],
)
async def add_milestone(
    commitment_id: str,
    body: schemas.MilestoneIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.CreatedOut:
    """A milestone with its planned period (any period form)."""
    return await _created(
        service,
        commitment_id,
        commands.milestone(body),
        meta,
        response,
        if_match,
        body.code,
        principal.write_scope,
    )


@router.post(
    "/commitments/{commitment_id}/milestones/{code}/reached",
    response_model=schemas.CommitmentOut,
    tags=["commitments"],
)
async def reach_milestone(
    commitment_id: str,
    code: str,
    body: schemas.MilestoneReachedIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
    if_match: IfMatch = None,
) -> schemas.CommitmentOut:
    return await _changed(
        service,
        commitment_id,
        commands.milestone_reached(code, body),
        meta,
        response,
        if_match,
        principal.write_scope,
        languages,
    )


@router.post(
    "/commitments/{commitment_id}/amendments",
    status_code=201,
    response_model=schemas.CommitmentOut,
    tags=["commitments"],
)
async def amend(
    commitment_id: str,
    body: schemas.AmendmentIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
    if_match: IfMatch = None,
) -> schemas.CommitmentOut:
    """Change title, deadline or parties, with a reason. The history keeps both."""
    return await _changed(
        service,
        commitment_id,
        commands.amendment(body),
        meta,
        response,
        if_match,
        principal.write_scope,
        languages,
    )
