"""The outbox relay publishes every committed event, none skipped, none from a rolled
back transaction, each stream in order, even when transactions commit out of order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import defaultdict
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

from shared.cloudevents import from_kafka, to_kafka
from shared.events import EventMetadata, NewEvent
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.kafka import KafkaProducer
from shared.relay import Relay
from tests.kafka_reader import read_topic
from tests.polling import until
from tests.relays import relay_of, running

WRITERS = 24
TRANSACTIONS_PER_WRITER = 12


class Rollback(Exception):
    pass


def new_event(stream: str, n: int) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type="org.pactstream.test.happened",
        data={"stream": stream, "n": n},
        occurred_at=datetime.now(UTC),
    )


async def test_many_concurrent_writers_with_rollbacks_lose_and_reorder_nothing(
    pool: asyncpg.Pool, database_url: str, topic: str, kafka_bootstrap: str, producer: KafkaProducer
) -> None:
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    committed: dict[str, list[UUID]] = defaultdict(list)
    rolled_back: set[UUID] = set()
    rng = random.Random(20151112)

    async def writer(w: int) -> None:
        streams = [f"w{w}-a", f"w{w}-b"]
        versions = dict.fromkeys(streams, 0)
        for t in range(TRANSACTIONS_PER_WRITER):
            stream = streams[t % 2]
            events = [new_event(stream, versions[stream] + i + 1) for i in range(rng.randint(1, 3))]
            rollback = rng.random() < 0.2
            alone = not rollback and rng.random() < 0.3
            try:
                if alone:  # One statement, which takes the writers' lock itself.
                    await store.append(stream, versions[stream], events)
                else:
                    async with store.transaction() as tx:
                        await tx.append(stream, versions[stream], events)
                        # Hold the transaction open so later positions commit first.
                        await asyncio.sleep(rng.uniform(0, 0.04))
                        if rollback:
                            raise Rollback
            except Rollback:
                rolled_back.update(e.event_id for e in events)
                continue
            versions[stream] += len(events)
            committed[stream].extend(e.event_id for e in events)

    relay = relay_of(database_url, producer, topic, batch_size=50, idle_poll_seconds=0.2)
    relay_task = asyncio.create_task(relay.run())
    try:
        await asyncio.gather(*(writer(w) for w in range(WRITERS)))
        expected = {e for ids in committed.values() for e in ids}
        assert rolled_back, "the test must exercise rollbacks"

        def all_arrived(records: list) -> bool:  # type: ignore[type-arg]
            return expected <= {UUID(dict(r.headers)["ce_id"].decode()) for r in records}

        records = await read_topic(kafka_bootstrap, topic, until=all_arrived, timeout=60)
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task

    received = [from_kafka(r.value, r.headers) for r in records]
    ids = [e.event_id for e in received]
    assert len(ids) == len(set(ids)), "no event is published twice by a healthy relay"
    assert set(ids) == expected
    assert not set(ids) & rolled_back
    per_stream: dict[str, list[UUID]] = defaultdict(list)
    for record, e in zip(records, received, strict=True):
        assert record.key.decode() == e.subject
        per_stream[e.subject].append(e.event_id)
    assert dict(per_stream) == {s: ids for s, ids in committed.items() if ids}


async def test_one_relay_leads_and_a_standby_takes_over_when_it_dies(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    async with pool.acquire() as conn:
        await install_schema(conn)
    relays = [relay_of(database_url, producer, topic, standby_poll_seconds=0.2) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        for _ in range(50):
            if any(r.status.leader for r in relays):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        leaders = [i for i, r in enumerate(relays) if r.status.leader]
        assert len(leaders) == 1
        leader = leaders[0]
        tasks[leader].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[leader]
        standby = relays[1 - leader]
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not standby.status.leader:
            assert loop.time() - started < 5, "the standby must take over within 5 seconds"
            await asyncio.sleep(0.05)
        store = PostgresEventStore(pool)
        e = new_event("after-failover", 1)
        await store.append("after-failover", 0, [e])
        while standby.status.published < 1:
            assert loop.time() - started < 10
            await asyncio.sleep(0.05)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t


async def test_the_relay_publishes_exactly_the_message_to_kafka_describes(
    pool: asyncpg.Pool, database_url: str, topic: str, kafka_bootstrap: str, producer: KafkaProducer
) -> None:
    """The relay builds its messages from bytes PostgreSQL formats; they must be the
    ones cloudevents.to_kafka makes of the same stored events, header for header."""
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    meta = EventMetadata(
        partner="régie-1", correlation_id="corr-1", causation_id="src#1", traceparent=None
    )
    stored = await store.append(
        "plan-é",
        0,
        [
            NewEvent(
                uuid4(),
                "org.pactstream.test.a",
                {"titre": "Été", "n": 1.5},
                datetime(2016, 6, 30, 12, tzinfo=UTC),
                2,
                meta,
            ),
            NewEvent(
                uuid4(),
                "org.pactstream.test.b",
                {"x": None},
                datetime(2016, 6, 30, 14, 0, 0, 7, tzinfo=UTC),
            ),
        ],
    )
    relay = relay_of(database_url, producer, topic, "/src")
    task = asyncio.create_task(relay.run())
    try:
        records = await read_topic(kafka_bootstrap, topic, until=lambda r: len(r) == 2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for record, event in zip(records, stored, strict=True):
        key, value, headers = to_kafka(event, "/src")
        assert record.key == key
        assert list(record.headers) == headers
        assert json.loads(record.value) == json.loads(value) == event.data


async def test_the_lag_gauge_moves_while_a_backlog_of_twenty_thousand_drains(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """Sampled at each batch's acknowledgement, while the relay is never idle: every
    sample is the age of events still waiting, and they change from batch to batch."""
    from shared.observability import Metrics

    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    await asyncio.gather(
        *(store.append(f"s{s}", 0, [new_event(f"s{s}", n) for n in range(200)]) for s in range(100))
    )
    metrics = Metrics("commitments")

    def lag() -> float:
        value = metrics.registry.get_sample_value(
            "pactstream_relay_lag_seconds", {"service": "commitments"}
        )
        return -1.0 if value is None else value

    samples: list[float] = []

    async def sample(_: int) -> None:
        samples.append(lag())

    relay = relay_of(
        database_url,
        producer,
        topic,
        idle_poll_seconds=0.1,
        metrics=metrics,
        on_acknowledged=sample,
    )
    async with running(relay):
        for _ in range(600):
            if relay.status.published == 20_000:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # Idle: the outbox says there is nothing left.
        assert relay.status.published == 20_000
        assert lag() == 0.0
    assert len(samples) == 20, "batches of 1,000"
    assert all(s > 0 for s in samples), samples
    assert len(set(samples)) > 1, samples


class Backlog:
    """Fifty events in five streams, stored before any relay runs, and the relay's
    stored checkpoint counted in them."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._first = 0

    async def store(self) -> None:
        async with self._pool.acquire() as conn:
            await install_schema(conn)
        store = PostgresEventStore(self._pool)
        for n in range(50):
            await store.append(f"s-{n % 5}", n // 5, [new_event(f"s-{n % 5}", n // 5 + 1)])
        self._first = await self._pool.fetchval("SELECT min(position) - 1 FROM events")

    async def checkpoint(self) -> int:
        position = await self._pool.fetchval(
            "SELECT position FROM relay_checkpoints WHERE name = 'kafka'"
        )
        return position - self._first if position else 0

    async def until_checkpoint(self, events: int) -> None:
        async def there() -> bool:
            return await self.checkpoint() == events

        await until(there, timeout=10)


@pytest.mark.parametrize(
    ("every", "seen"), [(0.0, [0, 10, 20, 30, 40]), (60.0, [0, 10, 10, 10, 10])]
)
async def test_a_draining_relay_writes_its_checkpoint_at_most_every_so_often_and_before_waiting(
    pool: asyncpg.Pool,
    database_url: str,
    topic: str,
    producer: KafkaProducer,
    every: float,
    seen: list[int],
) -> None:
    """Five batches of a backlog: the checkpoint each finds once acknowledged, with a
    checkpoint at every batch and with one a minute; once the relay waits, it is past
    the whole backlog either way."""
    backlog = Backlog(pool)
    await backlog.store()
    stored: list[int] = []

    async def look(_: int) -> None:
        stored.append(await backlog.checkpoint())

    relay = relay_of(
        database_url,
        producer,
        topic,
        batch_size=10,
        on_acknowledged=look,
        checkpoint_seconds=every,
    )
    async with running(relay):
        await backlog.until_checkpoint(50)
    assert relay.status.published == 50
    assert stored == seen


async def test_a_relay_asked_to_stop_writes_its_checkpoint_past_what_was_acknowledged(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """Stopped at its third batch, with checkpoints a minute apart: it finishes the
    batches in flight and leaves the checkpoint past all of them."""
    backlog = Backlog(pool)
    await backlog.store()
    relay: Relay

    async def stop_at_the_third(_: int) -> None:
        if relay.status.published == 20:
            relay.request_stop()

    relay = relay_of(
        database_url,
        producer,
        topic,
        batch_size=10,
        on_acknowledged=stop_at_the_third,
        checkpoint_seconds=60.0,
    )
    await asyncio.wait_for(relay.run(), 30)
    assert await backlog.checkpoint() == relay.status.published == 50


async def test_a_relay_leading_again_does_not_write_what_it_acknowledged_before(
    pool: asyncpg.Pool, database_url: str, topic: str, producer: KafkaProducer
) -> None:
    """A relay fails with two batches acknowledged and one of them not written;
    another relay publishes the rest. The first, leading again, leaves the
    checkpoint where the other left it, not back at its own."""
    backlog = Backlog(pool)
    await backlog.store()

    class Failed(Exception):
        pass

    failing = True

    async def fail_at_the_third(_: int) -> None:
        if failing and first.status.published == 20:
            raise Failed

    first = relay_of(
        database_url,
        producer,
        topic,
        batch_size=10,
        on_acknowledged=fail_at_the_third,
        checkpoint_seconds=60.0,
    )
    with pytest.raises(Failed):
        await asyncio.wait_for(first.run(), 30)
    assert await backlog.checkpoint() == 10  # the first batch's, the second's unwritten
    async with running(relay_of(database_url, producer, topic)):
        await backlog.until_checkpoint(50)
    failing = False
    async with running(first):
        await asyncio.sleep(0.5)  # It leads, finds nothing to send and waits.
        assert first.status.leader
    assert await backlog.checkpoint() == 50
