"""Projects the funding topic into reporting's funding read models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reporting.adapters.facts import facts_table
from reporting.adapters.projection import Projection
from shared.cloudevents import ReceivedEvent
from shared.contracts import funding as contract
from shared.database import Connection
from shared.events import EventData


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


def _allocation(e: ReceivedEvent, d: contract.FundsAllocated) -> tuple[Any, ...]:
    return (e.event_id, d.agreement_id, d.allocation_id, d.commitment_id, d.plan_id,
            d.section, Decimal(d.amount), d.currency, e.occurred_at.date(),
            e.recorded_at)  # fmt: skip


#: Allocations and flows, a funder's accounts reported line by line: inserted a poll at
#: once, like the commitments' facts (:func:`reporting.adapters.projections.project_many`).
ALLOCATIONS = facts_table(
    "rm_fund_allocations",
    {"event_id": "uuid", "agreement_id": "text", "allocation_id": "text",
     "commitment_id": "text", "plan_id": "text", "section": "text", "amount": "numeric",
     "currency": "text", "on_date": "date", "recorded_at": "timestamptz"},
    _allocation,
)  # fmt: skip


def _flow(e: ReceivedEvent, d: contract.FlowRecorded) -> tuple[Any, ...]:
    return (d.agreement_id, d.flow_id, d.type, d.direction, d.iati_code, Decimal(d.amount),
            d.currency, d.date, d.commitment_id, d.plan_id, d.section, d.source,
            d.reference, d.illustrative, e.metadata.partner, e.recorded_at)  # fmt: skip


FLOWS = facts_table(
    "rm_fund_flows",
    {"agreement_id": "text", "flow_id": "text", "type": "text", "direction": "text",
     "iati_code": "int", "amount": "numeric", "currency": "text", "date": "date",
     "commitment_id": "text", "plan_id": "text", "section": "text", "source": "text",
     "reference": "text", "illustrative": "boolean", "partner": "text",
     "recorded_at": "timestamptz"},
    _flow,
    key="agreement_id, flow_id",
)  # fmt: skip


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


#: The read-model change of each funding event.
FUNDING_PROJECTIONS: dict[type[EventData], Projection] = {
    contract.SourceRegistered: _source_registered,
    contract.AgreementConcluded: _agreement_concluded,
    contract.FundsAllocated: ALLOCATIONS.project,
    contract.FlowRecorded: FLOWS.project,
    contract.FlowReversed: _flow_reversed,
    contract.FundingTargetSet: _funding_target_set,
    contract.ExchangeRateRecorded: _exchange_rate_recorded,
}
