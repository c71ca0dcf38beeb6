"""A load of partner events with a ledger of every acknowledged one.

Each event is a CloudEvent measurement with a unique value, posted until the platform
acknowledges it (201, or 200 for a repeat of an acknowledged one) or the deadline
passes. Only acknowledged values enter the ledger: reporting must show exactly those,
once each."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tests.refs import random_ref

CE = {"content-type": "application/cloudevents+json"}


@dataclass
class Ledger:
    acknowledged: dict[str, set[int]] = field(default_factory=dict)
    refused: int = 0  # Answers other than 2xx, retried.
    unreachable: int = 0  # Connection failures, retried.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, commitment: str, value: int) -> None:
        with self.lock:
            self.acknowledged.setdefault(commitment, set()).add(value)

    @property
    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acknowledged.values())


async def _post_until_acknowledged(
    clients: list[httpx.AsyncClient],
    commitment: str,
    value: int,
    ledger: Ledger,
    deadline: float,
) -> None:
    event = {
        "specversion": "1.0",
        "id": random_ref("m-"),
        "source": "/faults/load",
        "type": "org.pactstream.commitment.measurement_recorded",
        "subject": commitment,
        "data": {"indicator": "n", "value": str(value), "as_of": "2016-06-01"},
    }
    attempt = 0
    while time.monotonic() < deadline:
        client = clients[(value + attempt) % len(clients)]
        attempt += 1
        try:
            response = await client.post("/v1/events", json=event, headers=CE)
        except httpx.HTTPError:
            ledger.unreachable += 1
            await asyncio.sleep(0.2)
            continue
        if response.status_code in (200, 201):
            ledger.add(commitment, value)
            return
        ledger.refused += 1
        await asyncio.sleep(0.1 if response.status_code == 409 else 0.3)


async def run_load(
    base_urls: Callable[[], list[str]],
    key: str,
    commitments: list[str],
    total: int,
    ledger: Ledger,
    timeout: float = 300,
) -> None:
    """``total`` events spread over ``commitments``, one writer per commitment so each
    stream's order is the order of the values."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {key}"}

    async def writer(index: int, commitment: str) -> None:
        clients = [httpx.AsyncClient(base_url=u, headers=headers, timeout=10) for u in base_urls()]
        try:
            for value in range(index, total, len(commitments)):
                await _post_until_acknowledged(clients, commitment, value, ledger, deadline)
        finally:
            for c in clients:
                await c.aclose()

    await asyncio.gather(*(writer(i, c) for i, c in enumerate(commitments)))


def start_load(*args: object, **kwargs: object) -> threading.Thread:
    thread = threading.Thread(target=lambda: asyncio.run(run_load(*args, **kwargs)))  # type: ignore[arg-type]
    thread.start()
    return thread
