"""A plan's key date dated (or corrected): the deadlines and milestones written relative
to it ("within 18 months of the summit") stop being pending.

Each deadline that waited for the key date gets a resolved version beside it, an
``rm_amendments`` row at the same business date and version as the row it resolves,
recorded when the key date was: so a report as known before then still shows it
pending, and one as known after shows its dates. A correction of the key date
resolves the same rows again, and the later record wins. Milestones have no history
of their plan: theirs is resolved in place."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection
from shared.deadlines import Deadline, PlanCalendar, period_object, read_again

#: Every row holding a deadline that waits for key date $2, in plan $1: a commitment's
#: own and its amendments', with the business date and version each applies from.
_WAITING = """
    SELECT c.commitment_id, c.deadline, coalesce(c.made_on, '0001-01-01'::date) AS as_of,
           1 AS stream_version
    FROM rm_commitments c
    WHERE c.plan_id = $1 AND c.deadline->>'pending' = $2
    UNION ALL
    SELECT a.commitment_id, a.deadline, a.as_of, a.stream_version
    FROM rm_amendments a JOIN rm_commitments c USING (commitment_id)
    WHERE c.plan_id = $1 AND a.deadline->>'pending' = $2
"""


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def _calendar(plan: Mapping[str, Any]) -> PlanCalendar:
    period = plan["period"] or {}
    return PlanCalendar(
        fiscal_year_start=plan["fiscal_year_start"],
        key_dates={k["name"]: _day(k.get("date")) for k in plan["key_dates"]},
        start=_day(period.get("start")),
        end=_day(period.get("end")),
    )


def _dated(key_dates: list[dict[str, Any]], name: str, day: date) -> list[dict[str, Any]]:
    dated = {"name": name, "date": day.isoformat()}
    if any(k["name"] == name for k in key_dates):
        return [dated if k["name"] == name else k for k in key_dates]
    return [*key_dates, dated]


async def key_date_recorded(
    conn: Connection, event: ReceivedEvent, data: contract.PlanKeyDateRecorded
) -> None:
    plan = await conn.fetchrow(
        "SELECT period, fiscal_year_start, key_dates FROM rm_plans WHERE plan_id = $1",
        data.plan_id,
    )
    if plan is None:
        return
    key_dates = _dated(list(plan["key_dates"]), data.name, data.date)
    await conn.execute(
        "UPDATE rm_plans SET key_dates = $2 WHERE plan_id = $1", data.plan_id, key_dates
    )
    calendar = _calendar({**dict(plan), "key_dates": key_dates})
    for row in await conn.fetch(_WAITING, data.plan_id, data.name):
        read = read_again(row["deadline"]["label"], plan=calendar)
        if read is not None:
            await _amend(conn, event, row, read, data.name)
    await _milestones(conn, data, calendar)


async def _amend(
    conn: Connection, event: ReceivedEvent, row: Any, read: Deadline, name: str
) -> None:
    """The resolved deadline beside ``row`` (a waiting deadline's record)."""
    source = f"{row['commitment_id']}@{row['as_of']}#{row['stream_version']}"
    await conn.execute(
        """
        INSERT INTO rm_amendments (event_id, commitment_id, stream_version, as_of, reason,
                                   deadline, deadline_end, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (event_id) DO NOTHING
        """,
        uuid.uuid5(event.event_id, source),
        row["commitment_id"],
        row["stream_version"],
        row["as_of"],
        f"key date {name!r} dated",
        {**period_object(read), "key_date": name},
        read.end,
        event.recorded_at,
    )


async def _milestones(
    conn: Connection, data: contract.PlanKeyDateRecorded, calendar: PlanCalendar
) -> None:
    rows = await conn.fetch(
        """
        SELECT m.commitment_id, m.code, m.planned FROM rm_milestones m
        JOIN rm_commitments c USING (commitment_id)
        WHERE c.plan_id = $1
          AND (m.planned->>'pending' = $2 OR m.planned->>'key_date' = $2)
        """,
        data.plan_id,
        data.name,
    )
    for row in rows:
        read = read_again(row["planned"]["label"], plan=calendar)
        if read is not None:
            await conn.execute(
                "UPDATE rm_milestones SET planned = $3, planned_end = $4 "
                "WHERE commitment_id = $1 AND code = $2",
                row["commitment_id"],
                row["code"],
                {**period_object(read), "key_date": data.name},
                read.end,
            )
