"""Relay lag while batch ingest runs at full speed: for every event the batch clients
post, the time from its record time in the event store (``recorded_at``, carried on
Kafka as the ``ce_recordedtime`` header) to the moment a consumer of the service's
topic receives it.

This is what "lag" means to whoever reads the topic: the outbox's wait behind the
fence, the relay's batching, the broker's acknowledgement and the fetch. It is an
upper bound of the relay's own share: the probe fetches with at most
``FETCH_WAIT_MS`` of wait and runs in its own thread with its own event loop, so
that the load driver never delays its reads. The relay's gauge on ``/metrics``
(``pactstream_relay_lag_seconds``) is not used: it is the age of the oldest event of
the batch in flight at the moment it is scraped, one value per scrape, not a figure
per event a percentile can be taken over."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from pactstream_bench.common import KAFKA, Result, percentile
from pactstream_bench.load import BatchLoad
from pactstream_bench.services import Services

FETCH_WAIT_MS = 5
HEADER = "ce_recordedtime"


def lag_ms(recorded: bytes, received: float) -> float | None:
    """Milliseconds from a message's record time to ``received`` (a Unix time)."""
    try:
        at = datetime.fromisoformat(recorded.decode())
    except ValueError:
        return None
    return (received - at.timestamp()) * 1000


class LagProbe:
    """A consumer of ``topic`` from its end, in a thread of its own: the lag of every
    message recorded after the probe was ready."""

    def __init__(self, topic: str) -> None:
        self._topic = topic
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._since = 0.0
        self.samples: list[float] = []
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(60):
            raise TimeoutError("the lag probe did not start")
        if self.error is not None:
            raise self.error

    def stop(self) -> list[float]:
        self._stopping.set()
        self._thread.join(30)
        return self.samples

    async def _run(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=KAFKA,
            enable_auto_commit=False,
            fetch_max_wait_ms=FETCH_WAIT_MS,
            auto_offset_reset="latest",
        )
        try:
            await consumer.start()
            # A consumer without a subscription keeps no topic's metadata of its own.
            cluster = await consumer._client.fetch_all_metadata()
            partitions = [
                TopicPartition(self._topic, p)
                for p in sorted(cluster.partitions_for_topic(self._topic) or ())
            ]
            if not partitions:
                raise RuntimeError(f"no partitions for {self._topic}")
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for partition in partitions:
                await consumer.position(partition)
            self._since = time.time()
        except BaseException as e:  # Reported by start(), in the caller's thread.
            self.error = e
            self._ready.set()
            await consumer.stop()
            return
        self._ready.set()
        try:
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=50)
                received = time.time()
                for messages in batches.values():
                    for message in messages:
                        self._keep(dict(message.headers).get(HEADER), received)
        finally:
            await consumer.stop()

    def _keep(self, recorded: bytes | None, received: float) -> None:
        if recorded is None:
            return
        lag = lag_ms(recorded, received)
        if lag is not None and received - lag / 1000 >= self._since:
            self.samples.append(lag)


async def relay_lag(
    services: Services, batches: int, concurrency: int = 4, suffix: str = ""
) -> list[Result]:
    """p50 and p99 of the lag of every event batch ingest posts at full speed (its own
    timed phase, so that the probe's CPU does not count in ``http_batch_eps``)."""
    load = BatchLoad(services, concurrency)
    await load.open()
    timed = load.prepare(batches // concurrency)
    probe = LagProbe(f"{services.ref}.commitments")
    await asyncio.to_thread(probe.start)
    try:
        accepted, _ = await load.post(timed)
        deadline = time.monotonic() + 60
        while len(probe.samples) < accepted and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await load.close()
        samples = await asyncio.to_thread(probe.stop)
    if len(samples) < accepted:
        raise RuntimeError(f"the lag probe saw {len(samples)} of {accepted} events")
    return [
        Result(f"relay_lag_p50_ms{suffix}", percentile(samples, 50), "ms", len(samples)),
        Result(f"relay_lag_p99_ms{suffix}", percentile(samples, 99), "ms", len(samples)),
    ]
