"""Projects published events into the read models; called inside the consumer's
transaction, so each change commits together with the offset that produced it."""

from __future__ import annotations

from functools import partial

from reporting.adapters import commitment_state
from reporting.adapters.commitment_projections import COMMITMENT_PROJECTIONS, COMMITMENTS_MADE
from reporting.adapters.facts import MEASUREMENTS, REPORTS, STATUS_CHANGES, Facts
from reporting.adapters.funding_projections import FUNDING_PROJECTIONS
from reporting.adapters.projection import Projection
from shared import access, consumer
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.database import Connection
from shared.events import EventData, EventRegistry

_TIMELINE = """
    INSERT INTO rm_timeline (event_id, source, type, subject, plan_id, commitment_id,
                             occurred_at, recorded_at, partner, data)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[],
                         $10::text[]::jsonb[])
    ON CONFLICT (event_id) DO NOTHING
"""


def _decoded(registry: EventRegistry, event: ReceivedEvent) -> EventData | None:
    if not registry.knows(event.type):
        return None  # A type from a newer publisher: kept on the topic, replayable later.
    return registry.decode(event.type, event.schema_version, event.data)


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


async def project(
    registry: EventRegistry, conn: Connection, event: ReceivedEvent, *, keep_state: bool = True
) -> None:
    """Apply one event, decoded with ``registry``: its timeline entry and its read-model
    change, and (``keep_state``) the state of the commitments it changed marked stale."""
    data = _decoded(registry, event)
    if data is None:
        return
    await _timeline(conn, [(event, data)])
    await _apply(conn, event, data)
    if keep_state:
        await commitment_state.mark(conn, [data])


async def project_many(
    registry: EventRegistry,
    conn: Connection,
    events: list[ReceivedEvent],
    *,
    keep_state: bool = True,
) -> None:
    """The same as :func:`project` for each event in order, with the timeline, the
    commitments made and each kind of fact (:mod:`.facts`: most of the traffic) written
    in one statement each, before the other events are applied in order (a commitment's
    later events find it made). Reports are inserted with the rest when the poll
    retracts one, which must find its report there."""
    items: list[tuple[ReceivedEvent, EventData]] = []
    for event in events:
        data = _decoded(registry, event)
        if data is None:
            continue
        items.append((event, data))
    await _timeline(conn, items)
    bulk = dict(_FACTS)
    if any(isinstance(d, contract.ProgressReportRetracted) for _, d in items):
        del bulk[contract.ProgressReported]
    for kind, facts in bulk.items():
        await facts.insert(conn, [(e, d) for e, d in items if type(d) is kind])
    for event, data in items:
        if type(data) not in bulk:
            await _apply(conn, event, data)
    if keep_state:
        await commitment_state.mark(conn, (data for _, data in items))


#: What a poll inserts at once, in this order.
_FACTS: dict[type[EventData], Facts] = {
    contract.CommitmentMade: COMMITMENTS_MADE,
    contract.MeasurementRecorded: MEASUREMENTS,
    contract.CommitmentStatusChanged: STATUS_CHANGES,
    contract.ProgressReported: REPORTS,
}


#: The read-model change of every published event type reporting reports on.
PROJECTIONS: dict[type[EventData], Projection] = {
    **COMMITMENT_PROJECTIONS,
    **FUNDING_PROJECTIONS,
}


class NoProjection(LookupError):
    """A published event type with no projection: a programming error (a test checks
    that every contract type has one), dead-lettered rather than silently dropped."""


async def _apply(conn: Connection, event: ReceivedEvent, data: EventData) -> None:
    projection = PROJECTIONS.get(type(data))
    if projection is None:
        raise NoProjection(f"reporting has no projection for {event.type}")
    await projection(conn, event, data)


def reports(event_type: str) -> bool:
    """Whether reporting reads events of a type: not credentials, which it honours from
    the access topic (:func:`shared.access.honour`); those published on the
    commitments topic before they had a topic of their own are passed over unread."""
    return not event_type.startswith(access.EVENT_TYPE_PREFIX)


def projection(
    registry: EventRegistry, *, keep_state: bool = True
) -> consumer.Projection[Connection]:
    """What the live consumer and a rebuild's replay apply, decoding with the
    ``registry`` of their composition root. Without ``keep_state``, the commitments'
    state is not marked stale: the bulk of a rebuild's replay fills every row once its
    indexes are built (:func:`.commitment_state.fill`)."""
    return consumer.Projection(
        partial(project, registry, keep_state=keep_state),
        bulk=partial(project_many, registry, keep_state=keep_state),
        wants=reports,
    )
