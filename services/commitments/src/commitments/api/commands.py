"""Request bodies to domain commands: one function each, used by the REST routes and
by CloudEvents ingestion alike, so both ways in record the same events."""

from __future__ import annotations

from commitments.api import schemas
from commitments.api.local_text import local, local_or_none
from commitments.domain.commitment import (
    AddIndicator,
    AddMilestone,
    Amend,
    ChangeStatus,
    ReachMilestone,
    RecordMeasurement,
    ReportProgress,
    RetractReport,
)
from commitments.domain.plan import Section
from shared.contracts.commitments import IndicatorData, IndicatorPoint, PartyData
from shared.decider import new_id
from shared.periods import parse_period


def sections(given: list[schemas.SectionIn]) -> tuple[Section, ...]:
    """A plan's section tree as a body gives it: a top-level section is a domain and
    one under it an action unless the body says which kind."""
    return tuple(
        Section(
            code=s.code,
            title=local(s.title),
            parent=s.parent,
            kind=s.kind or ("domain" if s.parent is None else "action"),
        )
        for s in given
    )


def indicator(i: schemas.IndicatorIn) -> IndicatorData:
    return IndicatorData(
        code=i.code,
        title=local(i.title),
        unit=i.unit,
        direction=i.direction,
        baseline=None
        if i.baseline is None
        else IndicatorPoint(value=i.baseline.value, date=i.baseline.date),
        target=IndicatorPoint(value=i.target.value, date=i.target.date),
    )


def parties(items: list[schemas.PartyIn]) -> tuple[PartyData, ...]:
    return tuple(PartyData(name=p.name, role=p.role) for p in items)


def status(body: schemas.StatusIn) -> ChangeStatus:
    return ChangeStatus(body.status, body.as_of, body.note)


def progress(body: schemas.ProgressIn) -> ReportProgress:
    return ReportProgress(
        report_id=body.id or new_id(),
        as_of=body.as_of,
        completion=body.completion,
        narrative=local_or_none(body.narrative),
        evidence=tuple(body.evidence),
    )


def measurement(body: schemas.MeasurementIn) -> RecordMeasurement:
    return RecordMeasurement(indicator=body.indicator, value=body.value, as_of=body.as_of)


def milestone(body: schemas.MilestoneIn) -> AddMilestone:
    planned = parse_period(body.planned, "/planned") if body.planned is not None else None
    return AddMilestone(code=body.code, title=local(body.title), planned=planned)


def milestone_reached(code: str, body: schemas.MilestoneReachedIn) -> ReachMilestone:
    return ReachMilestone(code=code, reached_on=body.reached_on, note=body.note)


def amendment(body: schemas.AmendmentIn) -> Amend:
    return Amend(
        as_of=body.as_of,
        reason=body.reason,
        title=local_or_none(body.title),
        deadline=body.deadline,
        parties=None if body.parties is None else parties(body.parties),
    )


def retraction(report_id: str, body: schemas.RetractionIn) -> RetractReport:
    return RetractReport(report_id=report_id, reason=body.reason)


def add_indicator(body: schemas.IndicatorIn) -> AddIndicator:
    return AddIndicator(indicator(body))
