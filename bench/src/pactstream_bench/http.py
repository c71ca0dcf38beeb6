"""HTTP throughput with wrk (Debian's), and end-to-end latency with a paced client."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx

from pactstream_bench.common import Result, percentile
from pactstream_bench.load import BatchLoad, commitment_body, plan_body
from pactstream_bench.services import KEY, Services

SINGLE_LUA = """
-- Each wrk thread gets its own id from setup(), so codes never collide across threads.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"code":"B%%d-%%d","section":"S","title":"Bench commitment","parties":[{"name":"EU","role":"responsible"}]}',
    tid, n)
  return wrk.format("POST", "%s", {["Content-Type"]="application/json",
                                   ["Authorization"]="Bearer %s"}, body)
end
"""


PER_PLAN = 20
#: Batches each batch client posts before the clock starts.
WARMUP_BATCHES = 25
#: Paced writes before the end-to-end samples start counting.
WARMUP_WRITES = 200
POLL_SECONDS = 0.002


def wrk(url: str, path: str, seconds: int, connections: int = 32) -> float:
    if shutil.which("wrk") is None:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SINGLE_LUA % (path, KEY))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors and int(errors.group(1)) > 0:
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        requests *= 1 - int(errors.group(1)) / total  # Count only answers that took effect.
    return requests


def http_single(services: Services, seconds: int) -> Result:
    with httpx.Client(
        base_url=services.url("commitments"), headers={"Authorization": f"Bearer {KEY}"}
    ) as c:
        plan = c.post("/v1/plans", json=plan_body()).json()
    rps = wrk(services.url("commitments"), f"/v1/plans/{plan['id']}/commitments", seconds)
    return Result("http_single_rps", rps, "requests/s")


async def http_latency(services: Services, count: int = 400) -> Result:
    """p99 of single POSTs at a moderate rate (wrk measures throughput, not latency)."""
    async with services.client("commitments") as c:
        plan = (await c.post("/v1/plans", json=plan_body())).json()
        samples = []
        for n in range(count):
            started = time.perf_counter()
            r = await c.post(f"/v1/plans/{plan['id']}/commitments", json=commitment_body(f"L{n}"))
            assert r.status_code == 201
            samples.append((time.perf_counter() - started) * 1000)
    return Result("http_single_p99_ms", percentile(samples, 99), "ms", count)


async def http_batch(
    services: Services, batches: int, concurrency: int = 4, suffix: str = ""
) -> Result:
    load = BatchLoad(services, concurrency)
    await load.open()
    try:
        # Untimed batches first: connections and the commitments' states in the
        # service's cache warm, as for a partner that posts every day.
        await load.post(load.prepare(WARMUP_BATCHES))
        timed = load.prepare(batches // concurrency)
        # The clock starts once reporting has projected what came before (the
        # warm-up, the single-POST run's thousands): only this run is timed. The
        # connections open again afterwards (the wait outlasts keep-alive).
        await load.close()
        await settle(services)
        accepted, seconds = await load.post(timed)
    finally:
        await load.close()
    return Result(f"http_batch_eps{suffix}", accepted / seconds, "events/s", accepted)


async def settle(services: Services, timeout: float = 600) -> None:
    """Wait until reporting has consumed everything published, so that the next
    measurement starts from a steady state and not behind the previous one's backlog
    (a batch run leaves tens of thousands of events still being projected)."""
    deadline = time.monotonic() + timeout
    caught_up = 0
    # Each replica of reporting reports the lag of the partitions it consumes.
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}) as r:
        while caught_up < 2:  # Twice in a row: the relay may still be publishing.
            if time.monotonic() > deadline:
                raise TimeoutError("reporting did not catch up")
            lag = 0
            for url in services.urls("reporting"):
                lag += (await r.get(f"{url}/v1/status")).json()["lag"]
            caught_up = caught_up + 1 if lag == 0 else 0
            await asyncio.sleep(0.2)


async def _plans_in_reporting(
    commitments: httpx.AsyncClient, reporting: httpx.AsyncClient, count: int
) -> list[str]:
    """``count`` new plans, once reporting has every one of them."""
    plans = [
        (await commitments.post("/v1/plans", json=plan_body())).raise_for_status().json()["id"]
        for _ in range(count)
    ]
    for plan in plans:
        while (await reporting.get(f"/v1/plans/{plan}/commitments")).status_code != 200:
            await asyncio.sleep(0.01)
    return plans


@asynccontextmanager
async def _clients(services: Services, service: str) -> AsyncIterator[list[httpx.AsyncClient]]:
    """A client of each replica of ``service``."""
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=url, timeout=30, headers={"Authorization": f"Bearer {KEY}"}
                )
            )
            for url in services.urls(service)
        ]


async def end_to_end(
    services: Services, rate_per_second: float, count: int, suffix: str = ""
) -> list[Result]:
    """From a POST's 2xx to the commitment visible in reporting, paced at ``rate``,
    writes and reads going to every replica in turn. One poller watches reporting for
    every write in flight (a steady, small read load, not a poll loop per write): it
    reads the commitment list of each plan (of ``PER_PLAN``) with writes pending every
    ``POLL_SECONDS``. The first ``WARMUP_WRITES`` are paced and awaited, not sampled."""
    acknowledged: dict[str, float] = {}  # commitment id -> when its POST answered
    unsampled: set[str] = set()  # warm-up writes: awaited like the others, not counted
    pending: dict[str, set[str]] = {}  # plan id -> commitment ids not yet seen
    samples: list[float] = []
    async with (
        _clients(services, "commitments") as cs,
        _clients(services, "reporting") as rs,
    ):
        plans = await _plans_in_reporting(cs[0], rs[0], -(-(WARMUP_WRITES + count) // PER_PLAN))

        async def one(n: int) -> None:
            plan = plans[n // PER_PLAN]
            made = await cs[n % len(cs)].post(
                f"/v1/plans/{plan}/commitments", json=commitment_body(f"E{n}")
            )
            made_id = made.raise_for_status().json()["id"]
            acknowledged[made_id] = time.perf_counter()
            if n < WARMUP_WRITES:
                unsampled.add(made_id)
            pending.setdefault(plan, set()).add(made_id)

        async def look(plan: str, ids: set[str]) -> None:
            r = rs[len(samples) % len(rs)]
            listed = (await r.get(f"/v1/plans/{plan}/commitments")).json()
            seen = time.perf_counter()
            for row in listed:
                if row["id"] in ids:
                    ids.discard(row["id"])
                    if row["id"] not in unsampled:
                        samples.append((seen - acknowledged[row["id"]]) * 1000)
            if not ids and pending.get(plan) is ids:
                del pending[plan]

        async def poll() -> None:
            # The plans with writes pending are read side by side: one after another,
            # each read would wait for the others and the wait would count as latency.
            while len(samples) < count:
                await asyncio.gather(*(look(p, ids) for p, ids in list(pending.items())))
                await asyncio.sleep(POLL_SECONDS)

        poller = asyncio.create_task(poll())
        tasks = []
        interval = 1 / rate_per_second
        for n in range(WARMUP_WRITES + count):
            tasks.append(asyncio.create_task(one(n)))
            await asyncio.sleep(interval)
        await asyncio.gather(*tasks)
        await asyncio.wait_for(poller, 60)
    return [
        Result(f"e2e_p50_ms{suffix}", percentile(samples, 50), "ms", count),
        Result(f"e2e_p99_ms{suffix}", percentile(samples, 99), "ms", count),
    ]
