"""Routes that change a commitment after it is made: status, progress, measurements,
indicators, milestones, amendments. Each answers the new version as its ETag and
honours ``If-Match``.

Each change is declared once (:class:`shared.http.changes.Change`): its body, the
command it builds and, when partners may send it as a CloudEvent, its type. The REST
route and ``POST /v1/events`` (``commitments.api.events``) both go through the
declaration, so both ways in record the same events.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from commitments.api import schemas
from commitments.api.commands import indicator, parties
from commitments.api.dependencies import Metadata, Service, Writer
from commitments.api.local_text import local, local_or_none
from commitments.api.routes import commitment_out, etag
from commitments.domain.commitment import (
    AddIndicator,
    AddMilestone,
    Amend,
    ChangeStatus,
    Command,
    ReachMilestone,
    RecordMeasurement,
    ReportProgress,
    RetractReport,
)
from shared.access import Scope
from shared.decider import new_id
from shared.http.changes import Change
from shared.http.dependencies import parse_if_match
from shared.http.languages import Languages
from shared.periods import parse_period

_EVENT = "org.pactstream.commitment."


def _progress(body: schemas.ProgressIn) -> ReportProgress:
    return ReportProgress(
        report_id=body.id or new_id(),
        as_of=body.as_of,
        completion=body.completion,
        narrative=local_or_none(body.narrative),
        evidence=tuple(body.evidence),
    )


def _milestone(body: schemas.MilestoneIn) -> AddMilestone:
    planned = parse_period(body.planned, "/planned") if body.planned is not None else None
    return AddMilestone(code=body.code, title=local(body.title), planned=planned)


def _amendment(body: schemas.AmendmentIn) -> Amend:
    return Amend(
        as_of=body.as_of,
        reason=body.reason,
        title=local_or_none(body.title),
        deadline=body.deadline,
        parties=None if body.parties is None else parties(body.parties),
    )


def _reached(code: str, body: schemas.MilestoneReachedIn) -> ReachMilestone:
    return ReachMilestone(code=code, reached_on=body.reached_on, note=body.note)


class MilestoneReachedEventIn(schemas.MilestoneReachedIn):
    """A milestone reached, as a CloudEvent's ``data``: the milestone's code is in the
    data, where the REST route has it in its path."""

    milestone: schemas.Code


STATUS = Change(
    schemas.StatusIn,
    lambda b: ChangeStatus(b.status, b.as_of, b.note),
    _EVENT + "status_changed",
)
PROGRESS = Change(schemas.ProgressIn, _progress, _EVENT + "progress_reported")
MEASUREMENT = Change(
    schemas.MeasurementIn,
    lambda b: RecordMeasurement(indicator=b.indicator, value=b.value, as_of=b.as_of),
    _EVENT + "measurement_recorded",
)
INDICATOR = Change(schemas.IndicatorIn, lambda b: AddIndicator(indicator(b)))
MILESTONE = Change(schemas.MilestoneIn, _milestone)
AMENDMENT = Change(schemas.AmendmentIn, _amendment, _EVENT + "amended")
REACHED = Change(
    MilestoneReachedEventIn, lambda b: _reached(b.milestone, b), _EVENT + "milestone_reached"
)

#: Every change to a commitment after it is made (retracting a report, which names
#: it in the path only, is REST's alone).
CHANGES: tuple[Change[Any, Command], ...] = (
    STATUS,
    PROGRESS,
    MEASUREMENT,
    INDICATOR,
    MILESTONE,
    AMENDMENT,
    REACHED,
)

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
    command = PROGRESS.command(body)
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
        RetractReport(report_id=report_id, reason=body.reason),
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
        MEASUREMENT.command(body),
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
        INDICATOR.command(body),
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
        MILESTONE.command(body),
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
        _reached(code, body),
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
        AMENDMENT.command(body),
        meta,
        response,
        if_match,
        principal.write_scope,
        languages,
    )


@router.post(
    "/commitments/{commitment_id}/status",
    response_model=schemas.CommitmentOut,
    tags=["commitments"],
)
async def change_status(
    commitment_id: str,
    body: schemas.StatusIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
    if_match: IfMatch = None,
) -> schemas.CommitmentOut:
    """Move the commitment along its lifecycle; ``If-Match`` guards against lost updates."""
    return await _changed(
        service,
        commitment_id,
        STATUS.command(body),
        meta,
        response,
        if_match,
        principal.write_scope,
        languages,
    )
