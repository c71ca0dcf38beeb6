"""One consumer-tracking contract, two implementations: PostgreSQL and the in-memory
fake. The apply algorithm runs over either, so its exactly-once guarantees are
checked against both here too; the Kafka side is in ``test_consumer_runner_contract.py``
and ``test_consumer.py``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from shared import cloudevents
from shared.consumer import ConsumerTracking, DeadLetter, Position, apply_poll
from tests.integration.tracking_backends import (
    BACKENDS,
    T0,
    T1,
    Backend,
    backend_named,
    projection,
    record,
)


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with backend_named(request.param) as backend:
        yield backend


async def poll(backend: Backend, consumer: str, batches: dict[Any, list[Any]], **kw: Any) -> Any:
    """One poll in one unit of work, as the runner applies it."""
    async with backend.store.unit() as tracking:
        results = await apply_poll(tracking, consumer, batches, projection(backend, **kw))
        for result in results.values():
            if result.dead:
                await tracking.record_dead(consumer, result.dead)
        await tracking.advance(consumer, results)
    return results


# The port itself.


async def test_an_event_id_is_claimed_once_per_consumer_until_released(backend: Backend) -> None:
    a, b = uuid4(), uuid4()
    async with backend.store.unit() as tracking:
        assert await tracking.claim("c", [a, b]) == {a, b}
        assert await tracking.claim("c", [a]) == set()
        assert await tracking.claim("other", [a]) == {a}
        await tracking.release("c", a)
        assert await tracking.claim("c", [a, b]) == {a}


async def test_a_stored_offset_never_moves_back_and_keeps_its_last_event_time(
    backend: Backend,
) -> None:
    async with backend.store.unit() as tracking:
        await tracking.advance("c", {("t", 0): Position(10, T1), ("t", 1): Position(3)})
    async with backend.store.unit() as tracking:
        await tracking.advance("c", {("t", 0): Position(4, T0), ("t", 1): Position(5)})
        assert await tracking.lock_offsets("c", [("t", 0), ("t", 1), ("t", 2)]) == {
            ("t", 0): 10,
            ("t", 1): 5,
        }
    assert await backend.store.offsets("c") == {("t", 0): 10, ("t", 1): 5}
    assert await backend.store.offsets("other") == {}


async def test_a_unit_that_raises_leaves_nothing_and_a_savepoint_only_its_part(
    backend: Backend,
) -> None:
    kept, undone = uuid4(), uuid4()

    async def crashing_unit() -> None:
        async with backend.store.unit() as tracking:
            await tracking.claim("c", [undone])
            await tracking.advance("c", {("t", 0): Position(5)})
            await tracking.record_dead("c", [DeadLetter("t", 0, 4, None, "bad")])
            await backend.write(tracking.connection, 1)
            raise RuntimeError("crash before commit")

    async def refused_savepoint(tracking: ConsumerTracking[Any]) -> None:
        async with tracking.savepoint():
            await tracking.claim("c", [undone])
            await backend.write(tracking.connection, 3)
            raise ValueError("refused")

    with pytest.raises(RuntimeError):
        await crashing_unit()
    async with backend.store.unit() as tracking:
        await tracking.claim("c", [kept])
        await backend.write(tracking.connection, 2)
        with pytest.raises(ValueError, match="refused"):
            await refused_savepoint(tracking)
        assert await tracking.claim("c", [kept, undone]) == {undone}
    assert await backend.store.offsets("c") == {}
    assert await backend.dead("c") == []
    assert await backend.numbers() == [2]


async def test_units_locking_the_same_offsets_run_one_after_the_other(backend: Backend) -> None:
    async with backend.store.unit() as tracking:
        await tracking.advance("c", {("t", 0): Position(1)})
    first_locked = asyncio.Event()

    async def first() -> None:
        async with backend.store.unit() as tracking:
            await tracking.lock_offsets("c", [("t", 0)])
            first_locked.set()
            await asyncio.sleep(0.3)
            await tracking.advance("c", {("t", 0): Position(5)})

    async def second() -> dict[Any, int]:
        await first_locked.wait()
        async with backend.store.unit() as tracking:
            return await tracking.lock_offsets("c", [("t", 0)])

    _, seen = await asyncio.gather(first(), second())
    assert seen == {("t", 0): 5}


# The apply algorithm over it.


@pytest.mark.parametrize("bulk", [True, False])
async def test_a_poll_applied_again_changes_nothing(backend: Backend, bulk: bool) -> None:
    records = [record(o, o) for o in range(4)]
    first = await poll(backend, "c", {("t", 0): records}, bulk=bulk)
    again = await poll(backend, "c", {("t", 0): records}, bulk=bulk)
    assert (first[("t", 0)].applied, again[("t", 0)].applied) == (4, 0)
    assert await backend.numbers() == [0, 1, 2, 3]
    assert await backend.store.offsets("c") == {("t", 0): 4}


async def test_an_event_published_twice_is_applied_once(backend: Backend) -> None:
    """A relay that publishes again after a crash: the same event at later offsets,
    in the same poll and in the next."""
    once = uuid4()
    batch = [record(0, 0, event_id=once), record(1, 1), record(2, 0, event_id=once)]
    results = await poll(backend, "c", {("t", 0): batch})
    later = await poll(backend, "c", {("t", 0): [record(3, 0, event_id=once)]}, bulk=False)
    assert (results[("t", 0)].applied, results[("t", 0)].duplicates) == (2, 1)
    assert (later[("t", 0)].applied, later[("t", 0)].duplicates) == (0, 1)
    assert await backend.numbers() == [0, 1]
    assert await backend.store.offsets("c") == {("t", 0): 4}


async def test_a_poison_event_is_dead_lettered_undone_and_the_rest_applied(
    backend: Backend,
) -> None:
    poisoned = [record(0, 0), record(1, 666), record(2, 2)]
    garbage = SimpleNamespace(offset=0, key=b"k", value=b"?", headers=[("ce_specversion", b"1.0")])
    results = await poll(backend, "c", {("t", 0): poisoned, ("t", 1): [garbage, record(1, 11)]})
    assert await backend.numbers() == [0, 2, 11]
    assert [(d.partition, d.offset) for d in await backend.dead("c")] == [(0, 1), (1, 0)]
    assert (await backend.dead("c"))[0].error == "ValueError: poison"
    assert (results[("t", 0)].applied, results[("t", 1)].applied) == (2, 1)
    assert await backend.store.offsets("c") == {("t", 0): 3, ("t", 1): 2}


async def test_unwanted_types_are_passed_over_and_the_offset_still_moves(
    backend: Backend,
) -> None:
    kinds = ["org.t.kept", "org.t.other", "org.t.kept", "org.t.other"]
    records = [record(o, o, kind) for o, kind in enumerate(kinds)]
    wants = {"org.t.kept"}.__contains__
    results = await poll(backend, "c", {("t", 0): records}, wants=wants)
    assert (results[("t", 0)].applied, results[("t", 0)].next_offset) == (2, 4)
    assert results[("t", 0)].last_event_at == T0 + timedelta(seconds=2)
    assert await backend.numbers() == [0, 2]
    async with backend.store.unit() as tracking:  # Nothing of the others in the inbox.
        other_ids = [cloudevents.from_kafka(r.value, r.headers).event_id for r in records[1::2]]
        assert await tracking.claim("c", other_ids) == set(other_ids)
