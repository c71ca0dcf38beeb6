"""Events published on ``pactstream.commitments``."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.common import DeadlineData, LocalText, PeriodData
from shared.events import EventData

CommitmentStatus = Literal["planned", "launched", "completed", "suspended", "cancelled"]
PartyRole = Literal["responsible", "contributor", "funder", "monitor"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionData(_Value):
    code: str
    title: LocalText
    parent: str | None = None
    kind: str = "action"


class PartyData(_Value):
    name: str
    role: PartyRole


class KeyDateData(_Value):
    """A date a plan's deadlines may count from, by name; ``date`` ``None`` until known."""

    name: str
    date: dt.date | None = None


class IndicatorPoint(_Value):
    value: str
    date: dt.date | None = None


class IndicatorData(_Value):
    code: str
    title: LocalText
    unit: str
    direction: Literal["increase", "decrease"]
    baseline: IndicatorPoint | None = None
    target: IndicatorPoint


class PlanCreated(EventData):
    event_type = "org.pactstream.plan.created"

    plan_id: str
    code: str
    title: LocalText
    language: str
    period: PeriodData | None = None
    adopted_on: date | None = None
    parties: tuple[str, ...] = ()
    monitoring_bodies: tuple[str, ...] = ()
    sections: tuple[SectionData, ...] = ()
    #: The month (1..12) a fiscal year of this plan starts; ``None``: none set.
    fiscal_year_start: int | None = None
    key_dates: tuple[KeyDateData, ...] = ()


class PlanKeyDateRecorded(EventData):
    """A key date of the plan (the summit, the adoption) dated or corrected: deadlines
    written relative to it are read against it from then on."""

    event_type = "org.pactstream.plan.key_date_recorded"

    plan_id: str
    name: str
    date: dt.date


class PlanVisibilityChanged(EventData):
    """An operator made a plan public (its reports readable without a key) or private
    again. Published, so every reporting replica and subscriber sees the same answer."""

    event_type = "org.pactstream.plan.visibility-changed"

    plan_id: str
    public: bool


class SectionMove(_Value):
    """A commitment moved to another section by a plan revision."""

    commitment_id: str
    section: str


class PlanRevised(EventData):
    """The plan's text revised after adoption: its whole section tree as it stands from
    ``as_of`` on (sections added, renamed, merged or retired) and the commitments moved
    between sections, with the reason. ``revision`` counts from 1, the plan as created
    being revision 0."""

    event_type = "org.pactstream.plan.revised"

    plan_id: str
    revision: int
    as_of: date
    reason: str
    sections: tuple[SectionData, ...]
    moves: tuple[SectionMove, ...] = ()


TargetAggregation = Literal["sum", "weighted_mean", "latest"]
Comparison = Literal["<", "<=", ">=", ">"]


class TargetSourceData(_Value):
    """One commitment's indicator that feeds a shared target; for a weighted mean, the
    base it weighs by: a fixed ``weight`` (a decimal string) or the latest value of
    another indicator of the same commitment (``weight_indicator``)."""

    commitment_id: str
    indicator: str
    weight: str | None = None
    weight_indicator: str | None = None


class PlanTargetSet(EventData):
    """A target the plan sets for several parties together ("at least 25 % of funding
    through local responders by 2020"): fed by the measurements of ``sources``,
    combined by ``aggregation``, met when the result ``comparison`` ``value`` holds
    (by ``by``). Setting a code again replaces its definition from then on."""

    event_type = "org.pactstream.plan.target_set"

    plan_id: str
    code: str
    title: LocalText
    unit: str
    aggregation: TargetAggregation
    comparison: Comparison
    value: str
    by: date | None = None
    sources: tuple[TargetSourceData, ...]


class CommitmentMade(EventData):
    event_type = "org.pactstream.commitment.made"

    commitment_id: str
    plan_id: str
    code: str
    section: str
    title: LocalText
    parties: tuple[PartyData, ...] = ()
    deadline: DeadlineData | None = None
    priority: bool = False
    #: When the commitment was made (business date); ``None`` when the source does not say.
    made_on: date | None = None
    indicators: tuple[IndicatorData, ...] = ()


class CommitmentStatusChanged(EventData):
    event_type = "org.pactstream.commitment.status_changed"

    commitment_id: str
    plan_id: str
    previous: CommitmentStatus
    status: CommitmentStatus
    as_of: date
    note: str | None = None


Completion = Literal["not_started", "limited", "substantial", "complete"]


class ProgressReported(EventData):
    """A report on how far the commitment has got, as of a business date."""

    event_type = "org.pactstream.commitment.progress_reported"

    commitment_id: str
    plan_id: str
    report_id: str
    as_of: date
    completion: Completion
    narrative: LocalText | None = None
    evidence: tuple[str, ...] = ()


class ProgressReportRetracted(EventData):
    """A mistaken report withdrawn; the report stays in the history, marked retracted."""

    event_type = "org.pactstream.commitment.progress_report_retracted"

    commitment_id: str
    plan_id: str
    report_id: str
    reason: str


class MeasurementRecorded(EventData):
    event_type = "org.pactstream.commitment.measurement_recorded"

    commitment_id: str
    plan_id: str
    indicator: str
    value: str
    as_of: date


class IndicatorAdded(EventData):
    event_type = "org.pactstream.commitment.indicator_added"

    commitment_id: str
    plan_id: str
    indicator: IndicatorData


class MilestoneData(_Value):
    code: str
    title: LocalText
    planned: DeadlineData | None = None


class MilestoneAdded(EventData):
    event_type = "org.pactstream.commitment.milestone_added"

    commitment_id: str
    plan_id: str
    milestone: MilestoneData


class MilestoneReached(EventData):
    event_type = "org.pactstream.commitment.milestone_reached"

    commitment_id: str
    plan_id: str
    milestone: str
    reached_on: date
    note: str | None = None


class CommitmentAmended(EventData):
    """Title, deadline or parties changed, with the reason; ``None`` means unchanged."""

    event_type = "org.pactstream.commitment.amended"

    commitment_id: str
    plan_id: str
    as_of: date
    reason: str
    title: LocalText | None = None
    deadline: DeadlineData | None = None
    parties: tuple[PartyData, ...] | None = None


#: Every event type of this contract, in the order they were added; registries are
#: built from these lists (``shared.contracts.build_registry``), and a test fails when
#: a payload model of this module is missing here.
EVENTS: tuple[type[EventData], ...] = (
    PlanCreated,
    PlanKeyDateRecorded,
    PlanVisibilityChanged,
    CommitmentMade,
    CommitmentStatusChanged,
    ProgressReported,
    ProgressReportRetracted,
    MeasurementRecorded,
    IndicatorAdded,
    MilestoneAdded,
    MilestoneReached,
    CommitmentAmended,
    PlanRevised,
    PlanTargetSet,
)
