"""The dashboard's pages. Each page calls the same functions as the JSON API, so the
figures on screen are the API's figures. Sign-in: the same bearer header as the API,
or a cookie set by the form at ``/login``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.queries import ReportingQueries, consistent_reads
from reporting.api import routes as api
from reporting.application.views import percent_of_way
from reporting.web.charts import indicator_chart
from shared.http.auth import KeyAuthenticator, Principal, bearer_key
from shared.http.problems import Problem

router = APIRouter(include_in_schema=False)
COOKIE = "pactstream_key"

templates = Environment(
    loader=FileSystemLoader(str(files("reporting.web").joinpath("templates"))),
    autoescape=select_autoescape(["html"]),
)


def _thousands(amount: str) -> str:
    whole, _, cents = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + "\u202f".join(groups or ["0"]) + (f".{cents}" if cents else "")


templates.filters["thousands"] = _thousands


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)


async def _principal(request: Request) -> Principal | None:
    auth: KeyAuthenticator = request.app.state.authenticator
    key = bearer_key(request) or request.cookies.get(COOKIE)
    if key is None:
        return None
    try:
        return await auth.authenticate(key)
    except Problem:
        return None


def _login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _day(as_of: str | None) -> date | None:
    if not as_of:
        return None
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise Problem(400, "invalid-date", f"as_of must be YYYY-MM-DD, got {as_of!r}") from None


def _known(known_at: str | None) -> datetime | None:
    if not known_at:
        return None
    try:
        return datetime.fromisoformat(known_at.replace("Z", "+00:00"))
    except ValueError:
        raise Problem(400, "invalid-date", f"known_at must be ISO 8601, got {known_at!r}") from None


def _error(problem: Problem) -> HTMLResponse:
    return HTMLResponse(
        templates.from_string(
            '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>'
            '<p>{{ detail }}</p><p><a href="/">All plans</a></p>{% endblock %}'
        ).render(title=f"{problem.status}", detail=problem.detail),
        status_code=problem.status,
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render("login.html", next=next, error=None)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0]
    target = (form.get("next") or ["/"])[0]
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    auth: KeyAuthenticator = request.app.state.authenticator
    try:
        await auth.authenticate(key or None)
    except Problem:
        return render("login.html", status=401, next=target, error="That key is not valid.")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, key, httponly=True, samesite="lax", max_age=8 * 3600)
    return response


@router.get("/logout")
async def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


Build = Callable[
    [Principal, ReportingQueries, FundingQueries, date | None, datetime | None],
    Awaitable[Response],
]


async def _page(
    request: Request, as_of: str | None, known_at: str | None, build: Build
) -> Response:
    """Sign-in, the read models, the dates, and an error page for any problem: what
    every page needs before it builds its own content."""
    principal = await _principal(request)
    if principal is None:
        return _login(request)
    try:
        async with consistent_reads(request.app.state.pool) as conn:
            queries, funding = ReportingQueries(conn), FundingQueries(conn)
            return await build(principal, queries, funding, _day(as_of), _known(known_at))
    except Problem as problem:
        return _error(problem)


@router.get("/", response_class=HTMLResponse, response_model=None)
async def overview(
    request: Request, as_of: str | None = None, known_at: str | None = None
) -> Response:
    async def build(
        principal: Principal,
        queries: ReportingQueries,
        funding: FundingQueries,
        day: date | None,
        known: datetime | None,
    ) -> Response:
        plans = await api.list_plans(queries, principal, day, known)
        cards = []
        shown = (day or date.today()).isoformat()
        for p in plans:
            report = await api.plan_progress(p["id"], queries, principal, day, known)
            money = await api.plan_funding(p["id"], queries, funding, principal, day, known)
            cards.append(
                {"plan": report["plan"], "totals": report["totals"], "funding": money["totals"]}
            )
            shown = report["as_of"]
        return render("overview.html", plans=cards, as_of=shown)

    return await _page(request, as_of, known_at, build)


@router.get("/plans/{plan_id}", response_class=HTMLResponse, response_model=None)
async def plan_page(
    request: Request, plan_id: str, as_of: str | None = None, known_at: str | None = None
) -> Response:
    async def build(
        principal: Principal,
        queries: ReportingQueries,
        funding: FundingQueries,
        day: date | None,
        known: datetime | None,
    ) -> Response:
        report = await api.plan_progress(plan_id, queries, principal, day, known)
        deadlines = await api.plan_deadlines(plan_id, queries, principal, day, known, 90)
        money = await api.plan_funding(plan_id, queries, funding, principal, day, known)
        commitments = await api.plan_commitments(plan_id, queries, principal, day, known)
        report_day = date.fromisoformat(report["as_of"])
        known_at_time = datetime.fromisoformat(report["known_at"])
        measured: dict[tuple[str, str], list[tuple[date, Any]]] = {}
        for m in await queries.plan_measurements(plan_id, report_day, known_at_time):
            measured.setdefault((m["commitment_id"], m["indicator"]), []).append(
                (m["as_of"], m["value"])
            )
        charts = [
            _chart(
                row["commitment_id"],
                row["commitment_code"],
                row["definition"],
                measured.get((row["commitment_id"], row["code"]), []),
            )
            for row in await queries.plan_indicators(plan_id, known_at_time)
        ]
        return render(
            "plan.html",
            report=report,
            deadlines=deadlines,
            funding=money,
            commitments=commitments,
            charts=charts,
            as_of=report["as_of"],
        )

    return await _page(request, as_of, known_at, build)


def _chart(
    commitment_id: str, code: str, definition: dict[str, Any], measured: list[tuple[date, Any]]
) -> dict[str, Any]:
    baseline = definition.get("baseline")
    target = definition["target"]

    def when(point: dict[str, Any] | None) -> date | None:
        return date.fromisoformat(point["date"]) if point and point.get("date") else None

    return {
        "commitment": commitment_id,
        "code": code,
        "title": definition["title"],
        "pct": percent_of_way(definition, measured[-1][1] if measured else None),
        "svg": indicator_chart(
            definition["title"],
            definition["unit"],
            None if baseline is None else (when(baseline), baseline.get("value")),
            (when(target), target.get("value")),
            measured,
        ),
    }


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse, response_model=None)
async def commitment_page(
    request: Request,
    commitment_id: str,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    async def build(
        principal: Principal,
        queries: ReportingQueries,
        funding: FundingQueries,
        day: date | None,
        known: datetime | None,
    ) -> Response:
        view = await api.commitment_view(commitment_id, queries, funding, principal, day, known)
        view_known = datetime.fromisoformat(view["known_at"])
        plan = await queries.plan(view["plan"], view_known)
        measured = await queries.measurements(
            commitment_id, date.fromisoformat(view["as_of"]), view_known
        )
        charts = [
            _chart(
                commitment_id,
                view["code"],
                {k: v for k, v in i.items() if k not in {"latest", "progress_pct"}},
                [(m["as_of"], m["value"]) for m in measured if m["indicator"] == i["code"]],
            )
            for i in view["indicators"]
        ]
        return render(
            "commitment.html",
            c=view,
            charts=charts,
            as_of=view["as_of"],
            plan_code=plan["code"] if plan else view["plan"],
            language=plan["language"] if plan else "en",
        )

    return await _page(request, as_of, known_at, build)


@router.get("/parties/{name}", response_class=HTMLResponse, response_model=None)
async def party_page(
    request: Request, name: str, as_of: str | None = None, known_at: str | None = None
) -> Response:
    async def build(
        principal: Principal,
        queries: ReportingQueries,
        funding: FundingQueries,
        day: date | None,
        known: datetime | None,
    ) -> Response:
        scorecard = await api.party_scorecard(name, queries, funding, principal, day, known)
        return render("party.html", s=scorecard, as_of=scorecard["as_of"])

    return await _page(request, as_of, known_at, build)
