"""Plans and their progress trees."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from reporting.application.models.base import Period, Texts, Timestamp, View


class PlanHead(View):
    id: str
    code: str
    title: str
    titles: Texts = None
    language: str
    period: Period | None


class PlanSummary(PlanHead):
    commitments: int
    priority: int
    completed: int
    public: bool = Field(description="Readable without a key (an operator made it public).")


class Totals(View):
    """Counts over a set of commitments; overdue: past the deadline's end on ``as_of``
    and neither completed nor cancelled."""

    commitments: int
    priority: int
    by_status: dict[str, int]
    overdue: int
    completed_pct: float


class SectionProgress(View):
    """A section's totals include those of its sub-sections."""

    code: str
    title: str
    titles: Texts = None
    kind: str | None
    totals: Totals
    sections: list[SectionProgress]


class Progress(View):
    plan: PlanHead
    as_of: dt.date
    known_at: Timestamp
    totals: Totals
    sections: list[SectionProgress]


class StatusMonth(View):
    """The plan's commitments by status on ``day``: a month's last day, or ``as_of``
    for the month it falls in."""

    day: dt.date
    commitments: int
    by_status: dict[str, int]


class MoneyMonth(View):
    """Cumulated outgoing money in force on ``day`` (reversals taken off)."""

    day: dt.date
    pledged: str
    committed: str
    disbursed: str
    spent: str


class CurrencyHistory(View):
    currency: str
    months: list[MoneyMonth]


class PlanHistory(View):
    """The plan month by month, from its start (at most ten years back) to ``as_of``,
    each month as known at ``known_at``: commitments by status, and money per
    currency (never added across currencies)."""

    plan: PlanHead
    as_of: dt.date
    known_at: Timestamp
    statuses: list[StatusMonth]
    money: list[CurrencyHistory]
