"""Views of plans: the list, the progress tree, the commitments, the deadlines, the
overview's cards. Each reads the read models through :mod:`ports` and returns a model
from :mod:`models`; the API and the dashboard only render them."""

from __future__ import annotations

from collections.abc import Sequence

from reporting.application import money
from reporting.application.lists import (
    CommitmentFilter,
    Key,
    Page,
    Sort,
    commitment_key,
    descendants,
    folded,
    matches,
    page,
)
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
from reporting.application.texts import all_texts, stored
from reporting.application.views import deadline_class
from shared.contracts.common import text_in


async def plans(
    reader: CommitmentsReader,
    dates: ReportDates,
    q: str | None = None,
    *,
    public_only: bool = False,
) -> list[PlanSummary]:
    """Every plan recorded by ``known_at`` whose title has ``q`` in it (ignoring case
    and accents), by code, with its commitment counts; only the public ones for a
    visitor without a key (``public_only``)."""
    return [
        PlanSummary(
            **plan_head(r).model_dump(),
            commitments=r["commitments"],
            priority=r["priority"],
            completed=r["completed"],
            public=r["public"],
        )
        for r in await reader.plans(dates.as_of, dates.known_at)
        if any(matches(t, q) for t in all_texts(r["title"], r.get("title_local")))
        and (r["public"] or not public_only)
    ]


async def plan_page(
    reader: CommitmentsReader,
    dates: ReportDates,
    q: str | None,
    cursor: str | None,
    limit: int,
    *,
    public_only: bool = False,
) -> Page[PlanSummary]:
    found = await plans(reader, dates, q, public_only=public_only)
    return page(found, lambda p: (p.code,), "code", cursor, limit)


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


async def commitment_page(
    reader: CommitmentsReader,
    plan_id: str,
    dates: ReportDates,
    criteria: CommitmentFilter | None = None,
    sort: Sort = "code",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[CommitmentItem]:
    """The plan's commitments that meet ``criteria``, in ``sort`` order, ``limit``
    after ``cursor`` (all without a limit)."""
    criteria = criteria or CommitmentFilter()
    plan = await existing_plan(reader, plan_id, dates)
    sections = None if criteria.section is None else descendants(plan["sections"], criteria.section)
    rows = [
        r
        for r in await reader.commitments(plan_id, dates.as_of, dates.known_at)
        if criteria.admits(r, sections, dates.as_of)
    ]
    found = page(rows, commitment_key(sort), sort, cursor, limit or len(rows) or 1)
    return Page(
        [CommitmentItem(**summary_fields(r), completion=r["completion"]) for r in found.items],
        found.next_cursor,
    )


async def commitments(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates
) -> list[CommitmentItem]:
    """Every commitment of the plan, by code."""
    return (await commitment_page(reader, plan_id, dates)).items


async def _classified(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates, within_days: int
) -> tuple[list[Overdue], list[Upcoming]]:
    await existing_plan(reader, plan_id, dates)
    overdue: list[Overdue] = []
    upcoming: list[Upcoming] = []
    for r in await reader.commitments(plan_id, dates.as_of, dates.known_at):
        found = deadline_class(r, dates.as_of, within_days)
        if found is None:
            continue
        kind, days = found
        if kind == "overdue":
            overdue.append(Overdue(**summary_fields(r), days_overdue=days))
        else:
            upcoming.append(Upcoming(**summary_fields(r), days_left=days))
    overdue.sort(key=_most_late)
    upcoming.sort(key=_soonest)
    return overdue, upcoming


def _most_late(c: Overdue) -> Key:
    return (-c.days_overdue, c.code)


def _soonest(c: Upcoming) -> Key:
    return (c.days_left, c.code)


async def deadlines(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates, within_days: int
) -> Deadlines:
    """Commitments past their deadline and not completed or cancelled (most late
    first), and those due within ``within_days`` (soonest first): every one of both,
    as the view always gave them (:func:`overdue_page` and :func:`upcoming_page` page
    through each)."""
    overdue, upcoming = await _classified(reader, plan_id, dates, within_days)
    return Deadlines(
        plan=plan_id,
        as_of=dates.as_of,
        within_days=within_days,
        overdue=overdue,
        upcoming=upcoming,
    )


async def overdue_page(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates, cursor: str | None, limit: int
) -> Page[Overdue]:
    """The deadlines view's ``overdue`` list, ``limit`` after ``cursor``, most late
    first; the cursor holds the last one's days late and code (the same ``as_of``
    keeps the order)."""
    overdue, _ = await _classified(reader, plan_id, dates, 0)
    return page(overdue, _most_late, "overdue", cursor, limit)


async def upcoming_page(
    reader: CommitmentsReader,
    plan_id: str,
    dates: ReportDates,
    within_days: int,
    cursor: str | None,
    limit: int,
) -> Page[Upcoming]:
    """The deadlines view's ``upcoming`` list, ``limit`` after ``cursor``, soonest first."""
    _, upcoming = await _classified(reader, plan_id, dates, within_days)
    return page(upcoming, _soonest, "upcoming", cursor, limit)


async def cards(
    read: Readers, dates: ReportDates, q: str | None = None, *, public_only: bool = False
) -> list[PlanCard]:
    """Every plan (whose title has ``q`` in it; only public ones for a visitor without
    a key) with its progress totals and money, for the overview."""
    out = []
    for summary in await plans(read.commitments, dates, q, public_only=public_only):
        report = await progress(read.commitments, summary.id, dates)
        funding = await money.plan_funding(read, summary.id, dates)
        out.append(PlanCard(plan=report.plan, totals=report.totals, funding=funding.totals))
    return out


async def choices(
    reader: CommitmentsReader, plan_id: str, dates: ReportDates, languages: Sequence[str] = ()
) -> tuple[list[str], list[tuple[str, str]]]:
    """What the plan's commitments can be filtered by: the parties they name and the
    plan's sections (code, title in the best of ``languages``), in order."""
    plan = await existing_plan(reader, plan_id, dates)
    rows = await reader.commitments(plan_id, dates.as_of, dates.known_at)
    parties = sorted({p["name"] for r in rows for p in r["parties"] or []}, key=folded)
    return parties, [(s["code"], text_in(stored(s["title"]), languages)) for s in plan["sections"]]
