"""Replaying the topics into a shadow schema, the bulk of a rebuild or verify.

Records are applied with the live consumer's own algorithm and projections
(:func:`shared.consumer.apply_poll`), tracked in the shadow's ``consumer_offsets`` and
``consumer_inbox``. A large replay is dealt out to worker processes, each replaying its
share of the partitions (``python -m reporting.adapters.replay``, its job on stdin).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from reporting.adapters import projections
from shared.consumer import PostgresTracking, Projection, apply_poll
from shared.contracts import build_registry
from shared.database import Connection, create_pool
from shared.kafka import Kafka, KafkaEndpoint, endpoint
from shared.process import cycles_collected_every, tune_garbage_collector

#: Records fetched per round, across partitions.
REPLAY_BATCH = 6000
#: Bytes fetched per partition per request: 8 MB rather than Kafka's 1 MB made the
#: replay about 7% faster in paired runs (fewer fetch round trips the appliers wait on).
REPLAY_FETCH_BYTES = 8 * 1024 * 1024
#: How often a replay worker collects reference cycles (it makes very few).
COLLECT_SECONDS = 30.0
#: Records a replay must have per worker process before another is started.
RECORDS_PER_WORKER = 50_000
Progress = Callable[[int, int], None]


def deal(
    records: dict[tuple[str, int], int], workers: int, per_worker: int = RECORDS_PER_WORKER
) -> list[list[tuple[str, int]]]:
    """The partitions with records to replay (how many each has), dealt into at most
    ``workers`` shares of about as many records each, the largest partition first to
    the least loaded share; fewer shares when there are fewer than ``per_worker``
    records for each (a small replay does not pay for starting processes)."""
    todo = sorted(((n, tp) for tp, n in records.items() if n > 0), reverse=True)
    wanted = min(workers, -(-sum(n for n, _ in todo) // per_worker), len(todo))
    shares: list[list[tuple[str, int]]] = [[] for _ in range(wanted)]
    loads = [0] * wanted
    for n, tp in todo:
        least = loads.index(min(loads))
        shares[least].append(tp)
        loads[least] += n
    return shares


async def replay(
    pool: asyncpg.Pool,
    kafka: Any,
    partitions: list[Any],
    targets: dict[tuple[str, int], int],
    shadow: str,
    consumer: str,
    progress: Progress,
    projection: Projection[Connection],
) -> None:
    """Apply every record below each partition's target offset into the shadow schema
    with ``projection``, in order, and leave each partition positioned exactly at its
    target."""

    def target(tp: Any) -> int:
        return targets.get((tp.topic, tp.partition), 0)

    total = sum(target(tp) for tp in partitions)
    # One applier per partition, fed through a short queue: the next fetch is unpacked
    # and decoded while earlier batches' SQL runs. Partitions are independent (live
    # replicas consume them side by side); each keeps its order.
    async with asyncio.TaskGroup() as appliers:
        queues: dict[Any, asyncio.Queue[list[Any] | None]] = {}
        while True:
            positions = {tp: await kafka.position(tp) for tp in partitions}
            progress(sum(min(positions[tp], target(tp)) for tp in partitions), total)
            behind = [tp for tp in partitions if positions[tp] < target(tp)]
            if not behind:
                break
            done = [tp for tp in partitions if tp not in behind]
            if done:
                kafka.pause(*done)
            kafka.resume(*behind)
            batches = await kafka.getmany(*behind, timeout_ms=500, max_records=REPLAY_BATCH)
            for tp, records in batches.items():
                wanted = [r for r in records if r.offset < target(tp)]
                if wanted:
                    if tp not in queues:
                        queues[tp] = asyncio.Queue(maxsize=2)
                        drain = _drain(pool, tp, queues[tp], shadow, consumer, projection)
                        appliers.create_task(drain)
                    await queues[tp].put(wanted)
                if records and records[-1].offset >= target(tp):
                    kafka.seek(tp, target(tp))  # Read past the target: back to it.
        for queue in queues.values():
            await queue.put(None)


async def _drain(
    pool: asyncpg.Pool,
    tp: Any,
    queue: asyncio.Queue[list[Any] | None],
    shadow: str,
    consumer: str,
    projection: Projection[Connection],
) -> None:
    while (records := await queue.get()) is not None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{shadow}"')
            tracking = PostgresTracking(conn)
            results = await apply_poll(
                tracking, consumer, {(tp.topic, tp.partition): records}, projection
            )
            for result in results.values():
                if result.dead:
                    await tracking.record_dead(consumer, result.dead)
            await tracking.advance(consumer, results)


async def _replay_share(
    url: str,
    kafka: Kafka,
    shadow: str,
    consumer: str,
    targets: dict[tuple[str, int], int],
    projection: Projection[Connection],
) -> None:
    """A worker process's part of a replay: these partitions, from their beginning."""
    partitions = [TopicPartition(topic, partition) for topic, partition in targets]
    pool = await create_pool(url, min_size=1, max_size=len(partitions) + 1)
    reader = AIOKafkaConsumer(
        **endpoint(kafka).options(),
        enable_auto_commit=False,
        max_partition_fetch_bytes=REPLAY_FETCH_BYTES,
    )
    await reader.start()
    try:
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        async with cycles_collected_every(COLLECT_SECONDS):
            await replay(
                pool, reader, partitions, targets, shadow, consumer, lambda d, t: None, projection
            )
    finally:
        await reader.stop()
        await pool.close()


def _worker_main() -> None:
    """``python -m reporting.adapters.replay``: a replay worker, its job on stdin; the
    composition root of its process, so it builds the event registry it decodes with."""
    job = json.load(sys.stdin)
    tune_garbage_collector()
    targets = {(topic, partition): target for topic, partition, target in job["targets"]}
    kafka = KafkaEndpoint(**job["kafka"])
    projection = projections.projection(build_registry(), into_shadow=True)
    asyncio.run(
        _replay_share(job["url"], kafka, job["shadow"], job["consumer"], targets, projection)
    )


if __name__ == "__main__":
    _worker_main()
