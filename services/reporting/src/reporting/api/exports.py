"""Every list and view as a file: ``.csv``, ``.xlsx`` and ``.json`` after its path.
Exports hold every row that matches the filters, unpaged, and carry a file name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, TypeAdapter

from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.iati_queries import IatiQueries
from reporting.adapters.queries import ReportingQueries, consistent_reads
from reporting.api.dependencies import (
    Between,
    Caller,
    CommitmentSnapshot,
    ConvertTo,
    Criteria,
    Dates,
    FlowChoiceOf,
    ListSnapshot,
    OpenPlan,
    PlanSnapshot,
    Snapshot,
    SortBy,
    WithinDays,
)
from reporting.api.spreadsheets import CSV, XLSX, download, to_csv, to_xlsx
from reporting.application import (
    changes,
    commitments,
    history,
    money,
    parties,
    plans,
    provenance,
    targets,
)
from reporting.application.dates import Clock
from reporting.application.iati import Publisher, to_xml
from reporting.application.iati_plan import plan_file
from reporting.application.list_tables import (
    Table,
    flows_table,
    plan_flows_table,
    timeline_table,
)
from reporting.application.models import ReportDates
from reporting.application.ports import Readers
from reporting.application.tables import (
    changes_table,
    commitment_tables,
    commitments_table,
    deadlines_table,
    funding_table,
    overdue_table,
    plans_table,
    progress_table,
    scorecard_table,
    upcoming_table,
)
from reporting.settings import ReportingSettings
from shared.http.problems import problem_responses

XML = "application/xml"

FILES = {
    200: {
        "description": "The file, as an attachment.",
        "content": {CSV: {}, XLSX: {}, "application/json": {}},
    },
    **problem_responses(401, 404, 422),
}
router = APIRouter(prefix="/v1", tags=["exports"], responses=FILES)


def _file(
    request: Request, tables: Sequence[Table], json: bytes, name: str, dates: ReportDates
) -> Response:
    stem = f"{name}-{dates.as_of.isoformat()}"
    path = request.url.path
    if path.endswith(".xlsx"):
        return download(to_xlsx(tables), XLSX, f"{stem}.xlsx")
    if path.endswith(".csv"):
        return download(to_csv(tables[0]), CSV, f"{stem}.csv")
    return download(json, "application/json", f"{stem}.json")


def _json(value: object) -> bytes:
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    return TypeAdapter(type(value)).dump_json(value)


@router.get("/plans.csv", response_class=Response)
@router.get("/plans.xlsx", response_class=Response)
@router.get("/plans.json", response_class=Response)
async def export_plans(
    request: Request,
    read: ListSnapshot,
    caller: Caller,
    dates: Dates,
    q: Annotated[str | None, Query(description="Words of the title.")] = None,
) -> Response:
    found = await plans.plans(read.commitments, dates, q, public_only=caller is None)
    return _file(request, [plans_table(found)], _json(found), "plans", dates)


@router.get("/plans/{plan_id}/commitments.csv", response_class=Response)
@router.get("/plans/{plan_id}/commitments.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/commitments.json", response_class=Response)
async def export_commitments(
    request: Request,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    criteria: Criteria,
    sort: SortBy = "code",
) -> Response:
    """The plan's commitments that meet the filters (the same as the list's)."""
    found = await plans.commitment_page(read.commitments, plan_id, dates, criteria, sort)
    return _file(
        request,
        [commitments_table(found.items)],
        _json(found.items),
        f"{plan_id}-commitments",
        dates,
    )


@router.get("/plans/{plan_id}/progress.csv", response_class=Response)
@router.get("/plans/{plan_id}/progress.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/progress.json", response_class=Response)
async def export_progress(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates
) -> Response:
    """The progress tree flattened: one row for the plan, one per section."""
    report = await plans.progress(read.commitments, plan_id, dates)
    return _file(request, [progress_table(report)], _json(report), f"{plan_id}-progress", dates)


@router.get("/plans/{plan_id}/deadlines.csv", response_class=Response)
@router.get("/plans/{plan_id}/deadlines.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/deadlines.json", response_class=Response)
async def export_deadlines(
    request: Request,
    plan_id: str,
    read: PlanSnapshot,
    dates: Dates,
    within_days: WithinDays = 90,
) -> Response:
    view = await plans.deadlines(read.commitments, plan_id, dates, within_days)
    return _file(request, [deadlines_table(view)], _json(view), f"{plan_id}-deadlines", dates)


@router.get("/plans/{plan_id}/funding.csv", response_class=Response)
@router.get("/plans/{plan_id}/funding.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/funding.json", response_class=Response)
async def export_funding(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates, convert_to: ConvertTo = None
) -> Response:
    view = await money.plan_funding(read, plan_id, dates, convert_to)
    return _file(request, [funding_table(view)], _json(view), f"{plan_id}-funding", dates)


@router.get("/plans/{plan_id}/changes.csv", response_class=Response)
@router.get("/plans/{plan_id}/changes.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/changes.json", response_class=Response)
async def export_changes(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates, window: Between
) -> Response:
    view = await changes.changes(read.commitments, plan_id, window, dates)
    return _file(request, [changes_table(view)], _json(view), f"{plan_id}-changes", dates)


@router.get("/plans/{plan_id}/history.csv", response_class=Response)
@router.get("/plans/{plan_id}/history.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/history.json", response_class=Response)
async def export_history(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates
) -> Response:
    view = await history.plan_history(read, plan_id, dates)
    table = history.history_table(view)
    return _file(request, [table], _json(view), f"{plan_id}-history", dates)


@router.get("/plans/{plan_id}/targets.csv", response_class=Response)
@router.get("/plans/{plan_id}/targets.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/targets.json", response_class=Response)
async def export_targets(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates
) -> Response:
    view = await targets.plan_targets(read, plan_id, dates)
    table = targets.targets_table(view)
    return _file(request, [table], _json(view), f"{plan_id}-targets", dates)


@router.get("/commitments/{commitment_id}.csv", response_class=Response)
@router.get("/commitments/{commitment_id}.xlsx", response_class=Response)
@router.get("/commitments/{commitment_id}.json", response_class=Response)
async def export_commitment(
    request: Request, commitment_id: str, read: CommitmentSnapshot, dates: Dates
) -> Response:
    """CSV: the commitment's fields; XLSX: those and a sheet each for its indicators,
    reports, milestones, flows and timeline."""
    view = await commitments.commitment(read, commitment_id, dates)
    return _file(request, commitment_tables(view), _json(view), commitment_id, dates)


@router.get("/parties/{name}/scorecard.csv", response_class=Response)
@router.get("/parties/{name}/scorecard.xlsx", response_class=Response)
@router.get("/parties/{name}/scorecard.json", response_class=Response)
async def export_scorecard(request: Request, name: str, read: Snapshot, dates: Dates) -> Response:
    card = await parties.scorecard(read, name, dates)
    return _file(request, [scorecard_table(card)], _json(card), f"{name}-scorecard", dates)


@router.get("/plans/{plan_id}/deadlines/overdue.csv", response_class=Response)
@router.get("/plans/{plan_id}/deadlines/overdue.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/deadlines/overdue.json", response_class=Response)
async def export_overdue(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates
) -> Response:
    found = (await plans.deadlines(read.commitments, plan_id, dates, 0)).overdue
    return _file(request, [overdue_table(found)], _json(found), f"{plan_id}-overdue", dates)


@router.get("/plans/{plan_id}/deadlines/upcoming.csv", response_class=Response)
@router.get("/plans/{plan_id}/deadlines/upcoming.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/deadlines/upcoming.json", response_class=Response)
async def export_upcoming(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates, within_days: WithinDays = 90
) -> Response:
    found = (await plans.deadlines(read.commitments, plan_id, dates, within_days)).upcoming
    return _file(request, [upcoming_table(found)], _json(found), f"{plan_id}-upcoming", dates)


@router.get("/plans/{plan_id}/flows.csv", response_class=Response)
@router.get("/plans/{plan_id}/flows.xlsx", response_class=Response)
@router.get("/plans/{plan_id}/flows.json", response_class=Response)
async def export_plan_flows(
    request: Request, plan_id: str, read: PlanSnapshot, dates: Dates, choice: FlowChoiceOf
) -> Response:
    """Every flow behind the chosen figure, with its provenance."""
    found = await provenance.plan_flows(read, plan_id, dates, choice)
    return _file(request, [plan_flows_table(found)], _json(found), f"{plan_id}-flows", dates)


@router.get("/commitments/{commitment_id}/timeline.csv", response_class=Response)
@router.get("/commitments/{commitment_id}/timeline.xlsx", response_class=Response)
@router.get("/commitments/{commitment_id}/timeline.json", response_class=Response)
async def export_timeline(
    request: Request, commitment_id: str, read: CommitmentSnapshot, dates: Dates
) -> Response:
    view = await commitments.commitment(read, commitment_id, dates)
    table = timeline_table(view.timeline)
    return _file(request, [table], _json(view.timeline), f"{commitment_id}-timeline", dates)


@router.get("/commitments/{commitment_id}/flows.csv", response_class=Response)
@router.get("/commitments/{commitment_id}/flows.xlsx", response_class=Response)
@router.get("/commitments/{commitment_id}/flows.json", response_class=Response)
async def export_commitment_flows(
    request: Request, commitment_id: str, read: CommitmentSnapshot, dates: Dates
) -> Response:
    view = await commitments.commitment(read, commitment_id, dates)
    return _file(
        request, [flows_table(view.flows)], _json(view.flows), f"{commitment_id}-flows", dates
    )


@router.get(
    "/plans/{plan_id}/iati.xml",
    response_class=Response,
    responses={200: {"description": "The file, as an attachment.", "content": {XML: {}}}},
)
async def export_iati(request: Request, plan_id: str, _: OpenPlan, dates: Dates) -> Response:
    """The plan as an IATI 2.03 activity file: its activity and one per commitment with
    participating organisations, status, dates, results and transactions."""
    settings: ReportingSettings = request.app.state.settings
    publisher = Publisher(settings.iati_org_ref, settings.iati_org_name, settings.iati_org_type)
    clock: Clock = request.app.state.clock
    async with consistent_reads(request.app.state.pool) as conn:
        read = Readers(commitments=ReportingQueries(conn), funding=FundingQueries(conn))
        doc = await plan_file(read, IatiQueries(conn), plan_id, dates, publisher, clock())
    return download(to_xml(doc), XML, f"{plan_id}-iati-{dates.as_of.isoformat()}.xml")
