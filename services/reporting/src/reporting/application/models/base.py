"""The parts every view shares: dates and times as written, periods, parties, money."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

#: A record time, written with ``datetime.isoformat`` (``+00:00``, not ``Z``).
Timestamp = Annotated[
    dt.datetime, PlainSerializer(lambda t: t.isoformat(), return_type=str, when_used="json")
]


#: Every language of a text given in several, in the order given; absent when the text
#: was a plain string (the text field beside it is then all there is).
Texts = Annotated[
    dict[str, str] | None,
    Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The text in every language given, when given in several.",
    ),
]


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Period(View):
    """A period as written (``label``) and the dates it stands for, both inclusive."""

    label: str
    start: dt.date
    end: dt.date


class Recurrence(View):
    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)

    every: Literal["year", "half-year", "quarter", "month"]
    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None


class Deadline(View):
    """A deadline as written (``label``) and as read: ``start``/``end`` ``null`` while
    ``pending`` (the key date it counts from is not dated yet); ``recurrence`` when it
    is due once per period."""

    label: str
    start: dt.date | None = None
    end: dt.date | None = None
    recurrence: Recurrence | None = Field(default=None, exclude_if=lambda v: v is None)
    pending: str | None = Field(default=None, exclude_if=lambda v: v is None)


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
