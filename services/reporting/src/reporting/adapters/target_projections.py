"""Projects a plan's shared targets: each definition kept with its record time."""

from __future__ import annotations

from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection


async def target_set(conn: Connection, event: ReceivedEvent, data: contract.PlanTargetSet) -> None:
    await conn.execute(
        """
        INSERT INTO rm_plan_targets (event_id, plan_id, code, definition, recorded_at)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.plan_id,
        data.code,
        data.model_dump(mode="json"),
        event.recorded_at,
    )
