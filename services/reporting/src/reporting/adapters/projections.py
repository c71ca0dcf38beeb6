"""Projects published events into the read models; called inside the consumer's
transaction, so each change commits together with the offset that produced it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from importlib.resources import files

from reporting.adapters.funding_projections import project_funding
from reporting.adapters.projectors import Projector, projector_for
from shared import access
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.contracts import registry
from shared.database import Connection
from shared.events import EventData

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = files("reporting.adapters").joinpath("schema.sql").read_text()


_TIMELINE = """
    INSERT INTO rm_timeline (event_id, source, type, subject, plan_id, commitment_id,
                             occurred_at, recorded_at, partner, data)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[],
                         $10::text[]::jsonb[])
    ON CONFLICT (event_id) DO NOTHING
"""


def _decoded(event: ReceivedEvent) -> EventData | None:
    if not registry.knows(event.type):
        return None  # A type from a newer publisher: kept on the topic, replayable later.
    return registry.decode(event.type, event.schema_version, event.data)


def _is_credential(event: ReceivedEvent) -> bool:
    return event.type.startswith(access.EVENT_TYPE_PREFIX)


async def _timeline(conn: Connection, items: list[tuple[ReceivedEvent, EventData]]) -> None:
    if not items:
        return
    columns: list[list[object]] = [[] for _ in range(10)]
    for event, data in items:
        row = (
            event.event_id,
            event.source,
            event.type,
            event.subject,
            getattr(data, "plan_id", None),
            getattr(data, "commitment_id", None),
            event.occurred_at,
            event.recorded_at,
            event.metadata.partner,
            event.data_json,  # Stored as it arrived: no decode and re-encode.
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    await conn.execute(_TIMELINE, *columns)


async def project(conn: Connection, event: ReceivedEvent) -> None:
    """Apply one event: its timeline entry and its read-model change."""
    data = _decoded(event)
    if data is None or (_is_credential(event) and await access.project(conn, data)):
        return  # Credentials: honoured here, not reported.
    await _timeline(conn, [(event, data)])
    await _apply(conn, event, data)


async def project_many(conn: Connection, events: list[ReceivedEvent]) -> None:
    """The same as :func:`project` for each event in order, with the timeline and the
    measurements (most of the traffic) written in one statement each."""
    items: list[tuple[ReceivedEvent, EventData]] = []
    for event in events:
        data = _decoded(event)
        if data is None or (_is_credential(event) and await access.project(conn, data)):
            continue
        items.append((event, data))
    await _timeline(conn, items)
    measured = [(e, d) for e, d in items if isinstance(d, contract.MeasurementRecorded)]
    if measured:
        await conn.execute(
            """
            INSERT INTO rm_measurements (event_id, commitment_id, indicator, stream_version,
                                         value, as_of, recorded_at)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[],
                                 $5::numeric[], $6::date[], $7::timestamptz[])
            ON CONFLICT (event_id) DO NOTHING
            """,
            [e.event_id for e, _ in measured],
            [d.commitment_id for _, d in measured],
            [d.indicator for _, d in measured],
            [e.stream_version for e, _ in measured],
            [Decimal(d.value) for _, d in measured],
            [d.as_of for _, d in measured],
            [e.recorded_at for e, _ in measured],
        )
    for event, data in items:
        if not isinstance(data, contract.MeasurementRecorded):
            await _apply(conn, event, data)


async def _apply(conn: Connection, event: ReceivedEvent, data: EventData) -> None:
    projector = projector_for(data, _PROJECTORS)
    if projector is None:
        await project_funding(conn, event, data)
    else:
        await projector(conn, event, data)


async def _plan_created(conn: Connection, event: ReceivedEvent, data: contract.PlanCreated) -> None:
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


async def _commitment_made(
    conn: Connection, event: ReceivedEvent, data: contract.CommitmentMade
) -> None:
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
    for indicator in data.indicators:
        await _indicator(conn, data.commitment_id, indicator, event.recorded_at)


async def _commitment_status_changed(
    conn: Connection, event: ReceivedEvent, data: contract.CommitmentStatusChanged
) -> None:
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


async def _progress_reported(
    conn: Connection, event: ReceivedEvent, data: contract.ProgressReported
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_progress_reports (event_id, commitment_id, report_id,
            stream_version, as_of, completion, narrative, evidence, partner, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.commitment_id,
        data.report_id,
        event.stream_version,
        data.as_of,
        data.completion,
        data.narrative,
        list(data.evidence),
        event.metadata.partner,
        event.recorded_at,
    )


async def _progress_report_retracted(
    conn: Connection, event: ReceivedEvent, data: contract.ProgressReportRetracted
) -> None:
    await conn.execute(
        """
        UPDATE rm_progress_reports SET retracted_at = $3, retraction_reason = $4
        WHERE commitment_id = $1 AND report_id = $2 AND retracted_at IS NULL
        """,
        data.commitment_id,
        data.report_id,
        event.recorded_at,
        data.reason,
    )


async def _measurement_recorded(
    conn: Connection, event: ReceivedEvent, data: contract.MeasurementRecorded
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_measurements (event_id, commitment_id, indicator, stream_version,
                                     value, as_of, recorded_at)
        VALUES ($1, $2, $3, $4, $5::numeric, $6, $7)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.commitment_id,
        data.indicator,
        event.stream_version,
        data.value,
        data.as_of,
        event.recorded_at,
    )


async def _indicator_added(
    conn: Connection, event: ReceivedEvent, data: contract.IndicatorAdded
) -> None:
    await _indicator(conn, data.commitment_id, data.indicator, event.recorded_at)


async def _milestone_added(
    conn: Connection, event: ReceivedEvent, data: contract.MilestoneAdded
) -> None:
    m = data.milestone
    await conn.execute(
        """
        INSERT INTO rm_milestones (commitment_id, code, title, planned, planned_end,
                                   recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (commitment_id, code) DO NOTHING
        """,
        data.commitment_id,
        m.code,
        m.title,
        None if m.planned is None else m.planned.model_dump(mode="json"),
        None if m.planned is None else m.planned.end,
        event.recorded_at,
    )


async def _milestone_reached(
    conn: Connection, event: ReceivedEvent, data: contract.MilestoneReached
) -> None:
    await conn.execute(
        """
        UPDATE rm_milestones SET reached_on = $3, reached_recorded_at = $4
        WHERE commitment_id = $1 AND code = $2
        """,
        data.commitment_id,
        data.milestone,
        data.reached_on,
        event.recorded_at,
    )


async def _commitment_amended(
    conn: Connection, event: ReceivedEvent, data: contract.CommitmentAmended
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_amendments (event_id, commitment_id, stream_version, as_of, reason,
                                   title, deadline, deadline_end, parties, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.commitment_id,
        event.stream_version,
        data.as_of,
        data.reason,
        data.title,
        None if data.deadline is None else data.deadline.model_dump(mode="json"),
        None if data.deadline is None else data.deadline.end,
        None if data.parties is None else [p.model_dump(mode="json") for p in data.parties],
        event.recorded_at,
    )


_PROJECTORS: dict[type, Projector] = {
    contract.PlanCreated: _plan_created,
    contract.CommitmentMade: _commitment_made,
    contract.CommitmentStatusChanged: _commitment_status_changed,
    contract.ProgressReported: _progress_reported,
    contract.ProgressReportRetracted: _progress_report_retracted,
    contract.MeasurementRecorded: _measurement_recorded,
    contract.IndicatorAdded: _indicator_added,
    contract.MilestoneAdded: _milestone_added,
    contract.MilestoneReached: _milestone_reached,
    contract.CommitmentAmended: _commitment_amended,
}


async def _indicator(
    conn: Connection, commitment_id: str, indicator: contract.IndicatorData, recorded_at: datetime
) -> None:
    await conn.execute(
        """
        INSERT INTO rm_indicators (commitment_id, code, definition, recorded_at)
        VALUES ($1, $2, $3, $4) ON CONFLICT (commitment_id, code) DO NOTHING
        """,
        commitment_id,
        indicator.code,
        indicator.model_dump(mode="json"),
        recorded_at,
    )
