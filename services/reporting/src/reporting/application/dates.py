"""The dates a view is asked for, and their defaults: today and now, from the clock
the composition root injects, in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from reporting.application.errors import InvalidDate
from reporting.application.models import ReportDates

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def report_dates(as_of: date | None, known_at: datetime | None, now: datetime) -> ReportDates:
    """``as_of`` defaults to the UTC date of ``now``, ``known_at`` to ``now``; a naive
    ``known_at`` is read as UTC."""
    if known_at is not None:
        if known_at.tzinfo is None:
            known_at = known_at.replace(tzinfo=UTC)
        try:
            known_at = known_at.astimezone(UTC)
        except (OverflowError, ValueError):
            raise InvalidDate(
                "known_at is outside the representable range", parameter="known_at"
            ) from None
    now = now.astimezone(UTC)
    return ReportDates(as_of=as_of or now.date(), known_at=known_at or now)
