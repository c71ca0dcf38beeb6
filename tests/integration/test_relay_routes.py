"""The relay publishes what the service's publication says, where it says: each stored
type on its topic as its published type, internal types nowhere, an unclassified one
stopping it, and a topic added later filled with its history once."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from shared.cloudevents import from_kafka
from shared.events import NewEvent
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.kafka import KafkaProducer, ensure_topics
from shared.publication import Publication, Route, Topic, Unclassified
from shared.relay import Relay
from tests.integration.conftest import KAFKA
from tests.kafka_reader import read_topic

MADE = "org.pactstream.test.made"
RENAMED = "org.pactstream.test.renamed_internally"
GRANTED = "org.pactstream.test.granted"
NOTE = "org.pactstream.test.note_to_self"


def event(kind: str, n: int) -> NewEvent:
    return NewEvent(uuid4(), kind, {"n": n}, datetime.now(UTC))


@pytest.fixture
async def topics(topic_prefix: str) -> tuple[str, str]:
    main, credentials = f"{topic_prefix}.main", f"{topic_prefix}.access"
    await ensure_topics(KAFKA, [main, credentials], partitions=3)
    return main, credentials


def shrink(data: bytes) -> bytes:
    """The published shape of the renamed event: its old field name."""
    return json.dumps({"count": json.loads(data)["n"]}).encode()


def publication(main: str, credentials: str, *, fill: bool = True) -> Publication:
    return Publication(
        (Topic(main, "main"), Topic(credentials, "credentials", internal=True)),
        {
            (MADE, 1): Route(main, MADE, 1),
            (RENAMED, 1): Route(main, "org.pactstream.test.counted", 2, shrink),
            (GRANTED, 1): Route(credentials, GRANTED, 1),
        },
        internal=frozenset({NOTE}),
        fill=frozenset({credentials}) if fill else frozenset(),
    )


async def publish_all(relay: Relay, pool: asyncpg.Pool) -> None:
    """Run the relay until its checkpoint has passed every stored event, then stop it."""
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(200):
            async with pool.acquire() as conn:
                behind = await conn.fetchval(
                    "SELECT count(*) FROM events WHERE position > coalesce("
                    "(SELECT position FROM relay_checkpoints WHERE name = 'kafka'), 0)"
                )
            if behind == 0 or task.done():
                break
            await asyncio.sleep(0.05)
    finally:
        relay.request_stop()
        await asyncio.wait_for(task, 10)


def types(records: list[object]) -> list[tuple[str, object]]:
    found = []
    for record in records:
        received = from_kafka(record.value, record.headers)  # type: ignore[attr-defined]
        found.append((received.type, received.data))
    return found


async def test_each_stored_type_goes_where_its_route_says_as_its_published_type(
    pool: asyncpg.Pool,
    database_url: str,
    topics: tuple[str, str],
    kafka_bootstrap: str,
    producer: KafkaProducer,
) -> None:
    main, credentials = topics
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    await store.append(
        "s", 0, [event(MADE, 1), event(NOTE, 2), event(GRANTED, 3), event(RENAMED, 4)]
    )
    relay = Relay(
        database_url=database_url,
        producer=producer,
        publication=publication(main, credentials),
        source="/t",
    )
    task = asyncio.create_task(relay.run())
    try:
        on_main = await read_topic(kafka_bootstrap, main, until=lambda r: len(r) == 2)
        on_access = await read_topic(kafka_bootstrap, credentials, until=lambda r: len(r) == 1)
    finally:
        relay.request_stop()
        await asyncio.wait_for(task, 10)
    assert types(on_main) == [(MADE, {"n": 1}), ("org.pactstream.test.counted", {"count": 4})]
    assert types(on_access) == [(GRANTED, {"n": 3})]
    assert dict(on_main[1].headers)["ce_schemaversion"] == b"2"
    assert relay.status.sent == 3  # The internal note went nowhere.


async def test_an_unclassified_type_stops_the_relay_before_anything_after_it(
    pool: asyncpg.Pool,
    database_url: str,
    topics: tuple[str, str],
    producer: KafkaProducer,
) -> None:
    main, credentials = topics
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    await store.append("s", 0, [event(MADE, 1), event("org.pactstream.test.unheard_of", 2)])
    relay = Relay(
        database_url=database_url,
        producer=producer,
        publication=publication(main, credentials),
        source="/t",
    )
    with pytest.raises(Unclassified, match="unheard_of"):
        await asyncio.wait_for(relay.run(), 10)
    assert relay.status.published == 0
    async with pool.acquire() as conn:
        checkpoint = await conn.fetchval(
            "SELECT position FROM relay_checkpoints WHERE name = 'kafka'"
        )
    assert checkpoint == 0


async def test_a_topic_added_later_is_filled_with_its_history_once(
    pool: asyncpg.Pool,
    database_url: str,
    topics: tuple[str, str],
    kafka_bootstrap: str,
    producer: KafkaProducer,
) -> None:
    """The upgrade that moved credentials to a topic of their own: before it, every
    event went to the main topic; after it, the credentials already published there
    reach the new topic too, once, and in order with the new ones."""
    main, credentials = topics
    async with pool.acquire() as conn:
        await install_schema(conn)
    store = PostgresEventStore(pool)
    await store.append("a", 0, [event(GRANTED, 1), event(MADE, 2), event(GRANTED, 3)])
    before = Relay(
        database_url=database_url,
        producer=producer,
        publication=Publication.everything(main),
        source="/t",
    )
    await publish_all(before, pool)
    await store.append("a", 3, [event(GRANTED, 4), event(MADE, 5)])

    for _ in range(2):  # The second start (a restart) must not fill again.
        after = Relay(
            database_url=database_url,
            producer=producer,
            publication=publication(main, credentials),
            source="/t",
        )
        await publish_all(after, pool)
    await store.append("a", 5, [event(GRANTED, 6)])
    last = Relay(
        database_url=database_url,
        producer=producer,
        publication=publication(main, credentials),
        source="/t",
    )
    await publish_all(last, pool)

    on_access = await read_topic(kafka_bootstrap, credentials, until=lambda r: len(r) >= 4)
    with contextlib.suppress(TimeoutError):  # Nothing more may arrive.
        on_access = await read_topic(
            kafka_bootstrap, credentials, until=lambda r: len(r) > 4, timeout=2
        )
    assert [data["n"] for _, data in types(on_access)] == [1, 3, 4, 6]
    on_main = await read_topic(kafka_bootstrap, main, until=lambda r: len(r) >= 4)
    assert [data["n"] for _, data in types(on_main)] == [1, 2, 3, 5]
