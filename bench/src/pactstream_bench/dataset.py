"""A large plan written straight into the commitments event store (the relay and
reporting then carry it as they would any write): 1,000 commitments, each launched,
and measurements up to ``total`` events."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg

from pactstream_bench.common import KAFKA, PG, Result, Timer, percentile, rate
from pactstream_bench.services import Services
from reporting.adapters.rebuild import Rebuilder, drop_retired
from shared.contracts import build_registry
from shared.contracts.commitments import (
    CommitmentMade,
    CommitmentStatusChanged,
    IndicatorData,
    IndicatorPoint,
    MeasurementRecorded,
    PartyData,
    PlanCreated,
    SectionData,
)
from shared.contracts.common import DeadlineData
from shared.database import create_pool
from shared.events import EventMetadata, new_events
from shared.eventstore.postgres import PostgresEventStore

COMMITMENTS = 1000


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


INDICATOR = IndicatorData(
    code="n", title="n", unit="u", direction="increase", target=IndicatorPoint(value="1000")
)


async def _plan(store: PostgresEventStore, plan_id: str, meta: EventMetadata) -> None:
    sections = tuple(
        SectionData(code=f"D{d}", title=f"Domain {d}", kind="domain") for d in range(10)
    )
    created = PlanCreated(
        plan_id=plan_id,
        code=plan_id,
        title="Bench plan",
        language="en",
        adopted_on=date(2015, 1, 1),
        sections=sections,
    )
    await store.append(f"plan-{plan_id}", 0, new_events([created], _at(date(2015, 1, 1)), meta))


async def _commitment(
    store: PostgresEventStore, plan_id: str, i: int, measurements: int, meta: EventMetadata
) -> None:
    """Made, launched, then ``measurements`` measurements in appends of 500."""
    cid = f"{plan_id}-{i}"
    made = CommitmentMade(
        commitment_id=cid,
        plan_id=plan_id,
        code=f"C{i:04d}",
        section=f"D{i % 10}",
        title=f"Commitment {i}",
        parties=(PartyData(name=f"Party {i % 25}", role="responsible"),),
        deadline=DeadlineData(label="2016", start=date(2016, 1, 1), end=date(2016, 12, 31)),
        priority=i % 7 == 0,
        made_on=date(2015, 1, 1),
        indicators=(INDICATOR,),
    )
    launched = CommitmentStatusChanged(
        commitment_id=cid,
        plan_id=plan_id,
        previous="planned",
        status="launched",
        as_of=date(2015, 3, 1) + timedelta(days=i % 300),
    )
    stream = f"commitment-{cid}"
    await store.append(stream, 0, new_events([made], _at(date(2015, 1, 1)), meta))
    await store.append(stream, 1, new_events([launched], _at(launched.as_of), meta))
    version = 2
    for first in range(0, measurements, 500):
        batch = [
            MeasurementRecorded(
                commitment_id=cid,
                plan_id=plan_id,
                indicator="n",
                value=str(m),
                as_of=date(2016, 1, 1),
            )
            for m in range(first, min(first + 500, measurements))
        ]
        await store.append(stream, version, new_events(batch, _at(date(2016, 1, 1)), meta))
        version += len(batch)


async def _caught_up(services: Services, written: int) -> None:
    deadline = time.monotonic() + 1800
    async with services.client("reporting") as c:
        while True:
            status = (await c.get("/v1/status")).json()
            consumed = sum(
                p["consumed"] for p in status["partitions"] if p["topic"].endswith(".commitments")
            )
            services.sample_memory()
            if consumed >= written and status["lag"] == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("reporting did not catch up")
            await asyncio.sleep(1)


async def load(services: Services, total: int) -> str:
    """Write the dataset; return the plan id once reporting has projected it all."""
    plan_id = f"bench-{uuid.uuid4().hex[:8]}"
    pool = await create_pool(f"{PG}/{services.ref}_commitments", min_size=2, max_size=8)
    store = PostgresEventStore(pool)
    meta = EventMetadata(partner="bench")
    await _plan(store, plan_id, meta)
    per_commitment = max(0, (total - 1 - 2 * COMMITMENTS) // COMMITMENTS)
    semaphore = asyncio.Semaphore(8)

    async def bounded(i: int) -> None:
        async with semaphore:
            await _commitment(store, plan_id, i, per_commitment, meta)

    await asyncio.gather(*(bounded(i) for i in range(COMMITMENTS)))
    written = await pool.fetchval("SELECT count(*) FROM events")
    await pool.close()
    await _caught_up(services, written)
    return plan_id


async def rebuild(services: Services, total: int) -> Result:
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
    return Result("rebuild_eps", rate(events, t.seconds), "events/s", events)


async def queries(services: Services, plan_id: str, count: int = 200) -> list[Result]:
    async with services.client("reporting") as c:
        results = []
        for name, params in (("progress_p99_ms", {}), ("asof_p99_ms", {"as_of": "2015-06-30"})):
            samples = []
            for _ in range(count):
                started = time.perf_counter()
                r = await c.get(f"/v1/plans/{plan_id}/progress", params=params)
                assert r.status_code == 200 and r.json()["totals"]["commitments"] == COMMITMENTS
                samples.append((time.perf_counter() - started) * 1000)
            services.sample_memory()
            results.append(Result(name, percentile(samples, 99), "ms", count))
        return results
