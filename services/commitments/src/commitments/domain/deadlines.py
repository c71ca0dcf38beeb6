"""Deadlines as the commitments record them: read from the text as written against the
plan's calendar, and read again once a key date they wait for is dated."""

from __future__ import annotations

from commitments.domain.errors import RuleViolated
from shared.contracts.commitments import MilestoneAdded, MilestoneData
from shared.contracts.common import DeadlineData, RecurrenceData
from shared.deadlines import Deadline, PlanCalendar, read_again, read_deadline


def deadline_data(d: Deadline) -> DeadlineData:
    r = d.recurrence
    recurrence = None if r is None else RecurrenceData(every=r.every, start=r.start, until=r.until)
    return DeadlineData(
        label=d.label, start=d.start, end=d.end, recurrence=recurrence, pending=d.pending
    )


def amended(text: str | None, calendar: PlanCalendar | None) -> DeadlineData | None:
    """An amendment's new deadline; an amendment cannot remove one."""
    if text is None:
        return None
    found = read_deadline(text, plan=calendar or PlanCalendar(), field="/deadline")
    if found is None:
        raise RuleViolated("an amendment cannot remove the deadline", "/deadline")
    return deadline_data(found)


def resolved(d: DeadlineData | None, calendar: PlanCalendar) -> DeadlineData | None:
    """A pending deadline read again on the plan as it is now: with its dates once the
    key date it waits for is dated, unchanged until then."""
    if d is None or d.pending is None:
        return d
    again = read_again(d.label, plan=calendar)
    return d if again is None else deadline_data(again)


def pending(d: DeadlineData | None) -> bool:
    return d is not None and d.pending is not None


def steps(commitment_id: str, plan_id: str, deadline: Deadline | None) -> list[MilestoneAdded]:
    """The dated steps of one deadline text ("by June 2021 for the first report and
    June 2022 for the second"), as the commitment's milestones ``step-1``, ...."""
    if deadline is None:
        return []
    return [
        MilestoneAdded(
            commitment_id=commitment_id,
            plan_id=plan_id,
            milestone=MilestoneData(
                code=f"step-{i}",
                title=step.title,
                planned=DeadlineData(
                    label=step.label, start=step.start, end=step.end, pending=step.pending
                ),
            ),
        )
        for i, step in enumerate(deadline.milestones, start=1)
    ]
