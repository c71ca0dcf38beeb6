"""``pactstream_relay_lag_seconds`` moves while a backlog drains, batch after batch, not
only once the relay is idle again: a relay over a fake outbox and a producer whose
acknowledgements the test hands out one at a time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.cloudevents import rfc3339
from shared.observability import Metrics
from shared.outbox import START, OutboxCursor, OutboxEvent
from shared.publication import Publication
from shared.relay import Relay


def stored(n: int, age_seconds: float, now: datetime) -> OutboxEvent:
    return OutboxEvent(
        tx=n,
        position=n,
        position_text=str(n).encode(),
        subject=b"s",
        stream_version=b"1",
        event_id=str(n).encode(),
        type=b"org.pactstream.test.happened",
        schema_version=b"1",
        data=b"{}",
        occurred_at=rfc3339(now).encode(),
        recorded_at=rfc3339(now - timedelta(seconds=age_seconds)).encode(),
        partner=None,
        causation_id=None,
        correlation_id=None,
        traceparent=None,
    )


class Backlog:
    """An outbox of 40 events recorded 400 s to 10 s ago, the oldest first."""

    writers_running = False

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.events = [stored(n, 400 - (n - 1) * 10, now) for n in range(1, 41)]
        self.saved: dict[str, OutboxCursor] = {}

    async def checkpoint(self, name: str) -> OutboxCursor:
        return self.saved.get(name, START)

    async def save_checkpoint(self, name: str, cursor: OutboxCursor) -> None:
        self.saved[name] = cursor

    async def read(self, after: OutboxCursor, limit: int) -> list[OutboxEvent]:
        return [e for e in self.events if e.position > after.position][:limit]

    async def listen(self, listening: bool) -> None:
        pass

    async def oldest_unpublished(self, after: OutboxCursor) -> datetime | None:
        left = [e for e in self.events if e.position > after.position]
        return datetime.fromisoformat(left[0].recorded_at.decode()) if left else None


class GatedProducer:
    """Each ``send_all`` waits until the test releases one acknowledgement."""

    def __init__(self) -> None:
        self.acks = asyncio.Semaphore(0)

    async def send_all(self, messages: list[Any]) -> None:
        await self.acks.acquire()


async def test_the_lag_gauge_follows_a_draining_backlog_batch_by_batch() -> None:
    metrics = Metrics("commitments")
    producer = GatedProducer()
    relay = Relay(
        database_url="unused",
        producer=producer,  # type: ignore[arg-type]
        publication=Publication.everything("t"),
        source="/test",
        batch_size=10,
        idle_poll_seconds=0.05,
        metrics=metrics,
    )
    outbox = Backlog()
    leading = asyncio.create_task(relay._lead(outbox))

    def lag() -> float:
        value = metrics.registry.get_sample_value(
            "pactstream_relay_lag_seconds", {"service": "commitments"}
        )
        assert value is not None
        return value

    seen = []
    for _ in range(4):  # Four batches of ten: each acknowledgement moves the gauge.
        await asyncio.sleep(0.05)
        seen.append(lag())
        producer.acks.release()
    await asyncio.sleep(0.1)
    seen.append(lag())
    relay.request_stop()
    await asyncio.wait_for(leading, 2)

    assert outbox.saved["kafka"].position == 40
    # 400 s old first (the first batch), then the next batches' oldest: 300, 200, 100 s.
    assert [round(s, -1) for s in seen[:4]] == [400, 300, 200, 100], seen
    assert seen[4] == 0, "caught up"
