"""HTTP throughput with wrk (Debian's), and end-to-end latency with a paced client."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from pactstream_bench.common import Result, percentile
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


class Connection:
    """One HTTP/1.1 keep-alive connection sending requests prepared in advance: the
    batch clients' load generator. httpx costs about 1.5 ms of CPU per request (15 µs
    per event of a 100-event batch), taken from the two cores the platform runs on, as
    a partner's client on another machine would not; this costs a few µs. Responses
    must carry a Content-Length, as the platform's JSON responses do."""

    def __init__(self, url: str) -> None:
        self._host, _, port = url.removeprefix("http://").partition(":")
        self._port = int(port)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def request(self, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        """The bytes of a POST, to prepare before the clock starts."""
        lines = [f"POST {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a prepared request; the status and body of its response."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        self._writer.write(request)
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length = None
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"a response without Content-Length (status {status})")
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
            self._writer = None


def plan_body() -> dict[str, object]:
    return {
        "code": f"BENCH-{time.time_ns()}",
        "title": "Bench",
        "sections": [{"code": "S", "title": "Section"}],
    }


def commitment_body(code: str, **extra: object) -> dict[str, object]:
    """A commitment in ``plan_body``'s section, with the EU responsible."""
    return {
        "code": code,
        "section": "S",
        "title": "t",
        "parties": [{"name": "EU", "role": "responsible"}],
        **extra,
    }


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


class BatchLoad:
    """Partners posting batches of 100 measurements over ``concurrency`` keep-alive
    connections, each event on its own commitment (no contention). Requests are built
    before they are timed: the client shares the machine, and a partner's
    serialisation is not the platform's work."""

    def __init__(self, services: Services, concurrency: int = 4) -> None:
        self._services = services
        self._concurrency = concurrency
        self._connections = [Connection(services.url("commitments")) for _ in range(concurrency)]
        self._ids: list[str] = []
        self._next = 0
        # Event ids unique to this load: another load's batches on the same services
        # would otherwise repeat its ids, which the inbound claim rejects as duplicates.
        self._tag = secrets.token_hex(3)

    async def open(self) -> None:
        """Create the plan and the commitments the batches measure."""
        async with self._services.client("commitments", timeout=120) as c:
            plan = (await c.post("/v1/plans", json=plan_body())).json()
            for i in range(100 * self._concurrency):
                r = await c.post(
                    f"/v1/plans/{plan['id']}/commitments",
                    json=commitment_body(
                        f"T{i}",
                        id=f"{plan['id'][:8]}-t{i}",
                        indicators=[
                            {
                                "code": "n",
                                "title": "n",
                                "unit": "u",
                                "direction": "increase",
                                "target": {"value": 1},
                            }
                        ],
                    ),
                )
                self._ids.append(r.json()["id"])

    def prepare(self, count: int) -> list[list[bytes]]:
        """The next ``count`` batches of each client, as request bytes."""
        headers = {
            "Authorization": f"Bearer {KEY}",
            "Content-Type": "application/cloudevents-batch+json",
        }
        first, self._next = self._next, self._next + count
        return [
            [
                self._connections[w].request(
                    "/v1/events",
                    json.dumps(
                        [
                            {
                                "specversion": "1.0",
                                "id": f"{self._tag}-{w}-{b}-{i}",
                                "source": "/bench",
                                "type": "org.pactstream.commitment.measurement_recorded",
                                "subject": cid,
                                "data": {"indicator": "n", "value": str(b), "as_of": "2016-06-01"},
                            }
                            for i, cid in enumerate(self._ids[w * 100 : (w + 1) * 100])
                        ]
                    ).encode(),
                    headers,
                )
                for b in range(first, first + count)
            ]
            for w in range(self._concurrency)
        ]

    async def post(self, requests: list[list[bytes]]) -> tuple[int, float]:
        """Every client posts its requests in turn: events accepted, seconds taken."""
        accepted = 0

        async def client(w: int) -> None:
            nonlocal accepted
            for request in requests[w]:
                status, body = await self._connections[w].send(request)
                if status != 200:
                    raise RuntimeError(f"a batch was refused: {status} {body[:500]!r}")
                accepted += body.count(b'"status":"accepted"')

        started = time.perf_counter()
        await asyncio.gather(*(client(w) for w in range(self._concurrency)))
        return accepted, time.perf_counter() - started

    async def close(self) -> None:
        """Close the connections; the next request opens them again."""
        for connection in self._connections:
            await connection.close()


async def http_batch(services: Services, batches: int, concurrency: int = 4) -> Result:
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
    return Result("http_batch_eps", accepted / seconds, "events/s", accepted)


async def warm_broker(services: Services, seconds: float) -> None:
    """Run batch ingest untimed for ``seconds``: a broker just started spends its
    first minutes compiling its hot paths (Kafka alone cost 40-60 µs of CPU per
    ingested event then, 8-12 once warm), which no broker that has been up for a
    while does."""
    load = BatchLoad(services)
    await load.open()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            await load.post(load.prepare(10))
    finally:
        await load.close()


async def settle(services: Services, timeout: float = 600) -> None:
    """Wait until reporting has consumed everything published, so that the next
    measurement starts from a steady state and not behind the previous one's backlog
    (a batch run leaves tens of thousands of events still being projected)."""
    deadline = time.monotonic() + timeout
    caught_up = 0
    async with services.client("reporting") as r:
        while caught_up < 2:  # Twice in a row: the relay may still be publishing.
            if time.monotonic() > deadline:
                raise TimeoutError("reporting did not catch up")
            lag = (await r.get("/v1/status")).json()["lag"]
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


async def end_to_end(services: Services, rate_per_second: float, count: int) -> list[Result]:
    """From a POST's 2xx to the commitment visible in reporting, paced at ``rate``.

    One poller watches reporting for every write in flight, so the measurement adds a
    steady, small read load rather than one poll loop per write: commitments go to
    plans of ``PER_PLAN`` and the poller reads the commitment list of each plan that
    has writes pending, every ``POLL_SECONDS``. The first ``WARMUP_WRITES`` are paced
    and awaited like the rest but not sampled."""
    acknowledged: dict[str, float] = {}  # commitment id -> when its POST answered
    unsampled: set[str] = set()  # warm-up writes: awaited like the others, not counted
    pending: dict[str, set[str]] = {}  # plan id -> commitment ids not yet seen
    samples: list[float] = []
    async with (
        services.client("commitments") as c,
        services.client("reporting") as r,
    ):
        plans = await _plans_in_reporting(c, r, -(-(WARMUP_WRITES + count) // PER_PLAN))

        async def one(n: int) -> None:
            plan = plans[n // PER_PLAN]
            made = await c.post(f"/v1/plans/{plan}/commitments", json=commitment_body(f"E{n}"))
            made_id = made.raise_for_status().json()["id"]
            acknowledged[made_id] = time.perf_counter()
            if n < WARMUP_WRITES:
                unsampled.add(made_id)
            pending.setdefault(plan, set()).add(made_id)

        async def look(plan: str, ids: set[str]) -> None:
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
        Result("e2e_p50_ms", percentile(samples, 50), "ms", count),
        Result("e2e_p99_ms", percentile(samples, 99), "ms", count),
    ]
