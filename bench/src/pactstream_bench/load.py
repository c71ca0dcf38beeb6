"""The batch clients' load: prepared HTTP/1.1 requests over keep-alive connections,
and the plans and commitments the benchmarks write to."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

from pactstream_bench.services import KEY, Services


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


class BatchLoad:
    """Partners posting batches of 100 measurements over ``concurrency`` keep-alive
    connections, each event on its own commitment (no contention). Requests are built
    before they are timed: the client shares the machine, and a partner's
    serialisation is not the platform's work."""

    def __init__(self, services: Services, concurrency: int = 4) -> None:
        self._services = services
        self._concurrency = concurrency
        # The clients are spread over the replicas of commitments, if more than one.
        urls = services.urls("commitments")
        self._connections = [Connection(urls[w % len(urls)]) for w in range(concurrency)]
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
