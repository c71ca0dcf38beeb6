"""Cost curves: the same figures at growing numbers of stored events.

One set of services holds one generated data set (:mod:`.curvedata`), grown in
increments to each size in turn. At each size: the increment is written with COPY
into the commitments and funding event stores (and the partners' claims), with
reporting stopped; the relays publish it; append and inbound-claim rates are taken
on the tables as they now are; reporting's read models are rebuilt from the topics
(the rebuild rate); reporting starts again on them, and every query is timed on the
largest plan. Bytes on disk are the ``events`` tables' total relation size (heap,
indexes, TOAST) over the events stored."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg

from pactstream_bench.common import KAFKA, PG, Result, Timer, flush_disk, percentile, rate, say
from pactstream_bench.curvedata import START, Generator
from pactstream_bench.curverows import COLUMNS, INBOUND_COLUMNS, Batch
from pactstream_bench.services import Services
from pactstream_bench.store import _events
from reporting.adapters.rebuild import Rebuilder, drop_retired
from shared.contracts import build_registry
from shared.eventstore.postgres import PostgresEventStore
from shared.inbound import claim_all
from shared.unitofwork.ports import Claim

#: The figures each point has, in the order the picture draws them.
FIGURES = (
    ("rebuild_eps", "events/s"),
    ("progress_p99_ms", "ms"),
    ("commitments_filtered_p99_ms", "ms"),
    ("deadlines_p99_ms", "ms"),
    ("funding_p99_ms", "ms"),
    ("commitment_view_p99_ms", "ms"),
    ("asof_p99_ms", "ms"),
    ("known_at_p99_ms", "ms"),
    ("append_eps", "events/s"),
    ("claim_cps", "claims/s"),
    ("bytes_per_event", "bytes"),
    ("rss_mb_peak", "MB"),
)
#: Seconds each query is sampled for at most, once ``MIN_SAMPLES`` are taken.
QUERY_SECONDS = 8
MIN_SAMPLES = 10
APPEND_BATCHES = 100
CLAIM_BATCHES = 100


@dataclass
class Point:
    events: int
    figures: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "events": self.events,
            "figures": {k: round(v, 2) for k, v in self.figures.items()},
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
        }


async def _copy(conns: dict[str, asyncpg.Connection], batch: Batch) -> None:
    await conns["commitments"].copy_records_to_table(
        "events", records=batch.commitments, columns=list(COLUMNS)
    )
    if batch.funding:
        await conns["funding"].copy_records_to_table(
            "events", records=batch.funding, columns=list(COLUMNS)
        )
    if batch.inbound:
        await conns["commitments"].copy_records_to_table(
            "inbound_events", records=batch.inbound, columns=list(INBOUND_COLUMNS)
        )


async def write(services: Services, gen: Generator, count: int, first: bool) -> int:
    """COPY the next ``count`` events (the structure first, the first time), generating
    each batch in a thread while the previous one is copied. The events written."""
    conns = {
        s: await asyncpg.connect(f"{PG}/{services.ref}_{s}") for s in ("commitments", "funding")
    }
    written = 0
    try:
        if first:
            structure = gen.structure()
            await _copy(conns, structure)
            written, count = len(structure), max(0, count - len(structure))
        batches = gen.history(count)
        following = asyncio.create_task(asyncio.to_thread(next, batches, None))
        while (batch := await following) is not None:
            following = asyncio.create_task(asyncio.to_thread(next, batches, None))
            await _copy(conns, batch)
            written += len(batch)
    finally:
        for conn in conns.values():
            await conn.close()
    return written


async def relayed(services: Services, timeout: float = 1800) -> None:
    """Wait until each service's relay has checkpointed past its last event (its main
    checkpoint: a topic's fill, ``kafka>topic``, stops where that topic began)."""
    deadline = time.monotonic() + timeout
    for service in ("commitments", "funding"):
        conn = await asyncpg.connect(f"{PG}/{services.ref}_{service}")
        try:
            last = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events")
            while (
                await conn.fetchval("SELECT coalesce(max(position), 0) FROM relay_checkpoints")
                < last
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service}'s relay did not catch up")
                await asyncio.sleep(0.5)
        finally:
            await conn.close()


async def append_and_claim(services: Services) -> dict[str, float]:
    """Batched appends of 100 to new streams, and 100 new partner claims per statement,
    each in its own transaction, on the commitments database as it now is."""
    pool = await asyncpg.create_pool(f"{PG}/{services.ref}_commitments", min_size=1, max_size=2)
    try:
        store = PostgresEventStore(pool)
        tag = random.getrandbits(32)
        batches = [_events(100) for _ in range(APPEND_BATCHES)]
        with Timer() as appending:
            for i, events in enumerate(batches):
                await store.append(f"bench-append-{tag}-{i}", 0, events)
        claims = [
            [Claim("/bench/claims", f"{tag}-{b}-{i}", "t", None, "bench") for i in range(100)]
            for b in range(CLAIM_BATCHES)
        ]
        async with pool.acquire() as conn:
            with Timer() as claiming:
                for batch in claims:
                    async with conn.transaction():
                        await claim_all(conn, batch)
    finally:
        await pool.close()
    return {
        "append_eps": rate(APPEND_BATCHES * 100, appending.seconds),
        "claim_cps": rate(CLAIM_BATCHES * 100, claiming.seconds),
    }


async def bytes_per_event(services: Services) -> tuple[float, int]:
    """The ``events`` tables' total size over their rows; the rows."""
    size = rows = 0
    for service in ("commitments", "funding"):
        conn = await asyncpg.connect(f"{PG}/{services.ref}_{service}")
        try:
            size += await conn.fetchval("SELECT pg_total_relation_size('events')")
            rows += await conn.fetchval("SELECT count(*) FROM events")
        finally:
            await conn.close()
    return size / rows, rows


async def rebuild(services: Services) -> tuple[float, int]:
    """Rebuild reporting's read models from its topics as ``./pactstream reporting
    rebuild`` does: events per second, over the events it projected (its inbox)."""
    url = f"{PG}/{services.ref}_reporting"
    rebuilder = Rebuilder(
        database_url=url,
        kafka=KAFKA,
        topics=[f"{services.ref}.commitments", f"{services.ref}.funding"],
        consumer=f"{services.ref}.reporting",
        registry=build_registry(),
    )
    with Timer() as t:
        await rebuilder.rebuild()
    conn = await asyncpg.connect(url)
    events = await conn.fetchval("SELECT count(*) FROM consumer_inbox")
    await conn.close()
    await drop_retired(url)
    return rate(events, t.seconds), events


def _queries(gen: Generator) -> list[tuple[str, str, dict[str, str]]]:
    """Each query of the curves on the largest plan, with its parameters."""
    plan = gen.largest_plan()
    middle = START + timedelta(days=(gen.day() - START).days // 2)
    viewed = next(cid for cid, p, _ in gen.commitments if p == plan)
    progress = f"/v1/plans/{plan}/progress"
    return [
        ("progress_p99_ms", progress, {}),
        (
            "commitments_filtered_p99_ms",
            f"/v1/plans/{plan}/commitments",
            {"status": "launched", "party": "Party 3", "limit": "50"},
        ),
        ("deadlines_p99_ms", f"/v1/plans/{plan}/deadlines", {}),
        ("funding_p99_ms", f"/v1/plans/{plan}/funding", {}),
        ("commitment_view_p99_ms", f"/v1/commitments/{viewed}", {}),
        ("asof_p99_ms", progress, {"as_of": middle.isoformat()}),
        ("known_at_p99_ms", progress, {"known_at": f"{middle.isoformat()}T00:00:00Z"}),
    ]


async def query_p99s(services: Services, gen: Generator, count: int) -> dict[str, float]:
    """p99 of each query: ``count`` requests after 3 untimed ones, or as many as
    ``QUERY_SECONDS`` allow (at least ``MIN_SAMPLES``) when each takes long; the
    number taken is kept as ``<query>_n``."""
    out: dict[str, float] = {}
    async with services.client("reporting", timeout=120) as c:
        for name, path, params in _queries(gen):
            samples: list[float] = []
            deadline = time.monotonic() + QUERY_SECONDS
            for n in range(3 + count):
                started = time.perf_counter()
                r = await c.get(path, params=params)
                if r.status_code != 200:
                    raise RuntimeError(f"{path} {params}: {r.status_code} {r.text[:300]}")
                if n >= 3:
                    samples.append((time.perf_counter() - started) * 1000)
                if len(samples) >= MIN_SAMPLES and time.monotonic() > deadline:
                    break
            out[name] = percentile(samples, 99)
            out[name.removesuffix("_p99_ms") + "_n"] = len(samples)
    return out


async def _point(services: Services, gen: Generator, stored: int, size: int, samples: int) -> Point:
    point = Point(size)
    with Timer() as t:
        stored += await write(services, gen, size - stored, first=stored == 0)
    point.seconds["write"] = t.seconds
    say(f"curves {size:,}: {stored:,} events written in {t.seconds:.0f} s; relaying")
    with Timer() as t:
        await relayed(services)
        await flush_disk()
        point.figures.update(await append_and_claim(services))
        await relayed(services)
    point.seconds["relay"] = t.seconds
    point.figures["bytes_per_event"], point.events = await bytes_per_event(services)
    say(f"curves {size:,}: relayed in {t.seconds:.0f} s; rebuilding reporting")
    await flush_disk()
    with Timer() as t:
        point.figures["rebuild_eps"], _ = await rebuild(services)
    point.seconds["rebuild"] = t.seconds
    with Timer() as t:
        await asyncio.to_thread(services.start_one, "reporting")
        point.figures.update(await query_p99s(services, gen, samples))
        services.check_running()
        await asyncio.to_thread(services.stop_one, "reporting")
    point.seconds["queries"] = t.seconds
    return point


async def measure(
    sizes: list[int], samples: int, keep: Callable[[Point], None] | None = None
) -> list[Point]:
    """A point at each of ``sizes`` (ascending), on services of their own."""
    services = Services()
    services.start()
    await asyncio.to_thread(services.stop_one, "reporting")
    gen = Generator(services.ref, sizes[0])
    points: list[Point] = []
    try:
        with services.memory_sampled():
            stored = 0
            for size in sizes:
                services.peak_rss.clear()
                with Timer() as t:
                    point = await _point(services, gen, stored, size, samples)
                stored = point.events
                point.seconds["total"] = t.seconds
                peak = max(services.peak_rss.values(), default=0)
                point.figures["rss_mb_peak"] = peak / 1024**2
                for service in ("commitments", "funding", "reporting"):
                    rss = services.peak_rss.get(service, 0) / 1024**2
                    point.figures[f"rss_mb_{service}"] = rss
                say(f"curves {size:,}: {point.as_json()}")
                points.append(point)
                if keep is not None:
                    keep(point)
    finally:
        services.stop()
        await services.remove_data()
    return points


def results(point: Point) -> list[Result]:
    """The largest point's figures that issue 24's goals name."""
    return [
        Result(name, point.figures[name], unit, point.events)
        for name, unit in FIGURES
        if name in ("rebuild_eps", "progress_p99_ms", "asof_p99_ms", "known_at_p99_ms")
    ]
