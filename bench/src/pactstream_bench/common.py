"""What every benchmark shares: results, scratch databases, timing."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from shared.database import create_pool, drop_database, ensure_database
from shared.kafka import delete_topics, ensure_topics

#: This checkout's local servers, on the ports ``./pactstream infra`` gives them.
PG_PORT = int(os.environ.get("PACTSTREAM_LOCAL_PG_PORT", "55432"))
PG = f"postgresql://pactstream@127.0.0.1:{PG_PORT}"
KAFKA = f"127.0.0.1:{int(os.environ.get('PACTSTREAM_LOCAL_KAFKA_PORT', '59092'))}"


async def flush_disk() -> None:
    """Write every dirty page out before a timed phase. A phase that wrote a gigabyte
    (the broker's warm-up) leaves it to the kernel's writeback, and on ext4's ordered
    mode the next fsyncs wait for it: the first timed appends after the warm-up ran
    20-25% slower without this (0.6 s here with it)."""
    await asyncio.to_thread(os.sync)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Result:
    name: str
    value: float
    unit: str
    n: int | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "value": round(self.value, 2),
            "unit": self.unit,
        }
        if self.n is not None:
            out["n"] = self.n
        return out


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else 0.0


class Timer:
    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started


@asynccontextmanager
async def scratch_database(prefix: str = "bench_") -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    name = f"{prefix}{secrets.token_hex(4)}"
    await ensure_database(PG, name)
    pool = await create_pool(f"{PG}/{name}", min_size=2, max_size=20)
    try:
        yield f"{PG}/{name}", pool
    finally:
        await pool.close()
        await drop_database(PG, name)


@asynccontextmanager
async def scratch_topic(purpose: str) -> AsyncIterator[str]:
    """A new six-partition topic, deleted afterwards."""
    topic = f"bench.{purpose}.{secrets.token_hex(4)}"
    await ensure_topics(KAFKA, [topic], partitions=6)
    try:
        yield topic
    finally:
        await delete_topics(KAFKA, topic)
