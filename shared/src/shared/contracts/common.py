"""Value shapes that appear inside several events."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PeriodData(BaseModel):
    """A period as written (``label``) and the dates it stands for, both inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: date
    end: date


class RecurrenceData(BaseModel):
    """A deadline due once per period (``every``), from ``from`` until ``until``."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True
    )

    every: Literal["year", "half-year", "quarter", "month"]
    start: date | None = Field(default=None, alias="from")
    until: date | None = None


class DeadlineData(BaseModel):
    """A deadline as written (``label``) and as read: its first and last day (``None``
    while it waits for a key date the plan has not dated: ``pending`` names it), and
    its ``recurrence`` when it is due once per period. Earlier releases stored a plain
    period (label, start, end), which reads as one with both days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: date | None = None
    end: date | None = None
    recurrence: RecurrenceData | None = None
    pending: str | None = None
