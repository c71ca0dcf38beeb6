"""Projects published events into the read models; called inside the consumer's
transaction, so each change commits together with the offset that produced it."""

from __future__ import annotations

from importlib.resources import files

from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.contracts import registry
from shared.database import Connection
from shared.events import EventData

SCHEMA_SQL = files("reporting.adapters").joinpath("schema.sql").read_text()


async def install_schema(conn: Connection) -> None:
    await conn.execute(SCHEMA_SQL)


async def project(conn: Connection, event: ReceivedEvent) -> None:
    if not registry.knows(event.type):
        return  # A type from a newer publisher: kept on the topic, replayable later.
    data: EventData = registry.decode(event.type, event.schema_version, event.data)
    plan_id: str | None = getattr(data, "plan_id", None)
    commitment_id: str | None = getattr(data, "commitment_id", None)
    await conn.execute(
        """
        INSERT INTO rm_timeline (event_id, source, type, subject, plan_id, commitment_id,
                                 occurred_at, recorded_at, partner, data)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        event.source,
        event.type,
        event.subject,
        plan_id,
        commitment_id,
        event.occurred_at,
        event.recorded_at,
        event.metadata.partner,
        event.data,
    )
    match data:
        case contract.PlanCreated():
            await conn.execute(
                """
                INSERT INTO rm_plans (plan_id, code, title, language, period, adopted_on, parties,
                                      monitoring_bodies, sections, occurred_at, recorded_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                ON CONFLICT (plan_id) DO NOTHING
                """,
                data.plan_id,
                data.code,
                data.title,
                data.language,
                None if data.period is None else data.period.model_dump(mode="json"),
                data.adopted_on,
                list(data.parties),
                list(data.monitoring_bodies),
                [s.model_dump(mode="json") for s in data.sections],
                event.occurred_at,
                event.recorded_at,
            )
        case contract.CommitmentMade():
            await conn.execute(
                """
                INSERT INTO rm_commitments (commitment_id, plan_id, code, section, title, parties,
                    deadline, deadline_end, priority, made_on, indicators, recorded_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                ON CONFLICT (commitment_id) DO NOTHING
                """,
                data.commitment_id,
                data.plan_id,
                data.code,
                data.section,
                data.title,
                [p.model_dump(mode="json") for p in data.parties],
                None if data.deadline is None else data.deadline.model_dump(mode="json"),
                None if data.deadline is None else data.deadline.end,
                data.priority,
                data.made_on,
                [i.model_dump(mode="json") for i in data.indicators],
                event.recorded_at,
            )
        case contract.CommitmentStatusChanged():
            await conn.execute(
                """
                INSERT INTO rm_status_changes (event_id, commitment_id, stream_version, status,
                                               as_of, note, recorded_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (event_id) DO NOTHING
                """,
                event.event_id,
                data.commitment_id,
                event.stream_version,
                data.status,
                data.as_of,
                data.note,
                event.recorded_at,
            )
        case _:
            pass
