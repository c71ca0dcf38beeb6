"""Commitments: what parties promised under a section of a plan, by when, and how far
it has got. The lifecycle is planned → launched → completed, with suspension and
cancellation; every change is an event with the business date it took effect."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from commitments.domain.errors import AlreadyExists, InvalidTransition, RuleViolated
from commitments.domain.periods import Period
from commitments.domain.plan import Plan
from shared.contracts.commitments import (
    CommitmentMade,
    CommitmentStatus,
    CommitmentStatusChanged,
    IndicatorData,
    PartyData,
)
from shared.contracts.common import PeriodData
from shared.events import EventData

TRANSITIONS: Final[dict[CommitmentStatus, frozenset[CommitmentStatus]]] = {
    "planned": frozenset({"launched", "suspended", "cancelled"}),
    "launched": frozenset({"completed", "suspended", "cancelled"}),
    "suspended": frozenset({"launched", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


@dataclass(frozen=True, slots=True)
class MakeCommitment:
    commitment_id: str
    code: str
    section: str
    title: str
    parties: tuple[PartyData, ...]
    deadline: Period | None
    priority: bool
    made_on: date | None
    indicators: tuple[IndicatorData, ...]


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    status: CommitmentStatus
    as_of: date
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Commitment:
    commitment_id: str
    plan_id: str
    code: str
    section: str
    title: str
    parties: tuple[PartyData, ...]
    deadline: PeriodData | None
    priority: bool
    made_on: date
    indicators: tuple[IndicatorData, ...]
    status: CommitmentStatus = "planned"
    status_as_of: date | None = None


def decide_make(
    state: Commitment | None, plan: Plan, command: MakeCommitment, today: date
) -> list[CommitmentMade]:
    if state is not None:
        raise AlreadyExists("commitment", state.code)
    if not command.code.strip():
        raise RuleViolated("a commitment code cannot be empty", "/code")
    if not command.title.strip():
        raise RuleViolated("a commitment title cannot be empty", "/title")
    if plan.section(command.section) is None:
        raise RuleViolated(f"plan {plan.code!r} has no section {command.section!r}", "/section")
    seen: set[tuple[str, str]] = set()
    for i, party in enumerate(command.parties):
        if not party.name.strip():
            raise RuleViolated("a party name cannot be empty", f"/parties/{i}/name")
        if (party.name, party.role) in seen:
            raise RuleViolated(
                f"party {party.name!r} is listed twice as {party.role}", f"/parties/{i}"
            )
        seen.add((party.name, party.role))
    codes = [ind.code for ind in command.indicators]
    if len(codes) != len(set(codes)):
        raise RuleViolated("indicator codes must be unique within a commitment", "/indicators")
    made_on = command.made_on or plan.adopted_on or (plan.period.start if plan.period else today)
    d = command.deadline
    return [
        CommitmentMade(
            commitment_id=command.commitment_id,
            plan_id=plan.plan_id,
            code=command.code,
            section=command.section,
            title=command.title,
            parties=command.parties,
            deadline=None if d is None else PeriodData(label=d.label, start=d.start, end=d.end),
            priority=command.priority,
            made_on=made_on,
            indicators=command.indicators,
        )
    ]


def decide_status(state: Commitment, command: ChangeStatus) -> list[CommitmentStatusChanged]:
    if command.status not in TRANSITIONS[state.status]:
        raise InvalidTransition(state.status, command.status)
    if command.as_of < state.made_on:
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
    if state is None:
        return None
    if isinstance(event, CommitmentStatusChanged):
        return replace(state, status=event.status, status_as_of=event.as_of)
    return state
