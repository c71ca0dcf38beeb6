"""Projects the commitments topic into reporting's plan and commitment read models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporting.adapters.facts import (
    MEASUREMENTS,
    REPORTS,
    STATUS_CHANGES,
    Facts,
    json_column,
    languages_column,
    text_column,
)
from reporting.adapters.key_dates import key_date_recorded
from reporting.adapters.plan_revisions import plan_revised
from reporting.adapters.projection import Projection
from reporting.adapters.target_projections import target_set
from shared import jsontext
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection
from shared.events import EventData


async def _plan_created(conn: Connection, event: ReceivedEvent, data: contract.PlanCreated) -> None:
    await conn.execute(
        """
        INSERT INTO rm_plans (plan_id, code, title, language, period, adopted_on, parties,
                              monitoring_bodies, sections, occurred_at, recorded_at,
                              fiscal_year_start, key_dates, title_local)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (plan_id) DO NOTHING
        """,
        data.plan_id,
        data.code,
        text_column(data.title),
        data.language,
        None if data.period is None else data.period.model_dump(mode="json"),
        data.adopted_on,
        list(data.parties),
        list(data.monitoring_bodies),
        [s.model_dump(mode="json") for s in data.sections],
        event.occurred_at,
        event.recorded_at,
        data.fiscal_year_start,
        [k.model_dump(mode="json") for k in data.key_dates],
        languages_column(data.title),
    )


async def _plan_visibility_changed(
    conn: Connection, event: ReceivedEvent, data: contract.PlanVisibilityChanged
) -> None:
    """The latest word holds: a plan's visibility changes are one stream, on one
    partition, so they arrive in the order they were recorded."""
    await conn.execute(
        """
        INSERT INTO rm_plan_visibility (plan_id, public, recorded_at) VALUES ($1, $2, $3)
        ON CONFLICT (plan_id) DO UPDATE SET public = $2, recorded_at = $3
        """,
        data.plan_id,
        data.public,
        event.recorded_at,
    )


def _made(e: ReceivedEvent, d: contract.CommitmentMade) -> tuple[Any, ...]:
    deadline = d.deadline
    return (
        d.commitment_id,
        d.plan_id,
        d.code,
        d.section,
        text_column(d.title),
        jsontext.dumps([p.model_dump(mode="json") for p in d.parties]),
        None if deadline is None else jsontext.dumps(deadline.model_dump(mode="json")),
        None if deadline is None else deadline.end,
        d.priority,
        d.made_on,
        jsontext.dumps([i.model_dump(mode="json") for i in d.indicators]),
        e.recorded_at,
        json_column(languages_column(d.title)),
    )


#: Commitments made, and their indicators (each an element of ``indicators``): the
#: many a plan's import makes in a poll are inserted at once, like the facts.
COMMITMENTS_MADE = Facts(
    """
    WITH made AS (
        INSERT INTO rm_commitments (commitment_id, plan_id, code, section, title, parties,
            deadline, deadline_end, priority, made_on, indicators, recorded_at, title_local)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[]::jsonb[], $7::text[]::jsonb[], $8::date[],
                             $9::boolean[], $10::date[], $11::text[]::jsonb[],
                             $12::timestamptz[], $13::text[]::jsonb[])
        ON CONFLICT (commitment_id) DO NOTHING
    )
    INSERT INTO rm_indicators (commitment_id, code, definition, recorded_at)
    SELECT m.commitment_id, i ->> 'code', i, m.recorded_at
    FROM unnest($1::text[], $11::text[]::jsonb[], $12::timestamptz[])
             AS m(commitment_id, indicators, recorded_at),
         jsonb_array_elements(m.indicators) AS i
    ON CONFLICT (commitment_id, code) DO NOTHING
    """,
    _made,
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
                                   recorded_at, title_local)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (commitment_id, code) DO NOTHING
        """,
        data.commitment_id,
        m.code,
        text_column(m.title),
        None if m.planned is None else m.planned.model_dump(mode="json"),
        None if m.planned is None else m.planned.end,
        event.recorded_at,
        languages_column(m.title),
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
                                   title, deadline, deadline_end, parties, recorded_at,
                                   title_local)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (event_id) DO NOTHING
        """,
        event.event_id,
        data.commitment_id,
        event.stream_version,
        data.as_of,
        data.reason,
        text_column(data.title),
        None if data.deadline is None else data.deadline.model_dump(mode="json"),
        None if data.deadline is None else data.deadline.end,
        None if data.parties is None else [p.model_dump(mode="json") for p in data.parties],
        event.recorded_at,
        languages_column(data.title),
    )


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


#: The read-model change of each commitments event.
COMMITMENT_PROJECTIONS: dict[type[EventData], Projection] = {
    contract.PlanCreated: _plan_created,
    contract.PlanVisibilityChanged: _plan_visibility_changed,
    contract.PlanKeyDateRecorded: key_date_recorded,
    contract.PlanRevised: plan_revised,
    contract.CommitmentMade: COMMITMENTS_MADE.project,
    contract.CommitmentStatusChanged: STATUS_CHANGES.project,
    contract.ProgressReported: REPORTS.project,
    contract.ProgressReportRetracted: _progress_report_retracted,
    contract.MeasurementRecorded: MEASUREMENTS.project,
    contract.IndicatorAdded: _indicator_added,
    contract.MilestoneAdded: _milestone_added,
    contract.MilestoneReached: _milestone_reached,
    contract.CommitmentAmended: _commitment_amended,
    contract.PlanTargetSet: target_set,
}
