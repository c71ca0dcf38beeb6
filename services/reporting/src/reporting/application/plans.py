"""Views of plans: the list, the progress tree, the commitments, the deadlines, the
overview's cards. Each reads the read models through :mod:`ports` and returns a model
from :mod:`models`; the API and the dashboard only render them."""

from __future__ import annotations

from reporting.application import money
from reporting.application.models import (
    CommitmentItem,
    Deadlines,
    Overdue,
    PlanCard,
    PlanSummary,
    Progress,
    ReportDates,
    Upcoming,
)
from reporting.application.ports import CommitmentsReader, Readers
from reporting.application.progress import progress_tree
from reporting.application.rows import existing_plan, plan_head, summary_fields
from reporting.application.views import deadline_class


async def plans(reader: CommitmentsReader, dates: ReportDates) -> list[PlanSummary]:
    """Every plan recorded by ``known_at``, with its commitment counts."""
    return [
        PlanSummary(
            **plan_head(r).model_dump(),
            commitments=r["commitments"],
            priority=r["priority"],
            completed=r["completed"],
        )
        for r in await reader.plans(dates.as_of, dates.known_at)
    ]


async def progress(reader: CommitmentsReader, plan_id: str, dates: ReportDates) -> Progress:
    """The section tree with totals; a section's totals include its sub-sections."""
    plan = await existing_plan(reader, plan_id, dates)
    rows = await reader.progress_rows(plan_id, dates.as_of, dates.known_at)
    totals, sections = progress_tree(plan["sections"], rows, dates.as_of)
    return Progress(
        plan=plan_head(plan),
        as_of=dates.as_of,
        known_at=dates.known_at,
        totals=totals,
        sections=sections,
    )


async def commitments(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates
) -> list[CommitmentItem]:
    await existing_plan(reader, plan_id, dates)
    return [
        CommitmentItem(**summary_fields(r), completion=r["completion"])
        for r in await reader.commitments(plan_id, dates.as_of, dates.known_at)
    ]


async def deadlines(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates, within_days: int
) -> Deadlines:
    """Commitments past their deadline and not completed or cancelled (most late
    first), and those due within ``within_days`` (soonest first)."""
    await existing_plan(reader, plan_id, dates)
    overdue: list[Overdue] = []
    upcoming: list[Upcoming] = []
    for r in await reader.commitments(plan_id, dates.as_of, dates.known_at):
        found = deadline_class(r["deadline_end"], r["status"], dates.as_of, within_days)
        if found is None:
            continue
        kind, days = found
        if kind == "overdue":
            overdue.append(Overdue(**summary_fields(r), days_overdue=days))
        else:
            upcoming.append(Upcoming(**summary_fields(r), days_left=days))
    overdue.sort(key=lambda c: (-c.days_overdue, c.code))
    upcoming.sort(key=lambda c: (c.days_left, c.code))
    return Deadlines(
        plan=plan_id,
        as_of=dates.as_of,
        within_days=within_days,
        overdue=overdue,
        upcoming=upcoming,
    )


async def cards(read: Readers, dates: ReportDates) -> list[PlanCard]:
    """Every plan with its progress totals and money, for the overview."""
    out = []
    for summary in await plans(read.commitments, dates):
        report = await progress(read.commitments, summary.id, dates)
        funding = await money.plan_funding(read, summary.id, dates)
        out.append(PlanCard(plan=report.plan, totals=report.totals, funding=funding.totals))
    return out
