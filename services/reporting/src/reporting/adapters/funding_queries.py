"""Funding read-model queries, as of a business date ($2) and as known at ($3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from shared.database import Connection

_FLOWS_IN_FORCE = """
    f.date <= $2 AND f.recorded_at <= $3
    AND NOT (f.reversed_on IS NOT NULL AND f.reversed_on <= $2
             AND f.reversed_recorded_at <= $3)
"""

_FLOW_SUMS = """
    f.currency,
    sum(f.amount) FILTER (WHERE f.direction = 'outgoing' AND f.type = 'pledge') AS pledged,
    sum(CASE f.type WHEN 'commitment' THEN f.amount WHEN 'decommitment' THEN -f.amount END)
        FILTER (WHERE f.direction = 'outgoing') AS committed,
    sum(f.amount) FILTER (WHERE f.direction = 'outgoing' AND f.type = 'disbursement')
        AS disbursed,
    sum(f.amount) FILTER (WHERE f.direction = 'outgoing' AND f.type = 'expenditure') AS spent,
    sum(f.amount) FILTER (WHERE f.direction = 'incoming' AND f.type = 'pledge')
        AS incoming_pledged,
    sum(f.amount) FILTER (WHERE f.direction = 'incoming' AND f.type = 'commitment')
        AS incoming_committed,
    sum(f.amount) FILTER (WHERE f.direction = 'incoming' AND f.type = 'disbursement')
        AS received,
    bool_or(f.illustrative) AS illustrative
"""


_FLOW_COLUMNS = """
    f.agreement_id, f.flow_id, f.type, f.direction, f.iati_code, f.amount, f.currency,
    f.date, f.source, f.reference, f.illustrative, f.partner, f.recorded_at,
    f.commitment_id, f.section, t.event_id
"""

#: The event that recorded a flow, from the timeline: found by the flow's ids
#: (``reporting_0017``'s index of those events), not among every entry of its plan.
_RECORDED_BY = """
    LEFT JOIN LATERAL (
        SELECT x.event_id FROM rm_timeline x
        WHERE x.{scope} = f.{scope} AND x.type = 'org.pactstream.funding.flow_recorded'
          AND x.data->>'agreement_id' = f.agreement_id AND x.data->>'flow_id' = f.flow_id
        LIMIT 1
    ) t ON true
"""


class FundingQueries:
    def __init__(self, pool: asyncpg.Pool | Connection) -> None:
        self._pool = pool

    async def flow_sums(
        self, scope: str, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """Flow figures for ``plan_id`` or ``commitment_id`` = ``key``, per currency and
        optionally per ``section`` or ``source``."""
        assert scope in {"plan_id", "commitment_id"} and group in {None, "section", "source"}
        cols = f"f.{group} AS grp, " if group else ""
        group_by = f"f.{group}, f.currency" if group else "f.currency"
        return await self._pool.fetch(
            f"SELECT {cols}{_FLOW_SUMS} FROM rm_fund_flows f "
            f"WHERE f.{scope} = $1 AND {_FLOWS_IN_FORCE} GROUP BY {group_by}",
            key,
            as_of,
            known_at,
        )

    async def flow_sums_by_party(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """Flow figures per party of the commitments they fund; a commitment with two
        parties counts for both, so party figures overlap by design."""
        return await self._pool.fetch(
            f"""
            SELECT p.party->>'name' AS grp, {_FLOW_SUMS}
            FROM rm_fund_flows f
            JOIN rm_commitments c ON c.commitment_id = f.commitment_id
            CROSS JOIN LATERAL jsonb_array_elements(c.parties) AS p(party)
            WHERE f.plan_id = $1 AND {_FLOWS_IN_FORCE}
            GROUP BY p.party->>'name', f.currency
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def agreements(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT a.agreement_id, a.code, a.title, a.currency, a.period, a.section, a.total,
                   a.contributions, a.illustrative, a.signed_on, a.recorded_at,
                   t.event_id, t.partner
            FROM rm_fund_agreements a
            LEFT JOIN LATERAL (
                SELECT x.event_id, x.partner FROM rm_timeline x
                WHERE x.plan_id = a.plan_id
                  AND x.type = 'org.pactstream.funding.agreement_concluded'
                  AND x.data->>'agreement_id' = a.agreement_id
                LIMIT 1
            ) t ON true
            WHERE a.plan_id = $1 AND a.signed_on <= $2 AND a.recorded_at <= $3 ORDER BY a.code
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def allocation_sums(
        self, scope: str, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        assert scope in {"plan_id", "commitment_id"} and group in {None, "section"}
        cols = f"a.{group} AS grp, " if group else ""
        group_by = f"a.{group}, a.currency" if group else "a.currency"
        return await self._pool.fetch(
            f"SELECT {cols}a.currency, sum(a.amount) AS allocated FROM rm_fund_allocations a "
            f"WHERE a.{scope} = $1 AND a.on_date <= $2 AND a.recorded_at <= $3 "
            f"GROUP BY {group_by}",
            key,
            as_of,
            known_at,
        )

    async def targets(self, scope: str, key: str, known_at: datetime) -> list[asyncpg.Record]:
        assert scope in {"plan_id", "commitment_id"}
        return await self._pool.fetch(
            f"SELECT target_id, code, title, amount, currency, section, commitment_id, "
            f"from_kinds FROM rm_fund_targets WHERE {scope} = $1 AND recorded_at <= $2 "
            f"ORDER BY code",
            key,
            known_at,
        )

    async def sources(self) -> dict[str, asyncpg.Record]:
        rows = await self._pool.fetch("SELECT code, name, kind, plans FROM rm_fund_sources")
        return {r["code"]: r for r in rows}

    async def latest_rates(
        self, target: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """The newest rate on or before ``as_of`` between ``target`` and each currency."""
        return await self._pool.fetch(
            """
            SELECT DISTINCT ON (other) other, base, quote, rate, on_date FROM (
                SELECT CASE WHEN quote = $1 THEN base ELSE quote END AS other, *
                FROM rm_fund_rates WHERE (base = $1 OR quote = $1)
                  AND on_date <= $2 AND recorded_at <= $3
            ) r ORDER BY other, on_date DESC, recorded_at DESC
            """,
            target,
            as_of,
            known_at,
        )

    async def flows(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            f"""
            SELECT {_FLOW_COLUMNS},
                   (f.reversed_on IS NOT NULL AND f.reversed_on <= $2
                    AND f.reversed_recorded_at <= $3) AS reversed
            FROM rm_fund_flows f {_RECORDED_BY.format(scope="commitment_id")}
            WHERE f.commitment_id = $1 AND f.date <= $2 AND f.recorded_at <= $3
            ORDER BY f.date, f.recorded_at
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def plan_flows(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """The plan's flows in force on ``as_of`` as known at ``known_at``: those its
        money figures add up, each with the event that recorded it."""
        return await self._pool.fetch(
            f"""
            SELECT {_FLOW_COLUMNS}, false AS reversed
            FROM rm_fund_flows f {_RECORDED_BY.format(scope="plan_id")}
            WHERE f.plan_id = $1 AND {_FLOWS_IN_FORCE}
            ORDER BY f.date, f.recorded_at
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def flow_sums_by_day(
        self, plan_id: str, days: Sequence[date], known_at: datetime
    ) -> list[asyncpg.Record]:
        in_force = _FLOWS_IN_FORCE.replace("$2", "d.day")
        return await self._pool.fetch(
            f"""
            SELECT d.day, {_FLOW_SUMS}
            FROM unnest($2::date[]) AS d(day)
            JOIN rm_fund_flows f ON f.plan_id = $1 AND {in_force}
            GROUP BY d.day, f.currency
            """,
            plan_id,
            list(days),
            known_at,
        )
