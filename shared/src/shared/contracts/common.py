"""Value shapes that appear inside several events."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class PeriodData(BaseModel):
    """A period as written (``label``) and the dates it stands for, both inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: date
    end: date
