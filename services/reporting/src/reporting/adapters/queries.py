"""Read-model queries. ``as_of`` is a business date, ``known_at`` a record time: a
report shows what had happened by ``as_of`` according to what was recorded by
``known_at``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from reporting.application.progress import CommitmentRow


def _status_as_of(as_of: str, known_at: str) -> str:
    """SQL for a commitment ``c``'s status on date ``as_of`` as recorded by ``known_at``."""
    return f"""
    coalesce((
        SELECT s.status FROM rm_status_changes s
        WHERE s.commitment_id = c.commitment_id AND s.as_of <= {as_of}
          AND s.recorded_at <= {known_at}
        ORDER BY s.as_of DESC, s.stream_version DESC LIMIT 1
    ), 'planned')"""


class ReportingQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def plans(self, as_of: date, known_at: datetime) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            f"""
            SELECT p.plan_id, p.code, p.title, p.language, p.period,
                   count(c.commitment_id) AS commitments,
                   count(c.commitment_id) FILTER (WHERE c.priority) AS priority,
                   count(c.commitment_id) FILTER (WHERE c.status = 'completed') AS completed
            FROM rm_plans p
            LEFT JOIN LATERAL (
                SELECT c.commitment_id, c.priority, {_status_as_of("$1", "$2")} AS status
                FROM rm_commitments c
                WHERE c.plan_id = p.plan_id AND c.made_on <= $1 AND c.recorded_at <= $2
            ) c ON true
            WHERE p.recorded_at <= $2
            GROUP BY p.plan_id ORDER BY p.code
            """,
            as_of,
            known_at,
        )

    async def plan(self, plan_id: str, known_at: datetime) -> asyncpg.Record | None:
        return await self._pool.fetchrow(
            "SELECT * FROM rm_plans WHERE plan_id = $1 AND recorded_at <= $2", plan_id, known_at
        )

    async def commitments(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            f"""
            SELECT c.commitment_id, c.code, c.section, c.title, c.parties, c.deadline,
                   c.deadline_end, c.priority, c.made_on, {_status_as_of("$2", "$3")} AS status
            FROM rm_commitments c
            WHERE c.plan_id = $1 AND c.made_on <= $2 AND c.recorded_at <= $3
            ORDER BY c.code
            """,
            plan_id,
            as_of,
            known_at,
        )

    @staticmethod
    def rows(records: list[asyncpg.Record]) -> list[CommitmentRow]:
        return [
            CommitmentRow(
                commitment_id=r["commitment_id"],
                section=r["section"],
                status=r["status"],
                priority=r["priority"],
                deadline_end=r["deadline_end"],
            )
            for r in records
        ]

    async def consumer_offsets(self, consumer: str) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            "SELECT topic, partition, next_offset, last_event_at FROM consumer_offsets "
            "WHERE consumer = $1 ORDER BY topic, partition",
            consumer,
        )

    async def counts(self) -> dict[str, Any]:
        row = await self._pool.fetchrow(
            "SELECT (SELECT count(*) FROM rm_plans) AS plans, "
            "(SELECT count(*) FROM rm_commitments) AS commitments"
        )
        assert row is not None
        return dict(row)
