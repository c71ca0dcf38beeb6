"""Request and response bodies of the commitments API (CONTRACT.md shapes)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from commitments.api.local_text import LocalTextIn, Narrative

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s/]([^/]*[^\s/])?$")]
#: A title: a string or a language map ``{"en": "...", "fr": "..."}``.
Text = LocalTextIn
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _decimal_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a number or a decimal string")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("must be a decimal number") from None
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return str(number)


DecimalText = Annotated[str, BeforeValidator(_decimal_text)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SectionIn(Body):
    code: Code
    title: Text
    parent: Code | None = None
    kind: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class PlanIn(Body):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")] | None = (
        None
    )
    code: Code
    title: Text
    language: Annotated[str, Field(min_length=2, max_length=16)] = "en"
    period: Annotated[str, Field(max_length=100)] | None = None
    adopted_on: date | None = None
    parties: list[Name] = Field(default_factory=list, max_length=500)
    monitoring_bodies: list[Name] = Field(default_factory=list, max_length=100)
    sections: list[SectionIn] = Field(default_factory=list, max_length=5000)
    fiscal_year_start: Annotated[int, Field(ge=1, le=12)] | None = Field(
        default=None, description="The month (1..12) a fiscal year of the plan starts."
    )
    key_dates: list[KeyDateIn] = Field(
        default_factory=list,
        max_length=100,
        description="Dates deadlines may count from, by name (the summit, the adoption).",
    )


class KeyDateIn(Body):
    name: Name
    date: dt.date | None = None


class KeyDateRecordIn(Body):
    name: Name
    date: dt.date


class PartyIn(Body):
    name: Name
    role: Literal["responsible", "contributor", "funder", "monitor"]


class PointIn(Body):
    value: DecimalText
    date: dt.date | None = None


class IndicatorIn(Body):
    code: Code
    title: Text
    unit: Annotated[str, Field(min_length=1, max_length=40)]
    direction: Literal["increase", "decrease"]
    baseline: PointIn | None = None
    target: PointIn


class CommitmentIn(Body):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")] | None = (
        None
    )
    code: Code
    section: Code
    title: Text
    parties: list[PartyIn] = Field(default_factory=list, max_length=200)
    deadline: Annotated[str, Field(max_length=500)] | None = None
    priority: bool = False
    made_on: date | None = None
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=100)


class StatusIn(Body):
    status: Literal["planned", "launched", "completed", "suspended", "cancelled"]
    as_of: date
    note: Annotated[str, Field(max_length=4000)] | None = None


class PeriodOut(BaseModel):
    label: str
    start: date
    end: date


class RecurrenceOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    every: Literal["year", "half-year", "quarter", "month"]
    start: date | None = Field(alias="from")
    until: date | None


class DeadlineOut(BaseModel):
    """A deadline as written and as read; ``start``/``end`` ``null`` while ``pending``
    (the key date it counts from is not dated yet); ``recurrence`` when it is due once
    per period."""

    label: str
    start: date | None
    end: date | None
    recurrence: RecurrenceOut | None = Field(default=None, exclude_if=lambda v: v is None)
    pending: str | None = Field(default=None, exclude_if=lambda v: v is None)


class KeyDateOut(BaseModel):
    name: str
    date: dt.date | None


#: The whole language map of a text given as one, in the order given (absent when the
#: text was a plain string: ``title`` is then all there is).
Titles = Annotated[dict[str, str] | None, Field(default=None, exclude_if=lambda v: v is None)]


class SectionOut(BaseModel):
    code: str
    title: str
    titles: Titles = None
    parent: str | None
    kind: str


class VisibilityIn(Body):
    public: StrictBool = Field(description="true: the plan's reports answer without a key.")


class VisibilityOut(BaseModel):
    plan: str
    public: bool


class PlanOut(BaseModel):
    id: str
    version: int
    code: str
    title: str
    titles: Titles = None
    language: str
    period: PeriodOut | None
    adopted_on: date | None
    parties: list[str]
    monitoring_bodies: list[str]
    sections: list[SectionOut]
    fiscal_year_start: int | None
    key_dates: list[KeyDateOut]
    revision: int = Field(default=0, description="How many times the plan was revised.")
    revised_on: date | None = Field(
        default=None, description="When the latest revision took effect."
    )


class PartyOut(BaseModel):
    name: str
    role: str


class PointOut(BaseModel):
    value: str
    date: dt.date | None


class IndicatorOut(BaseModel):
    code: str
    title: str
    titles: Titles = None
    unit: str
    direction: str
    baseline: PointOut | None
    target: PointOut


class CommitmentOut(BaseModel):
    id: str
    version: int
    plan: str
    code: str
    section: str
    title: str
    titles: Titles = None
    parties: list[PartyOut]
    deadline: DeadlineOut | None
    priority: bool
    made_on: date | None
    status: str
    status_as_of: date | None
    indicators: list[IndicatorOut]
    milestones: list[MilestoneOut]
    reports: list[ReportOut]


class EventOut(BaseModel):
    id: str
    type: str
    schema_version: int
    stream_version: int
    position: int
    occurred_at: str
    recorded_at: str
    data: dict[str, Any]
    metadata: dict[str, Any]


class EventsOut(BaseModel):
    commitment: str
    events: list[EventOut]


Url = Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")]
Reason = Annotated[str, Field(min_length=1, max_length=4000)]


class ProgressIn(Body):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")] | None = (
        None
    )
    as_of: date
    completion: Literal["not_started", "limited", "substantial", "complete"]
    narrative: Narrative | None = None
    evidence: list[Url] = Field(default_factory=list, max_length=50)


class MeasurementIn(Body):
    indicator: Code
    value: DecimalText
    as_of: date


class MilestoneIn(Body):
    code: Code
    title: Text
    planned: Annotated[str, Field(max_length=100)] | None = None


class MilestoneReachedIn(Body):
    reached_on: date
    note: Annotated[str, Field(max_length=4000)] | None = None


class AmendmentIn(Body):
    as_of: date | None = None
    reason: Reason
    title: Text | None = None
    deadline: Annotated[str, Field(max_length=100)] | None = None
    parties: list[PartyIn] | None = Field(default=None, max_length=200)


class RetractionIn(Body):
    reason: Reason


class ReportOut(BaseModel):
    id: str
    as_of: date
    completion: str
    retracted: bool


class MilestoneOut(BaseModel):
    code: str
    title: str
    titles: Titles = None
    planned: DeadlineOut | None
    reached_on: date | None


class CreatedOut(BaseModel):
    """A resource created inside a commitment (a report, a measurement, a milestone)."""

    id: str
    commitment: str
    version: int
