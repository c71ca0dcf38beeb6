"""One contract, two implementations: the asyncpg store and the in-memory fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from shared.events import EventMetadata, NewEvent
from shared.eventstore import (
    DuplicateEvent,
    EventStore,
    StreamAppend,
    UniqueKeyTaken,
    WrongExpectedVersion,
)
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.postgres import PostgresEventStore, install_schema
from tests.integration.conftest import fresh_database, fresh_pool
from tests.refs import random_ref


@pytest.fixture(params=["postgres", "memory"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[EventStore]:
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    async with fresh_database() as url, fresh_pool(url) as pool:
        async with pool.acquire() as conn:
            await install_schema(conn)
        yield PostgresEventStore(pool)


def event(n: int = 0, **data: Any) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type="org.pactstream.test.happened",
        data={"n": n, **data},
        occurred_at=datetime(2016, 6, 30, tzinfo=UTC),
        metadata=EventMetadata(partner="ministry", correlation_id="c-1"),
    )


async def test_appended_events_read_back_in_version_order_with_times_and_metadata(
    store: EventStore,
) -> None:
    stream = random_ref("s-")
    first = await store.append(stream, 0, [event(1), event(2)])
    await store.append(stream, 2, [event(3, text="Réduire à moins de 3 % — CO₂")])
    read = await store.read_stream(stream)
    assert [e.stream_version for e in read] == [1, 2, 3]
    assert [e.data["n"] for e in read] == [1, 2, 3]
    assert read[2].data["text"] == "Réduire à moins de 3 % — CO₂"
    assert read[0].occurred_at == datetime(2016, 6, 30, tzinfo=UTC)
    assert read[0].recorded_at > read[0].occurred_at
    assert read[0].metadata == EventMetadata(partner="ministry", correlation_id="c-1")
    assert first[0].position < first[1].position < read[2].position
    assert await store.stream_version(stream) == 3
    assert await store.read_stream(stream, after_version=2) == read[2:]


async def test_a_stale_expected_version_is_a_conflict_and_stores_nothing(
    store: EventStore,
) -> None:
    stream = random_ref("s-")
    await store.append(stream, 0, [event(1)])
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append(stream, 0, [event(2)])
    assert raised.value.actual == 1
    assert [e.data["n"] for e in await store.read_stream(stream)] == [1]


async def test_an_expected_version_ahead_of_the_stream_cannot_leave_a_gap(
    store: EventStore,
) -> None:
    stream = random_ref("s-")
    await store.append(stream, 0, [event(1)])
    with pytest.raises(WrongExpectedVersion):
        await store.append(stream, 5, [event(2)])
    assert await store.stream_version(stream) == 1


async def test_a_retried_append_with_the_same_event_ids_has_one_effect(store: EventStore) -> None:
    stream = random_ref("s-")
    events = [event(1), event(2)]
    first = await store.append(stream, 0, events)
    again = await store.append(stream, 0, events)
    assert [e.event_id for e in again] == [e.event_id for e in first]
    assert len(await store.read_stream(stream)) == 2


async def test_an_event_id_stored_elsewhere_is_refused(store: EventStore) -> None:
    e = event(1)
    await store.append(random_ref("s-"), 0, [e])
    with pytest.raises(DuplicateEvent):
        await store.append(random_ref("s-"), 0, [e])


async def test_a_unique_key_belongs_to_one_stream_and_a_refusal_stores_nothing(
    store: EventStore,
) -> None:
    key = ("plan-code", random_ref("VAP-"))
    owner, other = random_ref("s-"), random_ref("s-")
    await store.append(owner, 0, [event(1)], unique_keys=[key])
    with pytest.raises(UniqueKeyTaken):
        await store.append(other, 0, [event(2)], unique_keys=[key])
    assert await store.read_stream(other) == []
    assert await store.owner_of(*key) == owner


async def test_the_keys_under_a_prefix_name_their_streams_and_no_others(
    store: EventStore,
) -> None:
    plan = random_ref("P")
    first, second, elsewhere = random_ref("s-"), random_ref("s-"), random_ref("s-")
    await store.append(first, 0, [event(1)], unique_keys=[("commitment-code", f"{plan}/1")])
    await store.append(second, 0, [event(2)], unique_keys=[("commitment-code", f"{plan}/2")])
    await store.append(elsewhere, 0, [event(3)], unique_keys=[("plan-code", f"{plan}/3")])
    assert await store.owners_under("commitment-code", f"{plan}/") == {
        f"{plan}/1": first,
        f"{plan}/2": second,
    }
    assert await store.owners_under("commitment-code", f"{plan}x/") == {}


async def test_a_refused_append_leaves_its_unique_key_free(store: EventStore) -> None:
    taken = event(1)
    existing = random_ref("s-")
    await store.append(existing, 0, [taken])
    key = ("commitment-code", random_ref("P/"))
    with pytest.raises(DuplicateEvent):
        await store.append(random_ref("s-"), 0, [taken], unique_keys=[key])
    with pytest.raises(WrongExpectedVersion):
        await store.append(existing, 0, [event(2)], unique_keys=[key])
    assert await store.owner_of(*key) is None


async def test_a_retried_create_with_its_key_has_one_effect(store: EventStore) -> None:
    key = ("plan-code", random_ref("VAP-"))
    stream, first = random_ref("s-"), event(1)
    stored = await store.append(stream, 0, [first], unique_keys=[key])
    again = await store.append(stream, 0, [first], unique_keys=[key])
    assert again == stored
    assert await store.owner_of(*key) == stream
    assert len(await store.read_stream(stream)) == 1


async def test_of_concurrent_writers_at_one_version_exactly_one_wins(store: EventStore) -> None:
    stream = random_ref("s-")
    await store.append(stream, 0, [event(0)])
    results = await asyncio.gather(
        *(store.append(stream, 1, [event(i)]) for i in range(10)), return_exceptions=True
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    assert len(wins) == 1
    assert all(isinstance(r, WrongExpectedVersion) for r in results if r not in wins)
    assert await store.stream_version(stream) == 2


async def test_read_all_follows_the_global_position(store: EventStore) -> None:
    a, b = random_ref("a-"), random_ref("b-")
    await store.append(a, 0, [event(1)])
    await store.append(b, 0, [event(2)])
    await store.append(a, 1, [event(3)])
    everything = await store.read_all()
    mine = [e for e in everything if e.stream_id in {a, b}]
    assert [e.data["n"] for e in mine] == [1, 2, 3]
    assert [e.position for e in everything] == sorted(e.position for e in everything)


async def test_appends_to_several_streams_store_all_and_read_back_together(
    store: EventStore,
) -> None:
    a, b, untouched = random_ref("a-"), random_ref("b-"), random_ref("c-")
    await store.append(a, 0, [event(1)])
    stored = await store.append_streams(
        [StreamAppend(a, 1, [event(2), event(3)]), StreamAppend(b, 0, [event(10)])]
    )
    assert stored == 3
    read = await store.read_streams({a: 1, b: 0, untouched: 0})
    assert set(read) == {a, b}
    assert [(e.stream_version, e.data["n"]) for e in read[a]] == [(2, 2), (3, 3)]
    assert [(e.stream_version, e.data["n"]) for e in read[b]] == [(1, 10)]


@pytest.mark.parametrize("expected", [0, 2])
async def test_appends_to_several_streams_are_all_or_nothing(
    store: EventStore, expected: int
) -> None:
    """One stream at another version than expected (behind or ahead) refuses them all."""
    a, b = random_ref("a-"), random_ref("b-")
    await store.append(a, 0, [event(1)])
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append_streams(
            [StreamAppend(b, 0, [event(10)]), StreamAppend(a, expected, [event(2)])]
        )
    assert raised.value.stream_id == a
    assert await store.read_streams({a: 0, b: 0}) == {a: await store.read_stream(a)}
    assert len(await store.read_stream(a)) == 1


async def test_appends_to_several_streams_refuse_an_event_id_already_stored(
    store: EventStore,
) -> None:
    a, b = random_ref("a-"), random_ref("b-")
    first = event(1)
    await store.append(a, 0, [first])
    with pytest.raises(DuplicateEvent):
        await store.append_streams([StreamAppend(b, 0, [event(2), first])])
    assert await store.read_stream(b) == []
