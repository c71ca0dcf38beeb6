"""What a deadline reads as: the plan facts it is read against, the deadline itself,
its recurrence and milestones, the refusals, and the contract's JSON period object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.deadlines.words import MONTHS_IN, Every, add_months, day_before
from shared.periods import InvalidPeriod, Period


class AmbiguousPeriod(InvalidPeriod):
    """A text with more than one reading; ``readings`` says each, as a person would."""

    def __init__(self, label: str, readings: list[str], field: str | None = None) -> None:
        self.readings = readings
        super().__init__(
            label,
            f"ambiguous, it has {len(readings)} readings: {'; '.join(readings)}; write it so "
            "only one remains (an ISO date 2021-03-04, FY2020-21, 2019-2020)",
            field,
        )


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    """The plan settings a deadline is read against.

    ``fiscal_year_start`` is the month (1..12) a fiscal year starts, ``None`` when the
    plan sets none; ``key_dates`` maps each key date's name, as the plan writes it, to
    its date or ``None`` while unknown; ``start``/``end`` are the plan's period."""

    fiscal_year_start: int | None = None
    key_dates: Mapping[str, date | None] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.fiscal_year_start is not None and not 1 <= self.fiscal_year_start <= 12:
            raise ValueError(f"fiscal_year_start is a month, 1..12: {self.fiscal_year_start}")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A deadline due once per period: period ``k`` runs from ``start`` + ``k`` periods
    to the day before the next, and is due on its last day, or on ``until`` for the
    last period when ``until`` cuts it short. Periods are aligned on ``start`` (the
    plan's start unless the text gives one), so "each year" on a plan starting 1 April
    is due every 31 March."""

    every: Every
    start: date | None
    until: date | None

    def due_dates(self, until: date) -> list[date]:
        """The due dates on or before ``until``, each overdue on its own; none while the
        recurrence has no start (neither the text nor the plan gave one)."""
        if self.start is None:
            return []
        step, dates = MONTHS_IN[self.every], []
        for k in range(10_000):
            try:
                period_start = add_months(self.start, k * step)
                due = day_before(add_months(self.start, (k + 1) * step))
            except (ValueError, OverflowError):  # Past year 9999: no later period.
                break
            if self.until is not None and period_start > self.until:
                break
            due = due if self.until is None else min(due, self.until)
            if due > until:
                break
            dates.append(due)
        return dates


@dataclass(frozen=True, slots=True)
class Milestone:
    """One dated step of a deadline text: ``title`` as written ("the first report"), or
    the step's own text when it has none; ``label`` the step's deadline as written.
    ``pending`` names the key date it waits for (``start``/``end`` are then ``None``)."""

    title: str
    label: str
    start: date | None
    end: date | None
    pending: str | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A commitment's deadline as written (``label``) and as read.

    - dated: ``start``/``end`` the first and last day; due on ``end``.
    - ``pending``: it counts from a key date the plan has not dated yet; the ends that
      count from it are ``None`` (both, for "within 18 months of the summit") and it is
      never overdue until the date is recorded.
    - ``open_ended`` ("ongoing", "en continu", "dès mars 2019", "from June 2021 and
      ongoing"): it starts on ``start`` (its own, else the plan's) and has no end of its
      own: ``end`` is the plan's end, or ``None`` when the plan has none, so it is
      never overdue before the plan ends and, with no plan end, never.
    - ``recurrence``: due once per period (:meth:`Recurrence.due_dates`), each due date
      overdue on its own; ``start``/``end`` are the first day and the last due date.
    - ``milestones``: several dated steps; the deadline is the last of them (or pending
      while any step waits for a key date), each step due on its own end.
    """

    label: str
    start: date | None
    end: date | None
    recurrence: Recurrence | None = None
    pending: str | None = None
    open_ended: bool = False
    milestones: tuple[Milestone, ...] = ()

    def period(self) -> Period | None:
        """The :class:`Period` of a deadline whose both ends are known."""
        if self.start is None or self.end is None:
            return None
        return Period(label=self.label, start=self.start, end=self.end)

    def due_dates(self, until: date) -> list[date]:
        """Every date on or before ``until`` on which something is due: one per period of
        a recurrence, one per dated milestone, else the end; each is overdue on its own
        when what was due then is not done."""
        if self.recurrence is not None:
            return self.recurrence.due_dates(until)
        if self.milestones:
            ends = {m.end for m in self.milestones if m.end is not None}
            return sorted(day for day in ends if day <= until)
        return [self.end] if self.end is not None and self.end <= until else []


def period_object(deadline: Deadline) -> dict[str, object]:
    """The contract's period object: ``{"label", "start", "end"}`` with ISO dates
    (``null`` while unknown), and ``"recurrence"`` or ``"pending"`` when they apply."""
    out: dict[str, object] = {
        "label": deadline.label,
        "start": _iso(deadline.start),
        "end": _iso(deadline.end),
    }
    if (r := deadline.recurrence) is not None:
        out["recurrence"] = {"every": r.every, "from": _iso(r.start), "until": _iso(r.until)}
    if deadline.pending is not None:
        out["pending"] = deadline.pending
    return out


def milestone_objects(deadline: Deadline, codes: list[str]) -> list[dict[str, object]]:
    """The contract's milestones (``{"code", "title", "planned", "reached_on"}``) for a
    deadline's steps, with the caller's codes, one per step in order."""
    if len(codes) != len(deadline.milestones):
        raise ValueError(f"{len(deadline.milestones)} milestones need as many codes")
    return [
        {
            "code": code,
            "title": m.title,
            "planned": period_object(Deadline(m.label, m.start, m.end, pending=m.pending)),
            "reached_on": None,
        }
        for code, m in zip(codes, deadline.milestones, strict=True)
    ]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
