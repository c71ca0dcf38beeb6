"""What changed in a plan between two business dates, or two record times: status
changes, reports, money, and the corrections of the past recorded since."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from reporting.application.errors import InvalidQuery, InvalidRange
from reporting.application.lists import Key, micros, page
from reporting.application.models import Change, Changes, ReportDates
from reporting.application.ports import CommitmentsReader, Row
from reporting.application.rows import existing_plan

_KINDS = {
    "org.pactstream.plan.created": "created",
    "org.pactstream.commitment.made": "created",
    "org.pactstream.commitment.status_changed": "status",
    "org.pactstream.commitment.progress_reported": "report",
    "org.pactstream.commitment.progress_report_retracted": "retraction",
    "org.pactstream.commitment.measurement_recorded": "measurement",
    "org.pactstream.commitment.indicator_added": "indicator",
    "org.pactstream.commitment.milestone_added": "milestone",
    "org.pactstream.commitment.milestone_reached": "milestone",
    "org.pactstream.commitment.amended": "amendment",
}


def kind_of(event_type: str) -> str:
    if event_type in _KINDS:
        return _KINDS[event_type]
    return "money" if event_type.startswith("org.pactstream.funding.") else "other"


@dataclass(frozen=True, slots=True)
class Window:
    """Business dates (``start``, ``end``) or record times (``known_from``,
    ``known_to``), both bounds inclusive; exactly one of the two pairs."""

    start: date | None = None
    end: date | None = None
    known_from: datetime | None = None
    known_to: datetime | None = None

    def __post_init__(self) -> None:
        by_date = self.start is not None or self.end is not None
        by_record = self.known_from is not None or self.known_to is not None
        if by_date == by_record:
            raise InvalidQuery(
                "give either from and to (business dates) or known_from and known_to "
                "(record times)",
                parameter="from",
            )
        if by_date and (self.start is None or self.end is None):
            raise InvalidQuery("from and to are both needed", parameter="to")
        if by_record and (self.known_from is None or self.known_to is None):
            raise InvalidQuery("known_from and known_to are both needed", parameter="known_to")
        if self.start and self.end and self.start > self.end:
            raise InvalidRange(f"from {self.start} is after to {self.end}", parameter="from")
        if self.known_from and self.known_to and self.known_from > self.known_to:
            raise InvalidRange(
                f"known_from {self.known_from} is after known_to {self.known_to}",
                parameter="known_from",
            )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _change(row: Row, correction: bool) -> Change:
    return Change(
        commitment=row["commitment_id"],
        kind=kind_of(row["type"]),
        type=row["type"],
        event_id=str(row["event_id"]),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        partner=row["partner"],
        correction=correction,
        data=row["data"],
    )


async def changes(
    reader: CommitmentsReader, plan_id: str, window: Window, dates: ReportDates
) -> Changes:
    """Between business dates: the events that took effect from ``from`` to ``to``, and
    those recorded after ``from`` that took effect on or before it (corrections), as
    known at ``known_at``. Between record times: the events recorded then, a
    correction being one that took effect before ``known_from``."""
    await existing_plan(reader, plan_id, dates)
    if window.start is not None and window.end is not None:
        first_day_over = _midnight(window.start + timedelta(days=1))
        rows = await reader.plan_events(
            plan_id,
            (_midnight(window.start), _midnight(window.end + timedelta(days=1))),
            first_day_over,
            dates.known_at,
        )
        found = [
            _change(r, r["recorded_at"] >= first_day_over and r["occurred_at"] < first_day_over)
            for r in rows
        ]
        return Changes(plan=plan_id, from_=window.start, to=window.end, changes=found)
    assert window.known_from is not None and window.known_to is not None
    rows = await reader.plan_events_recorded(plan_id, (window.known_from, window.known_to))
    return Changes(
        plan=plan_id,
        known_from=window.known_from,
        known_to=window.known_to,
        changes=[_change(r, r["occurred_at"] < window.known_from) for r in rows],
    )


def _order(window: Window) -> tuple[str, Callable[[Change], Key]]:
    """The view's own order: by business time between dates, by record time between
    record times; the event id breaks ties."""
    if window.known_from is not None:
        return "recorded", lambda c: (micros(c.recorded_at), micros(c.occurred_at), c.event_id)
    return "occurred", lambda c: (micros(c.occurred_at), micros(c.recorded_at), c.event_id)


async def change_page(
    reader: CommitmentsReader,
    plan_id: str,
    window: Window,
    dates: ReportDates,
    cursor: str | None,
    limit: int,
) -> tuple[Changes, str | None]:
    """The view with ``limit`` changes after ``cursor``, and the cursor of the next
    page when more follow (a cursor of the other kind of window is refused)."""
    view = await changes(reader, plan_id, window, dates)
    sort, key = _order(window)
    found = page(view.changes, key, sort, cursor, limit)
    return view.model_copy(update={"changes": found.items}), found.next_cursor
