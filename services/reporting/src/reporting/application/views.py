"""Pure computations behind the commitment view and the deadline lists."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from reporting.application.ports import Row
from reporting.application.progress import CLOSED, due_on


def decimal_or_none(value: Any) -> Decimal | None:
    """``value`` as a finite decimal, or ``None`` (no value, or not a number)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def percent_of_way(definition: Mapping[str, Any], latest: Any) -> float | None:
    """How far ``latest`` has moved from the baseline towards the target, in percent.

    Works for both directions: decreasing from 10 towards 3, a value of 5 is 71.4 %.
    An increasing indicator without a baseline starts from 0; a decreasing one without a
    baseline has no defined start, so no percentage. A value moving the wrong way gives a
    negative percentage; beyond the target, more than 100.
    """
    value = decimal_or_none(latest)
    target = decimal_or_none((definition.get("target") or {}).get("value"))
    baseline_point = definition.get("baseline") or {}
    baseline = decimal_or_none(baseline_point.get("value"))
    if value is None or target is None:
        return None
    if baseline is None:
        if definition.get("direction") != "increase":
            return None
        baseline = Decimal(0)
    if target == baseline:
        return 100.0 if value == target else 0.0
    return float(round((value - baseline) / (target - baseline) * 100, 1))


def due(row: Row, as_of: date) -> date | None:
    """When an effective-commitment row is next due on ``as_of`` (:func:`due_on`)."""
    return due_on(row["deadline_end"], row.get("recurrence"), row.get("reported_on"), as_of)


def deadline_class(row: Row, as_of: date, within_days: int) -> tuple[str, int] | None:
    """``("overdue", days late)`` or ``("upcoming", days left)``, else ``None``: by the
    day the commitment is next due (a recurring deadline's first period that no
    report covers)."""
    deadline_end = due(row, as_of)
    if deadline_end is None or row["status"] in CLOSED:
        return None
    days = (deadline_end - as_of).days
    if days < 0:
        return "overdue", -days
    if days <= within_days:
        return "upcoming", days
    return None
