"""One contract, two units of work: PostgreSQL's and the in-memory fake. A unit claims
inbound events, stages appends and commits all of it or none; the retry policy runs a
use case again when another writer got in between."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared import inbound
from shared.events import EventMetadata, NewEvent
from shared.eventstore import StreamAppend, UniqueKeyTaken, WrongExpectedVersion
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.ports import EventStore
from shared.eventstore.postgres import WRITER_LOCK, PostgresEventStore, install_schema
from shared.unitofwork import Claim, RetryPolicy, UnitOfWork, UnitsOfWork
from shared.unitofwork.memory import InMemoryUnitsOfWork
from shared.unitofwork.postgres import PostgresUnitOfWork, PostgresUnitsOfWork
from tests.integration.conftest import fresh_database, fresh_pool
from tests.refs import random_ref


@dataclass
class Setup:
    kind: str
    store: EventStore
    units: UnitsOfWork


@asynccontextmanager
async def postgres_setup() -> AsyncIterator[Setup]:
    async with fresh_database() as url, fresh_pool(url) as pool:
        async with pool.acquire() as conn:
            await install_schema(conn)
            await inbound.install_schema(conn)
        store = PostgresEventStore(pool)
        yield Setup("postgres", store, PostgresUnitsOfWork(store))


@pytest.fixture(params=["postgres", "memory"])
async def setup(request: pytest.FixtureRequest) -> AsyncIterator[Setup]:
    if request.param == "memory":
        memory = InMemoryEventStore()
        yield Setup("memory", memory, InMemoryUnitsOfWork(memory))
        return
    async with postgres_setup() as found:
        yield found


@pytest.fixture
async def postgres() -> AsyncIterator[Setup]:
    """PostgreSQL's unit of work alone, for what only it has (the writers' lock)."""
    async with postgres_setup() as found:
        yield found


def event(n: int = 0) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type="org.pactstream.test.happened",
        data={"n": n},
        occurred_at=datetime(2016, 6, 30, tzinfo=UTC),
        metadata=EventMetadata(partner="ministry"),
    )


def claim(ref: str, partner: str = "ministry") -> Claim:
    return Claim("/ministry", ref, "org.pactstream.test.happened", None, partner)


async def numbers(store: EventStore, stream: str) -> list[int]:
    return [e.data["n"] for e in await store.read_stream(stream)]


async def test_staged_events_are_stored_at_the_commit_and_not_before(setup: Setup) -> None:
    stream = random_ref("s-")
    async with setup.units() as uow:
        uow.append(stream, 0, [event(1), event(2)])
        assert await uow.events.read_stream(stream) == []
        assert await setup.store.read_stream(stream) == []
        await uow.commit()
    assert await numbers(setup.store, stream) == [1, 2]


async def test_a_unit_left_without_a_commit_or_by_an_error_stores_and_claims_nothing(
    setup: Setup,
) -> None:
    stream, ref = random_ref("s-"), random_ref("e-")
    async with setup.units() as uow:
        assert await uow.claim([claim(ref)]) == {("/ministry", ref)}
        uow.append(stream, 0, [event(1)])

    async def refused() -> None:
        async with setup.units() as uow:
            await uow.claim([claim(ref)])
            uow.append(stream, 0, [event(2)])
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await refused()
    assert await setup.store.read_stream(stream) == []
    async with setup.units() as uow:
        assert await uow.claim([claim(ref)]) == {("/ministry", ref)}  # Free again.


async def test_a_claim_committed_is_taken_for_good_and_a_released_one_is_not(
    setup: Setup,
) -> None:
    kept, refused = random_ref("e-"), random_ref("e-")
    async with setup.units() as uow:
        new = await uow.claim([claim(kept), claim(refused)])
        assert new == {("/ministry", kept), ("/ministry", refused)}
        await uow.release([("/ministry", refused)])
        await uow.commit()
    async with setup.units() as uow:
        assert await uow.claim([claim(kept), claim(refused)]) == {("/ministry", refused)}


async def test_a_claim_is_its_partners_own(setup: Setup) -> None:
    """Another partner posting the same source and id neither takes the event from
    its partner nor is refused by it; releasing one leaves the other."""
    ref = random_ref("e-")
    async with setup.units() as uow:
        assert await uow.claim([claim(ref, "intruder")]) == {("/ministry", ref)}
        await uow.commit()
    async with setup.units() as uow:
        assert await uow.claim([claim(ref)]) == {("/ministry", ref)}
        await uow.release([("/ministry", ref)])
        await uow.commit()
    async with setup.units() as uow:
        assert await uow.claim([claim(ref, "intruder")]) == set()
        assert await uow.claim([claim(ref)]) == {("/ministry", ref)}


async def test_writes_to_several_streams_commit_all_or_none(setup: Setup) -> None:
    first, second = random_ref("s-"), random_ref("s-")
    async with setup.units() as uow:
        uow.append(second, 0, [event(0)])
        await uow.commit()
    for stale in (
        [StreamAppend(first, 0, [event(1)]), StreamAppend(second, 0, [event(2)])],
        [StreamAppend(first, 0, [event(1)]), StreamAppend(second, 5, [event(2)])],
    ):
        async with setup.units() as uow:
            await uow.claim([claim(random_ref("e-"))])
            uow.append_streams(stale)
            with pytest.raises(WrongExpectedVersion):
                await uow.commit()
    async with setup.units() as uow:
        uow.append(first, 0, [event(1)])
        uow.append(second, 1, [event(2)])
        await uow.commit()
    assert await numbers(setup.store, first) == [1]
    assert await numbers(setup.store, second) == [0, 2]


async def test_a_unique_key_held_by_another_stream_refuses_the_whole_unit(
    setup: Setup,
) -> None:
    code, mine, theirs = random_ref("code-"), random_ref("s-"), random_ref("s-")
    async with setup.units() as uow:
        uow.append(theirs, 0, [event(1)], unique_keys=[("plan-code", code)])
        await uow.commit()
    async with setup.units() as uow:
        uow.append(random_ref("s-"), 0, [event(2)])
        uow.append(mine, 0, [event(3)], unique_keys=[("plan-code", code)])
        with pytest.raises(UniqueKeyTaken):
            await uow.commit()
    assert await setup.store.read_stream(mine) == []
    assert await setup.store.owner_of("plan-code", code) == theirs


async def test_racing_writers_are_decided_again_until_each_is_stored_once(
    setup: Setup,
) -> None:
    stream = random_ref("s-")
    async with setup.units() as uow:
        uow.append(stream, 0, [event(0)])
        await uow.commit()

    async def add(n: int) -> int:
        async def work(uow: UnitOfWork) -> int:
            if not await uow.claim([claim(f"{stream}-{n}")]):
                return -1
            version = await uow.events.stream_version(stream)
            await asyncio.sleep(0)  # Let the others read the same version.
            uow.append(stream, version, [event(n)])
            return version + 1

        return await RetryPolicy(attempts=20).run(setup.units, work)

    versions = await asyncio.gather(*(add(n) for n in range(1, 7)), add(1))
    assert sorted(v for v in versions if v > 0) == [2, 3, 4, 5, 6, 7]
    assert sorted(await numbers(setup.store, stream)) == [0, 1, 2, 3, 4, 5, 6]


async def test_the_transaction_takes_the_writers_lock_before_it_has_an_id(
    postgres: Setup,
) -> None:
    setup = postgres
    assert isinstance(setup.store, PostgresEventStore)
    async with setup.units() as uow:
        assert isinstance(uow, PostgresUnitOfWork)
        conn = await uow.connection()
        assert await conn.fetchval("SELECT pg_current_xact_id_if_assigned()") is None
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' "
            "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = $1",
            WRITER_LOCK,
        )
        assert held == 1
        await uow.claim([claim(random_ref("e-"))])
        uow.append(random_ref("s-"), 0, [event(1)])
        await uow.commit()
