"""A flow's and an agreement's recording events are found by their ids through
``reporting_0017``'s indexes, not among every timeline entry of their plan (the flows'
export of a plan with 45,000 flows among 3 million events took minutes)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg

from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.migrations import CHAIN as REPORTING
from shared.database import Connection
from shared.migrations import migrate

AT = datetime(2025, 1, 1, tzinfo=UTC)
TODAY = date(2025, 1, 1)
FLOWS = [f"f{n}" for n in range(40)]


def entry(kind: str, data: dict[str, str]) -> tuple[object, ...]:
    """A timeline row of plan ``p`` and commitment ``c``."""
    return (uuid.uuid4(), "/funding", f"org.pactstream.{kind}", "s", "p", "c", AT, AT, data)


class Explaining:
    """A connection that keeps the plan of each query it runs."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.plans: list[str] = []

    async def fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        plan = await self._conn.fetch(f"EXPLAIN {query}", *args)
        self.plans.append("\n".join(r[0] for r in plan))
        return await self._conn.fetch(query, *args)


async def test_flows_and_agreements_find_their_events_by_their_ids(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await migrate(database_url, REPORTING)
    flows = {flow: entry("funding.flow_recorded", {"agreement_id": "a1", "flow_id": flow})
             for flow in FLOWS}  # fmt: skip
    agreement = entry("funding.agreement_concluded", {"agreement_id": "a1"})
    history = [entry("commitment.measurement_recorded", {}) for _ in range(5000)]
    await pool.executemany(
        "INSERT INTO rm_timeline (event_id, source, type, subject, plan_id, commitment_id, "
        "occurred_at, recorded_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [*history, *flows.values(), agreement],
    )
    await pool.executemany(
        "INSERT INTO rm_fund_flows (agreement_id, flow_id, type, direction, iati_code, "
        "amount, currency, date, plan_id, commitment_id, recorded_at) "
        "VALUES ('a1', $1, 'disbursement', 'outgoing', 3, 10, 'EUR', $2, 'p', 'c', $3)",
        [(flow, TODAY, AT) for flow in FLOWS],
    )
    await pool.execute(
        "INSERT INTO rm_fund_agreements (agreement_id, plan_id, code, title, currency, "
        "total, contributions, signed_on, recorded_at) "
        "VALUES ('a1', 'p', 'A1', 'Agreement', 'EUR', 400, '[]', $1, $2)",
        TODAY,
        AT,
    )
    await pool.execute("ANALYZE rm_timeline")
    recorded = {flow: row[0] for flow, row in flows.items()}
    async with pool.acquire() as conn:
        explaining = Explaining(conn)
        queries = FundingQueries(explaining)  # type: ignore[arg-type]
        of_plan = await queries.plan_flows("p", TODAY, AT)
        of_commitment = await queries.flows("c", TODAY, AT)
        agreements = await queries.agreements("p", TODAY, AT)
    assert {r["flow_id"]: r["event_id"] for r in of_plan} == recorded
    assert {r["flow_id"]: r["event_id"] for r in of_commitment} == recorded
    assert [a["event_id"] for a in agreements] == [agreement[0]]
    flow_plans, agreement_plan = explaining.plans[:2], explaining.plans[2]
    assert all("rm_timeline_flow_recorded_idx" in plan for plan in flow_plans), flow_plans
    assert "rm_timeline_agreement_concluded_idx" in agreement_plan, agreement_plan
