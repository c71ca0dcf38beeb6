"""Projects the funding topic into reporting's funding read models."""

from __future__ import annotations

from reporting.adapters.projectors import Projector, projector_for
from shared.cloudevents import ReceivedEvent
from shared.contracts import funding as contract
from shared.contracts.funding import FlowRecorded
from shared.database import Connection
from shared.events import EventData


async def project_funding(conn: Connection, event: ReceivedEvent, data: EventData) -> None:
    """Apply a funding event to the funding read models (other events: nothing)."""
    projector = projector_for(data, _PROJECTORS)
    if projector is not None:
        await projector(conn, event, data)


async def _source_registered(
    conn: Connection, event: ReceivedEvent, data: contract.SourceRegistered
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_sources (source_id, code, name, kind, plans, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id) DO NOTHING
        """,
        data.source_id,
        data.code,
        data.name,
        data.kind,
        list(data.plans),
        event.recorded_at,
    )


async def _agreement_concluded(
    conn: Connection, event: ReceivedEvent, data: contract.AgreementConcluded
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_agreements (agreement_id, code, title, currency, period,
            plan_id, section, total, contributions, illustrative, signed_on,
            recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10, $11, $12)
        ON CONFLICT (agreement_id) DO NOTHING
        """,
        data.agreement_id,
        data.code,
        data.title,
        data.currency,
        None if data.period is None else data.period.model_dump(mode="json"),
        data.plan_id,
        data.section,
        data.total,
        [c.model_dump(mode="json") for c in data.contributions],
        data.illustrative,
        event.occurred_at.date(),
        event.recorded_at,
    )


async def _funds_allocated(
    conn: Connection, event: ReceivedEvent, data: contract.FundsAllocated
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_allocations (event_id, agreement_id, allocation_id,
            commitment_id, plan_id, section, amount, currency, on_date, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9, $10)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.agreement_id,
        data.allocation_id,
        data.commitment_id,
        data.plan_id,
        data.section,
        data.amount,
        data.currency,
        event.occurred_at.date(),
        event.recorded_at,
    )


async def _flow_recorded(conn: Connection, event: ReceivedEvent, data: FlowRecorded) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_flows (agreement_id, flow_id, type, direction, iati_code,
            amount, currency, date, commitment_id, plan_id, section, source, reference,
            illustrative, partner, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10, $11, $12, $13, $14,
                $15, $16)
        ON CONFLICT (agreement_id, flow_id) DO NOTHING
        """,
        data.agreement_id,
        data.flow_id,
        data.type,
        data.direction,
        data.iati_code,
        data.amount,
        data.currency,
        data.date,
        data.commitment_id,
        data.plan_id,
        data.section,
        data.source,
        data.reference,
        data.illustrative,
        event.metadata.partner,
        event.recorded_at,
    )


async def _flow_reversed(
    conn: Connection, event: ReceivedEvent, data: contract.FlowReversed
) -> None:
    await conn.execute(
        """
        UPDATE rm_fund_flows
        SET reversed_on = $3, reversal_reason = $4, reversed_recorded_at = $5
        WHERE agreement_id = $1 AND flow_id = $2 AND reversed_on IS NULL
        """,
        data.agreement_id,
        data.flow_id,
        data.date,
        data.reason,
        event.recorded_at,
    )


async def _funding_target_set(
    conn: Connection, event: ReceivedEvent, data: contract.FundingTargetSet
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_targets (target_id, code, title, amount, currency, plan_id,
            section, commitment_id, from_kinds, recorded_at)
        VALUES ($1, $2, $3, $4::numeric, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (target_id) DO NOTHING
        """,
        data.target_id,
        data.code,
        data.title,
        data.amount,
        data.currency,
        data.plan_id,
        data.section,
        data.commitment_id,
        list(data.from_kinds),
        event.recorded_at,
    )


async def _exchange_rate_recorded(
    conn: Connection, event: ReceivedEvent, data: contract.ExchangeRateRecorded
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_fund_rates (event_id, on_date, base, quote, rate, recorded_at)
        VALUES ($1, $2, $3, $4, $5::numeric, $6) ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.date,
        data.base,
        data.quote,
        data.rate,
        event.recorded_at,
    )


_PROJECTORS: dict[type, Projector] = {
    contract.SourceRegistered: _source_registered,
    contract.AgreementConcluded: _agreement_concluded,
    contract.FundsAllocated: _funds_allocated,
    FlowRecorded: _flow_recorded,
    contract.FlowReversed: _flow_reversed,
    contract.FundingTargetSet: _funding_target_set,
    contract.ExchangeRateRecorded: _exchange_rate_recorded,
}
