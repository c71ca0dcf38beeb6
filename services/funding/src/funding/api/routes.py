"""Routes of the funding service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Header, Response

from funding.api import schemas
from funding.api.dependencies import Metadata, Operator, Reader, Service, Writer
from funding.domain.agreement import (
    IATI,
    Agreement,
    Allocate,
    ConcludeAgreement,
    RecordFlow,
    ReverseFlow,
)
from funding.domain.errors import InvalidMoney
from funding.domain.money import Money
from shared.contracts.common import PeriodData
from shared.decider import Versioned, new_id
from shared.http.changes import Change
from shared.http.dependencies import parse_if_match
from shared.periods import parse_period

router = APIRouter(prefix="/v1")
IfMatch = Annotated[str | None, Header()]


def amount_in(value: str | int | schemas.MoneyIn, currency: str, field: str) -> str | int:
    """A bare amount, or a money object whose currency must be ``currency``."""
    if isinstance(value, schemas.MoneyIn):
        if value.currency != currency:
            raise InvalidMoney(
                f"amount is in {value.currency} but this is a {currency} agreement; "
                "amounts in different currencies are never mixed",
                field + "/currency",
            )
        return value.amount
    return value


def split_amount(value: str | int | schemas.MoneyIn) -> tuple[str | int, str | None]:
    """A bare amount, or a money object's amount and the currency it names (the
    agreement's decider refuses one that is not its own)."""
    if isinstance(value, schemas.MoneyIn):
        return value.amount, value.currency
    return value, None


def money(m: Money) -> schemas.MoneyOut:
    return schemas.MoneyOut(amount=m.text, currency=m.currency)


def agreement_out(a: Versioned[Agreement]) -> schemas.AgreementOut:
    v = a.value
    return schemas.AgreementOut(
        id=v.agreement_id,
        version=a.version,
        code=v.code,
        title=v.title,
        currency=v.currency,
        period=None if v.period is None else schemas.PeriodOut(**v.period.model_dump()),
        plan=v.plan_id,
        section=v.section,
        illustrative=v.illustrative,
        contributions=[
            schemas.ContributionOut(source=c.source, amount=money(c.amount))
            for c in v.contributions
        ],
        total=money(v.total),
        allocated=money(v.allocated),
        committed=money(v.committed),
        disbursed=money(v.disbursed),
        spent=money(v.spent),
        allocations=[
            schemas.AllocationOut(id=i, commitment=c, amount=money(m)) for i, c, m in v.allocations
        ],
        flows=[
            schemas.FlowOut(
                id=f.flow_id,
                type=f.type,
                direction=f.direction,
                amount=money(f.amount),
                date=f.date,
                reversed=f.reversed,
            )
            for f in v.flows
        ],
    )


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.post("/sources", status_code=201, response_model=schemas.SourceOut, tags=["sources"])
async def register_source(
    body: schemas.SourceIn, service: Service, _: Operator, meta: Metadata, response: Response
) -> schemas.SourceOut:
    """A funding source: public budget, trust fund, multilateral bank, private, industry body."""
    source = await service.register_source(
        body.id or new_id(), body.code, body.name, body.kind, body.plans, meta
    )
    _etag(response, source.version)
    v = source.value
    return schemas.SourceOut(
        id=v.source_id,
        version=source.version,
        code=v.code,
        name=v.name,
        kind=v.kind,
        plans=list(v.plans),
    )


@router.get("/sources/{source_id}", response_model=schemas.SourceOut, tags=["sources"])
async def get_source(source_id: str, service: Service, _: Reader) -> schemas.SourceOut:
    source = await service.get_source(source_id)
    v = source.value
    return schemas.SourceOut(
        id=v.source_id,
        version=source.version,
        code=v.code,
        name=v.name,
        kind=v.kind,
        plans=list(v.plans),
    )


@router.post(
    "/agreements", status_code=201, response_model=schemas.AgreementOut, tags=["agreements"]
)
async def conclude_agreement(
    body: schemas.AgreementIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
) -> schemas.AgreementOut:
    """A convention with contributions per source; its total is their exact sum."""
    period = parse_period(body.period, "/period") if body.period is not None else None
    agreement = await service.conclude(
        ConcludeAgreement(
            agreement_id=body.id or new_id(),
            code=body.code,
            title=body.title,
            currency=body.currency,
            period=None
            if period is None
            else PeriodData(label=period.label, start=period.start, end=period.end),
            plan_id=body.plan,
            section=body.section,
            contributions=tuple(
                (c.source, amount_in(c.amount, body.currency, f"/contributions/{i}/amount"))
                for i, c in enumerate(body.contributions)
            ),
            illustrative=body.illustrative,
        ),
        body.signed_on,
        meta,
        principal.write_scope,
    )
    _etag(response, agreement.version)
    response.headers["Location"] = f"/v1/agreements/{agreement.value.agreement_id}"
    return agreement_out(agreement)


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementOut, tags=["agreements"])
async def get_agreement(
    agreement_id: str, service: Service, _: Reader, response: Response
) -> schemas.AgreementOut:
    agreement = await service.get_agreement(agreement_id)
    _etag(response, agreement.version)
    return agreement_out(agreement)


@router.post(
    "/agreements/{agreement_id}/allocations",
    status_code=201,
    response_model=schemas.AgreementOut,
    tags=["agreements"],
)
async def allocate(
    agreement_id: str,
    body: schemas.AllocationIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.AgreementOut:
    """Allocate part of the agreement to a commitment; never beyond the total."""
    amount, currency = split_amount(body.amount)
    command = Allocate(
        allocation_id=body.id or new_id(),
        commitment=None,
        commitment_id=body.commitment,
        amount=amount,
        date=body.date,
        currency=currency,
    )
    agreement = await service.act(
        agreement_id, command, meta, parse_if_match(if_match), principal.write_scope
    )
    _etag(response, agreement.version)
    return agreement_out(agreement)


def _flow(body: schemas.FlowIn) -> RecordFlow:
    amount, currency = split_amount(body.amount)
    return RecordFlow(
        flow_id=body.id or new_id(),
        type=body.type,
        direction=body.direction,
        amount=amount,
        currency=currency,
        date=body.date,
        commitment_id=body.commitment,
        source=body.source,
        reference=body.reference,
        illustrative=body.illustrative,
    )


#: A money flow, by REST or as a partner's CloudEvent (``funding.api.events``).
FLOW = Change(schemas.FlowIn, _flow, "org.pactstream.funding.flow_recorded")


@router.post(
    "/agreements/{agreement_id}/flows",
    status_code=201,
    response_model=schemas.FlowCreatedOut,
    tags=["agreements"],
)
async def record_flow(
    agreement_id: str,
    body: schemas.FlowIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.FlowCreatedOut:
    """A pledge, commitment, decommitment, disbursement or expenditure, with its IATI code.
    Per agreement, disbursed never exceeds committed and spent never exceeds disbursed."""
    command = FLOW.command(body)
    agreement = await service.act(
        agreement_id, command, meta, parse_if_match(if_match), principal.write_scope
    )
    _etag(response, agreement.version)
    return flow_created(agreement, command.flow_id)


def flow_created(agreement: Versioned[Agreement], flow_id: str) -> schemas.FlowCreatedOut:
    flow = agreement.value.flow(flow_id)
    assert flow is not None
    return schemas.FlowCreatedOut(
        id=flow.flow_id,
        agreement=agreement.value.agreement_id,
        version=agreement.version,
        type=flow.type,
        direction=flow.direction,
        iati_code=IATI[(flow.direction, flow.type)],
        amount=money(flow.amount),
        date=flow.date,
    )


@router.post(
    "/agreements/{agreement_id}/flows/{flow_id}/reversal",
    status_code=201,
    response_model=schemas.AgreementOut,
    tags=["agreements"],
)
async def reverse_flow(
    agreement_id: str,
    flow_id: str,
    body: schemas.ReversalIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.AgreementOut:
    """Correct a flow: it stops counting from the reversal's date. Nothing is deleted."""
    agreement = await service.act(
        agreement_id,
        ReverseFlow(flow_id, body.reason, body.date),
        meta,
        parse_if_match(if_match),
        principal.write_scope,
    )
    _etag(response, agreement.version)
    return agreement_out(agreement)


@router.post("/targets", status_code=201, response_model=schemas.CreatedOut, tags=["targets"])
async def set_target(
    body: schemas.TargetIn, service: Service, principal: Writer, meta: Metadata, response: Response
) -> schemas.CreatedOut:
    """Money to be mobilised for a plan, section or commitment: an objective, not a flow."""
    target = await service.set_target(
        body.id or new_id(),
        body.code,
        body.title,
        amount_in(body.amount, body.currency, "/amount"),
        body.currency,
        body.plan,
        body.section,
        body.commitment,
        body.from_kinds,
        meta,
        principal.write_scope,
    )
    _etag(response, target.version)
    return schemas.CreatedOut(id=target.value.target_id, version=target.version)


@router.post("/rates", status_code=201, response_model=schemas.CreatedOut, tags=["rates"])
async def record_rate(
    body: schemas.RateIn, service: Service, _: Operator, meta: Metadata, response: Response
) -> schemas.CreatedOut:
    """An exchange rate: 1 ``base`` = ``rate`` ``quote`` on ``date``."""
    try:
        rate = Decimal(str(body.rate))
    except InvalidOperation:
        raise InvalidMoney(f"{body.rate!r} is not a decimal rate", "/rate") from None
    if not rate.is_finite() or rate <= 0:
        raise InvalidMoney("a rate must be a positive decimal", "/rate")
    recorded = await service.record_rate(body.date, body.base, body.quote, f"{rate:f}", meta)
    _etag(response, recorded.version)
    return schemas.CreatedOut(
        id=f"{body.base}/{body.quote}@{body.date.isoformat()}", version=recorded.version
    )
