"""Plan revisions in the read models: the section tree in force on a date and where
each commitment was then, both as known at a record time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from shared.database import Connection


class RevisionQueries:
    _pool: asyncpg.Pool | Connection

    async def as_revised(
        self, plan: asyncpg.Record, as_of: date, known_at: datetime
    ) -> dict[str, Any]:
        """``plan`` with the section tree in force on ``as_of`` as known at
        ``known_at``: its latest revision by then, else the tree it was created with."""
        tree = await self._pool.fetchval(
            """
            SELECT r.sections FROM rm_plan_revisions r
            WHERE r.plan_id = $1 AND r.as_of <= $2 AND r.recorded_at <= $3
            ORDER BY r.revision DESC LIMIT 1
            """,
            plan["plan_id"],
            as_of,
            known_at,
        )
        return {**dict(plan), "sections": plan["sections"] if tree is None else tree}

    async def plan_revisions(self, plan_id: str, known_at: datetime) -> list[asyncpg.Record]:
        """Every revision of the plan recorded by ``known_at``, in order, revision 0
        being the plan as created."""
        return await self._pool.fetch(
            """
            SELECT 0 AS revision, coalesce(adopted_on, occurred_at::date) AS as_of,
                   NULL::text AS reason, sections, '[]'::jsonb AS moves, recorded_at
            FROM rm_plans WHERE plan_id = $1 AND recorded_at <= $2
            UNION ALL
            SELECT revision, as_of, reason, sections, moves, recorded_at
            FROM rm_plan_revisions WHERE plan_id = $1 AND recorded_at <= $2
            ORDER BY revision
            """,
            plan_id,
            known_at,
        )

    async def sections_made_in(self, plan_id: str, known_at: datetime) -> dict[str, str]:
        """Each commitment of the plan recorded by ``known_at``: the section it was
        made in."""
        rows = await self._pool.fetch(
            "SELECT commitment_id, section FROM rm_commitments "
            "WHERE plan_id = $1 AND recorded_at <= $2",
            plan_id,
            known_at,
        )
        return {r["commitment_id"]: r["section"] for r in rows}
