"""What every read route needs: the caller, one consistent state of the read models,
and the dates asked for (defaults from the injected clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from reporting.adapters.queries import ReportingQueries, snapshot
from reporting.adapters.sessions import COOKIE, Sessions
from reporting.application.changes import Window
from reporting.application.dates import Clock, report_dates
from reporting.application.lists import DEFAULT_LIMIT, MAX_LIMIT, CommitmentFilter, Sort
from reporting.application.models import ReportDates
from reporting.application.ports import Readers
from reporting.application.provenance import FlowChoice, FlowFigure
from reporting.application.visibility import Subject, open_to_visitors
from shared.http.auth import (
    UNAUTHENTICATED,
    KeyAuthenticator,
    Principal,
    bearer_key,
    client_address,
)
from shared.http.problems import Problem


async def _session(request: Request) -> Principal | None:
    """The person the dashboard's session cookie names (reads only, as its export
    links make), or ``None``."""
    token = request.cookies.get(COOKIE) if request.method in ("GET", "HEAD") else None
    if not token:
        return None
    sessions: Sessions = request.app.state.sessions
    session = await sessions.find(token)
    return None if session is None else session.principal


async def get_principal(request: Request) -> Principal:
    """A bearer key, or the dashboard's session cookie: 401 without either."""
    auth: KeyAuthenticator = request.app.state.authenticator
    key = bearer_key(request)
    if key is None and (person := await _session(request)) is not None:
        request.state.principal = person
        return person
    principal = await auth.authenticate(key, client_address(request))
    request.state.principal = principal
    return principal


async def get_caller(request: Request) -> Principal | None:
    """Like :func:`get_principal`, but a request with no key and no live session is a
    visitor (``None``) instead of a 401; a wrong key is still a 401."""
    if bearer_key(request) is None and await _session(request) is None:
        return None
    return await get_principal(request)


Reader = Annotated[Principal, Depends(get_principal)]
#: The caller of a route that public plans open to visitors; ``None`` for a visitor.
Caller = Annotated[Principal | None, Depends(get_caller)]


async def get_readers(request: Request, _: Reader) -> AsyncIterator[Readers]:
    """Every read of one request sees the same state. The caller is authenticated
    first: the key lookup takes a connection of its own, and a burst of requests each
    holding a snapshot while waiting for one would exhaust the pool."""
    async with snapshot(request.app.state.pool) as readers:
        yield readers


Snapshot = Annotated[Readers, Depends(get_readers)]


def opened_by(subject: Subject | None) -> Callable[[Request, Principal | None], Awaitable[None]]:
    """A dependency letting a visitor through when the plan (or commitment) the path
    names is public; a 401, as without a key, when it is not. ``None``: a list, open
    to visitors, that the route narrows to public plans itself."""

    async def check(request: Request, caller: Caller) -> None:
        if caller is not None or subject is None:
            return
        reader = ReportingQueries(request.app.state.pool)
        if not await open_to_visitors(reader, subject, request.path_params[subject]):
            raise Problem(
                401,
                "unauthenticated",
                "a key is needed: this plan is not public",
                headers=UNAUTHENTICATED,
            )

    return check


def _readers_after(gate: Callable[..., Awaitable[None]]) -> Callable[..., AsyncIterator[Readers]]:
    """The read models once ``gate`` let the caller in (a default, not an annotation:
    the gate is a closure, which a postponed annotation could not name)."""

    async def readers(request: Request, _: None = Depends(gate)) -> AsyncIterator[Readers]:
        async with snapshot(request.app.state.pool) as read:
            yield read

    return readers


_PLAN, _COMMITMENT, _LIST = opened_by("plan_id"), opened_by("commitment_id"), opened_by(None)
#: Routes of one plan that a public plan opens to visitors.
OpenPlan = Annotated[None, Depends(_PLAN)]
#: The read models for a caller with a key, or for a visitor to a public plan's route.
PlanSnapshot = Annotated[Readers, Depends(_readers_after(_PLAN))]
CommitmentSnapshot = Annotated[Readers, Depends(_readers_after(_COMMITMENT))]
ListSnapshot = Annotated[Readers, Depends(_readers_after(_LIST))]


def get_dates(
    request: Request,
    as_of: Annotated[date | None, Query(description="Business date (default today, UTC).")] = None,
    known_at: Annotated[
        datetime | None, Query(description="Record time: what was known then (default now).")
    ] = None,
) -> ReportDates:
    clock: Clock = request.app.state.clock
    return report_dates(as_of, known_at, clock())


Dates = Annotated[ReportDates, Depends(get_dates)]
ConvertTo = Annotated[
    str | None,
    Query(pattern=r"^[A-Z]{3}$", description="Also show totals converted to this currency"),
]


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    cursor: str | None


def get_paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 1000).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(description='Where the page starts: the `cursor` of the Link rel="next".'),
    ] = None,
) -> Paging:
    return Paging(limit, cursor)


Pages = Annotated[Paging, Depends(get_paging)]


def get_optional_paging(
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description="Items per page (at most 1000); without it or a cursor, every item.",
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(description='Where the page starts: the `cursor` of the Link rel="next".'),
    ] = None,
) -> Paging | None:
    """Paging for a view that has always answered whole: only when asked for."""
    if limit is None and cursor is None:
        return None
    return Paging(limit or DEFAULT_LIMIT, cursor)


#: Paging a view's list when ``limit`` or ``cursor`` is given (its answer stays whole
#: otherwise, as it always was).
OptionalPages = Annotated[Paging | None, Depends(get_optional_paging)]
WithinDays = Annotated[int, Query(ge=0, le=3660, description="Days ahead that count as upcoming.")]


def get_flow_choice(
    figure: Annotated[
        FlowFigure | None,
        Query(description="The figure of /funding whose flows to list (all flows without)."),
    ] = None,
    currency: Annotated[
        str | None, Query(pattern=r"^[A-Z]{3}$", description="Only flows in this currency.")
    ] = None,
    section: Annotated[
        str | None, Query(description="Only flows of this section (as by_section groups).")
    ] = None,
    source: Annotated[
        str | None, Query(description="Only flows from this source (as by_source groups).")
    ] = None,
) -> FlowChoice:
    return FlowChoice(figure=figure, currency=currency, section=section, source=source)


FlowChoiceOf = Annotated[FlowChoice, Depends(get_flow_choice)]


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """``Link: <…>; rel="next"`` when more items follow, with every other parameter
    of this request kept."""
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'


def get_criteria(
    status: Annotated[
        list[str] | None,
        Query(
            description="planned, launched, completed, suspended or cancelled; "
            "repeat it or separate with commas for several."
        ),
    ] = None,
    party: Annotated[str | None, Query(description="A party, in any role.")] = None,
    section: Annotated[
        str | None, Query(description="A section code; its sub-sections are included.")
    ] = None,
    priority: bool | None = None,
    overdue: Annotated[
        bool | None, Query(description="Past the deadline on as_of, not completed or cancelled.")
    ] = None,
    deadline_from: Annotated[
        date | None, Query(description="Deadline ending on or after this day.")
    ] = None,
    deadline_to: Annotated[
        date | None, Query(description="Deadline ending on or before this day.")
    ] = None,
    q: Annotated[
        str | None, Query(description="Text in the title, ignoring case and accents.")
    ] = None,
) -> CommitmentFilter:
    statuses = {s.strip() for value in status or [] for s in value.split(",") if s.strip()}
    return CommitmentFilter(
        status=frozenset(statuses),
        party=party,
        section=section,
        priority=priority,
        overdue=overdue,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        q=q,
    )


Criteria = Annotated[CommitmentFilter, Depends(get_criteria)]
SortBy = Annotated[Sort, Query(description="code, deadline, -deadline or status.")]


def get_window(
    start: Annotated[
        date | None, Query(alias="from", description="First business date (inclusive).")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last business date (inclusive).")
    ] = None,
    known_from: Annotated[
        datetime | None, Query(description="First record time (RFC 3339, inclusive).")
    ] = None,
    known_to: Annotated[
        datetime | None, Query(description="Last record time (RFC 3339, inclusive).")
    ] = None,
) -> Window:
    def utc(t: datetime | None) -> datetime | None:
        """A time without an offset is read as UTC."""
        return t if t is None or t.tzinfo is not None else t.replace(tzinfo=UTC)

    return Window(start, end, utc(known_from), utc(known_to))


Between = Annotated[Window, Depends(get_window)]
