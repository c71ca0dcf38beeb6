"""Routes of the commitments service."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response

from commitments.api import commands, schemas
from commitments.api.dependencies import Metadata, Operator, Reader, Service, Writer
from commitments.api.local_text import local, shown
from commitments.domain.commitment import Commitment, MakeCommitment
from commitments.domain.plan import CreatePlan, Plan, RecordKeyDate
from commitments.domain.visibility import SetVisibility
from shared.contracts.commitments import KeyDateData
from shared.contracts.common import DeadlineData
from shared.decider import Versioned, new_id
from shared.http.languages import Languages
from shared.http.problems import problem_responses
from shared.periods import parse_period

router = APIRouter(prefix="/v1")


def etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def plan_out(plan: Versioned[Plan], languages: Sequence[str] = ()) -> schemas.PlanOut:
    """The plan, its titles in the best of ``languages`` (else the first given)."""
    p = plan.value
    return schemas.PlanOut(
        id=p.plan_id,
        version=plan.version,
        code=p.code,
        **shown(p.title, languages),
        language=p.language,
        period=None if p.period is None else schemas.PeriodOut(**p.period.model_dump()),
        adopted_on=p.adopted_on,
        parties=list(p.parties),
        monitoring_bodies=list(p.monitoring_bodies),
        sections=[
            schemas.SectionOut(
                code=s.code, parent=s.parent, kind=s.kind, **shown(s.title, languages)
            )
            for s in p.sections
        ],
        fiscal_year_start=p.fiscal_year_start,
        key_dates=[schemas.KeyDateOut(name=k.name, date=k.date) for k in p.key_dates],
        revision=p.revision,
        revised_on=p.revised_on,
    )


def _deadline_out(d: DeadlineData | None) -> schemas.DeadlineOut | None:
    return None if d is None else schemas.DeadlineOut.model_validate(d.model_dump())


def commitment_out(
    c: Versioned[Commitment], languages: Sequence[str] = ()
) -> schemas.CommitmentOut:
    """The commitment, its titles in the best of ``languages`` (else the first given)."""
    v = c.value
    return schemas.CommitmentOut(
        id=v.commitment_id,
        version=c.version,
        plan=v.plan_id,
        code=v.code,
        section=v.section,
        **shown(v.title, languages),
        parties=[schemas.PartyOut(name=p.name, role=p.role) for p in v.parties],
        deadline=_deadline_out(v.deadline),
        priority=v.priority,
        made_on=v.made_on,
        status=v.status,
        status_as_of=v.status_as_of,
        indicators=[
            schemas.IndicatorOut.model_validate(
                {**i.model_dump(exclude={"title"}), **shown(i.title, languages)}
            )
            for i in v.indicators
        ],
        milestones=[
            schemas.MilestoneOut(
                code=m.code,
                **shown(m.title, languages),
                planned=_deadline_out(m.planned),
                reached_on=m.reached_on,
            )
            for m in v.milestones
        ],
        reports=[
            schemas.ReportOut(
                id=r.report_id, as_of=r.as_of, completion=r.completion, retracted=r.retracted
            )
            for r in v.reports
        ],
    )


@router.post("/plans", status_code=201, response_model=schemas.PlanOut, tags=["plans"])
async def create_plan(
    body: schemas.PlanIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
) -> schemas.PlanOut:
    """Create a plan with its tree of sections (domains, actions, ...)."""
    period = parse_period(body.period, "/period") if body.period is not None else None
    sections = commands.sections(body.sections)
    plan = await service.create_plan(
        CreatePlan(
            plan_id=body.id or new_id(),
            code=body.code,
            title=local(body.title),
            language=body.language,
            period=period,
            adopted_on=body.adopted_on,
            parties=tuple(body.parties),
            monitoring_bodies=tuple(body.monitoring_bodies),
            sections=sections,
            fiscal_year_start=body.fiscal_year_start,
            key_dates=tuple(KeyDateData(name=k.name, date=k.date) for k in body.key_dates),
        ),
        meta,
        principal.write_scope,
    )
    etag(response, plan.version)
    response.headers["Location"] = f"/v1/plans/{plan.value.plan_id}"
    return plan_out(plan, languages)


@router.get("/plans/{plan_id}", response_model=schemas.PlanOut, tags=["plans"])
async def get_plan(
    plan_id: str, service: Service, _: Reader, response: Response, languages: Languages
) -> schemas.PlanOut:
    plan = await service.get_plan(plan_id)
    etag(response, plan.version)
    return plan_out(plan, languages)


@router.post(
    "/plans/{plan_id}/key-dates",
    response_model=schemas.PlanOut,
    tags=["plans"],
    responses=problem_responses(403, 404),
)
async def record_key_date(
    plan_id: str,
    body: schemas.KeyDateRecordIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
) -> schemas.PlanOut:
    """Date (or correct the date of) a key date of the plan, by name; a name the plan
    did not list is added. Deadlines written relative to it ("within 18 months of the
    summit") count from it from then on."""
    plan = await service.record_key_date(
        plan_id, RecordKeyDate(body.name, body.date), meta, principal.write_scope
    )
    etag(response, plan.version)
    return plan_out(plan, languages)


@router.put(
    "/plans/{plan_id}/visibility",
    response_model=schemas.VisibilityOut,
    tags=["plans"],
    responses=problem_responses(403, 404),
)
async def set_visibility(
    plan_id: str, body: schemas.VisibilityIn, service: Service, _: Operator, meta: Metadata
) -> schemas.VisibilityOut:
    """Make a plan public (reporting then answers its reads, pages and exports without
    a key) or private again. Operators only; setting what already holds changes nothing."""
    public = await service.set_visibility(SetVisibility(plan_id, body.public), meta)
    return schemas.VisibilityOut(plan=plan_id, public=public)


@router.post(
    "/plans/{plan_id}/commitments",
    status_code=201,
    response_model=schemas.CommitmentOut,
    tags=["commitments"],
)
async def make_commitment(
    plan_id: str,
    body: schemas.CommitmentIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
) -> schemas.CommitmentOut:
    """Record a commitment under a section of the plan."""
    commitment = await service.make_commitment(
        plan_id,
        MakeCommitment(
            commitment_id=body.id or new_id(),
            code=body.code,
            section=body.section,
            title=local(body.title),
            parties=commands.parties(body.parties),
            deadline=body.deadline,
            priority=body.priority,
            made_on=body.made_on,
            indicators=tuple(commands.indicator(i) for i in body.indicators),
        ),
        meta,
        principal.write_scope,
    )
    etag(response, commitment.version)
    response.headers["Location"] = f"/v1/commitments/{commitment.value.commitment_id}"
    return commitment_out(commitment, languages)


@router.get(
    "/commitments/{commitment_id}", response_model=schemas.CommitmentOut, tags=["commitments"]
)
async def get_commitment(
    commitment_id: str, service: Service, _: Reader, response: Response, languages: Languages
) -> schemas.CommitmentOut:
    commitment = await service.get_commitment_as_read(commitment_id)
    etag(response, commitment.version)
    return commitment_out(commitment, languages)


@router.get(
    "/commitments/{commitment_id}/events", response_model=schemas.EventsOut, tags=["commitments"]
)
async def commitment_events(commitment_id: str, service: Service, _: Reader) -> schemas.EventsOut:
    """The commitment's full history, oldest first."""
    events = await service.history(commitment_id)
    return schemas.EventsOut(
        commitment=commitment_id,
        events=[
            schemas.EventOut(
                id=str(e.event_id),
                type=e.type,
                schema_version=e.schema_version,
                stream_version=e.stream_version,
                position=e.position,
                occurred_at=e.occurred_at.isoformat(),
                recorded_at=e.recorded_at.isoformat(),
                data=e.data,
                metadata=e.metadata.to_json(),
            )
            for e in events
        ],
    )
