"""Partner batches run in one transaction, and still take effect once per (source, id)
when other writers race them: the contended batch falls back to one event at a time."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime

import asyncpg

from commitments.adapters.ingestion import EventRef, OnceOnlyCommands, Outcome
from commitments.application.service import (
    CommitmentsService,
    StateCache,
    Versioned,
    commitment_stream,
)
from commitments.domain.commitment import ChangeStatus, Command, ReportProgress
from commitments.domain.errors import InvalidTransition
from shared import inbound
from shared.access import Scope
from shared.contracts import build_registry
from shared.events import EventMetadata
from shared.eventstore.postgres import PostgresEventStore, install_schema
from tests.commands import create_plan, make_commitment

EVERYTHING = Scope()
META = EventMetadata(partner="ministry")


def now() -> datetime:
    return datetime.now(UTC)


async def commitments(pool: asyncpg.Pool, count: int) -> tuple[PostgresEventStore, list[str]]:
    async with pool.acquire() as conn:
        await install_schema(conn)
        await inbound.install_schema(conn)
    store = PostgresEventStore(pool)
    service = CommitmentsService(store, build_registry(), now)
    await service.create_plan(create_plan("p1", "P"), META)
    ids = [f"c{n}" for n in range(count)]
    for n, cid in enumerate(ids):
        await service.make_commitment("p1", make_commitment(cid, f"C{n}"), META)
    return store, ids


def report(ref: str, subject: str) -> tuple[EventRef, Command, EventMetadata]:
    command = ReportProgress(report_id=ref, as_of=date(2016, 3, 1), completion="limited")
    return EventRef("/partner", ref, "progress_reported", subject), command, META


async def test_racing_batches_take_effect_once_per_event(pool: asyncpg.Pool) -> None:
    store, ids = await commitments(pool, 5)
    once = OnceOnlyCommands(store, build_registry(), now, StateCache())
    batches = [[report(f"b{b}-{n}", ids[n % len(ids)]) for n in range(60)] for b in range(4)]
    # The first batch twice: the two runs race for the same (source, id) pairs.
    runs = [*batches, batches[0]]
    outcomes: list[list[Outcome]] = await asyncio.gather(
        *(once.run_many(batch, EVERYTHING) for batch in runs)
    )
    for outcome in outcomes:
        assert all(o is None or isinstance(o, Versioned) for o in outcome), outcome
    first, again = outcomes[0], outcomes[4]
    assert all((a is None) != (b is None) for a, b in zip(first, again, strict=True))
    reported = Counter()
    for cid in ids:
        events = await store.read_stream(commitment_stream(cid))
        assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
        reported.update(e.data["report_id"] for e in events if e.type.endswith("reported"))
    assert set(reported) == {ref.id for batch in batches for ref, _, _ in batch}
    assert set(reported.values()) == {1}


async def test_a_batch_answers_in_order_with_refusals_and_repeats(pool: asyncpg.Pool) -> None:
    store, (cid,) = await commitments(pool, 1)
    once = OnceOnlyCommands(store, build_registry(), now, StateCache())
    launch = ChangeStatus(status="launched", as_of=date(2016, 2, 1))
    replan = ChangeStatus(status="planned", as_of=date(2016, 4, 1))
    outcomes = await once.run_many(
        [
            (EventRef("/p", "1", "status_changed", cid), launch, META),
            (EventRef("/p", "2", "status_changed", cid), replan, META),  # refused
            report("3", cid),
            report("3", cid),  # the same (source, id) again in one batch
            (EventRef("/p", "4", "status_changed", "nobody"), launch, META),
        ],
        EVERYTHING,
    )
    assert isinstance(outcomes[0], Versioned) and outcomes[0].version == 2
    assert isinstance(outcomes[1], InvalidTransition)
    assert isinstance(outcomes[2], Versioned) and outcomes[2].version == 3
    assert outcomes[3] is None
    assert type(outcomes[4]).__name__ == "NotFound"
    # Nothing is claimed for a refused event: it may be corrected and sent again.
    retried = await once.run_many(
        [
            (
                EventRef("/p", "2", "status_changed", cid),
                ChangeStatus("completed", date(2016, 5, 1)),
                META,
            )
        ],
        EVERYTHING,
    )
    assert isinstance(retried[0], Versioned) and retried[0].version == 4
