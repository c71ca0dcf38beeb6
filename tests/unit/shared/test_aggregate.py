"""The one handler of every aggregate, over the in-memory unit of work: load, fold,
decide, append at the loaded version, retried under the one policy; what it reads, it
decodes with the registry it is given."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from commitments.application.service import COMMITMENT, PLAN
from commitments.domain.commitment import ChangeStatus, ReportProgress
from commitments.domain.errors import InvalidTransition, NotFound
from shared.contracts import build_registry, commitments
from shared.contracts.commitments import CommitmentStatusChanged
from shared.decider import StaleVersion, Versioned
from shared.events import (
    EventMetadata,
    EventRegistry,
    JsonObject,
    NewEvent,
    UnknownEventType,
    new_event_id,
)
from shared.eventstore import WrongExpectedVersion
from shared.unitofwork import RetryPolicy, UnitOfWork
from shared.unitofwork.memory import InMemoryUnitsOfWork
from tests.commands import create_plan, make_commitment

META = EventMetadata(partner="ministry")
WHEN = datetime(2016, 1, 1, tzinfo=UTC)
LAUNCH = ChangeStatus("launched", WHEN.date())
Work = Callable[[UnitOfWork], Awaitable[Versioned[object]]]
REGISTRY = build_registry()


async def a_commitment(units: InMemoryUnitsOfWork) -> None:
    async with units() as uow:
        plan = PLAN.create(uow, "p1", create_plan("p1", "VAP"), lambda _: WHEN, META)
        assert plan.value is not None
        command = replace(make_commitment("c1", "I1"), plan=plan.value)
        COMMITMENT.create(uow, "c1", command, lambda _: WHEN, META)
        await uow.commit()


async def test_a_command_is_decided_on_the_folded_stream_and_appended_after_it() -> None:
    units = InMemoryUnitsOfWork()
    await a_commitment(units)
    async with units() as uow:
        after = await COMMITMENT.handle(uow, REGISTRY, "c1", LAUNCH, WHEN, META)
        await uow.commit()
    assert after.version == 2 and after.value is not None and after.value.status == "launched"
    stored = await units.store.read_stream("commitment-c1")
    assert [e.type for e in stored][-1] == "org.pactstream.commitment.status_changed"
    assert COMMITMENT.fold(REGISTRY, stored) == after


async def test_a_missing_aggregate_a_stale_if_match_and_a_refusal_store_nothing() -> None:
    units = InMemoryUnitsOfWork()
    await a_commitment(units)
    async with units() as uow:
        with pytest.raises(NotFound):
            await COMMITMENT.handle(uow, REGISTRY, "nobody", LAUNCH, WHEN, META)
        with pytest.raises(StaleVersion):
            await COMMITMENT.handle(uow, REGISTRY, "c1", LAUNCH, WHEN, META, if_match=7)
        completed = ChangeStatus("completed", WHEN.date())
        with pytest.raises(InvalidTransition):
            await COMMITMENT.handle(uow, REGISTRY, "c1", completed, WHEN, META)
        await uow.commit()
    assert await units.store.stream_version("commitment-c1") == 1


def racing(units: InMemoryUnitsOfWork, tries: list[int], races: int) -> Work:
    """A use case suspending ``c1``, with another writer reporting progress in between
    on its first ``races`` tries."""

    async def work(uow: UnitOfWork) -> Versioned[object]:
        current = await COMMITMENT.load(uow.events, REGISTRY, "c1")
        tries.append(current.version)
        if len(tries) <= races:
            async with units() as other:
                report = ReportProgress(f"r{current.version}", WHEN.date(), "limited")
                await COMMITMENT.handle(other, REGISTRY, "c1", report, WHEN, META)
                await other.commit()
        decision = COMMITMENT.decide(current, ChangeStatus("suspended", WHEN.date()))
        COMMITMENT.append(uow, "c1", current.version, decision.events, WHEN, META)
        return decision.after

    return work


async def test_a_writer_in_between_makes_the_policy_decide_again_on_the_newer_state() -> None:
    units = InMemoryUnitsOfWork()
    await a_commitment(units)
    tries: list[int] = []
    after = await RetryPolicy(attempts=3).run(units, racing(units, tries, races=1))
    assert tries == [1, 2] and after.version == 3


async def test_the_policy_gives_up_after_its_attempts_or_at_once_when_told_not_to_retry() -> None:
    units = InMemoryUnitsOfWork()
    await a_commitment(units)
    tries: list[int] = []
    with pytest.raises(WrongExpectedVersion):
        await RetryPolicy(attempts=3).run(units, racing(units, tries, races=5))
    assert tries == [1, 2, 3]
    tries.clear()
    with pytest.raises(WrongExpectedVersion):
        await RetryPolicy(attempts=3).run(units, racing(units, tries, races=5), retry=False)
    assert tries == [4]
    assert await units.store.stream_version("commitment-c1") == 5  # The other writer's.


def launched_in_an_older_shape() -> NewEvent:
    """A status change as schema version 0 stored it: the new status under ``to``."""
    data = {"commitment_id": "c1", "plan_id": "p1", "as_of": "2016-01-01"}
    old = {**data, "previous": "planned", "to": "launched"}
    return NewEvent(new_event_id(), CommitmentStatusChanged.event_type, old, WHEN, 0)


def renaming_to(data: JsonObject) -> JsonObject:
    return {**{k: v for k, v in data.items() if k != "to"}, "status": data["to"]}


async def test_an_aggregate_is_read_with_the_registry_it_is_given() -> None:
    units = InMemoryUnitsOfWork()
    await a_commitment(units)
    await units.store.append("commitment-c1", 1, [launched_in_an_older_shape()])
    stored = await units.store.read_stream("commitment-c1")
    with pytest.raises(UnknownEventType):  # The contracts' registry reads no older shape.
        COMMITMENT.fold(REGISTRY, stored)
    older = EventRegistry(
        commitments.EVENTS, {(CommitmentStatusChanged.event_type, 0): renaming_to}
    )
    folded = COMMITMENT.fold(older, stored)
    assert folded.version == 2 and folded.value is not None
    assert folded.value.status == "launched"
    loaded = await COMMITMENT.load(units.store, older, "c1")
    assert loaded == folded
    assert await COMMITMENT.load_many(units.store, older, {"c1": None}) == {"c1": folded}
    async with units() as uow:
        with pytest.raises(UnknownEventType):
            await COMMITMENT.handle(uow, REGISTRY, "c1", LAUNCH, WHEN, META)
