"""The lists inside views, page by page (a plan's deadlines, a commitment's timeline
and flows), and the flows behind a plan's money figure: JSON arrays with
``Link: <…>; rel="next"`` while more follow. The views themselves keep their whole
lists, as they always gave them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from reporting.api.dependencies import (
    CommitmentSnapshot,
    Dates,
    FlowChoiceOf,
    Pages,
    PlanSnapshot,
    WithinDays,
    link_next,
)
from reporting.application import plans, provenance
from reporting.application.models import Flow, Overdue, PlanFlow, TimelineEntry, Upcoming
from reporting.application.texts import localised
from shared.http.languages import Languages
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1", responses=problem_responses(400, 401, 404, 422))


@router.get("/plans/{plan_id}/deadlines/overdue", tags=["plans"])
async def plan_overdue(
    request: Request,
    response: Response,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    paging: Pages,
    languages: Languages,
) -> list[Overdue]:
    """The deadlines view's ``overdue`` list page by page, most days late first."""
    found = await plans.overdue_page(read.commitments, plan_id, dates, paging.cursor, paging.limit)
    link_next(request, response, found.next_cursor)
    return localised(found.items, languages)


@router.get("/plans/{plan_id}/deadlines/upcoming", tags=["plans"])
async def plan_upcoming(
    request: Request,
    response: Response,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    paging: Pages,
    languages: Languages,
    within_days: WithinDays = 90,
) -> list[Upcoming]:
    """The deadlines view's ``upcoming`` list page by page, soonest first."""
    found = await plans.upcoming_page(
        read.commitments, plan_id, dates, within_days, paging.cursor, paging.limit
    )
    link_next(request, response, found.next_cursor)
    return localised(found.items, languages)


@router.get("/plans/{plan_id}/flows", tags=["plans"])
async def plan_flows(
    request: Request,
    response: Response,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    paging: Pages,
    choice: FlowChoiceOf,
) -> list[PlanFlow]:
    """The flows in force that one money figure of ``/funding`` adds up (``figure``,
    in ``currency``, of a ``section`` or ``source``), by business date, each with the
    partner that posted it, its business date, record time and event. A
    decommitment's amount counts against ``committed``."""
    found = await provenance.plan_flow_page(
        read, plan_id, dates, choice, paging.cursor, paging.limit
    )
    link_next(request, response, found.next_cursor)
    return found.items


@router.get("/commitments/{commitment_id}/timeline", tags=["commitments"])
async def commitment_timeline(
    request: Request,
    response: Response,
    commitment_id: str,
    read: CommitmentSnapshot,
    dates: Dates,
    paging: Pages,
    languages: Languages,
) -> list[TimelineEntry]:
    """The commitment view's ``timeline`` page by page: each event with its partner,
    business time (``occurred_at``) and record time (``recorded_at``)."""
    found = await provenance.timeline_page(read, commitment_id, dates, paging.cursor, paging.limit)
    link_next(request, response, found.next_cursor)
    return localised(found.items, languages)


@router.get("/commitments/{commitment_id}/flows", tags=["commitments"])
async def commitment_flows(
    request: Request,
    response: Response,
    commitment_id: str,
    read: CommitmentSnapshot,
    dates: Dates,
    paging: Pages,
) -> list[Flow]:
    """The commitment view's ``flows`` page by page, by business date."""
    found = await provenance.flow_page(read, commitment_id, dates, paging.cursor, paging.limit)
    link_next(request, response, found.next_cursor)
    return found.items
