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

Which tables are read models is found in the shadow, not listed here
(:mod:`.read_models`). The bulk of a large replay runs in worker processes, each
given a share of the partitions (one process's Python is what bounds a replay; see
:mod:`.replay`); the catch-up under the lock runs in the calling process. The live
read models keep answering throughout; only the final swap or comparison pauses the
live consumer, for as long as it takes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from reporting.adapters import commitment_state
from reporting.adapters.migrations import CHAIN
from reporting.adapters.projections import projection
from reporting.adapters.read_models import TRACKING, Difference, compare, read_models
from reporting.adapters.replay import (
    RECORDS_PER_WORKER,
    REPLAY_FETCH_BYTES,
    Progress,
    deal,
    replay,
)
from shared.database import Connection, create_pool
from shared.events import EventRegistry
from shared.kafka import Kafka, endpoint
from shared.migrations import migrate, status

#: Taken shared by every live batch, exclusively by the swap or comparison.
BARRIER_KEY = 0x7265627569
#: The command that starts a replay worker.
WORKER = (sys.executable, "-m", "reporting.adapters.replay")
#: Seconds between progress reports while worker processes replay.
PROGRESS_INTERVAL = 0.5
#: Sort memory for each deferred index build.
INDEX_BUILD_MEMORY = "256MB"

__all__ = ["BARRIER_KEY", "RECORDS_PER_WORKER", "Difference", "Rebuilder", "deal", "drop_retired"]


class Rebuilder:
    def __init__(
        self,
        *,
        database_url: str,
        kafka: Kafka,
        topics: list[str],
        consumer: str,
        registry: EventRegistry,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> None:
        """``registry`` decodes what this process replays; worker processes build
        their own (:func:`reporting.adapters.replay._worker_main`)."""
        self._url = database_url
        self._projection = projection(registry)
        #: The bulk of the replay, before the shadow's indexes are built.
        self._bulk_projection = projection(registry, into_shadow=True)
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
                await self._replay_here(pool, kafka, partitions, targets, bulk=True)
            await self._build_indexes(pool, deferred)
            await self._fill_state(pool)
            await self._analyze(pool)
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
        *,
        bulk: bool = False,
    ) -> None:
        await replay(
            pool,
            kafka,
            partitions,
            targets,
            self.shadow,
            self._consumer,
            self._progress,
            self._bulk_projection if bulk else self._projection,
        )

    async def _fill_state(self, pool: asyncpg.Pool) -> None:
        """Every commitment's state, which the bulk of the replay does not keep."""
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{self.shadow}"')
            await commitment_state.fill(conn)

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

    async def _analyze(self, pool: asyncpg.Pool) -> None:
        """Gather the shadow tables' statistics, which tables swapped in would otherwise
        lack until autovacuum came by: until then the planner would plan the views'
        queries on the swapped-in tables from default guesses at their sizes."""
        tables = await pool.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", self.shadow
        )
        for table in tables:
            await pool.execute(f'ANALYZE "{self.shadow}"."{table["tablename"]}"')

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
        for table in (*await read_models(lock, self.shadow), *TRACKING):
            await lock.execute(f'ALTER TABLE public."{table}" SET SCHEMA "{retired}"')
            await lock.execute(f'ALTER TABLE "{self.shadow}"."{table}" SET SCHEMA public')
        await lock.execute(f'DROP SCHEMA "{self.shadow}" CASCADE')
        return retired

    async def _compare(self, conn: Connection) -> list[Difference]:
        # Both sides' kept state refreshed first, the live one as its worker would: a
        # row still stale is one no view reads, which the comparison leaves out.
        for schema in (self.shadow, "public"):
            await conn.execute(f'SET LOCAL search_path TO "{schema}"')
            await commitment_state.refresh_all(conn)
        await conn.execute("SET LOCAL search_path TO DEFAULT")
        tables = (*await read_models(conn, self.shadow), "consumer_inbox")
        found = [await compare(conn, table, "public", self.shadow) for table in tables]
        return [difference for difference in found if difference is not None]


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
