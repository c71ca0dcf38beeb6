"""The views reporting serves, as typed models: what the JSON API returns field for
field (its OpenAPI document is generated from them) and what the dashboard renders.

Dates serialise as ``YYYY-MM-DD``; record times as ISO 8601 with their offset
(``2026-12-03T10:00:00.123456+00:00``), as they always have."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

#: A record time, written with ``datetime.isoformat`` (``+00:00``, not ``Z``).
Timestamp = Annotated[
    dt.datetime, PlainSerializer(lambda t: t.isoformat(), return_type=str, when_used="json")
]


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Period(View):
    """A period as written (``label``) and the dates it stands for, both inclusive."""

    label: str
    start: dt.date
    end: dt.date


class Party(View):
    name: str
    role: str


class Money(View):
    """A decimal string and its ISO 4217 currency; never added across currencies."""

    amount: str
    currency: str


class ReportDates(View):
    """The two axes of every view: the business date it describes and the record time
    up to which events are taken into account."""

    as_of: dt.date
    known_at: Timestamp


# Plans and progress


class PlanHead(View):
    id: str
    code: str
    title: str
    language: str
    period: Period | None


class PlanSummary(PlanHead):
    commitments: int
    priority: int
    completed: int


class Totals(View):
    """Counts over a set of commitments; overdue: past the deadline's end on ``as_of``
    and neither completed nor cancelled."""

    commitments: int
    priority: int
    by_status: dict[str, int]
    overdue: int
    completed_pct: float


class SectionProgress(View):
    """A section's totals include those of its sub-sections."""

    code: str
    title: str
    kind: str | None
    totals: Totals
    sections: list[SectionProgress]


class Progress(View):
    plan: PlanHead
    as_of: dt.date
    known_at: Timestamp
    totals: Totals
    sections: list[SectionProgress]


# Commitments


class CommitmentSummary(View):
    id: str
    code: str
    section: str
    title: str
    status: str
    priority: bool
    deadline: Period | None
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
    evidence: list[str]
    partner: str | None
    recorded_at: Timestamp
    retracted: bool
    retraction_reason: str | None


class Milestone(View):
    code: str
    title: str
    planned: Period | None
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


# Funding


class SourceFigures(View):
    source: str
    name: str | None
    kind: str | None
    figures: ByCurrency


class SectionFigures(View):
    code: str
    title: str | None
    figures: ByCurrency


class PartyFigures(View):
    """A commitment with two parties counts for both: party figures overlap."""

    party: str
    figures: ByCurrency


class Contribution(View):
    source: str
    amount: Money


class Agreement(View):
    id: str
    code: str
    title: str
    section: str | None
    period: Period | None
    total: Money
    contributions: list[Contribution]
    illustrative: bool


class Target(View):
    id: str
    code: str
    title: str
    section: str | None
    commitment: str | None
    amount: Money
    from_kinds: list[str]


class RateUsed(View):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    rate: str
    pair: str
    date: str


class Converted(View):
    """Totals in one currency where a rate from each currency is known, naming every
    rate used; currencies without one are listed in ``not_converted``."""

    currency: str
    figures: Figures
    rates: list[RateUsed]
    not_converted: list[str]


class PlanFunding(View):
    plan: PlanHead
    as_of: dt.date
    known_at: Timestamp
    totals: ByCurrency
    by_source: list[SourceFigures]
    by_section: list[SectionFigures]
    by_party: list[PartyFigures]
    agreements: list[Agreement]
    targets: list[Target]
    converted: Converted | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Only when ``convert_to`` is given.",
    )


class PlanCard(View):
    """A plan on the overview: its progress totals and money."""

    plan: PlanHead
    totals: Totals
    funding: ByCurrency


# Parties


class PlanTotals(View):
    id: str
    code: str
    title: str
    totals: Totals


class PartyCommitment(CommitmentSummary):
    plan: str
    roles: list[str]
    completion: str | None
    overdue: bool


class Scorecard(View):
    party: str
    as_of: dt.date
    known_at: Timestamp
    totals: Totals
    by_role: dict[str, int]
    by_plan: list[PlanTotals]
    funding: ByCurrency
    commitments: list[PartyCommitment]


# Charts


class IndicatorSeries(View):
    """An indicator and its measurements on the report's dates, oldest first."""

    commitment: str
    commitment_code: str
    definition: Indicator
    measured: list[Latest]


# Operations


class PartitionStatus(View):
    topic: str
    partition: int
    consumed: int
    end: int | None
    lag: int | None
    last_event_at: Timestamp | None


class ConsumerStatus(View):
    consumer: str
    partitions: list[PartitionStatus]
    lag: int
    lag_seconds: float
    read_models: dict[str, int]


# Changes between two dates


class Change(View):
    """One event of the plan in the window, linked to its commitment (if any)."""

    commitment: str | None
    kind: str = Field(
        description="created, status, report, retraction, measurement, indicator, "
        "milestone, amendment, money or other"
    )
    type: str
    event_id: str
    occurred_at: Timestamp
    recorded_at: Timestamp
    partner: str | None
    correction: bool = Field(
        description="Recorded after the window's first date to take effect on or before "
        "it: it changed what that date's view shows."
    )
    data: dict[str, Any]


class Changes(View):
    plan: str
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    known_from: Timestamp | None = None
    known_to: Timestamp | None = None
    changes: list[Change]

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)
