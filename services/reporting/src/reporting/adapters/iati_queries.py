"""Plan-wide reads of the IATI file (:class:`reporting.application.iati_plan.IatiReader`),
as of a business date ($2) and as known at a record time ($3): one query per part for
the whole plan, whatever its number of commitments."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.database import Connection


class IatiQueries:
    def __init__(self, pool: asyncpg.Pool | Connection) -> None:
        self._pool = pool

    async def status_dates(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """The first launch and the status in force, with its date, per commitment."""
        return await self._pool.fetch(
            """
            SELECT DISTINCT ON (s.commitment_id) s.commitment_id,
                   s.status AS latest_status, s.as_of AS latest_on,
                   min(s.as_of) FILTER (WHERE s.status = 'launched')
                       OVER (PARTITION BY s.commitment_id) AS launched_on
            FROM rm_status_changes s JOIN rm_commitments c USING (commitment_id)
            WHERE c.plan_id = $1 AND s.as_of <= $2 AND s.recorded_at <= $3
            ORDER BY s.commitment_id, s.as_of DESC, s.stream_version DESC
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def indicators(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """Every indicator of the plan's commitments with its latest measurement."""
        return await self._pool.fetch(
            """
            SELECT i.commitment_id, i.code, i.definition,
                   m.value AS latest_value, m.as_of AS latest_as_of
            FROM rm_indicators i JOIN rm_commitments c USING (commitment_id)
            LEFT JOIN LATERAL (
                SELECT value, as_of FROM rm_measurements x
                WHERE x.commitment_id = i.commitment_id AND x.indicator = i.code
                  AND x.as_of <= $2 AND x.recorded_at <= $3
                ORDER BY x.as_of DESC, x.stream_version DESC LIMIT 1
            ) m ON true
            WHERE c.plan_id = $1 AND i.recorded_at <= $3
            ORDER BY c.code, i.recorded_at, i.code
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def flows(self, plan_id: str, as_of: date, known_at: datetime) -> list[asyncpg.Record]:
        """The plan's flows dated by ``as_of`` and not reversed by then, as known then."""
        return await self._pool.fetch(
            """
            SELECT f.agreement_id, a.code AS agreement_code, f.flow_id, f.type, f.iati_code,
                   f.amount, f.currency, f.date, f.commitment_id, f.source, f.reference
            FROM rm_fund_flows f
            LEFT JOIN rm_fund_agreements a
                ON a.agreement_id = f.agreement_id AND a.recorded_at <= $3
            WHERE f.plan_id = $1 AND f.date <= $2 AND f.recorded_at <= $3
              AND NOT (f.reversed_on IS NOT NULL AND f.reversed_on <= $2
                       AND f.reversed_recorded_at <= $3)
            ORDER BY f.commitment_id NULLS FIRST, f.date, f.recorded_at, f.flow_id
            """,
            plan_id,
            as_of,
            known_at,
        )
