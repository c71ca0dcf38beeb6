"""The dashboard's pages: each renders the same views as the JSON API, computed in the
application layer, so the figures on screen are the API's figures. Sign-in:
:mod:`reporting.web.signin`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from reporting.adapters.queries import ReportingQueries, snapshot
from reporting.application import (
    changes,
    commitments,
    money,
    parties,
    plans,
    provenance,
    revisions,
    targets,
)
from reporting.application.dates import Clock, report_dates
from reporting.application.errors import InvalidCursor, InvalidQuery, ReportingError
from reporting.application.history import plan_history
from reporting.application.models import IndicatorSeries, ReportDates
from reporting.application.ports import Readers
from reporting.application.texts import language_in, localised
from reporting.application.visibility import Subject, open_to_visitors
from reporting.web.charts import indicator_chart
from reporting.web.finding import (
    DEADLINES_PAGE,
    EVENTS_PAGE,
    PAGE_SIZE,
    dates_query,
    finder,
    first_page,
    page_link,
)
from reporting.web.languages import Language
from reporting.web.signin import principal, sign_in_again
from reporting.web.templates import language_of, render
from reporting.web.terms import N_
from shared.http.problems import Problem

router = APIRouter(include_in_schema=False)


def _dates(request: Request, as_of: str | None, known_at: str | None) -> ReportDates:
    day = known = None
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise Problem(400, "invalid-date", f"as_of must be YYYY-MM-DD, got {as_of!r}") from None
    try:
        known = datetime.fromisoformat(known_at.replace("Z", "+00:00")) if known_at else None
    except ValueError:
        raise Problem(400, "invalid-date", f"known_at must be ISO 8601, got {known_at!r}") from None
    clock: Clock = request.app.state.clock
    return report_dates(day, known, clock())


#: Error pages by status: a title and what the reader can do. The problem's own detail
#: (in English, as the API gives it) follows, marked as English.
_ERRORS: dict[int, tuple[str, str]] = {
    400: (
        N_("This page cannot be shown"),
        N_("Something in the address is not understood; check its dates and filters."),
    ),
    404: (N_("Not found"), N_("Nothing here by that name; it may not exist yet.")),
    422: (
        N_("This page cannot be shown"),
        N_("Some of the choices in the address cannot be used together."),
    ),
}
_OTHER_ERROR = (N_("Something went wrong"), N_("Please try again in a moment."))


def _error(request: Request, status: int, detail: str) -> HTMLResponse:
    words = language_of(request)
    title, message = _ERRORS.get(status, _OTHER_ERROR)
    return render(
        request,
        "error.html",
        status,
        title=words.gettext(title),
        message=words.gettext(message),
        detail=detail,
    )


Page = Callable[[Readers, ReportDates], Awaitable[HTMLResponse]]
#: What a page shows a visitor without a key: one plan's (or commitment's) page when
#: its plan is public, the public plans on the overview, or nothing (``None``).
Opens = tuple[Subject, str] | Literal["public plans"] | None


async def _open(request: Request, opens: Opens) -> bool:
    reader = ReportingQueries(request.app.state.pool)
    if opens is None:
        return False
    if opens == "public plans":
        return bool(await reader.public_plans())
    return await open_to_visitors(reader, *opens)


async def _page(
    request: Request, as_of: str | None, known_at: str | None, page: Page, opens: Opens = None
) -> Response:
    """Sign-in (or a visitor to what a public plan opens), the read models, the
    dates, and an error page for any problem: what every page needs before it builds
    its own content. ``request.state.visitor`` tells the page who it is for."""
    request.state.visitor = await principal(request) is None
    if request.state.visitor and not await _open(request, opens):
        return sign_in_again(request)
    try:
        dates = _dates(request, as_of, known_at)
        async with snapshot(request.app.state.pool) as read:
            return await page(read, dates)
    except Problem as problem:
        return _error(request, problem.status, problem.detail)
    except ReportingError as error:
        return _error(request, _status(error), error.detail)


def _status(error: ReportingError) -> int:
    if isinstance(error, InvalidCursor):
        return 400
    return 422 if isinstance(error, InvalidQuery) else 404


def _chart(series: IndicatorSeries, today: date, words: Language) -> dict[str, Any]:
    indicator = localised(series.definition, (words.code,))
    baseline = indicator.baseline
    return {
        "commitment": series.commitment,
        "code": series.commitment_code,
        "title": indicator.title,
        "lang": language_in(indicator.titles, (words.code,)) if indicator.titles else None,
        "pct": indicator.progress_pct,
        "svg": indicator_chart(
            indicator.title,
            indicator.unit,
            None if baseline is None else (baseline.date, baseline.value),
            (indicator.target.date, indicator.target.value),
            [(m.as_of, m.value) for m in series.measured],
            today,
            words,
        ),
    }


@router.get("/", response_class=HTMLResponse, response_model=None)
async def overview(
    request: Request, as_of: str | None = None, known_at: str | None = None, q: str = ""
) -> Response:
    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        cards = await plans.cards(read, dates, q or None, public_only=request.state.visitor)
        return render(request, "overview.html", plans=cards, as_of=dates.as_of, q=q)

    return await _page(request, as_of, known_at, page, "public plans")


@router.get("/plans/{plan_id}", response_class=HTMLResponse, response_model=None)
async def plan_page(
    request: Request, plan_id: str, as_of: str | None = None, known_at: str | None = None
) -> Response:
    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        series = await commitments.plan_series(read.commitments, plan_id, dates)
        finding = finder(request.query_params)
        listed = await plans.commitment_page(
            read.commitments, plan_id, dates, *finding.query(), limit=finding.limit
        )
        words = language_of(request)
        parties, sections = await plans.choices(read.commitments, plan_id, dates, (words.code,))
        return render(
            request,
            "plan.html",
            report=await plans.progress(read.commitments, plan_id, dates),
            deadlines=await plans.deadlines(read.commitments, plan_id, dates, 90),
            **await _deadline_pages(request, read, plan_id, dates),
            funding=await money.plan_funding(read, plan_id, dates),
            commitments=listed.items,
            finding=finding,
            parties=parties,
            sections=sections,
            next_page=finding.next_page(request, listed.next_cursor),
            first_page=first_page(request, "cursor", "list-h"),
            soon_until=dates.as_of + timedelta(days=90),
            charts=[_chart(s, dates.as_of, words) for s in series],
            history=await plan_history(read, plan_id, dates),
            targets=(await targets.plan_targets(read, plan_id, dates)).targets,
            revisions=[
                r
                for r in (await revisions.revisions(read.commitments, plan_id, dates)).revisions
                if r.as_of <= dates.as_of
            ],
            as_of=dates.as_of,
            at=dates_query(request, dates.as_of),
            known_at=known_at,
        )

    return await _page(request, as_of, known_at, page, ("plan_id", plan_id))


async def _deadline_pages(
    request: Request, read: Readers, plan_id: str, dates: ReportDates
) -> dict[str, Any]:
    """The plan page's overdue and upcoming lists, each a page at a time with links to
    its next and first pages."""
    params = request.query_params
    overdue = await plans.overdue_page(
        read.commitments, plan_id, dates, params.get("overdue_cursor"), DEADLINES_PAGE
    )
    upcoming = await plans.upcoming_page(
        read.commitments, plan_id, dates, 90, params.get("upcoming_cursor"), DEADLINES_PAGE
    )
    return {
        "overdue": overdue.items,
        "overdue_next": page_link(request, "overdue_cursor", overdue.next_cursor, "overdue-h"),
        "overdue_first": first_page(request, "overdue_cursor", "overdue-h"),
        "upcoming": upcoming.items,
        "upcoming_next": page_link(request, "upcoming_cursor", upcoming.next_cursor, "soon-h"),
        "upcoming_first": first_page(request, "upcoming_cursor", "soon-h"),
    }


@router.get("/plans/{plan_id}/flows", response_class=HTMLResponse, response_model=None)
async def flows_page(
    request: Request, plan_id: str, as_of: str | None = None, known_at: str | None = None
) -> Response:
    """What one money figure of the plan page adds up, with its provenance: the flows
    (or, for ``agreed``, the agreements) beside the figure as the plan page shows it."""

    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        params = request.query_params
        figure, currency = params.get("figure") or None, params.get("currency") or None
        section, source = params.get("section") or None, params.get("source") or None
        funding = await money.plan_funding(read, plan_id, dates)
        agreed = figure == "agreed"
        choice = provenance.FlowChoice(None if agreed else figure, currency, section, source)
        found = await provenance.plan_flow_page(
            read, plan_id, dates, choice, params.get("cursor"), PAGE_SIZE
        )
        return render(
            request,
            "flows.html",
            plan=funding.plan,
            choice=choice,
            figure_name=figure,
            figure=provenance.shown_figure(funding, figure, currency, section, source),
            agreements=provenance.agreements_behind(funding, currency, section, source)
            if agreed
            else None,
            flows=[] if agreed else found.items,
            next_page=None
            if agreed
            else page_link(request, "cursor", found.next_cursor, "flows-h"),
            first=first_page(request, "cursor", "flows-h"),
            as_of=dates.as_of,
            at=dates_query(request, dates.as_of),
        )

    return await _page(request, as_of, known_at, page, ("plan_id", plan_id))


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse, response_model=None)
async def commitment_page(
    request: Request,
    commitment_id: str,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        view = await commitments.commitment(read, commitment_id, dates)
        plan = await read.commitments.plan(view.plan, dates.known_at)
        series = await commitments.commitment_series(read.commitments, view)
        params = request.query_params
        timeline = await provenance.timeline_page(
            read, commitment_id, dates, params.get("timeline_cursor"), EVENTS_PAGE
        )
        flows = await provenance.flow_page(
            read, commitment_id, dates, params.get("flows_cursor"), EVENTS_PAGE
        )
        return render(
            request,
            "commitment.html",
            c=view,
            charts=[_chart(s, dates.as_of, language_of(request)) for s in series],
            as_of=view.as_of,
            at=dates_query(request, view.as_of),
            plan_code=plan["code"] if plan else view.plan,
            language=plan["language"] if plan else "en",
            timeline=timeline.items,
            timeline_next=page_link(request, "timeline_cursor", timeline.next_cursor, "timeline"),
            timeline_first=first_page(request, "timeline_cursor", "timeline"),
            flows=flows.items,
            flows_next=page_link(request, "flows_cursor", flows.next_cursor, "flows"),
            flows_first=first_page(request, "flows_cursor", "flows"),
        )

    return await _page(request, as_of, known_at, page, ("commitment_id", commitment_id))


@router.get("/parties/{name}", response_class=HTMLResponse, response_model=None)
async def party_page(
    request: Request, name: str, as_of: str | None = None, known_at: str | None = None
) -> Response:
    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        scorecard = await parties.scorecard(read, name, dates)
        return render(request, "party.html", s=scorecard, as_of=scorecard.as_of)

    return await _page(request, as_of, known_at, page)


@router.get("/plans/{plan_id}/changes", response_class=HTMLResponse, response_model=None)
async def changes_page(
    request: Request,
    plan_id: str,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    """Two business dates side by side: what changed from the first to the second."""

    async def page(read: Readers, dates: ReportDates) -> HTMLResponse:
        start = _date(request.query_params.get("from"), "from") or dates.as_of - timedelta(days=365)
        end = _date(request.query_params.get("to"), "to") or dates.as_of
        view = await changes.changes(read.commitments, plan_id, changes.Window(start, end), dates)
        plan = await plans.progress(read.commitments, plan_id, dates)
        return render(request, "changes.html", plan=plan.plan, view=view, as_of=dates.as_of)

    return await _page(request, as_of, known_at, page, ("plan_id", plan_id))


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Problem(400, "invalid-date", f"{name} must be YYYY-MM-DD, got {text!r}") from None
