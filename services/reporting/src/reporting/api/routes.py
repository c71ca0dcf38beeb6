"""Routes of the reporting service: read models over HTTP, JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.queries import ReportingQueries, consistent_reads
from reporting.application.funding import Ledger, Rate, convert
from reporting.application.progress import STATUSES, progress_tree, totals
from reporting.application.views import deadline_class, percent_of_way
from shared.database import Connection
from shared.http.auth import KeyAuthenticator, Principal, bearer_key
from shared.http.problems import Problem
from shared.money import format_amount

router = APIRouter(prefix="/v1")


async def get_principal(request: Request) -> Principal:
    auth: KeyAuthenticator = request.app.state.authenticator
    principal = await auth.authenticate(bearer_key(request))
    request.state.principal = principal
    return principal


async def read_snapshot(
    request: Request, _: Annotated[Principal, Depends(get_principal)]
) -> AsyncIterator[Connection]:
    """Every read of one request sees the same state (FastAPI hands each dependency
    below the same connection). The caller is authenticated first: the key lookup
    takes a connection of its own, and a burst of requests each holding a snapshot
    while waiting for one would exhaust the pool."""
    async with consistent_reads(request.app.state.pool) as conn:
        yield conn


Snapshot = Annotated[Connection, Depends(read_snapshot)]


async def get_queries(conn: Snapshot) -> ReportingQueries:
    return ReportingQueries(conn)


async def get_funding(conn: Snapshot) -> FundingQueries:
    return FundingQueries(conn)


Reader = Annotated[Principal, Depends(get_principal)]
Queries = Annotated[ReportingQueries, Depends(get_queries)]
Funding = Annotated[FundingQueries, Depends(get_funding)]
ConvertTo = Annotated[
    str | None,
    Query(pattern=r"^[A-Z]{3}$", description="Also show totals converted to this currency"),
]
AsOf = Annotated[date | None, Query(description="Business date (default today).")]
KnownAt = Annotated[
    datetime | None, Query(description="Record time: what was known then (default now).")
]


def _dates(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    now = datetime.now(UTC)
    if known_at is not None:
        if known_at.tzinfo is None:
            known_at = known_at.replace(tzinfo=UTC)
        try:
            known_at = known_at.astimezone(UTC)
        except (OverflowError, ValueError):
            raise Problem(
                422,
                "invalid-date",
                "known_at is outside the representable range",
                errors=[{"pointer": "", "in": "query", "detail": "known_at"}],
            ) from None
    return as_of or now.date(), known_at or now


def _plan_head(plan: Any) -> dict[str, Any]:
    return {
        "id": plan["plan_id"],
        "code": plan["code"],
        "title": plan["title"],
        "language": plan["language"],
        "period": plan["period"],
    }


@router.get("/plans", tags=["plans"])
async def list_plans(
    queries: Queries, _: Reader, as_of: AsOf = None, known_at: KnownAt = None
) -> list[dict[str, Any]]:
    """Every plan with its commitment counts."""
    day, known = _dates(as_of, known_at)
    return [
        {
            **_plan_head(r),
            "commitments": r["commitments"],
            "priority": r["priority"],
            "completed": r["completed"],
        }
        for r in await queries.plans(day, known)
    ]


async def _progress(
    queries: ReportingQueries, plan_id: str, day: date, known: datetime
) -> dict[str, Any]:
    plan = await queries.plan(plan_id, known)
    if plan is None:
        raise Problem(404, "not-found", f"no plan {plan_id!r} (yet) in reporting")
    rows = await queries.progress_rows(plan_id, day, known)
    plan_totals, sections = progress_tree(plan["sections"], rows, day)
    return {
        "plan": _plan_head(plan),
        "as_of": day.isoformat(),
        "known_at": known.isoformat(),
        "totals": plan_totals,
        "sections": sections,
    }


@router.get("/plans/{plan_id}/progress", tags=["plans"])
async def plan_progress(
    plan_id: str, queries: Queries, _: Reader, as_of: AsOf = None, known_at: KnownAt = None
) -> dict[str, Any]:
    """The section tree with totals; a section's totals include its sub-sections."""
    day, known = _dates(as_of, known_at)
    return await _progress(queries, plan_id, day, known)


@router.get("/plans/{plan_id}/progress.csv", tags=["plans"], response_class=Response)
async def plan_progress_csv(
    plan_id: str, queries: Queries, _: Reader, as_of: AsOf = None, known_at: KnownAt = None
) -> Response:
    """The progress tree flattened: one row for the plan, one per section."""
    day, known = _dates(as_of, known_at)
    report = await _progress(queries, plan_id, day, known)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["level", "code", "title", "commitments", "priority", *STATUSES, "overdue", "completed_pct"]
    )

    def emit(level: int, code: str, title: str, t: dict[str, Any]) -> None:
        writer.writerow(
            [
                level,
                code,
                title,
                t["commitments"],
                t["priority"],
                *(t["by_status"][s] for s in STATUSES),
                t["overdue"],
                t["completed_pct"],
            ]
        )

    emit(0, report["plan"]["code"], report["plan"]["title"], report["totals"])

    def walk(nodes: list[dict[str, Any]], level: int) -> None:
        for node in nodes:
            emit(level, node["code"], node["title"], node["totals"])
            walk(node["sections"], level + 1)

    walk(report["sections"], 1)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.get("/plans/{plan_id}/commitments", tags=["plans"])
async def plan_commitments(
    plan_id: str, queries: Queries, _: Reader, as_of: AsOf = None, known_at: KnownAt = None
) -> list[dict[str, Any]]:
    day, known = _dates(as_of, known_at)
    if await queries.plan(plan_id, known) is None:
        raise Problem(404, "not-found", f"no plan {plan_id!r} (yet) in reporting")
    return [
        {
            "id": r["commitment_id"],
            "code": r["code"],
            "section": r["section"],
            "title": r["title"],
            "status": r["status"],
            "priority": r["priority"],
            "deadline": r["deadline"],
            "parties": r["parties"],
            "completion": r["completion"],
        }
        for r in await queries.commitments(plan_id, day, known)
    ]


def _summary(r: Any) -> dict[str, Any]:
    return {
        "id": r["commitment_id"],
        "code": r["code"],
        "section": r["section"],
        "title": r["title"],
        "status": r["status"],
        "priority": r["priority"],
        "deadline": r["deadline"],
        "parties": r["parties"],
    }


@router.get("/plans/{plan_id}/deadlines", tags=["plans"])
async def plan_deadlines(
    plan_id: str,
    queries: Queries,
    _: Reader,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    within_days: Annotated[int, Query(ge=0, le=3660)] = 90,
) -> dict[str, Any]:
    """Commitments past their deadline and not completed or cancelled (most late first),
    and those due within ``within_days`` (soonest first)."""
    day, known = _dates(as_of, known_at)
    if await queries.plan(plan_id, known) is None:
        raise Problem(404, "not-found", f"no plan {plan_id!r} (yet) in reporting")
    overdue: list[dict[str, Any]] = []
    upcoming: list[dict[str, Any]] = []
    for r in await queries.commitments(plan_id, day, known):
        found = deadline_class(r["deadline_end"], r["status"], day, within_days)
        if found is None:
            continue
        kind, days = found
        if kind == "overdue":
            overdue.append({**_summary(r), "days_overdue": days})
        else:
            upcoming.append({**_summary(r), "days_left": days})
    overdue.sort(key=lambda c: (-c["days_overdue"], c["code"]))
    upcoming.sort(key=lambda c: (c["days_left"], c["code"]))
    return {
        "plan": plan_id,
        "as_of": day.isoformat(),
        "within_days": within_days,
        "overdue": overdue,
        "upcoming": upcoming,
    }


@router.get("/commitments/{commitment_id}", tags=["commitments"])
async def commitment_view(
    commitment_id: str,
    queries: Queries,
    funding: Funding,
    _: Reader,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    """The commitment as it stood on ``as_of`` as known at ``known_at``: indicators with
    their latest value and percent of the way to target, progress reports, milestones,
    and the timeline of events with their provenance."""
    day, known = _dates(as_of, known_at)
    row = await queries.commitment(commitment_id, day, known)
    if row is None:
        raise Problem(404, "not-found", f"no commitment {commitment_id!r} (yet) in reporting")
    indicators = []
    for i in await queries.indicators(commitment_id, day, known):
        definition = dict(i["definition"])
        latest = i["latest_value"]
        indicators.append(
            {
                **definition,
                "latest": None
                if latest is None
                else {"value": str(latest), "as_of": i["latest_as_of"].isoformat()},
                "progress_pct": percent_of_way(definition, latest),
            }
        )
    reports = [
        {
            "id": r["report_id"],
            "as_of": r["as_of"].isoformat(),
            "completion": r["completion"],
            "narrative": r["narrative"],
            "evidence": r["evidence"],
            "partner": r["partner"],
            "recorded_at": r["recorded_at"].isoformat(),
            "retracted": r["retracted"],
            "retraction_reason": r["retraction_reason"],
        }
        for r in await queries.reports(commitment_id, day, known)
    ]
    milestones = [
        {
            "code": m["code"],
            "title": m["title"],
            "planned": m["planned"],
            "reached_on": None if m["reached_on"] is None else m["reached_on"].isoformat(),
        }
        for m in await queries.milestones(commitment_id, day, known)
    ]
    timeline = [
        {
            "event_id": str(t["event_id"]),
            "type": t["type"],
            "source": t["source"],
            "occurred_at": t["occurred_at"].isoformat(),
            "recorded_at": t["recorded_at"].isoformat(),
            "partner": t["partner"],
            "data": t["data"],
        }
        for t in await queries.timeline(commitment_id, day, known)
    ]
    found = deadline_class(row["deadline_end"], row["status"], day, 0)
    return {
        **_summary(row),
        "plan": row["plan_id"],
        "made_on": None if row["made_on"] is None else row["made_on"].isoformat(),
        "as_of": day.isoformat(),
        "known_at": known.isoformat(),
        "overdue": found is not None and found[0] == "overdue",
        "completion": row["completion"],
        "indicators": indicators,
        "reports": reports,
        "milestones": milestones,
        "funding": await _commitment_funding(funding, commitment_id, day, known),
        "flows": [
            {
                "agreement": f["agreement_id"],
                "id": f["flow_id"],
                "type": f["type"],
                "direction": f["direction"],
                "iati_code": f["iati_code"],
                "amount": {
                    "amount": format_amount(f["amount"], f["currency"]),
                    "currency": f["currency"],
                },
                "date": f["date"].isoformat(),
                "source": f["source"],
                "reference": f["reference"],
                "illustrative": f["illustrative"],
                "partner": f["partner"],
                "reversed": f["reversed"],
            }
            for f in await funding.flows(commitment_id, day, known)
        ],
        "timeline": timeline,
    }


async def _commitment_funding(
    funding: FundingQueries, commitment_id: str, day: date, known: datetime
) -> dict[str, Any]:
    ledger = Ledger()
    ledger.add_rows(await funding.flow_sums("commitment_id", commitment_id, None, day, known), None)
    ledger.add_rows(
        await funding.allocation_sums("commitment_id", commitment_id, None, day, known), None
    )
    for t in await funding.targets("commitment_id", commitment_id, known):
        ledger.figures("", t["currency"]).add("to_mobilise", t["amount"])
    return ledger.by_currency()


@router.get("/plans/{plan_id}/funding", tags=["plans"])
async def plan_funding(
    plan_id: str,
    queries: Queries,
    funding: Funding,
    _: Reader,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    convert_to: ConvertTo = None,
) -> dict[str, Any]:
    """Agreed, allocated, pledged, committed, disbursed and spent per currency, with
    absorption (disbursed ÷ committed), by source and by section. Currencies are never
    added together; ``convert_to`` adds a converted view naming every rate it used."""
    day, known = _dates(as_of, known_at)
    plan = await queries.plan(plan_id, known)
    if plan is None:
        raise Problem(404, "not-found", f"no plan {plan_id!r} (yet) in reporting")
    totals, by_source, by_section, by_party = Ledger(), Ledger(), Ledger(), Ledger()
    agreements = await funding.agreements(plan_id, day, known)
    for a in agreements:
        f = totals.figures("", a["currency"])
        f.add("agreed", a["total"])
        f.illustrative = f.illustrative or a["illustrative"]
        if a["section"]:
            by_section.figures(a["section"], a["currency"]).add("agreed", a["total"])
        for c in a["contributions"]:
            by_source.figures(c["source"], a["currency"]).add("agreed", Decimal(c["amount"]))
    totals.add_rows(await funding.flow_sums("plan_id", plan_id, None, day, known), None)
    totals.add_rows(await funding.allocation_sums("plan_id", plan_id, None, day, known), None)
    by_source.add_rows(await funding.flow_sums("plan_id", plan_id, "source", day, known), "grp")
    by_section.add_rows(await funding.flow_sums("plan_id", plan_id, "section", day, known), "grp")
    by_section.add_rows(
        await funding.allocation_sums("plan_id", plan_id, "section", day, known), "grp"
    )
    by_party.add_rows(await funding.flow_sums_by_party(plan_id, day, known), "grp")
    targets = await funding.targets("plan_id", plan_id, known)
    for t in targets:
        totals.figures("", t["currency"]).add("to_mobilise", t["amount"])
        if t["section"]:
            by_section.figures(t["section"], t["currency"]).add("to_mobilise", t["amount"])
    sources = await funding.sources()
    titles = {s["code"]: s["title"] for s in plan["sections"]}
    report: dict[str, Any] = {
        "plan": _plan_head(plan),
        "as_of": day.isoformat(),
        "known_at": known.isoformat(),
        "totals": totals.by_currency(),
        "by_source": [
            {
                "source": code,
                "name": sources[code]["name"] if code in sources else None,
                "kind": sources[code]["kind"] if code in sources else None,
                "figures": by_source.by_currency(code),
            }
            for code in by_source.group_keys()
        ],
        "by_section": [
            {"code": code, "title": titles.get(code), "figures": by_section.by_currency(code)}
            for code in by_section.group_keys()
        ],
        "by_party": [
            {"party": name, "figures": by_party.by_currency(name)} for name in by_party.group_keys()
        ],
        "agreements": [
            {
                "id": a["agreement_id"],
                "code": a["code"],
                "title": a["title"],
                "section": a["section"],
                "period": a["period"],
                "total": {
                    "amount": format_amount(a["total"], a["currency"]),
                    "currency": a["currency"],
                },
                "contributions": [
                    {
                        "source": c["source"],
                        "amount": {"amount": c["amount"], "currency": a["currency"]},
                    }
                    for c in a["contributions"]
                ],
                "illustrative": a["illustrative"],
            }
            for a in agreements
        ],
        "targets": [
            {
                "id": t["target_id"],
                "code": t["code"],
                "title": t["title"],
                "section": t["section"],
                "commitment": t["commitment_id"],
                "amount": {
                    "amount": format_amount(t["amount"], t["currency"]),
                    "currency": t["currency"],
                },
                "from_kinds": t["from_kinds"],
            }
            for t in targets
        ],
    }
    if convert_to is not None:
        rates = {
            r["other"]: Rate(r["base"], r["quote"], r["rate"], r["on_date"].isoformat())
            for r in await funding.latest_rates(convert_to, day, known)
        }
        per_currency = {cur: f for (key, cur), f in totals.groups.items() if key == ""}
        report["converted"] = convert(per_currency, convert_to, rates)
    return report


@router.get("/parties/{name}/scorecard", tags=["parties"])
async def party_scorecard(
    name: str,
    queries: Queries,
    funding: Funding,
    _: Reader,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    """Everything one party committed to, across plans: totals by status, overdue,
    percent completed, by role and by plan, and the money on those commitments."""
    day, known = _dates(as_of, known_at)
    records = await queries.party_commitments(name, day, known)
    if not records:
        raise Problem(404, "not-found", f"no commitment names party {name!r}")
    by_role: dict[str, int] = {}
    by_plan: dict[str, list[Any]] = {}
    ledger = Ledger()
    commitments = []
    for r in records:
        for role in r["roles"] or []:
            by_role[role] = by_role.get(role, 0) + 1
        by_plan.setdefault(r["plan_id"], []).append(r)
        ledger.add_rows(
            await funding.flow_sums("commitment_id", r["commitment_id"], None, day, known), None
        )
        found = deadline_class(r["deadline_end"], r["status"], day, 0)
        commitments.append(
            {
                **_summary(r),
                "plan": r["plan_id"],
                "roles": r["roles"] or [],
                "completion": r["completion"],
                "overdue": found is not None and found[0] == "overdue",
            }
        )
    return {
        "party": name,
        "as_of": day.isoformat(),
        "known_at": known.isoformat(),
        "totals": totals(queries.rows(records), day),
        "by_role": by_role,
        "by_plan": [
            {
                "id": plan_id,
                "code": rows[0]["plan_code"],
                "title": rows[0]["plan_title"],
                "totals": totals(queries.rows(rows), day),
            }
            for plan_id, rows in by_plan.items()
        ],
        "funding": ledger.by_currency(),
        "commitments": commitments,
    }


@router.get("/status", tags=["operations"])
async def consumer_status(request: Request, queries: Queries, _: Reader) -> dict[str, Any]:
    """Consumed and end offsets, lag and last event time per topic partition."""
    runner = request.app.state.consumer
    stored = {(r["topic"], r["partition"]): r for r in await queries.consumer_offsets(runner.name)}
    try:
        ends = await runner.end_offsets()
    except Exception:
        ends = {}
    keys = sorted(set(stored) | set(ends))
    partitions = []
    for topic, partition in keys:
        row = stored.get((topic, partition))
        consumed = row["next_offset"] if row else 0
        end = ends.get((topic, partition))
        partitions.append(
            {
                "topic": topic,
                "partition": partition,
                "consumed": consumed,
                "end": end,
                "lag": None if end is None else max(end - consumed, 0),
                "last_event_at": row["last_event_at"].isoformat()
                if row and row["last_event_at"]
                else None,
            }
        )
    return {
        "consumer": runner.name,
        "partitions": partitions,
        "lag": sum(p["lag"] or 0 for p in partitions),
        "lag_seconds": round(request.app.state.freshness.lag(), 1),
        "read_models": await queries.counts(),
    }
