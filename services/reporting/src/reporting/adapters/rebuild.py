"""Rebuilding the read models from the topics, and verifying the live ones against a
rebuild.

Both replay every partition from offset 0 into a fresh shadow schema with the same
projection code the live consumer runs, up to the offsets the live consumer has
stored. Then, holding the barrier lock that pauses the live consumer between batches,
the shadow catches up to the live offsets exactly, and either

- **rebuild** swaps the shadow tables in, in one transaction (PostgreSQL DDL is
  transactional: readers see the old tables or the new, never a mix), keeping the old
  ones in a ``retired_*`` schema; or
- **verify** compares the two table by table and reports every difference.

The bulk of a large replay runs in worker processes, each given a share of the
partitions (one process's Python is what bounds a replay); the catch-up under the
lock runs in the calling process. The live read models keep answering throughout;
only the final swap or comparison pauses the live consumer, for as long as it takes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from reporting.adapters.migrations import CHAIN
from reporting.adapters.projections import project, project_many
from shared.consumer import apply_batch, record_dead_letters, store_offset
from shared.database import Connection, create_pool
from shared.kafka import Kafka, KafkaEndpoint, endpoint
from shared.migrations import migrate, status
from shared.process import tune_garbage_collector

#: Taken shared by every live batch, exclusively by the swap or comparison.
BARRIER_KEY = 0x7265627569
READ_MODELS = (
    "rm_plans",
    "rm_commitments",
    "rm_status_changes",
    "rm_timeline",
    "rm_progress_reports",
    "rm_measurements",
    "rm_indicators",
    "rm_milestones",
    "rm_amendments",
    "rm_fund_sources",
    "rm_fund_agreements",
    "rm_fund_allocations",
    "rm_fund_flows",
    "rm_fund_targets",
    "rm_fund_rates",
)
#: Records fetched per round, across partitions.
REPLAY_BATCH = 6000
#: Bytes fetched per partition per request: 8 MB rather than Kafka's 1 MB made the
#: replay about 7% faster in paired runs (fewer fetch round trips the appliers wait on).
REPLAY_FETCH_BYTES = 8 * 1024 * 1024
#: Records a replay must have per worker process before another is started.
RECORDS_PER_WORKER = 50_000
#: The command that starts a replay worker (this module's ``__main__``).
WORKER = (sys.executable, "-m", __name__)
#: Seconds between progress reports while worker processes replay.
PROGRESS_INTERVAL = 0.5
#: Sort memory for each deferred index build.
INDEX_BUILD_MEMORY = "256MB"
SWAPPED = (*READ_MODELS, "consumer_offsets", "consumer_inbox")
Progress = Callable[[int, int], None]


@dataclass
class Difference:
    table: str
    only_live: int
    only_rebuilt: int
    samples: list[str] = field(default_factory=list)


class Rebuilder:
    def __init__(
        self,
        *,
        database_url: str,
        kafka: Kafka,
        topics: list[str],
        consumer: str,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> None:
        self._url = database_url
        self._kafka = endpoint(kafka)
        self._topics = topics
        self._consumer = consumer
        self._progress = progress or (lambda done, total: None)
        self.shadow = f"shadow_{int(time.time() * 1000)}"
        #: Processes replaying side by side; by default one per core, fewer for a small
        #: replay. ``workers_used`` says how many the last run started (1: none).
        self.workers = workers
        self.workers_used = 1

    async def rebuild(self) -> str:
        """Replay into a shadow schema and swap it in; returns the retired schema."""
        return await self._run(swap=True)  # type: ignore[return-value]

    async def verify(self) -> list[Difference]:
        """Replay into a shadow schema and compare it with the live read models."""
        return await self._run(swap=False)  # type: ignore[return-value]

    async def _run(self, *, swap: bool) -> str | list[Difference]:
        pool = await create_pool(self._url, min_size=1, max_size=8)
        kafka = AIOKafkaConsumer(
            **self._kafka.options(),
            enable_auto_commit=False,
            max_partition_fetch_bytes=REPLAY_FETCH_BYTES,
        )
        await kafka.start()
        try:
            deferred = await self._create_shadow(pool)
            partitions = await self._assign(kafka)
            targets = await self._targets(pool, kafka, partitions, swap)
            records = {
                (tp.topic, tp.partition): targets.get((tp.topic, tp.partition), 0)
                for tp in partitions
            }
            shares = (
                deal(records, self.workers, per_worker=1)
                if self.workers
                else deal(records, os.cpu_count() or 1)
            )
            self.workers_used = max(len(shares), 1)
            if len(shares) > 1:
                await self._replay_in_workers(pool, shares, targets)
                await self._seek_to_shadow_offsets(pool, kafka, partitions)
            else:
                await self._replay_here(pool, kafka, partitions, targets)
            await self._build_indexes(pool, deferred)
            async with pool.acquire() as lock, lock.transaction():
                await lock.execute("SELECT pg_advisory_xact_lock($1)", BARRIER_KEY)
                targets = await self._targets(lock, kafka, partitions, swap)
                await self._replay_here(pool, kafka, partitions, targets)
                await self._check_complete(lock, targets)
                if swap:
                    return await self._swap(lock)
                differences = await self._compare(lock)
            await pool.execute(f'DROP SCHEMA "{self.shadow}" CASCADE')
            return differences
        except BaseException:
            await pool.execute(f'DROP SCHEMA IF EXISTS "{self.shadow}" CASCADE')
            raise
        finally:
            await kafka.stop()
            await pool.close()

    async def _replay_in_workers(
        self,
        pool: asyncpg.Pool,
        shares: list[list[tuple[str, int]]],
        targets: dict[tuple[str, int], int],
    ) -> None:
        """Replay each share of the partitions in a process of its own (a replay is
        bound by one core's Python), reporting progress from the shadow's offsets.
        A worker's failure stops the others and is raised here."""
        total = sum(targets.values())
        processes: list[asyncio.subprocess.Process] = []
        runs: dict[asyncio.Future[tuple[bytes, bytes]], asyncio.subprocess.Process] = {}
        try:
            for share in shares:
                job = {
                    "url": self._url,  # On stdin: a password stays out of the process list.
                    "kafka": dataclasses.asdict(self._kafka),
                    "shadow": self.shadow,
                    "consumer": self._consumer,
                    "targets": [[topic, part, targets[topic, part]] for topic, part in share],
                }
                process = await asyncio.create_subprocess_exec(
                    *WORKER,
                    stdin=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                processes.append(process)
                runs[asyncio.ensure_future(process.communicate(json.dumps(job).encode()))] = process
            pending = set(runs)
            while pending:
                finished, pending = await asyncio.wait(pending, timeout=PROGRESS_INTERVAL)
                for run in finished:
                    _, stderr = run.result()
                    if runs[run].returncode != 0:
                        raise RuntimeError(f"a replay worker failed:\n{stderr.decode()[-2000:]}")
                reached = await self._shadow_offsets(pool)
                self._progress(sum(min(reached.get(k, 0), v) for k, v in targets.items()), total)
        finally:
            for process in processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            for run in runs:
                run.cancel()

    async def _shadow_offsets(self, conn: Connection | asyncpg.Pool) -> dict[tuple[str, int], int]:
        rows = await conn.fetch(
            f'SELECT topic, partition, next_offset FROM "{self.shadow}".consumer_offsets '
            "WHERE consumer = $1",
            self._consumer,
        )
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def _seek_to_shadow_offsets(
        self, pool: asyncpg.Pool, kafka: Any, partitions: list[Any]
    ) -> None:
        """Position this process's consumer where the workers left the shadow."""
        reached = await self._shadow_offsets(pool)
        for tp in partitions:
            if (tp.topic, tp.partition) in reached:
                kafka.seek(tp, reached[tp.topic, tp.partition])

    async def _replay_here(
        self,
        pool: asyncpg.Pool,
        kafka: Any,
        partitions: list[Any],
        targets: dict[tuple[str, int], int],
    ) -> None:
        await replay(pool, kafka, partitions, targets, self.shadow, self._consumer, self._progress)

    async def _create_shadow(self, pool: asyncpg.Pool) -> list[str]:
        """The shadow schema without its secondary indexes; returns their definitions.

        The shadow is made by reporting's migration chain, run inside it, so the tables
        swapped in have exactly the schema migrations gave the live ones; the live
        database must be at the chain's head for that to hold, and a rebuild refuses
        to start otherwise. Keeping a B-tree up to date row by row costs more than
        building it once from the finished table, so only the unique indexes (which
        the projections' ``ON CONFLICT`` clauses rely on) are there during the bulk of
        the replay."""
        live = await status(self._url, CHAIN)
        if live.pending:
            raise RuntimeError(
                "the live read models lack revisions "
                f"{', '.join(r.id for r in live.pending)}: run ./pactstream migrate first"
            )
        await pool.execute(f'CREATE SCHEMA "{self.shadow}"')
        await migrate(self._url, CHAIN, schema=self.shadow)
        async with pool.acquire() as conn, conn.transaction():
            secondary = await conn.fetch(
                """
                SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND NOT i.indisunique
                """,
                self.shadow,
            )
            for index in secondary:
                await conn.execute(f'DROP INDEX "{self.shadow}"."{index["name"]}"')
        return [index["definition"] for index in secondary]

    async def _build_indexes(self, pool: asyncpg.Pool, definitions: list[str]) -> None:
        """Build the deferred indexes (schema-qualified definitions), two at a time."""
        limit = asyncio.Semaphore(2)

        async def build(definition: str) -> None:
            async with limit, pool.acquire() as conn, conn.transaction():
                await conn.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
                await conn.execute(definition)

        await asyncio.gather(*(build(d) for d in definitions))

    async def _targets(
        self, conn: Connection | asyncpg.Pool, kafka: Any, partitions: list[Any], to_end: bool
    ) -> dict[tuple[str, int], int]:
        """Where to replay to: the live consumer's offsets (verify compares like with
        like), or for a rebuild the end of each partition, never behind the live ones."""
        live = await self._live_offsets(conn)
        unknown = set(live) - {(tp.topic, tp.partition) for tp in partitions}
        if unknown:
            raise RuntimeError(f"partitions missing from Kafka's metadata: {sorted(unknown)}")
        if not to_end:
            return live
        ends = await kafka.end_offsets(partitions)
        return {
            (tp.topic, tp.partition): max(int(ends[tp]), live.get((tp.topic, tp.partition), 0))
            for tp in partitions
        }

    async def _check_complete(self, conn: Connection, targets: dict[tuple[str, int], int]) -> None:
        """Refuse to swap or compare a shadow that did not reach every target."""
        reached = await self._shadow_offsets(conn)
        short = {k: (reached.get(k, 0), v) for k, v in targets.items() if reached.get(k, 0) < v}
        if short:
            raise RuntimeError(f"the rebuild fell short of its targets: {short}")

    async def _assign(self, kafka: Any) -> list[Any]:
        admin = AIOKafkaAdminClient(**self._kafka.options())
        await admin.start()
        try:
            described = await admin.describe_topics(self._topics)
        finally:
            await admin.close()
        partitions = sorted(
            (
                TopicPartition(topic["topic"], p["partition"])
                for topic in described
                for p in topic["partitions"]
            ),
            key=lambda tp: (tp.topic, tp.partition),
        )
        kafka.assign(partitions)
        if partitions:
            await kafka.seek_to_beginning(*partitions)
        return partitions

    async def _live_offsets(self, conn: Connection | asyncpg.Pool) -> dict[tuple[str, int], int]:
        rows = await conn.fetch(
            "SELECT topic, partition, next_offset FROM public.consumer_offsets WHERE consumer = $1",
            self._consumer,
        )
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def _swap(self, lock: Connection) -> str:
        retired = self.shadow.replace("shadow_", "retired_")
        await lock.execute(f'CREATE SCHEMA "{retired}"')
        for table in SWAPPED:
            await lock.execute(f'ALTER TABLE public."{table}" SET SCHEMA "{retired}"')
            await lock.execute(f'ALTER TABLE "{self.shadow}"."{table}" SET SCHEMA public')
        await lock.execute(f'DROP SCHEMA "{self.shadow}" CASCADE')
        return retired

    async def _compare(self, conn: Connection) -> list[Difference]:
        differences = []
        for table in (*READ_MODELS, "consumer_inbox"):
            columns = await conn.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                self.shadow,
                table,
            )
            cols = ", ".join(f'"{c["column_name"]}"' for c in columns)
            live = f'SELECT {cols} FROM public."{table}"'
            rebuilt = f'SELECT {cols} FROM "{self.shadow}"."{table}"'
            only_live = await conn.fetch(f"{live} EXCEPT ALL {rebuilt} LIMIT 5")
            only_rebuilt = await conn.fetch(f"{rebuilt} EXCEPT ALL {live} LIMIT 5")
            if only_live or only_rebuilt:
                n_live = await conn.fetchval(
                    f"SELECT count(*) FROM ({live} EXCEPT ALL {rebuilt}) d"
                )
                n_rebuilt = await conn.fetchval(
                    f"SELECT count(*) FROM ({rebuilt} EXCEPT ALL {live}) d"
                )
                samples = [_sample("live only", r) for r in only_live] + [
                    _sample("rebuilt only", r) for r in only_rebuilt
                ]
                differences.append(Difference(table, n_live, n_rebuilt, samples))
        return differences


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
) -> None:
    """Apply every record below each partition's target offset into the shadow schema,
    in order, and leave each partition positioned exactly at its target."""

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
                        appliers.create_task(_drain(pool, tp, queues[tp], shadow, consumer))
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
) -> None:
    while (records := await queue.get()) is not None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{shadow}"')
            result = await apply_batch(
                conn, consumer, tp.topic, tp.partition, records, project, project_many
            )
            if result.dead:
                await record_dead_letters(conn, consumer, result.dead)
            await store_offset(conn, consumer, tp.topic, tp.partition, result)


async def _replay_share(
    url: str, kafka: Kafka, shadow: str, consumer: str, targets: dict[tuple[str, int], int]
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
        await replay(pool, reader, partitions, targets, shadow, consumer, lambda done, total: None)
    finally:
        await reader.stop()
        await pool.close()


def _sample(label: str, row: asyncpg.Record) -> str:
    text = f"{label}: {dict(row)}"
    return text if len(text) <= 300 else text[:297] + "..."


async def drop_retired(database_url: str) -> list[str]:
    """Drop schemas left by earlier rebuilds."""
    conn = await asyncpg.connect(database_url)
    try:
        names = [
            r["nspname"]
            for r in await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'retired_%'"
            )
        ]
        for name in names:
            await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        return names
    finally:
        await conn.close()


def _worker_main() -> None:
    """``python -m reporting.adapters.rebuild``: a replay worker, its job on stdin."""
    job = json.load(sys.stdin)
    tune_garbage_collector()
    targets = {(topic, partition): target for topic, partition, target in job["targets"]}
    asyncio.run(
        _replay_share(
            job["url"], KafkaEndpoint(**job["kafka"]), job["shadow"], job["consumer"], targets
        )
    )


if __name__ == "__main__":
    _worker_main()
