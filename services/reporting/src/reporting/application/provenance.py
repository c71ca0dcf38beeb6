"""The events behind the figures: a commitment's timeline and flows page by page, and
the flows one of a plan's money figures adds up, each with its provenance (partner,
business date, record time, event).

Every order here ends on an id, so its keys are unique and a cursor (the key of a
page's last item, :mod:`lists`) never repeats or skips an item recorded meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal, get_args

from reporting.application.commitments import flow, flow_fields, timeline_entry
from reporting.application.errors import InvalidQuery, NotFound
from reporting.application.lists import Key, Page, micros, page
from reporting.application.models import (
    Agreement,
    ByCurrency,
    Flow,
    Money,
    PlanFlow,
    PlanFunding,
    ReportDates,
    TimelineEntry,
)
from reporting.application.ports import Readers, Row
from reporting.application.rows import existing_plan
from shared.money import format_amount

#: The money figures made of flows, as :data:`funding.FIGURES` names them.
FlowFigure = Literal[
    "pledged",
    "committed",
    "disbursed",
    "spent",
    "incoming_pledged",
    "incoming_committed",
    "received",
]
FLOW_FIGURES: Final[tuple[FlowFigure, ...]] = get_args(FlowFigure)

#: (direction, flow types) each figure adds up; a decommitment counts against
#: ``committed`` (the same rules as the sums in ``adapters/funding_queries.py``).
_MADE_OF: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "pledged": ("outgoing", frozenset({"pledge"})),
    "committed": ("outgoing", frozenset({"commitment", "decommitment"})),
    "disbursed": ("outgoing", frozenset({"disbursement"})),
    "spent": ("outgoing", frozenset({"expenditure"})),
    "incoming_pledged": ("incoming", frozenset({"pledge"})),
    "incoming_committed": ("incoming", frozenset({"commitment"})),
    "received": ("incoming", frozenset({"disbursement"})),
}


def _event_order(t: TimelineEntry) -> Key:
    return (micros(t.occurred_at), micros(t.recorded_at), t.event_id)


def flow_order(f: Flow) -> Key:
    """By business date, then record time, then agreement and flow id."""
    recorded = micros(f.recorded_at) if f.recorded_at is not None else 0
    return (f.date.toordinal(), recorded, f.agreement, f.id)


async def _existing_commitment(read: Readers, commitment_id: str, dates: ReportDates) -> None:
    if await read.commitments.commitment(commitment_id, dates.as_of, dates.known_at) is None:
        raise NotFound(f"no commitment {commitment_id!r} (yet) in reporting")


async def timeline_page(
    read: Readers, commitment_id: str, dates: ReportDates, cursor: str | None, limit: int
) -> Page[TimelineEntry]:
    """The commitment view's ``timeline``, ``limit`` events after ``cursor``, in the
    order the view lists them (business time, then record time, then event id)."""
    await _existing_commitment(read, commitment_id, dates)
    rows = await read.commitments.timeline(commitment_id, dates.as_of, dates.known_at)
    return page([timeline_entry(t) for t in rows], _event_order, "timeline", cursor, limit)


async def flow_page(
    read: Readers, commitment_id: str, dates: ReportDates, cursor: str | None, limit: int
) -> Page[Flow]:
    """The commitment view's ``flows``, ``limit`` after ``cursor``, by business date."""
    await _existing_commitment(read, commitment_id, dates)
    rows = await read.funding.flows(commitment_id, dates.as_of, dates.known_at)
    return page([flow(f) for f in rows], flow_order, "flows", cursor, limit)


@dataclass(frozen=True, slots=True)
class FlowChoice:
    """Which of a plan's flows in force to list: those one figure of the funding view
    adds up (all figures' when ``figure`` is ``None``), in one currency, of one section
    or source when given (as the view's ``by_section`` and ``by_source`` group them)."""

    figure: str | None = None
    currency: str | None = None
    section: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.figure is not None and self.figure not in _MADE_OF:
            raise InvalidQuery(
                f"figure: unknown {self.figure!r} (one of {', '.join(FLOW_FIGURES)})",
                parameter="figure",
            )

    def admits(self, row: Row) -> bool:
        made_of = None if self.figure is None else _MADE_OF[self.figure]
        return (
            (made_of is None or (row["direction"], row["type"]) in _pairs(made_of))
            and (self.currency is None or row["currency"] == self.currency)
            and (self.section is None or row["section"] == self.section)
            and (self.source is None or row["source"] == self.source)
        )


def _pairs(made_of: tuple[str, frozenset[str]]) -> set[tuple[str, str]]:
    direction, types = made_of
    return {(direction, t) for t in types}


async def plan_flows(
    read: Readers, plan_id: str, dates: ReportDates, choice: FlowChoice
) -> list[PlanFlow]:
    """Every flow in force behind the chosen figure, by business date: what the funding
    view adds up for it (see :func:`signed_total`), each with its partner, business
    date, record time and event."""
    await existing_plan(read.commitments, plan_id, dates)
    rows = await read.funding.plan_flows(plan_id, dates.as_of, dates.known_at)
    found = [
        PlanFlow(**flow_fields(r), commitment=r["commitment_id"], section=r["section"])
        for r in rows
        if choice.admits(r)
    ]
    return sorted(found, key=flow_order)


async def plan_flow_page(
    read: Readers,
    plan_id: str,
    dates: ReportDates,
    choice: FlowChoice,
    cursor: str | None,
    limit: int,
) -> Page[PlanFlow]:
    found = await plan_flows(read, plan_id, dates, choice)
    return page(found, flow_order, "flows", cursor, limit)


def signed_total(flows: list[PlanFlow]) -> Decimal:
    """What the flows add up to in a figure: a decommitment takes off what it reduced."""
    return sum(
        (-Decimal(f.amount.amount) if f.type == "decommitment" else Decimal(f.amount.amount))
        for f in flows
    ) or Decimal(0)


def shown_figure(
    funding: PlanFunding,
    figure: str | None,
    currency: str | None,
    section: str | None = None,
    source: str | None = None,
) -> Money | None:
    """A figure of the funding view (``agreed`` or one made of flows), as the view
    shows it: of the plan, or of one section or source (``None`` without one figure
    and one currency, or for a section and a source at once, which it has not)."""
    if figure is None or currency is None or (section is not None and source is not None):
        return None
    figures: ByCurrency = funding.totals
    if section is not None:
        found = [s.figures for s in funding.by_section if s.code == section]
        figures = found[0] if found else {}
    elif source is not None:
        found = [s.figures for s in funding.by_source if s.source == source]
        figures = found[0] if found else {}
    if currency not in figures:
        return Money(amount=format_amount(Decimal(0), currency), currency=currency)
    shown: Money = getattr(figures[currency], figure)
    return shown


def agreements_behind(
    funding: PlanFunding,
    currency: str | None,
    section: str | None = None,
    source: str | None = None,
) -> list[Agreement]:
    """The agreements the ``agreed`` figure adds up (in ``currency``, of a section, or
    those a source contributes to), each with the event that recorded it. By source,
    the figure counts only that source's contributions."""
    return [
        a
        for a in funding.agreements
        if (currency is None or a.total.currency == currency)
        and (section is None or a.section == section)
        and (source is None or any(c.source == source for c in a.contributions))
    ]
