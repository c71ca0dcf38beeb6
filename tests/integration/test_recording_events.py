"""A flow's and an agreement's recording events are found by their ids through
``reporting_0017``'s indexes, not among every timeline entry of their plan (the flows'
export of a plan with 45,000 flows among 3 million events took minutes)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg

from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.migrations import CHAIN as REPORTING
from shared.database import create_pool
from shared.migrations import migrate
from tests.integration.conftest import fresh_database
from tests.polling import until

AT = datetime(2025, 1, 1, tzinfo=UTC)
TODAY = date(2025, 1, 1)


def entry(kind: str, data: dict[str, str]) -> tuple[object, ...]:
    """A timeline row of plan ``p``."""
    return (
        uuid.uuid4(),
        "/funding",
        f"org.pactstream.{kind}",
        "s",
        "p",
        AT,
        AT,
        data,
    )


async def scans(pool: asyncpg.Pool, index: str) -> int:
    found: int = await pool.fetchval(
        "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes WHERE indexrelname = $1",
        index,
    )
    return found


async def test_a_plans_flows_and_agreements_find_their_events_by_their_ids() -> None:
    flows = {f"f{n}": entry("funding.flow_recorded", {"agreement_id": "a1", "flow_id": f"f{n}"})
             for n in range(40)}  # fmt: skip
    agreement = entry("funding.agreement_concluded", {"agreement_id": "a1"})
    history = [entry("commitment.measurement_recorded", {}) for _ in range(5000)]
    async with fresh_database() as url:
        await migrate(url, REPORTING)
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            await pool.executemany(
                "INSERT INTO rm_timeline (event_id, source, type, subject, plan_id, "
                "occurred_at, recorded_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                [*history, *flows.values(), agreement],
            )
            await pool.executemany(
                "INSERT INTO rm_fund_flows (agreement_id, flow_id, type, direction, iati_code, "
                "amount, currency, date, plan_id, recorded_at) "
                "VALUES ('a1', $1, 'disbursement', 'outgoing', 3, 10, 'EUR', $2, 'p', $3)",
                [(flow, TODAY, AT) for flow in flows],
            )
            await pool.execute(
                "INSERT INTO rm_fund_agreements (agreement_id, plan_id, code, title, currency, "
                "total, contributions, signed_on, recorded_at) "
                "VALUES ('a1', 'p', 'A1', 'Agreement', 'EUR', 400, '[]', $1, $2)",
                TODAY,
                AT,
            )
            await pool.execute("ANALYZE rm_timeline")
            queries = FundingQueries(pool)
            found = await queries.plan_flows("p", TODAY, AT)
            agreements = await queries.agreements("p", TODAY, AT)

            assert {r["flow_id"]: r["event_id"] for r in found} == {
                flow: row[0] for flow, row in flows.items()
            }
            assert [a["event_id"] for a in agreements] == [agreement[0]]

            async def looked_up_by_ids() -> bool:
                return (
                    await scans(pool, "rm_timeline_flow_recorded_idx") > 0
                    and await scans(pool, "rm_timeline_agreement_concluded_idx") > 0
                )

            await until(looked_up_by_ids, timeout=10)
        finally:
            await pool.close()
