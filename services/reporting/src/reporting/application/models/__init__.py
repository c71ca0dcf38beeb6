"""The views reporting serves, as typed models: what the JSON API returns field for
field (its OpenAPI document is generated from them) and what the dashboard renders.

Dates serialise as ``YYYY-MM-DD``; record times as ISO 8601 with their offset
(``2026-12-03T10:00:00.123456+00:00``), as they always have."""

from __future__ import annotations

from reporting.application.models.base import (
    Money,
    Party,
    Period,
    ReportDates,
    Timestamp,
    View,
)
from reporting.application.models.commitments import (
    ByCurrency,
    CommitmentItem,
    CommitmentSummary,
    CommitmentView,
    Deadlines,
    Figures,
    Flow,
    Indicator,
    Latest,
    Milestone,
    Overdue,
    Point,
    Report,
    TimelineEntry,
    Upcoming,
)
from reporting.application.models.funding import (
    Agreement,
    Contribution,
    Converted,
    PartyFigures,
    PlanCard,
    PlanFunding,
    RateUsed,
    SectionFigures,
    SourceFigures,
    Target,
)
from reporting.application.models.other import (
    Change,
    Changes,
    ConsumerStatus,
    IndicatorSeries,
    PartitionStatus,
    PartyCommitment,
    PlanTotals,
    Scorecard,
)
from reporting.application.models.plans import (
    PlanHead,
    PlanSummary,
    Progress,
    SectionProgress,
    Totals,
)

__all__ = [
    "Agreement",
    "ByCurrency",
    "Change",
    "Changes",
    "CommitmentItem",
    "CommitmentSummary",
    "CommitmentView",
    "ConsumerStatus",
    "Contribution",
    "Converted",
    "Deadlines",
    "Figures",
    "Flow",
    "Indicator",
    "IndicatorSeries",
    "Latest",
    "Milestone",
    "Money",
    "Overdue",
    "PartitionStatus",
    "Party",
    "PartyCommitment",
    "PartyFigures",
    "Period",
    "PlanCard",
    "PlanFunding",
    "PlanHead",
    "PlanSummary",
    "PlanTotals",
    "Point",
    "Progress",
    "RateUsed",
    "Report",
    "ReportDates",
    "Scorecard",
    "SectionFigures",
    "SectionProgress",
    "SourceFigures",
    "Target",
    "TimelineEntry",
    "Timestamp",
    "Totals",
    "Upcoming",
    "View",
]
