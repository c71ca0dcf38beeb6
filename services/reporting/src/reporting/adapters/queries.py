"""Read-model queries. ``as_of`` is a business date, ``known_at`` a record time: a
report shows what had happened by ``as_of`` according to what was recorded by
``known_at``. Amendments, status changes and reports apply from their own business
dates, so the same query answers for any past day, as known then or as corrected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import asyncpg

from reporting.adapters.commitment_sql import (
    PROGRESS_ROWS,
    effective_commitments,
    latest,
    made_by,
)
from reporting.adapters.funding_queries import FundingQueries
from reporting.adapters.revision_queries import RevisionQueries
from reporting.application.ports import Readers
from reporting.application.progress import CommitmentRow
from shared.database import Connection


class ReportingQueries(RevisionQueries):
    def __init__(self, pool: asyncpg.Pool | Connection, *, remember: bool = False) -> None:
        """``remember``: over one snapshot, the same plan's effective commitments are
        read once however many views of a page ask for them (the plan page has three)."""
        self._pool = pool
        self._remembered: dict[tuple[str, date, datetime], list[asyncpg.Record]] | None = (
            {} if remember else None
        )

    async def plans(self, as_of: date, known_at: datetime) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            f"""
            WITH c AS ({effective_commitments("$1", "$2")})
            SELECT p.plan_id, p.code, p.title, p.title_local, p.language, p.period,
                   coalesce(v.public, false) AS public,
                   count(c.commitment_id) AS commitments,
                   count(c.commitment_id) FILTER (WHERE c.priority) AS priority,
                   count(c.commitment_id) FILTER (WHERE c.status = 'completed') AS completed
            FROM rm_plans p LEFT JOIN c ON c.plan_id = p.plan_id
                 LEFT JOIN rm_plan_visibility v ON v.plan_id = p.plan_id
            WHERE p.recorded_at <= $2
            GROUP BY p.plan_id, v.public ORDER BY p.code
            """,
            as_of,
            known_at,
        )

    async def public_plans(self) -> frozenset[str]:
        rows = await self._pool.fetch("SELECT plan_id FROM rm_plan_visibility WHERE public")
        return frozenset(r["plan_id"] for r in rows)

    async def plan_of(self, commitment_id: str) -> str | None:
        plan_id: str | None = await self._pool.fetchval(
            "SELECT plan_id FROM rm_commitments WHERE commitment_id = $1", commitment_id
        )
        return plan_id

    async def plan(
        self, plan_id: str, known_at: datetime, as_of: date | None = None
    ) -> asyncpg.Record | dict[str, Any] | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM rm_plans WHERE plan_id = $1 AND recorded_at <= $2", plan_id, known_at
        )
        return row if row is None or as_of is None else await self.as_revised(row, as_of, known_at)

    async def commitments(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        key = (plan_id, as_of, known_at)
        if self._remembered is not None and key in self._remembered:
            return self._remembered[key]
        rows: list[asyncpg.Record] = await self._pool.fetch(
            f"SELECT * FROM ({effective_commitments('$2', '$3', 'c.plan_id = $1')}) e "
            "ORDER BY e.code",
            plan_id,
            as_of,
            known_at,
        )
        if self._remembered is not None:
            self._remembered[key] = rows
        return rows

    async def progress_rows(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[CommitmentRow]:
        return _rows(await self._pool.fetch(PROGRESS_ROWS, plan_id, as_of, known_at))

    async def commitment(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> asyncpg.Record | None:
        return await self._pool.fetchrow(
            f"SELECT * FROM ({effective_commitments('$2', '$3', 'c.commitment_id = $1')}) e",
            commitment_id,
            as_of,
            known_at,
        )

    async def indicators(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT i.code, i.definition, m.value AS latest_value, m.as_of AS latest_as_of
            FROM rm_indicators i
            LEFT JOIN LATERAL (
                SELECT value, as_of FROM rm_measurements x
                WHERE x.commitment_id = i.commitment_id AND x.indicator = i.code
                  AND x.as_of <= $2 AND x.recorded_at <= $3
                ORDER BY x.as_of DESC, x.stream_version DESC LIMIT 1
            ) m ON true
            WHERE i.commitment_id = $1 AND i.recorded_at <= $3
            ORDER BY i.recorded_at, i.code
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def reports(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT report_id, as_of, completion, narrative, narrative_local, evidence, partner,
                   recorded_at,
                   CASE WHEN retracted_at <= $3 THEN retraction_reason END AS retraction_reason,
                   retracted_at IS NOT NULL AND retracted_at <= $3 AS retracted
            FROM rm_progress_reports
            WHERE commitment_id = $1 AND as_of <= $2 AND recorded_at <= $3
            ORDER BY as_of, stream_version
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def milestones(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT code, title, title_local, planned,
                   CASE WHEN reached_on <= $2 AND reached_recorded_at <= $3
                        THEN reached_on END AS reached_on
            FROM rm_milestones
            WHERE commitment_id = $1 AND recorded_at <= $3
            ORDER BY planned_end NULLS LAST, recorded_at, code
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def timeline(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT event_id, type, source, occurred_at, recorded_at, partner, data
            FROM rm_timeline
            WHERE commitment_id = $1 AND occurred_at::date <= $2 AND recorded_at <= $3
            ORDER BY occurred_at, recorded_at
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def party_commitments(
        self, party: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """Commitments naming ``party`` (in any role, as amended by ``as_of``)."""
        return await self._pool.fetch(
            f"""
            SELECT e.*, p.title AS plan_title, p.title_local AS plan_title_local,
                   p.code AS plan_code, p.language AS plan_language,
                   (SELECT array_agg(x->>'role') FROM jsonb_array_elements(e.parties) x
                    WHERE x->>'name' = $1) AS roles
            FROM ({effective_commitments("$2", "$3")}) e
            JOIN rm_plans p ON p.plan_id = e.plan_id
            WHERE e.parties @> jsonb_build_array(jsonb_build_object('name', $1::text))
            ORDER BY p.code, e.code
            """,
            party,
            as_of,
            known_at,
        )

    async def measurements(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT indicator, value, as_of FROM rm_measurements
            WHERE commitment_id = $1 AND as_of <= $2 AND recorded_at <= $3
            ORDER BY indicator, as_of, stream_version
            """,
            commitment_id,
            as_of,
            known_at,
        )

    async def plan_indicators(self, plan_id: str, known_at: datetime) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            """
            SELECT i.commitment_id, c.code AS commitment_code, i.code, i.definition
            FROM rm_indicators i JOIN rm_commitments c USING (commitment_id)
            WHERE c.plan_id = $1 AND i.recorded_at <= $2
            ORDER BY c.code, i.code
            """,
            plan_id,
            known_at,
        )

    async def plan_targets(self, plan_id: str, known_at: datetime) -> list[asyncpg.Record]:
        """Each shared target's definition in force at ``known_at``, in the order the
        targets were first set."""
        return await self._pool.fetch(
            """
            SELECT DISTINCT ON (code) code, definition,
                   min(recorded_at) OVER (PARTITION BY code) AS first_set
            FROM rm_plan_targets
            WHERE plan_id = $1 AND recorded_at <= $2
            ORDER BY code, recorded_at DESC, event_id
            """,
            plan_id,
            known_at,
        )

    async def plan_measurements(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        """Every measurement of the plan's commitments, for its charts, in one query."""
        return await self._pool.fetch(
            """
            SELECT m.commitment_id, m.indicator, m.value, m.as_of
            FROM rm_measurements m JOIN rm_commitments c USING (commitment_id)
            WHERE c.plan_id = $1 AND m.as_of <= $2 AND m.recorded_at <= $3
            ORDER BY m.commitment_id, m.indicator, m.as_of, m.stream_version
            """,
            plan_id,
            as_of,
            known_at,
        )

    async def plan_events(
        self,
        plan_id: str,
        occurred: tuple[datetime, datetime],
        recorded_after: datetime,
        known_at: datetime,
    ) -> list[asyncpg.Record]:
        """The plan's events (its own and its commitments' and money's) that took effect
        in ``occurred`` (half-open) or were recorded after ``recorded_after`` to take
        effect before it: the events of a window and the corrections of its past."""
        return await self._pool.fetch(
            """
            SELECT event_id, type, commitment_id, occurred_at, recorded_at, partner, data
            FROM rm_timeline
            WHERE plan_id = $1 AND recorded_at <= $5
              AND ((occurred_at >= $2 AND occurred_at < $3)
                   OR (recorded_at >= $4 AND occurred_at < $2))
            ORDER BY occurred_at, recorded_at, event_id
            """,
            plan_id,
            *occurred,
            recorded_after,
            known_at,
        )

    async def plan_events_recorded(
        self, plan_id: str, recorded: tuple[datetime, datetime]
    ) -> list[asyncpg.Record]:
        """The plan's events recorded in ``recorded`` (both bounds inclusive)."""
        return await self._pool.fetch(
            """
            SELECT event_id, type, commitment_id, occurred_at, recorded_at, partner, data
            FROM rm_timeline
            WHERE plan_id = $1 AND recorded_at >= $2 AND recorded_at <= $3
            ORDER BY recorded_at, occurred_at, event_id
            """,
            plan_id,
            *recorded,
        )

    async def status_by_day(
        self, plan_id: str, days: Sequence[date], known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            f"""
            SELECT d.day, coalesce({latest("rm_status_changes", "status", "d.day", "$3")},
                                   'planned') AS status,
                   count(*) AS n
            FROM unnest($2::date[]) AS d(day)
            JOIN rm_commitments c ON c.plan_id = $1 AND {made_by("d.day", "$3")}
            GROUP BY 1, 2
            """,
            plan_id,
            list(days),
            known_at,
        )

    async def consumer_offsets(self, consumer: str) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            "SELECT topic, partition, next_offset, last_event_at FROM consumer_offsets "
            "WHERE consumer = $1 ORDER BY topic, partition",
            consumer,
        )

    async def counts(self) -> dict[str, int]:
        row = await self._pool.fetchrow(
            "SELECT (SELECT count(*) FROM rm_plans) AS plans, "
            "(SELECT count(*) FROM rm_commitments) AS commitments"
        )
        assert row is not None
        return dict(row)


def _rows(records: list[asyncpg.Record]) -> list[CommitmentRow]:
    """Each record as a row: ``PROGRESS_ROWS`` selects its columns in the row's order."""
    if records and tuple(records[0].keys()) != CommitmentRow._fields:
        raise AssertionError(f"PROGRESS_ROWS selects {tuple(records[0].keys())}")
    return [CommitmentRow._make(r) for r in records]


@asynccontextmanager
async def consistent_reads(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """One connection in a repeatable-read, read-only transaction: a response built
    from several queries shows one state of the read models, never one query from
    before a projection's commit and the next from after it (a commitment shown with
    its report retracted and the report's completion still in force)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[Readers]:
    """Both readers over one :func:`consistent_reads` connection (whose state cannot
    change under them, so repeated reads of a plan's commitments are read once)."""
    async with consistent_reads(pool) as conn:
        commitments = ReportingQueries(conn, remember=True)
        yield Readers(commitments=commitments, funding=FundingQueries(conn))
