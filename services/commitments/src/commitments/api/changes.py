"""Routes that change a commitment after it is made: status, progress, measurements,
indicators, milestones, amendments. Each answers the new version as its ETag and
honours ``If-Match``.

Each change is declared once (:class:`shared.http.changes.Change`): its body, the
command it builds and, when partners may send it as a CloudEvent, its type. The REST
route and ``POST /v1/events`` (``commitments.api.events``) both go through the
declaration, so both ways in record the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from commitments.api import schemas
from commitments.api.commands import indicator, parties
from commitments.api.dependencies import Metadata, Service, Writer
from commitments.api.local_text import local, local_or_none
from commitments.api.routes import commitment_out, etag
from commitments.application.service import CommitmentsService
from commitments.domain.commitment import (
    AddIndicator,
    AddMilestone,
    Amend,
    ChangeStatus,
    Command,
    Commitment,
    ReachMilestone,
    RecordMeasurement,
    ReportProgress,
    RetractReport,
)
from shared.access import Scope
from shared.decider import Versioned, new_id
from shared.events import EventMetadata
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

router = APIRouter(prefix="/v1", tags=["commitments"])


@dataclass(frozen=True, slots=True)
class Write:
    """What every change route runs with: the service, the writer's scope and the
    request's metadata, the version its ``If-Match`` expects, the response (for the
    ETag) and the caller's languages (for the answer's titles)."""

    service: CommitmentsService
    scope: Scope
    meta: EventMetadata
    expected: int | None
    response: Response
    languages: tuple[str, ...]

    async def created(
        self, commitment_id: str, command: Command, created_id: str
    ) -> schemas.CreatedOut:
        """Apply ``command``; answer what it created, and the new version as the ETag."""
        commitment = await self._handle(commitment_id, command)
        return schemas.CreatedOut(
            id=created_id, commitment=commitment_id, version=commitment.version
        )

    async def changed(self, commitment_id: str, command: Command) -> schemas.CommitmentOut:
        """Apply ``command``; answer the commitment as it now is, with its ETag."""
        commitment = await self._handle(commitment_id, command)
        placed = await self.service.as_placed(commitment)
        return commitment_out(placed, self.languages)

    async def _handle(self, commitment_id: str, command: Command) -> Versioned[Commitment]:
        commitment = await self.service.handle(
            commitment_id, command, self.meta, self.expected, scope=self.scope
        )
        etag(self.response, commitment.version)
        return commitment


async def _write(
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
    if_match: Annotated[str | None, Header()] = None,
) -> Write:
    expected = parse_if_match(if_match)
    return Write(service, principal.write_scope, meta, expected, response, languages)


Writes = Annotated[Write, Depends(_write)]


@router.post("/commitments/{commitment_id}/status")
async def change_status(
    commitment_id: str, body: schemas.StatusIn, write: Writes
) -> schemas.CommitmentOut:
    """Move the commitment along its lifecycle; ``If-Match`` guards against lost updates."""
    return await write.changed(commitment_id, STATUS.command(body))


@router.post("/commitments/{commitment_id}/progress", status_code=201)
async def report_progress(
    commitment_id: str, body: schemas.ProgressIn, write: Writes
) -> schemas.CreatedOut:
    """A progress report on the completion scale, with narrative and evidence links."""
    command = PROGRESS.command(body)
    return await write.created(commitment_id, command, command.report_id)


@router.post("/commitments/{commitment_id}/progress/{report_id}/retraction")
async def retract_report(
    commitment_id: str, report_id: str, body: schemas.RetractionIn, write: Writes
) -> schemas.CommitmentOut:
    """Withdraw a mistaken report; it stays in the history, marked retracted."""
    command = RetractReport(report_id=report_id, reason=body.reason)
    return await write.changed(commitment_id, command)


@router.post("/commitments/{commitment_id}/measurements", status_code=201)
async def record_measurement(
    commitment_id: str, body: schemas.MeasurementIn, write: Writes
) -> schemas.CreatedOut:
    """A value of one of the commitment's indicators, as of a date."""
    measured = f"{body.indicator}@{body.as_of.isoformat()}"
    return await write.created(commitment_id, MEASUREMENT.command(body), measured)


@router.post("/commitments/{commitment_id}/indicators", status_code=201)
async def add_indicator(
    commitment_id: str, body: schemas.IndicatorIn, write: Writes
) -> schemas.CreatedOut:
    """An indicator with its unit, direction, baseline and target."""
    return await write.created(commitment_id, INDICATOR.command(body), body.code)


@router.post("/commitments/{commitment_id}/milestones", status_code=201)
async def add_milestone(
    commitment_id: str, body: schemas.MilestoneIn, write: Writes
) -> schemas.CreatedOut:
    """A milestone with its planned period (any period form)."""
    return await write.created(commitment_id, MILESTONE.command(body), body.code)


@router.post("/commitments/{commitment_id}/milestones/{code}/reached")
async def reach_milestone(
    commitment_id: str, code: str, body: schemas.MilestoneReachedIn, write: Writes
) -> schemas.CommitmentOut:
    """The day a milestone was reached, with a note."""
    return await write.changed(commitment_id, _reached(code, body))


@router.post("/commitments/{commitment_id}/amendments", status_code=201)
async def amend(
    commitment_id: str, body: schemas.AmendmentIn, write: Writes
) -> schemas.CommitmentOut:
    """Change title, deadline or parties, with a reason. The history keeps both."""
    return await write.changed(commitment_id, AMENDMENT.command(body))
