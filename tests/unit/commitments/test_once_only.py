"""Partner events through the unit of work's in-memory fake: once per (source, id),
a refused event claims nothing, a batch answers in order."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime

from commitments.application.cache import StateCache
from commitments.application.ingestion import EventRef, OnceOnlyCommands
from commitments.application.service import YIELD_EVERY, CommitmentsService
from commitments.domain.commitment import ChangeStatus, ReportProgress
from commitments.domain.errors import InvalidTransition
from shared.access import Scope
from shared.contracts import build_registry
from shared.decider import Versioned
from shared.events import EventMetadata
from shared.eventstore.memory import InMemoryEventStore
from tests.commands import create_plan, make_commitment

META = EventMetadata(partner="ministry")
EVERYTHING = Scope()
LAUNCH = ChangeStatus("launched", date(2016, 2, 1))


def now() -> datetime:
    return datetime(2016, 1, 1, tzinfo=UTC)


async def a_commitment() -> tuple[InMemoryEventStore, OnceOnlyCommands]:
    store = InMemoryEventStore()
    registry = build_registry()
    service = CommitmentsService(store, registry, now)
    await service.create_plan(create_plan("p1", "P"), META)
    await service.make_commitment("p1", make_commitment("c1", "C1"), META)
    return store, OnceOnlyCommands(store, registry, now, StateCache())


async def test_an_event_takes_effect_once() -> None:
    store, once = await a_commitment()
    ref = EventRef("/ministry", "e1", "status_changed", "c1")
    first = await once.run(ref, LAUNCH, META, EVERYTHING)
    assert isinstance(first, Versioned) and first.version == 2
    assert await once.run(ref, LAUNCH, META, EVERYTHING) is None
    assert await store.stream_version("commitment-c1") == 2


async def test_a_refused_event_claims_nothing_and_may_come_again_corrected() -> None:
    _, once = await a_commitment()
    ref = EventRef("/ministry", "e1", "status_changed", "c1")
    refused = await once.outcome(ref, ChangeStatus("completed", date(2016, 2, 1)), META, EVERYTHING)
    assert isinstance(refused, InvalidTransition)
    again = await once.outcome(ref, LAUNCH, META, EVERYTHING)
    assert isinstance(again, Versioned) and again.version == 2


async def test_a_batch_answers_in_order_with_refusals_and_repeats() -> None:
    _, once = await a_commitment()
    report = ReportProgress("r1", date(2016, 3, 1), "limited")
    outcomes = await once.run_many(
        [
            (EventRef("/p", "1", "status_changed", "c1"), LAUNCH, META),
            (EventRef("/p", "2", "status_changed", "c1"), LAUNCH, META),  # refused
            (EventRef("/p", "3", "progress_reported", "c1"), report, META),
            (EventRef("/p", "3", "progress_reported", "c1"), report, META),  # repeat
        ],
        EVERYTHING,
    )
    assert isinstance(outcomes[0], Versioned) and outcomes[0].version == 2
    assert isinstance(outcomes[1], InvalidTransition)
    assert isinstance(outcomes[2], Versioned) and outcomes[2].version == 3
    assert outcomes[3] is None


async def test_a_long_batch_lets_other_tasks_run_while_it_is_decided() -> None:
    """The replica's relay shares its event loop: a batch of 100 gives it turns."""
    _, once = await a_commitment()
    turns = 0

    async def other_task() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    items = [
        (
            EventRef("/p", str(n), "progress_reported", "c1"),
            ReportProgress(f"r{n}", date(2016, 3, 1), "limited"),
            META,
        )
        for n in range(100)
    ]
    other = asyncio.create_task(other_task())
    await asyncio.sleep(0)  # started
    before = turns
    outcomes = await once.run_many(items, EVERYTHING)
    during = turns - before
    other.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await other
    assert all(isinstance(o, Versioned) for o in outcomes)
    assert during >= 100 // YIELD_EVERY
