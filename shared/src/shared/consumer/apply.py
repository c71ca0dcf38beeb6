"""The apply algorithm: one poll's records into a read model, exactly once in effect.

It runs inside the caller's unit of work (:class:`~.tracking.ConsumerTracking`): it
skips what the stored offsets say is done and event ids already in the inbox, applies
the rest, and says for each partition where its offset moves to and which records
could not be applied. The caller dead-letters those and advances the offsets in the
same unit, so the read model, the inbox and the offsets commit together.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from shared import tracing
from shared.cloudevents import MalformedMessage, ReceivedEvent, from_kafka, type_of
from shared.consumer.tracking import ConsumerTracking, DeadLetter, Partition
from shared.database import CONFLICT_ERRORS, CONNECTION_ERRORS

log = logging.getLogger(__name__)

C = TypeVar("C")

#: Applies one event to the read model, through the unit of work's connection.
Handler = Callable[[C, ReceivedEvent], Awaitable[None]]
#: Applies many events at once, as the handler would one by one, in order.
BulkHandler = Callable[[C, list[ReceivedEvent]], Awaitable[None]]
#: Whether a consumer wants events of a type at all; the others only move its offset.
Wants = Callable[[str], bool]


@dataclass(frozen=True)
class Projection(Generic[C]):
    """What a consumer does with events: ``handler`` for one, ``bulk`` for many (by
    default the handler for each in turn), ``wants`` to pass types over unread."""

    handler: Handler[C]
    bulk: BulkHandler[C] | None = None
    wants: Wants | None = None


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    dead: list[DeadLetter] = field(default_factory=list)
    next_offset: int = 0
    last_event_at: datetime | None = None


def one_after_another(handler: Handler[C]) -> BulkHandler[C]:
    """A bulk handler from a per-event one: every event in turn, in the one savepoint
    the bulk attempt runs in (rather than one savepoint each)."""

    async def bulk(conn: C, events: list[ReceivedEvent]) -> None:
        for event in events:
            await handler(conn, event)

    return bulk


async def apply_poll(
    tracking: ConsumerTracking[C],
    consumer: str,
    batches: Mapping[Partition, Sequence[Any]],
    projection: Projection[C],
) -> dict[Partition, BatchResult]:
    """Apply the records of one poll, partition by partition in order, inside the
    caller's unit of work.

    With a bulk handler, every partition's events are first tried at once (one
    offsets statement, one inbox statement, one bulk projection) in a savepoint,
    whatever the number of partitions; if anything in it fails, each partition is
    applied on its own and, failing that, event by event, so a poison message is
    still isolated.

    Records whose type ``wants`` refuses are passed over unread: no inbox row, no
    handler call. Each partition's result says where its offset moves to."""
    results = {
        tp: BatchResult(next_offset=records[-1].offset + 1) for tp, records in batches.items()
    }
    wants = projection.wants
    todo: dict[Partition, Sequence[Any]] = {}
    for tp, records in batches.items():
        if wants is not None:
            records = [r for r in records if _wanted(r, wants)]
        if records:  # Otherwise nothing wanted: only the offset moves.
            todo[tp] = records
    if not todo:
        return results
    bulk = projection.bulk
    if bulk is not None and await _apply_bulk(tracking, consumer, todo, bulk, results):
        return results
    for tp, records in todo.items():
        alone = {tp: records}
        if (
            len(todo) > 1
            and bulk is not None
            and await _apply_bulk(tracking, consumer, alone, bulk, results)
        ):
            continue
        await _apply_careful(tracking, consumer, tp, records, projection.handler, results[tp])
    return results


def _wanted(record: Any, wants: Wants) -> bool:
    kind = type_of(record.headers or ())
    return kind is None or wants(kind)  # No type: let the careful path judge it.


async def _apply_bulk(
    tracking: ConsumerTracking[C],
    consumer: str,
    batches: Mapping[Partition, Sequence[Any]],
    bulk: BulkHandler[C],
    results: Mapping[Partition, BatchResult],
) -> bool:
    """Whether the batches went through all at once; if not, nothing of them stayed."""
    stored = await tracking.lock_offsets(consumer, batches)
    events: list[tuple[Partition, ReceivedEvent]] = []
    for tp, records in batches.items():
        stored_next = stored.get(tp)
        for record in records:
            if stored_next is not None and record.offset < stored_next:
                continue  # Another replica applied it before a rebalance.
            try:
                events.append((tp, from_kafka(record.value, record.headers or ())))
            except MalformedMessage:
                return False  # Let the careful path park it.
    if not events:
        return True
    try:
        async with tracking.savepoint():
            fresh = await tracking.claim(consumer, [e.event_id for _, e in events])
            todo: list[tuple[Partition, ReceivedEvent]] = []
            for tp, event in events:
                if event.event_id in fresh:
                    # Only the first copy: a second in the same poll (a relay that
                    # published again after a crash) is a duplicate like any other.
                    fresh.discard(event.event_id)
                    todo.append((tp, event))
            if todo:
                await _project_all(tracking, consumer, bulk, [e for _, e in todo])
    except (*CONNECTION_ERRORS, *CONFLICT_ERRORS):
        raise
    except Exception:
        return False
    applied = Counter(tp for tp, _ in todo)
    for tp, count in Counter(tp for tp, _ in events).items():
        results[tp].duplicates += count - applied[tp]
    for tp, event in todo:
        results[tp].applied += 1
        results[tp].last_event_at = event.recorded_at
    return True


async def _project_all(
    tracking: ConsumerTracking[C], consumer: str, bulk: BulkHandler[C], events: list[ReceivedEvent]
) -> None:
    with (
        tracing.span(f"project {len(events)} events", None, consumer=consumer),
        tracing.spans_for("project", ((e.type, e.metadata.traceparent) for e in events)),
    ):
        await bulk(tracking.connection, events)


async def _apply_careful(
    tracking: ConsumerTracking[C],
    consumer: str,
    tp: Partition,
    records: Sequence[Any],
    handler: Handler[C],
    result: BatchResult,
) -> None:
    """One event at a time, each in its own savepoint: what fails is dead-lettered."""
    topic, partition = tp
    stored_next = (await tracking.lock_offsets(consumer, [tp])).get(tp)
    for record in records:
        if stored_next is not None and record.offset < stored_next:
            continue
        try:
            event = from_kafka(record.value, record.headers or ())
        except MalformedMessage as exc:
            result.dead.append(DeadLetter(topic, partition, record.offset, None, str(exc)))
            continue
        if not await tracking.claim(consumer, [event.event_id]):
            result.duplicates += 1
            continue
        try:
            with tracing.span(
                f"project {event.type}",
                event.metadata.traceparent,
                consumer=consumer,
                event_id=str(event.event_id),
            ):
                async with tracking.savepoint():
                    await handler(tracking.connection, event)
        except (*CONNECTION_ERRORS, *CONFLICT_ERRORS):
            raise
        except Exception as exc:
            log.warning(
                "dead-lettering %s at %s/%s:%s: %r",
                event.type,
                topic,
                partition,
                record.offset,
                exc,
            )
            error = f"{type(exc).__name__}: {exc}"
            result.dead.append(
                DeadLetter(topic, partition, record.offset, str(event.event_id), error)
            )
            continue
        result.applied += 1
        result.last_event_at = event.recorded_at
