"""Commitments: what parties promised under a section of a plan, by when, and how far
it has got. The lifecycle is planned → launched → completed, with suspension and
cancellation; every change is an event with the business date it took effect."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from commitments.domain import deadlines
from commitments.domain.commands import AddIndicator as AddIndicator
from commitments.domain.commands import AddMilestone as AddMilestone
from commitments.domain.commands import Amend as Amend
from commitments.domain.commands import ChangeStatus as ChangeStatus
from commitments.domain.commands import Command as Command
from commitments.domain.commands import MakeCommitment as MakeCommitment
from commitments.domain.commands import ReachMilestone as ReachMilestone
from commitments.domain.commands import RecordMeasurement as RecordMeasurement
from commitments.domain.commands import ReportProgress as ReportProgress
from commitments.domain.commands import RetractReport as RetractReport
from commitments.domain.errors import AlreadyExists, InvalidTransition, NotFound, RuleViolated
from commitments.domain.plan import Plan
from shared.contracts.commitments import (
    CommitmentAmended,
    CommitmentMade,
    CommitmentStatus,
    CommitmentStatusChanged,
    Completion,
    IndicatorAdded,
    IndicatorData,
    MeasurementRecorded,
    MilestoneAdded,
    MilestoneData,
    MilestoneReached,
    PartyData,
    ProgressReported,
    ProgressReportRetracted,
)
from shared.contracts.common import DeadlineData, LocalText, is_blank
from shared.deadlines import read_deadline
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData
from shared.periods import Period

TRANSITIONS: Final[dict[CommitmentStatus, frozenset[CommitmentStatus]]] = {
    "planned": frozenset({"launched", "suspended", "cancelled"}),
    "launched": frozenset({"completed", "suspended", "cancelled"}),
    "suspended": frozenset({"launched", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    as_of: date
    completion: Completion
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class Milestone:
    code: str
    title: LocalText
    planned: DeadlineData | None
    reached_on: date | None = None


@dataclass(frozen=True, slots=True)
class Commitment:
    commitment_id: str
    plan_id: str
    code: str
    section: str
    title: LocalText
    parties: tuple[PartyData, ...]
    deadline: DeadlineData | None
    priority: bool
    made_on: date | None
    indicators: tuple[IndicatorData, ...]
    status: CommitmentStatus = "planned"
    status_as_of: date | None = None
    reports: tuple[Report, ...] = ()
    milestones: tuple[Milestone, ...] = ()

    def report(self, report_id: str) -> Report | None:
        return next((r for r in self.reports if r.report_id == report_id), None)

    def milestone(self, code: str) -> Milestone | None:
        return next((m for m in self.milestones if m.code == code), None)

    def indicator(self, code: str) -> IndicatorData | None:
        return next((i for i in self.indicators if i.code == code), None)


def decide_make(state: Commitment | None, plan: Plan, command: MakeCommitment) -> list[EventData]:
    if state is not None:
        raise AlreadyExists("commitment", state.code)
    if not command.code.strip():
        raise RuleViolated("a commitment code cannot be empty", "/code")
    if is_blank(command.title):
        raise RuleViolated("a commitment title cannot be empty", "/title")
    if plan.section(command.section) is None:
        raise RuleViolated(f"plan {plan.code!r} has no section {command.section!r}", "/section")
    _check_parties(command.parties)
    codes = [ind.code for ind in command.indicators]
    if len(codes) != len(set(codes)):
        raise RuleViolated("indicator codes must be unique within a commitment", "/indicators")
    made_on = command.made_on or plan.adopted_on or (plan.period.start if plan.period else None)
    deadline = read_deadline(command.deadline, plan=plan.calendar(), field="/deadline")
    made = [
        CommitmentMade(
            commitment_id=command.commitment_id,
            plan_id=plan.plan_id,
            code=command.code,
            section=command.section,
            title=command.title,
            parties=command.parties,
            deadline=None if deadline is None else deadlines.deadline_data(deadline),
            priority=command.priority,
            made_on=made_on,
            indicators=command.indicators,
        )
    ]
    return [*made, *deadlines.steps(command.commitment_id, plan.plan_id, deadline)]


def decide_status(state: Commitment, command: ChangeStatus) -> list[CommitmentStatusChanged]:
    if command.status not in TRANSITIONS[state.status]:
        raise InvalidTransition(state.status, command.status)
    if state.made_on is not None and command.as_of < state.made_on:
        raise RuleViolated(
            f"as_of {command.as_of} is before the commitment was made ({state.made_on})", "/as_of"
        )
    if state.status_as_of is not None and command.as_of < state.status_as_of:
        raise RuleViolated(
            f"as_of {command.as_of} is before the current status took effect "
            f"({state.status_as_of})",
            "/as_of",
        )
    return [
        CommitmentStatusChanged(
            commitment_id=state.commitment_id,
            plan_id=state.plan_id,
            previous=state.status,
            status=command.status,
            as_of=command.as_of,
            note=command.note,
        )
    ]


def _period(p: Period | None) -> DeadlineData | None:
    return None if p is None else DeadlineData(label=p.label, start=p.start, end=p.end)


def _not_before_made(state: Commitment, day: date, field: str) -> None:
    if state.made_on is not None and day < state.made_on:
        raise RuleViolated(
            f"{field.lstrip('/')} {day} is before the commitment was made ({state.made_on})", field
        )


def _check_parties(parties: tuple[PartyData, ...]) -> None:
    seen: set[tuple[str, str]] = set()
    for i, party in enumerate(parties):
        if not party.name.strip():
            raise RuleViolated("a party name cannot be empty", f"/parties/{i}/name")
        if (party.name, party.role) in seen:
            raise RuleViolated(
                f"party {party.name!r} is listed twice as {party.role}", f"/parties/{i}"
            )
        seen.add((party.name, party.role))


def decide(state: Commitment, command: Command) -> list[EventData]:
    """Decide what a command on an existing commitment records; raise if it may not."""
    ids = {"commitment_id": state.commitment_id, "plan_id": state.plan_id}
    match command:
        case ChangeStatus():
            return list(decide_status(state, command))
        case ReportProgress():
            if state.report(command.report_id) is not None:
                raise AlreadyExists("progress report", command.report_id)
            _not_before_made(state, command.as_of, "/as_of")
            return [
                ProgressReported(
                    **ids,
                    report_id=command.report_id,
                    as_of=command.as_of,
                    completion=command.completion,
                    narrative=command.narrative,
                    evidence=command.evidence,
                )
            ]
        case RetractReport():
            report = state.report(command.report_id)
            if report is None:
                raise RuleViolated(f"no progress report {command.report_id!r}", "/report")
            if report.retracted:
                raise RuleViolated(f"report {command.report_id!r} is already retracted", "/report")
            return [
                ProgressReportRetracted(**ids, report_id=command.report_id, reason=command.reason)
            ]
        case RecordMeasurement():
            if state.indicator(command.indicator) is None:
                known = ", ".join(i.code for i in state.indicators) or "none"
                raise RuleViolated(
                    f"no indicator {command.indicator!r} on this commitment (known: {known})",
                    "/indicator",
                )
            return [
                MeasurementRecorded(
                    **ids, indicator=command.indicator, value=command.value, as_of=command.as_of
                )
            ]
        case AddIndicator():
            if state.indicator(command.indicator.code) is not None:
                raise AlreadyExists("indicator", command.indicator.code)
            return [IndicatorAdded(**ids, indicator=command.indicator)]
        case AddMilestone():
            if state.milestone(command.code) is not None:
                raise AlreadyExists("milestone", command.code)
            data = MilestoneData(
                code=command.code, title=command.title, planned=_period(command.planned)
            )
            return [MilestoneAdded(**ids, milestone=data)]
        case ReachMilestone():
            return _reach(state, command)
        case Amend():
            return _amend(state, command)


def _reach(state: Commitment, command: ReachMilestone) -> list[EventData]:
    reached = state.milestone(command.code)
    if reached is None:
        raise RuleViolated(f"no milestone {command.code!r}", "/milestone")
    if reached.reached_on is not None:
        raise RuleViolated(
            f"milestone {command.code!r} was already reached on {reached.reached_on}",
            "/milestone",
        )
    return [
        MilestoneReached(
            commitment_id=state.commitment_id,
            plan_id=state.plan_id,
            milestone=command.code,
            reached_on=command.reached_on,
            note=command.note,
        )
    ]


def _amend(state: Commitment, command: Amend) -> list[EventData]:
    if command.as_of is None:
        raise RuleViolated("an amendment needs the date it takes effect", "/as_of")
    if not command.reason.strip():
        raise RuleViolated("an amendment needs a reason", "/reason")
    if command.title is None and command.deadline is None and command.parties is None:
        raise RuleViolated("an amendment must change title, deadline or parties", "")
    if command.title is not None and is_blank(command.title):
        raise RuleViolated("a commitment title cannot be empty", "/title")
    if command.parties is not None:
        _check_parties(command.parties)
    return [
        CommitmentAmended(
            commitment_id=state.commitment_id,
            plan_id=state.plan_id,
            as_of=command.as_of,
            reason=command.reason,
            title=command.title,
            deadline=deadlines.amended(command.deadline, command.calendar),
            parties=command.parties,
        )
    ]


def evolve(state: Commitment | None, event: EventData) -> Commitment | None:
    if isinstance(event, CommitmentMade):
        return Commitment(
            commitment_id=event.commitment_id,
            plan_id=event.plan_id,
            code=event.code,
            section=event.section,
            title=event.title,
            parties=event.parties,
            deadline=event.deadline,
            priority=event.priority,
            made_on=event.made_on,
            indicators=event.indicators,
        )
    if not isinstance(event, _LATER):
        raise UnknownEvent("commitment", event)
    if state is None:
        return None
    match event:
        case MeasurementRecorded():
            return state  # Measurements are history; no rule depends on them.
        case CommitmentStatusChanged():
            return replace(state, status=event.status, status_as_of=event.as_of)
        case ProgressReported():
            report = Report(event.report_id, event.as_of, event.completion)
            return replace(state, reports=(*state.reports, report))
        case ProgressReportRetracted():
            return replace(
                state,
                reports=tuple(
                    replace(r, retracted=True) if r.report_id == event.report_id else r
                    for r in state.reports
                ),
            )
        case IndicatorAdded():
            return replace(state, indicators=(*state.indicators, event.indicator))
        case MilestoneAdded():
            m = event.milestone
            return replace(
                state, milestones=(*state.milestones, Milestone(m.code, m.title, m.planned))
            )
        case MilestoneReached():
            return replace(
                state,
                milestones=tuple(
                    replace(m, reached_on=event.reached_on) if m.code == event.milestone else m
                    for m in state.milestones
                ),
            )
        case CommitmentAmended():
            return replace(
                state,
                title=event.title if event.title is not None else state.title,
                deadline=event.deadline if event.deadline is not None else state.deadline,
                parties=event.parties if event.parties is not None else state.parties,
            )
    raise UnknownEvent("commitment", event)


#: The events that change a commitment once it is made.
_LATER = (
    CommitmentStatusChanged,
    MeasurementRecorded,
    ProgressReported,
    ProgressReportRetracted,
    IndicatorAdded,
    MilestoneAdded,
    MilestoneReached,
    CommitmentAmended,
)


def decide_any(state: Commitment | None, command: MakeCommitment | Command) -> list[EventData]:
    """Making a commitment (under the plan the command names), or a command on one."""
    if isinstance(command, MakeCommitment):
        if command.plan is None:
            raise RuleViolated(f"no plan given for commitment {command.code!r}", "/plan")
        return list(decide_make(state, command.plan, command))
    if state is None:
        raise NotFound("commitment", "")
    return decide(state, command)


#: The commitment's rules in the one decider shape; a commitment not yet made is ``None``.
DECIDER: Final[Decider[MakeCommitment | Command, Commitment | None, EventData]] = Rules(
    lambda: None, decide_any, evolve
)
