"""The consumer's progress through the topics, per partition."""

from __future__ import annotations

from reporting.application.models import ConsumerStatus, PartitionStatus
from reporting.application.ports import CommitmentsReader, EndOffsets


async def consumer_status(
    reader: CommitmentsReader, consumer: EndOffsets, lag_seconds: float
) -> ConsumerStatus:
    """Consumed and end offsets, lag and last event time per topic partition. Without
    Kafka the end offsets are unknown (``null``), the consumed ones still shown."""
    stored = {(r["topic"], r["partition"]): r for r in await reader.consumer_offsets(consumer.name)}
    try:
        ends = await consumer.end_offsets()
    except Exception:
        ends = {}
    partitions = []
    for topic, partition in sorted(set(stored) | set(ends)):
        row = stored.get((topic, partition))
        consumed = row["next_offset"] if row else 0
        end = ends.get((topic, partition))
        partitions.append(
            PartitionStatus(
                topic=topic,
                partition=partition,
                consumed=consumed,
                end=end,
                lag=None if end is None else max(end - consumed, 0),
                last_event_at=row["last_event_at"] if row else None,
            )
        )
    return ConsumerStatus(
        consumer=consumer.name,
        partitions=partitions,
        lag=sum(p.lag or 0 for p in partitions),
        lag_seconds=round(lag_seconds, 1),
        read_models=await reader.counts(),
    )
