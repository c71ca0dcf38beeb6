"""The parts every view shares: dates and times as written, periods, parties, money."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

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
