"""Projects published events into the read models; called inside the consumer's
transaction, so each change commits together with the offset that produced it."""

from __future__ import annotations

from functools import partial

from reporting.adapters import commitment_state
from reporting.adapters.commitment_projections import COMMITMENT_PROJECTIONS, COMMITMENTS_MADE
from reporting.adapters.facts import MEASUREMENTS, REPORTS, STATUS_CHANGES, Facts, facts_table
from reporting.adapters.funding_projections import ALLOCATIONS, FLOWS, FUNDING_PROJECTIONS
from reporting.adapters.projection import Projection
from shared import access, consumer, jsontext
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.contracts import funding
from shared.database import Connection
from shared.events import EventData, EventRegistry


def _timeline_row(event: ReceivedEvent, data: EventData) -> tuple[object, ...]:
    return (
        event.event_id,
        event.source,
        event.type,
        event.subject,
        getattr(data, "plan_id", None),
        getattr(data, "commitment_id", None),
        event.occurred_at,
        event.recorded_at,
        event.metadata.partner,
        jsontext.Raw(event.data_json),  # Stored as it arrived: no decode and re-encode.
    )


#: Every event reporting reads, as it arrived.
TIMELINE = facts_table(
    "rm_timeline",
    {"event_id": "uuid", "source": "text", "type": "text", "subject": "text",
     "plan_id": "text", "commitment_id": "text", "occurred_at": "timestamptz",
     "recorded_at": "timestamptz", "partner": "text", "data": "jsonb"},
    _timeline_row,
)  # fmt: skip


def _decoded(registry: EventRegistry, event: ReceivedEvent) -> EventData | None:
    if not registry.knows(event.type):
        return None  # A type from a newer publisher: kept on the topic, replayable later.
    return registry.decode(event.type, event.schema_version, event.data)


async def project(
    registry: EventRegistry, conn: Connection, event: ReceivedEvent, *, into_shadow: bool = False
) -> None:
    """Apply one event, decoded with ``registry``: its timeline entry, its read-model
    change and, unless ``into_shadow``, the state of the commitments it changed marked
    stale."""
    data = _decoded(registry, event)
    if data is None:
        return
    await TIMELINE.insert(conn, [(event, data)])
    await _apply(conn, event, data)
    if not into_shadow:
        await commitment_state.mark(conn, [data])


async def project_many(
    registry: EventRegistry,
    conn: Connection,
    events: list[ReceivedEvent],
    *,
    into_shadow: bool = False,
) -> None:
    """The same as :func:`project` for each event in order, with the timeline, the
    commitments made and each kind of fact (:mod:`.facts`: most of the traffic) written
    in one statement each, before the other events are applied in order (a commitment's
    later events find it made); copied in ``into_shadow``. Facts another event of the
    poll reads are inserted with the rest (``_READ_BY``)."""
    items: list[tuple[ReceivedEvent, EventData]] = []
    for event in events:
        data = _decoded(registry, event)
        if data is None:
            continue
        items.append((event, data))
    write = Facts.copy if into_shadow else Facts.insert
    await write(TIMELINE, conn, items)
    kinds = {type(d) for _, d in items}
    bulk = {kind: facts for kind, facts in _FACTS.items() if _READ_BY.get(kind) not in kinds}
    for kind, facts in bulk.items():
        await write(facts, conn, [(e, d) for e, d in items if type(d) is kind])
    for event, data in items:
        if type(data) not in bulk:
            await _apply(conn, event, data)
    if not into_shadow:
        await commitment_state.mark(conn, (data for _, data in items))


#: What a poll inserts at once, in this order.
_FACTS: dict[type[EventData], Facts] = {
    contract.CommitmentMade: COMMITMENTS_MADE,
    contract.MeasurementRecorded: MEASUREMENTS,
    contract.CommitmentStatusChanged: STATUS_CHANGES,
    contract.ProgressReported: REPORTS,
    funding.FundsAllocated: ALLOCATIONS,
    funding.FlowRecorded: FLOWS,
}
#: Facts that an event of another kind reads as it is projected (a retraction marks
#: its report, a reversal its flow): in a poll with such an event, they are inserted
#: in order with the rest.
_READ_BY: dict[type[EventData], type[EventData]] = {
    contract.ProgressReported: contract.ProgressReportRetracted,
    funding.FlowRecorded: funding.FlowReversed,
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
    registry: EventRegistry, *, into_shadow: bool = False
) -> consumer.Projection[Connection]:
    """What the live consumer and a rebuild's replay apply, decoding with the
    ``registry`` of their composition root. ``into_shadow`` is the bulk of a rebuild's
    replay, into a shadow schema that claims each event once: its facts are copied
    rather than inserted, and the commitments' state is not marked stale (every row is
    filled once the replay's indexes are built: :func:`.commitment_state.fill`)."""
    return consumer.Projection(
        partial(project, registry, into_shadow=into_shadow),
        bulk=partial(project_many, registry, into_shadow=into_shadow),
        wants=reports,
    )
