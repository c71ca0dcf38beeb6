"""Commands on commitments: what a writer asks for, imperative, with every id and
business date it needs (the rules read no clock and look nothing up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commitments.domain.plan import Plan
from shared.contracts.commitments import (
    CommitmentStatus,
    Completion,
    IndicatorData,
    PartyData,
)
from shared.contracts.common import LocalText
from shared.deadlines import PlanCalendar
from shared.periods import Period


@dataclass(frozen=True, slots=True)
class MakeCommitment:
    commitment_id: str
    code: str
    section: str
    title: LocalText
    parties: tuple[PartyData, ...]
    #: As written; read against the plan's calendar by the rules.
    deadline: str | None
    priority: bool
    made_on: date | None
    indicators: tuple[IndicatorData, ...]
    #: The plan it is made under, as the use case found it.
    plan: Plan | None = None


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    status: CommitmentStatus
    as_of: date
    note: str | None = None

    @property
    def effective_on(self) -> date | None:
        return self.as_of


@dataclass(frozen=True, slots=True)
class ReportProgress:
    report_id: str
    as_of: date
    completion: Completion
    narrative: LocalText | None = None
    evidence: tuple[str, ...] = ()

    @property
    def effective_on(self) -> date | None:
        return self.as_of


@dataclass(frozen=True, slots=True)
class RetractReport:
    report_id: str
    reason: str

    @property
    def effective_on(self) -> date | None:
        return None


@dataclass(frozen=True, slots=True)
class RecordMeasurement:
    indicator: str
    value: str
    as_of: date

    @property
    def effective_on(self) -> date | None:
        return self.as_of


@dataclass(frozen=True, slots=True)
class AddIndicator:
    indicator: IndicatorData

    @property
    def effective_on(self) -> date | None:
        return None


@dataclass(frozen=True, slots=True)
class AddMilestone:
    code: str
    title: LocalText
    planned: Period | None

    @property
    def effective_on(self) -> date | None:
        return None


@dataclass(frozen=True, slots=True)
class ReachMilestone:
    code: str
    reached_on: date
    note: str | None = None

    @property
    def effective_on(self) -> date | None:
        return self.reached_on


@dataclass(frozen=True, slots=True)
class Amend:
    """Change title, deadline or parties; fields left ``None`` stay as they are. The
    use case dates an amendment its writer did not date (``as_of`` ``None``) today."""

    as_of: date | None
    reason: str
    title: LocalText | None = None
    #: As written; read against ``calendar``, the plan's, which the use case looks up.
    deadline: str | None = None
    parties: tuple[PartyData, ...] | None = None
    calendar: PlanCalendar | None = None

    @property
    def effective_on(self) -> date | None:
        return self.as_of


#: A change to a commitment after it is made. Each says the business date it takes
#: effect on (``effective_on``; ``None``: when it is recorded), which the events it
#: causes carry as their business time.
Command = (
    ChangeStatus
    | ReportProgress
    | RetractReport
    | RecordMeasurement
    | AddIndicator
    | AddMilestone
    | ReachMilestone
    | Amend
)
