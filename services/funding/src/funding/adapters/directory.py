"""Funding's own replica of the commitments it may fund, fed by the commitments topic,
with an HTTP fallback for one created a moment ago and not yet consumed: the read-your-
writes case the design allows a synchronous call for."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from funding.domain.agreement import CommitmentRef
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection
from shared.events import EventRegistry
from shared.http.problems import Problem

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS known_plans (
    plan_id text PRIMARY KEY,
    code    text NOT NULL
);
CREATE TABLE IF NOT EXISTS known_commitments (
    commitment_id text PRIMARY KEY,
    plan_id       text NOT NULL,
    section       text NOT NULL,
    code          text NOT NULL,
    parties       jsonb NOT NULL DEFAULT '[]'
);
ALTER TABLE known_commitments ADD COLUMN IF NOT EXISTS parties jsonb NOT NULL DEFAULT '[]';
"""

_REMEMBER = (
    "INSERT INTO known_commitments (commitment_id, plan_id, section, code, parties) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
)


_MOVED = """
    INSERT INTO known_moves (commitment_id, section, revision) VALUES ($1, $2, $3)
    ON CONFLICT (commitment_id) DO UPDATE SET section = $2, revision = $3
    WHERE known_moves.revision < $3
"""

_REPLICATED = {
    contract.PlanCreated.event_type,
    contract.PlanRevised.event_type,
    contract.CommitmentMade.event_type,
    contract.CommitmentAmended.event_type,
}


def replicates(event_type: str) -> bool:
    """Whether :func:`replicate` does anything with events of this type."""
    return event_type in _REPLICATED


async def replicate(registry: EventRegistry, conn: Connection, event: ReceivedEvent) -> None:
    """Consumer handler for the commitments topic, decoding with the composition root's
    ``registry``; a type it does not know is passed over."""
    if not registry.knows(event.type):
        return
    data = registry.decode(event.type, event.schema_version, event.data)
    match data:
        case contract.PlanCreated():
            await conn.execute(
                "INSERT INTO known_plans (plan_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                data.plan_id,
                data.code,
            )
        case contract.CommitmentMade():
            await conn.execute(
                _REMEMBER,
                data.commitment_id,
                data.plan_id,
                data.section,
                data.code,
                sorted({p.name for p in data.parties}),
            )
        case contract.PlanRevised():
            for move in data.moves:  # A later revision's move wins, whatever the order.
                await conn.execute(_MOVED, move.commitment_id, move.section, data.revision)
        case contract.CommitmentAmended() if data.parties is not None:
            await conn.execute(
                "UPDATE known_commitments SET parties = $2 WHERE commitment_id = $1",
                data.commitment_id,
                sorted({p.name for p in data.parties}),
            )


class ReplicaDirectory:
    """Implements :class:`funding.application.ports.CommitmentDirectory`."""

    def __init__(self, pool: asyncpg.Pool, commitments: httpx.AsyncClient) -> None:
        self._pool = pool
        self._http = commitments

    async def commitment(self, commitment_id: str) -> CommitmentRef | None:
        row = await self._pool.fetchrow(
            """
            SELECT k.plan_id, coalesce(m.section, k.section) AS section, k.parties
            FROM known_commitments k LEFT JOIN known_moves m USING (commitment_id)
            WHERE k.commitment_id = $1
            """,
            commitment_id,
        )
        if row is not None:
            return CommitmentRef(
                commitment_id, row["plan_id"], row["section"], frozenset(row["parties"])
            )
        body = await self._ask(f"/v1/commitments/{commitment_id}")
        if body is None:
            return None
        parties = sorted({p["name"] for p in body["parties"]})
        await self._pool.execute(
            _REMEMBER, commitment_id, body["plan"], body["section"], body["code"], parties
        )
        return CommitmentRef(commitment_id, body["plan"], body["section"], frozenset(parties))

    async def plan_exists(self, plan_id: str) -> bool:
        found = await self._pool.fetchval("SELECT 1 FROM known_plans WHERE plan_id = $1", plan_id)
        if found:
            return True
        body = await self._ask(f"/v1/plans/{plan_id}")
        if body is None:
            return False
        await self._pool.execute(
            "INSERT INTO known_plans (plan_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            plan_id,
            body["code"],
        )
        return True

    async def _ask(self, path: str) -> dict[str, Any] | None:
        try:
            response = await self._http.get(path)
        except httpx.HTTPError as exc:
            raise Problem(
                503,
                "dependency-unavailable",
                f"commitments could not be asked about {path}: {type(exc).__name__}",
                headers={"Retry-After": "2"},
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise Problem(
                503,
                "dependency-unavailable",
                f"commitments answered {response.status_code} for {path}",
                headers={"Retry-After": "2"},
            )
        body: dict[str, Any] = response.json()
        return body
