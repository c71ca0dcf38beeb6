"""Scorecards, chart series, the consumer's status and what changed between two dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from reporting.application.models.base import Texts, Timestamp, View
from reporting.application.models.commitments import (
    ByCurrency,
    CommitmentSummary,
    Indicator,
    Latest,
)
from reporting.application.models.plans import Totals

# Parties


class PlanTotals(View):
    id: str
    code: str
    title: str
    titles: Texts = None
    language: str = Field(description="The language the plan is written in.")
    totals: Totals


class PartyCommitment(CommitmentSummary):
    plan: str
    roles: list[str]
    completion: str | None
    overdue: bool


class Scorecard(View):
    party: str
    as_of: dt.date
    known_at: Timestamp
    totals: Totals
    by_role: dict[str, int]
    by_plan: list[PlanTotals]
    funding: ByCurrency
    commitments: list[PartyCommitment]


# Charts


class IndicatorSeries(View):
    """An indicator and its measurements on the report's dates, oldest first."""

    commitment: str
    commitment_code: str
    definition: Indicator
    measured: list[Latest]


# Operations


class PartitionStatus(View):
    topic: str
    partition: int
    consumed: int
    end: int | None
    lag: int | None
    last_event_at: Timestamp | None


class ConsumerStatus(View):
    consumer: str
    partitions: list[PartitionStatus]
    lag: int
    lag_seconds: float
    read_models: dict[str, int]


# Changes between two dates


class Change(View):
    """One event of the plan in the window, linked to its commitment (if any)."""

    commitment: str | None
    kind: str = Field(
        description="created, status, report, retraction, measurement, indicator, "
        "milestone, amendment, money or other"
    )
    type: str
    event_id: str
    occurred_at: Timestamp
    recorded_at: Timestamp
    partner: str | None
    correction: bool = Field(
        description="Recorded after the window's first date to take effect on or before "
        "it: it changed what that date's view shows."
    )
    data: dict[str, Any]


class Changes(View):
    plan: str
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    known_from: Timestamp | None = None
    known_to: Timestamp | None = None
    changes: list[Change]

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)


# The change feed


class FeedPage(View):
    """Changes in the order reporting applied them, as CloudEvents 1.0 (structured
    JSON, with the extensions ``recordedtime``, ``schemaversion``, ``plan`` and
    ``partner``); ``cursor`` continues after the last one looked at."""

    events: list[dict[str, Any]]
    cursor: str
