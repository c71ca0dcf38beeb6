"""A plan over time, for its charts: commitments by status and money cumulated per
currency at the end of every month, from the read models as of each of those days
(as known at one record time), so every point is what the plan page shows for that
day."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from reporting.application.list_tables import Cell, Table
from reporting.application.models import (
    CurrencyHistory,
    MoneyMonth,
    PlanHead,
    PlanHistory,
    ReportDates,
    StatusMonth,
)
from reporting.application.ports import Readers, Row
from reporting.application.rows import existing_plan, plan_head
from shared.money import format_amount

STATUSES = ("planned", "launched", "completed", "suspended", "cancelled")
MONEY = ("pledged", "committed", "disbursed", "spent")
#: Months a history shows at most: the last ten years of a longer plan.
MOST_MONTHS = 120


def month_days(start: date, as_of: date, most: int = MOST_MONTHS) -> list[date]:
    """The last day of every month from ``start``'s to ``as_of``'s, the last one
    being ``as_of`` itself; only the latest ``most`` of them; ``[as_of]`` when
    ``start`` is later."""
    days: list[date] = []
    year, month = start.year, start.month
    while (year, month) < (as_of.year, as_of.month):
        days.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    days.append(as_of)
    return days[-most:]


def _first_day(head: PlanHead, plan: Row, as_of: date) -> date:
    """Where the plan's history starts: its period, else its adoption, else a year
    before ``as_of``."""
    if head.period is not None:
        return head.period.start
    adopted: date | None = plan.get("adopted_on")
    return adopted or date(as_of.year - 1, as_of.month, 1)


def _statuses(days: list[date], rows: Iterable[Row]) -> list[StatusMonth]:
    counts: dict[date, dict[str, int]] = {d: dict.fromkeys(STATUSES, 0) for d in days}
    for r in rows:
        counts[r["day"]][r["status"]] = r["n"]
    return [
        StatusMonth(day=d, commitments=sum(by.values()), by_status=by) for d, by in counts.items()
    ]


def _money(days: list[date], rows: Iterable[Row]) -> list[CurrencyHistory]:
    """Per currency, a point every month: zero before its first flow in force."""
    sums: dict[str, dict[date, Row]] = {}
    for r in rows:
        sums.setdefault(r["currency"], {})[r["day"]] = r

    def point(currency: str, day: date, row: Row | None) -> MoneyMonth:
        def figure(name: str) -> str:
            amount = row[name] if row is not None and row[name] is not None else Decimal(0)
            return format_amount(amount, currency)

        return MoneyMonth(day=day, **{name: figure(name) for name in MONEY})

    return [
        CurrencyHistory(currency=currency, months=[point(currency, d, by_day.get(d)) for d in days])
        for currency, by_day in sorted(sums.items())
    ]


async def plan_history(read: Readers, plan_id: str, dates: ReportDates) -> PlanHistory:
    plan = await existing_plan(read.commitments, plan_id, dates)
    head = plan_head(plan)
    days = month_days(_first_day(head, plan, dates.as_of), dates.as_of)
    statuses = await read.commitments.status_by_day(plan_id, days, dates.known_at)
    money = await read.funding.flow_sums_by_day(plan_id, days, dates.known_at)
    return PlanHistory(
        plan=head,
        as_of=dates.as_of,
        known_at=dates.known_at,
        statuses=_statuses(days, statuses),
        money=_money(days, money),
    )


def history_table(view: PlanHistory) -> Table:
    """One row per day: the counts by status, then each currency's four sums."""
    currencies = [c.currency for c in view.money]
    columns = (
        "day",
        "commitments",
        *STATUSES,
        *(f"{currency} {name}" for currency in currencies for name in MONEY),
    )
    rows: list[tuple[Cell, ...]] = []
    for i, month in enumerate(view.statuses):
        money = [Decimal(getattr(c.months[i], name)) for c in view.money for name in MONEY]
        rows.append((month.day, month.commitments, *(month.by_status[s] for s in STATUSES), *money))
    return Table("history", columns, rows)
