"""Events published on ``pactstream.commitments``."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts import registry
from shared.contracts.common import PeriodData
from shared.events import EventData

CommitmentStatus = Literal["planned", "launched", "completed", "suspended", "cancelled"]
PartyRole = Literal["responsible", "contributor", "funder", "monitor"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionData(_Value):
    code: str
    title: str
    parent: str | None = None
    kind: str = "action"


class PartyData(_Value):
    name: str
    role: PartyRole


class IndicatorPoint(_Value):
    value: str
    date: dt.date | None = None


class IndicatorData(_Value):
    code: str
    title: str
    unit: str
    direction: Literal["increase", "decrease"]
    baseline: IndicatorPoint | None = None
    target: IndicatorPoint


@registry.register
class PlanCreated(EventData):
    event_type = "org.pactstream.plan.created"

    plan_id: str
    code: str
    title: str
    language: str
    period: PeriodData | None = None
    adopted_on: date | None = None
    parties: tuple[str, ...] = ()
    monitoring_bodies: tuple[str, ...] = ()
    sections: tuple[SectionData, ...] = ()


@registry.register
class CommitmentMade(EventData):
    event_type = "org.pactstream.commitment.made"

    commitment_id: str
    plan_id: str
    code: str
    section: str
    title: str
    parties: tuple[PartyData, ...] = ()
    deadline: PeriodData | None = None
    priority: bool = False
    made_on: date
    indicators: tuple[IndicatorData, ...] = ()


@registry.register
class CommitmentStatusChanged(EventData):
    event_type = "org.pactstream.commitment.status_changed"

    commitment_id: str
    plan_id: str
    previous: CommitmentStatus
    status: CommitmentStatus
    as_of: date
    note: str | None = None
