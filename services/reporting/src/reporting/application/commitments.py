"""The view of one commitment, as it stood on ``as_of`` as known at ``known_at``, and
the measured series its charts draw."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reporting.application.errors import NotFound
from reporting.application.models import (
    CommitmentView,
    Flow,
    Indicator,
    IndicatorSeries,
    Latest,
    Milestone,
    Money,
    Report,
    ReportDates,
    TimelineEntry,
)
from reporting.application.money import commitment_funding
from reporting.application.ports import CommitmentsReader, Readers, Row
from reporting.application.rows import existing_plan, summary_fields
from reporting.application.texts import fields
from reporting.application.views import deadline_class, percent_of_way
from shared.money import format_amount


def _indicator(row: Row) -> Indicator:
    latest = row["latest_value"]
    return Indicator(
        **_definition(row["definition"]),
        latest=None if latest is None else Latest(value=str(latest), as_of=row["latest_as_of"]),
        progress_pct=percent_of_way(row["definition"], latest),
    )


def _definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """An indicator's stored definition, its title as the views carry it."""
    return {**definition, **fields(definition.get("title"))}


def _report(r: Row) -> Report:
    return Report(
        id=r["report_id"],
        as_of=r["as_of"],
        completion=r["completion"],
        **(
            fields(r["narrative"], r.get("narrative_local"), "narrative")
            if r["narrative"] is not None
            else {"narrative": None}
        ),
        evidence=r["evidence"],
        partner=r["partner"],
        recorded_at=r["recorded_at"],
        retracted=r["retracted"],
        retraction_reason=r["retraction_reason"],
    )


def flow(f: Row) -> Flow:
    """A flow row as the views show it, with its provenance."""
    return Flow(**flow_fields(f))


def flow_fields(f: Row) -> dict[str, Any]:
    return {
        "agreement": f["agreement_id"],
        "id": f["flow_id"],
        "type": f["type"],
        "direction": f["direction"],
        "iati_code": f["iati_code"],
        "amount": Money(amount=format_amount(f["amount"], f["currency"]), currency=f["currency"]),
        "date": f["date"],
        "source": f["source"],
        "reference": f["reference"],
        "illustrative": f["illustrative"],
        "partner": f["partner"],
        "reversed": f["reversed"],
        "recorded_at": f.get("recorded_at"),
        "event_id": None if f.get("event_id") is None else str(f["event_id"]),
    }


def timeline_entry(t: Row) -> TimelineEntry:
    return TimelineEntry(
        event_id=str(t["event_id"]),
        type=t["type"],
        source=t["source"],
        occurred_at=t["occurred_at"],
        recorded_at=t["recorded_at"],
        partner=t["partner"],
        data=t["data"],
    )


async def commitment(read: Readers, commitment_id: str, dates: ReportDates) -> CommitmentView:
    """Indicators with their latest value and percent of the way to target, progress
    reports, milestones, money, and the timeline of events with their provenance."""
    reader, day, known = read.commitments, dates.as_of, dates.known_at
    row = await reader.commitment(commitment_id, day, known)
    if row is None:
        raise NotFound(f"no commitment {commitment_id!r} (yet) in reporting")
    found = deadline_class(row, day, 0)
    return CommitmentView(
        **summary_fields(row),
        plan=row["plan_id"],
        made_on=row["made_on"],
        as_of=day,
        known_at=known,
        overdue=found is not None and found[0] == "overdue",
        completion=row["completion"],
        indicators=[_indicator(i) for i in await reader.indicators(commitment_id, day, known)],
        reports=[_report(r) for r in await reader.reports(commitment_id, day, known)],
        milestones=[
            Milestone(
                code=m["code"],
                **fields(m["title"], m.get("title_local")),
                planned=m["planned"],
                reached_on=m["reached_on"],
            )
            for m in await reader.milestones(commitment_id, day, known)
        ],
        funding=await commitment_funding(read.funding, commitment_id, dates),
        flows=[flow(f) for f in await read.funding.flows(commitment_id, day, known)],
        timeline=[timeline_entry(t) for t in await reader.timeline(commitment_id, day, known)],
    )


def _series(
    commitment_id: str, code: str, definition: Indicator, measured: Iterable[Row]
) -> IndicatorSeries:
    points = [Latest(value=str(m["value"]), as_of=m["as_of"]) for m in measured]
    return IndicatorSeries(
        commitment=commitment_id,
        commitment_code=code,
        definition=definition.model_copy(
            update={
                "latest": points[-1] if points else None,
                "progress_pct": percent_of_way(
                    definition.model_dump(), points[-1].value if points else None
                ),
            }
        ),
        measured=points,
    )


async def commitment_series(
    reader: CommitmentsReader, view: CommitmentView
) -> list[IndicatorSeries]:
    """Each indicator of the commitment with every measurement up to the view's dates."""
    measured = await reader.measurements(view.id, view.as_of, view.known_at)
    return [
        _series(view.id, view.code, i, [m for m in measured if m["indicator"] == i.code])
        for i in view.indicators
    ]


async def plan_series(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates
) -> list[IndicatorSeries]:
    """Every indicator of the plan's commitments with its measurements, in two queries."""
    await existing_plan(reader, plan_id, dates)
    measured: dict[tuple[str, str], list[Row]] = {}
    for m in await reader.plan_measurements(plan_id, dates.as_of, dates.known_at):
        measured.setdefault((m["commitment_id"], m["indicator"]), []).append(m)
    return [
        _series(
            row["commitment_id"],
            row["commitment_code"],
            Indicator(**_definition(row["definition"]), latest=None, progress_pct=None),
            measured.get((row["commitment_id"], row["code"]), []),
        )
        for row in await reader.plan_indicators(plan_id, dates.known_at)
    ]
