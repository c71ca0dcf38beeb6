"""Commitments: lists, deadlines and the view of one, with its money."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from reporting.application.models.base import Deadline, Money, Party, Texts, Timestamp, View


class CommitmentSummary(View):
    id: str
    code: str
    section: str
    title: str
    titles: Texts = None
    status: str
    priority: bool
    deadline: Deadline | None
    parties: list[Party]


class CommitmentItem(CommitmentSummary):
    completion: str | None


class Overdue(CommitmentSummary):
    days_overdue: int


class Upcoming(CommitmentSummary):
    days_left: int


class Deadlines(View):
    plan: str
    as_of: dt.date
    within_days: int
    overdue: list[Overdue] = Field(description="Most days late first.")
    upcoming: list[Upcoming] = Field(description="Soonest first.")


class Point(View):
    value: str
    date: dt.date | None = None


class Latest(View):
    value: str
    as_of: dt.date


class Indicator(View):
    code: str
    title: str
    titles: Texts = None
    unit: str
    direction: str
    baseline: Point | None = None
    target: Point
    latest: Latest | None
    progress_pct: float | None = Field(
        description="Percent of the way from the baseline to the target."
    )


class Report(View):
    id: str
    as_of: dt.date
    completion: str
    narrative: str | None
    narratives: Texts = None
    evidence: list[str]
    partner: str | None
    recorded_at: Timestamp
    retracted: bool
    retraction_reason: str | None


class Milestone(View):
    code: str
    title: str
    titles: Texts = None
    planned: Deadline | None
    reached_on: dt.date | None


class TimelineEntry(View):
    """One event and its provenance: who posted it, when it happened, when recorded."""

    event_id: str
    type: str
    source: str
    occurred_at: Timestamp
    recorded_at: Timestamp
    partner: str | None
    data: dict[str, Any]


class Figures(View):
    """Sums in one currency, with absorption (disbursed ÷ committed) and spent ÷
    disbursed in percent when their divisor is positive."""

    agreed: Money
    allocated: Money
    pledged: Money
    committed: Money
    disbursed: Money
    spent: Money
    to_mobilise: Money
    incoming_pledged: Money
    incoming_committed: Money
    received: Money
    absorption_pct: float | None
    spent_pct: float | None
    illustrative: bool


#: Figures per currency code.
ByCurrency = dict[str, Figures]


class Flow(View):
    agreement: str
    id: str
    type: str
    direction: str
    iati_code: int
    amount: Money
    date: dt.date
    source: str | None
    reference: str | None
    illustrative: bool
    partner: str | None
    reversed: bool
    recorded_at: Timestamp | None = Field(
        default=None, description="When reporting's source recorded it (record time)."
    )
    event_id: str | None = Field(default=None, description="The event that recorded it.")


class PlanFlow(Flow):
    """A flow behind one of a plan's money figures, with where it counts."""

    commitment: str | None
    section: str | None


class CommitmentView(CommitmentSummary):
    plan: str
    made_on: dt.date | None
    as_of: dt.date
    known_at: Timestamp
    overdue: bool
    completion: str | None
    indicators: list[Indicator]
    reports: list[Report]
    milestones: list[Milestone]
    funding: ByCurrency
    flows: list[Flow]
    timeline: list[TimelineEntry]
