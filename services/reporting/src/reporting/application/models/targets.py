"""Targets shared by several commitments of a plan, and where each stands."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from reporting.application.models.base import Timestamp, View


class Threshold(View):
    comparison: Literal["<", "<=", ">=", ">"]
    value: str
    by: dt.date | None = None


class TargetSource(View):
    """One commitment's indicator feeding the target, with its latest measurement on
    ``as_of`` and, for a weighted mean, the base it weighs by."""

    commitment: str
    commitment_code: str | None
    indicator: str
    value: str | None = Field(description="The latest measurement on as_of; null: none yet.")
    measured_on: dt.date | None
    weight: str | None = Field(
        default=None, description="The base: fixed, or the latest value of weight_indicator."
    )
    weight_indicator: str | None = None


class TargetStanding(View):
    code: str
    title: str
    titles: dict[str, str] | None = Field(
        default=None, description="The title in every language, when given in several."
    )
    unit: str
    aggregation: Literal["sum", "weighted_mean", "latest"]
    target: Threshold
    value: str | None = Field(description="The sources combined; null while none has data.")
    met: bool | None = Field(description="Whether value meets the target; null: no value yet.")
    reporting: int = Field(description="How many sources the value is made of.")
    sources: list[TargetSource]


class PlanTargets(View):
    plan: str
    as_of: dt.date
    known_at: Timestamp
    targets: list[TargetStanding]
