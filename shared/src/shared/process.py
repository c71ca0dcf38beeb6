"""Process-wide settings for the platform's long-running processes (service replicas,
rebuilds, the benchmark that stands in for them)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


def tune_garbage_collector() -> None:
    """Look for reference cycles far less often than CPython's defaults, which suit
    short scripts: these processes allocate hundreds of thousands of short-lived
    objects a second (reference counting frees them anyway) while holding caches that
    every full collection walks again. Everything alive when this is called (modules,
    the app) is frozen out of collection for good.

    Measured on 2 cores: a rebuild's replay CPU per event fell from 47 to 32-36 µs and
    commitments' CPU per ingested event from about 120 to 80-95 µs."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


@asynccontextmanager
async def cycles_collected_every(seconds: float) -> AsyncIterator[None]:
    """Within: no collection set off by allocations, a full one every ``seconds``
    instead, between the event loop's steps. For a process that holds thousands of
    objects alive at a time and makes almost no cycles, a rebuild's replay worker:
    there each collection the thresholds set off walked the batch in hand again and
    freed nothing (a worker replaying 500,000 events: 1,300 collections, 3.3 s of its
    16 s of CPU, 7 objects freed)."""
    gc.disable()

    async def collect() -> None:
        while True:
            await asyncio.sleep(seconds)
            gc.collect()

    collector = asyncio.create_task(collect())
    try:
        yield
    finally:
        collector.cancel()
        gc.enable()
