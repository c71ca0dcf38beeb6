"""Reporting's JSON API: each route renders a view computed in the application layer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from reporting.api.dependencies import (
    Between,
    Caller,
    CommitmentSnapshot,
    ConvertTo,
    Criteria,
    Dates,
    ListSnapshot,
    OptionalPages,
    Pages,
    PlanSnapshot,
    Snapshot,
    SortBy,
    WithinDays,
    link_next,
)
from reporting.application import (
    changes,
    commitments,
    history,
    money,
    parties,
    plans,
    status,
    targets,
)
from reporting.application.models import (
    Changes,
    CommitmentItem,
    CommitmentView,
    ConsumerStatus,
    Deadlines,
    PlanFunding,
    PlanHistory,
    PlanSummary,
    Progress,
    Scorecard,
)
from reporting.application.models.targets import PlanTargets
from reporting.application.texts import localised
from shared.http.languages import Languages
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))
FOUND = problem_responses(404)


@router.get("/plans", tags=["plans"], responses=problem_responses(400))
async def list_plans(
    request: Request,
    response: Response,
    read: ListSnapshot,
    caller: Caller,
    dates: Dates,
    paging: Pages,
    languages: Languages,
    q: Annotated[
        str | None, Query(description="Text in the title, ignoring case and accents.")
    ] = None,
) -> list[PlanSummary]:
    """Every plan with its commitment counts, by code; without a key, the public ones."""
    found = await plans.plan_page(
        read.commitments, dates, q, paging.cursor, paging.limit, public_only=caller is None
    )
    link_next(request, response, found.next_cursor)
    return localised(found.items, languages)


@router.get("/plans/{plan_id}/progress", tags=["plans"], responses=FOUND)
async def plan_progress(
    plan_id: str, read: PlanSnapshot, dates: Dates, languages: Languages
) -> Progress:
    """The section tree with totals; a section's totals include its sub-sections."""
    return localised(await plans.progress(read.commitments, plan_id, dates), languages)


@router.get(
    "/plans/{plan_id}/commitments",
    tags=["plans"],
    responses={**FOUND, **problem_responses(400)},
)
async def plan_commitments(
    request: Request,
    response: Response,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    criteria: Criteria,
    paging: Pages,
    languages: Languages,
    sort: SortBy = "code",
) -> list[CommitmentItem]:
    """The plan's commitments that meet every filter given, in ``sort`` order."""
    found = await plans.commitment_page(
        read.commitments, plan_id, dates, criteria, sort, paging.cursor, paging.limit
    )
    link_next(request, response, found.next_cursor)
    return localised(found.items, languages)


@router.get("/plans/{plan_id}/deadlines", tags=["plans"], responses=FOUND)
async def plan_deadlines(
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    languages: Languages,
    within_days: WithinDays = 90,
) -> Deadlines:
    """Commitments past their deadline and not completed or cancelled (most late first),
    and those due within ``within_days`` (soonest first), every one of both;
    ``/deadlines/overdue`` and ``/deadlines/upcoming`` page through each."""
    view = await plans.deadlines(read.commitments, plan_id, dates, within_days)
    return localised(view, languages)


@router.get(
    "/plans/{plan_id}/changes", tags=["plans"], responses={**FOUND, **problem_responses(400)}
)
async def plan_changes(
    request: Request,
    response: Response,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    window: Between,
    paging: OptionalPages,
    languages: Languages,
) -> Changes:
    """What changed between two business dates (``from``, ``to``) or two record times
    (``known_from``, ``known_to``): status changes, reports, money, and corrections of
    the past recorded since the first, each with its event. Every change, unless
    ``limit`` or ``cursor`` asks for a page (then ``Link: rel="next"`` while more
    follow)."""
    if paging is None:
        return localised(await changes.changes(read.commitments, plan_id, window, dates), languages)
    view, following = await changes.change_page(
        read.commitments, plan_id, window, dates, paging.cursor, paging.limit
    )
    link_next(request, response, following)
    return localised(view, languages)


@router.get("/plans/{plan_id}/history", tags=["plans"], responses=FOUND)
async def plan_history(
    plan_id: str, read: PlanSnapshot, dates: Dates, languages: Languages
) -> PlanHistory:
    """The plan at the end of every month from its start (at most ten years back) to
    ``as_of``, as known at ``known_at``: commitments by status, and outgoing money
    pledged, committed, disbursed and spent, cumulated per currency."""
    return localised(await history.plan_history(read, plan_id, dates), languages)


@router.get("/plans/{plan_id}/targets", tags=["plans"], responses=FOUND)
async def plan_targets(
    plan_id: str, read: PlanSnapshot, dates: Dates, languages: Languages
) -> PlanTargets:
    """The targets the plan shares among several commitments, each at its sources'
    latest measurements on ``as_of`` as known at ``known_at``: the combined value (a
    sum, a weighted mean or the latest), and whether it meets its threshold."""
    return localised(await targets.plan_targets(read, plan_id, dates), languages)


@router.get("/commitments/{commitment_id}", tags=["commitments"], responses=FOUND)
async def commitment_view(
    commitment_id: str, read: CommitmentSnapshot, dates: Dates, languages: Languages
) -> CommitmentView:
    """The commitment as it stood on ``as_of`` as known at ``known_at``: indicators with
    their latest value and percent of the way to target, progress reports, milestones,
    and the timeline of events with their provenance."""
    return localised(await commitments.commitment(read, commitment_id, dates), languages)


@router.get("/plans/{plan_id}/funding", tags=["plans"], responses=FOUND)
async def plan_funding(
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    languages: Languages,
    convert_to: ConvertTo = None,
) -> PlanFunding:
    """Agreed, allocated, pledged, committed, disbursed and spent per currency, with
    absorption (disbursed ÷ committed), by source and by section. Currencies are never
    added together; ``convert_to`` adds a converted view naming every rate it used."""
    return localised(await money.plan_funding(read, plan_id, dates, convert_to), languages)


@router.get("/parties/{name}/scorecard", tags=["parties"], responses=FOUND)
async def party_scorecard(
    name: str, read: Snapshot, dates: Dates, languages: Languages
) -> Scorecard:
    """Everything one party committed to, across plans: totals by status, overdue,
    percent completed, by role and by plan, and the money on those commitments."""
    return localised(await parties.scorecard(read, name, dates), languages)


@router.get("/status", tags=["operations"])
async def consumer_status(request: Request, read: Snapshot) -> ConsumerStatus:
    """Consumed and end offsets, lag and last event time per topic partition."""
    return await status.consumer_status(
        read.commitments, request.app.state.consumer, request.app.state.freshness.lag()
    )
