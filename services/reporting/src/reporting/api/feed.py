"""``GET /v1/feed``: every change a caller may see, in a stable order, from a cursor,
long-polled with ``wait``: what a partner follows instead of polling every view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from reporting.adapters.feed import FeedQueries
from reporting.api.dependencies import Reader
from reporting.application import feed
from reporting.application.feed import FeedFilter
from reporting.application.models import FeedPage
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["feed"], responses=problem_responses(400, 401, 422))


@router.get("/feed", response_model=FeedPage)
async def follow_feed(
    request: Request,
    principal: Reader,
    after: Annotated[str | None, Query(description="A previous answer's cursor.")] = None,
    types: Annotated[
        str | None, Query(description="Event types to show, comma-separated (default all).")
    ] = None,
    plan: Annotated[str | None, Query(description="Only this plan's changes.")] = None,
    wait: Annotated[
        float, Query(description="Seconds (≤ 30) to hold the answer until a change comes.")
    ] = 0.0,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
) -> FeedPage:
    """Changes after ``after`` (from the beginning of history without it), each a
    CloudEvent; continue with the answer's ``cursor``. A partner limited to plans or
    parties sees only theirs."""
    only = FeedFilter(
        types=tuple(t.strip() for t in (types or "").split(",") if t.strip()),
        plan=plan,
        plans=principal.scope.plans,
        parties=principal.scope.parties,
    )
    # Answered two seconds before the request's deadline, whatever the wait.
    hold = request.app.state.settings.request_timeout_seconds - 2
    queries = FeedQueries(request.app.state.pool)
    return await feed.follow(queries, after, only, limit, wait, hold=hold)
