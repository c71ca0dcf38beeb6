"""A plan's text revised (``PlanRevised``): the revision's tree is kept beside the
others, from its business date on and as recorded, and each commitment it moved gets a
dated placement; the tree as created stays in ``rm_plans``. Idempotent: a revision and
its moves are keyed by their number."""

from __future__ import annotations

from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection


async def plan_revised(conn: Connection, event: ReceivedEvent, data: contract.PlanRevised) -> None:
    await conn.execute(
        """
        INSERT INTO rm_plan_revisions (plan_id, revision, event_id, as_of, reason, sections,
                                       moves, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (plan_id, revision) DO NOTHING
        """,
        data.plan_id,
        data.revision,
        event.event_id,
        data.as_of,
        data.reason,
        [s.model_dump(mode="json") for s in data.sections],
        [m.model_dump(mode="json") for m in data.moves],
        event.recorded_at,
    )
    if data.moves:
        await conn.execute(
            """
            INSERT INTO rm_commitment_moves (commitment_id, plan_id, revision, section, as_of,
                                             recorded_at)
            SELECT m.commitment_id, $1, $2, m.section, $3, $4
            FROM unnest($5::text[], $6::text[]) AS m(commitment_id, section)
            ON CONFLICT (commitment_id, revision) DO NOTHING
            """,
            data.plan_id,
            data.revision,
            data.as_of,
            event.recorded_at,
            [m.commitment_id for m in data.moves],
            [m.section for m in data.moves],
        )
