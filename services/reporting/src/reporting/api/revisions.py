"""A plan's revisions, and what changed between two of them, as JSON and as files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from reporting.api.dependencies import Dates, PlanSnapshot
from reporting.api.exports import FILES, _file, _json
from reporting.application import revisions
from reporting.application.models.revisions import PlanRevisions
from reporting.application.revision_tables import revisions_table
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1", responses=problem_responses(401, 422))

First = Annotated[
    int | None,
    Query(alias="from", ge=0, description="A revision number (0: the plan as created)."),
]
Last = Annotated[
    int | None, Query(alias="to", ge=0, description="A revision number (default: the latest).")
]


@router.get(
    "/plans/{plan_id}/revisions",
    tags=["plans"],
    responses=problem_responses(404),
    response_model=PlanRevisions,
    response_model_by_alias=True,
)
async def plan_revisions(
    plan_id: str, read: PlanSnapshot, dates: Dates, first: First = None, last: Last = None
) -> PlanRevisions:
    """The plan's revisions after ``from`` (default 0) up to ``to`` (default the
    latest), each with its date, reason, record time and what it changed, and what
    changed from ``from`` to ``to`` as a whole: sections added, renamed, moved under
    another parent or retired, commitments moved."""
    return await revisions.revisions(read.commitments, plan_id, dates, first, last)


@router.get(
    "/plans/{plan_id}/revisions.csv", response_class=Response, tags=["exports"], responses=FILES
)
@router.get(
    "/plans/{plan_id}/revisions.xlsx", response_class=Response, tags=["exports"], responses=FILES
)
@router.get(
    "/plans/{plan_id}/revisions.json", response_class=Response, tags=["exports"], responses=FILES
)
async def export_revisions(
    request: Request,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    first: First = None,
    last: Last = None,
) -> Response:
    """What changed from revision ``from`` to ``to``, one row per change."""
    view = await revisions.revisions(read.commitments, plan_id, dates, first, last)
    return _file(request, [revisions_table(view)], _json(view), f"{plan_id}-revisions", dates)
