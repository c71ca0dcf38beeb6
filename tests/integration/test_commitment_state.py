"""The commitments' kept state (``rm_commitment_state``) never changes an answer: over
the old release's real read models (the seed plans' history, with its amendments,
reports and status changes), every view's commitments are the same with the state
as without it, on dates where it holds and where it does not, and with stale rows in
it. Polls that change a commitment at once leave its row stale until a refresh that
sees both, and a refresh never writes a row marked again since it read it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from reporting.adapters import commitment_state
from reporting.adapters.commitment_sql import PROGRESS_ROWS, effective_commitments
from reporting.adapters.migrations import CHAIN
from reporting.adapters.projections import project
from reporting.adapters.rebuild import BARRIER_KEY
from shared.cloudevents import ReceivedEvent
from shared.contracts import build_registry
from shared.contracts import commitments as contract
from shared.database import Connection, create_pool
from shared.migrations import migrate
from tests.integration.conftest import fresh_database
from tests.integration.test_migrations import restore
from tests.received import received

DAYS = [date(2015, 11, 12), date(2016, 6, 30), date(2017, 1, 1), date(2019, 6, 30),
        date(2100, 1, 1)]  # fmt: skip
KNOWN = [datetime(2016, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)]
EVERY = f"SELECT * FROM ({effective_commitments('$1', '$2')}) e ORDER BY e.commitment_id"


async def _answers(conn: asyncpg.Connection, plans: list[str]) -> dict[Any, Any]:
    answers: dict[Any, Any] = {}
    for day in DAYS:
        for known in KNOWN:
            answers["all", day, known] = [dict(r) for r in await conn.fetch(EVERY, day, known)]
            for plan in plans:
                rows = await conn.fetch(PROGRESS_ROWS, plan, day, known)
                answers[plan, day, known] = sorted((tuple(r) for r in rows), key=repr)
    return answers


async def test_views_answer_the_same_with_the_kept_state_as_without_it() -> None:
    async with fresh_database() as url:
        await asyncio.to_thread(restore, url, "reporting")
        await migrate(url, CHAIN)
        conn = await asyncpg.connect(url)
        try:
            # Migrated with commitments in it: no view trusts the rows until they are
            # all filled (a replica of the release before may still be projecting).
            assert not await conn.fetchval("SELECT EXISTS (SELECT FROM rm_commitment_state_kept)")
            await commitment_state.fill(conn)
            assert await conn.fetchval("SELECT EXISTS (SELECT FROM rm_commitment_state_kept)")
            kept = await conn.fetchval("SELECT count(*) FROM rm_commitment_state")
            assert kept == await conn.fetchval("SELECT count(*) FROM rm_commitments") > 100
            plans = [r["plan_id"] for r in await conn.fetch("SELECT plan_id FROM rm_plans")]
            with_state = await _answers(conn, plans)
            # Rows marked stale say nothing, whatever they hold: views look them up.
            await conn.execute(
                "UPDATE rm_commitment_state SET fresh = false, status = 'cancelled', "
                "section = 'nowhere' WHERE commitment_id IN (SELECT commitment_id "
                "FROM rm_commitment_state ORDER BY commitment_id LIMIT 40)"
            )
            with_stale_rows = await _answers(conn, plans)
            await conn.execute("TRUNCATE rm_commitment_state")
            looked_up = await _answers(conn, plans)
        finally:
            await conn.close()
    assert with_state == looked_up
    assert with_stale_rows == looked_up
    assert with_state["all", date(2100, 1, 1), KNOWN[-1]], "no commitment was answered"


PLAN = "p1"


def _events() -> dict[str, ReceivedEvent]:
    section = {"code": "A", "title": "Coasts"}
    return {
        "plan": received(contract.PlanCreated.event_type, {
            "plan_id": PLAN, "code": "P1", "title": "Plan", "language": "en",
            "sections": [section]}),
        "made": received(contract.CommitmentMade.event_type, {
            "commitment_id": "c1", "plan_id": PLAN, "code": "1", "section": "A",
            "title": "Ports", "made_on": "2024-01-01"}),
        "revised": received(contract.PlanRevised.event_type, {
            "plan_id": PLAN, "revision": 1, "as_of": "2024-02-01", "reason": "split",
            "sections": [section, {"code": "B", "title": "Ports"}],
            "moves": [{"commitment_id": "c1", "section": "B"}]}),
        "launched": received(contract.CommitmentStatusChanged.event_type, {
            "commitment_id": "c1", "plan_id": PLAN, "previous": "planned",
            "status": "launched", "as_of": "2024-03-01"}),
    }  # fmt: skip


def _projecting(conn: Connection, event: ReceivedEvent) -> asyncio.Task[None]:
    """A task projecting ``event`` in a transaction it leaves open (it may wait for
    another transaction's lock)."""

    async def run() -> None:
        await conn.execute("BEGIN")
        await project(build_registry(), conn, event)

    return asyncio.create_task(run())


def _values(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "generation"} for r in rows]


@pytest.mark.parametrize("first", ["revised", "launched"])
async def test_a_plan_s_revision_and_a_commitment_s_change_projected_at_once_both_reach_its_state(
    database_url: str, first: str
) -> None:
    """Both mark the commitment's row: the second waits for the first's commit, and
    the row stays stale until a refresh that sees both (the move and the status)."""
    events = _events()
    await migrate(database_url, CHAIN)
    pool = await create_pool(database_url, min_size=3, max_size=3)
    try:
        async with pool.acquire() as setup, pool.acquire() as one, pool.acquire() as two:
            for name in ("plan", "made"):
                await project(build_registry(), setup, events[name])
            await commitment_state.refresh_all(setup)
            second = "launched" if first == "revised" else "revised"
            await _projecting(one, events[first])
            projecting_two = _projecting(two, events[second])
            await asyncio.sleep(0.5)
            assert not projecting_two.done(), "the second mark did not wait for the first"
            await one.execute("COMMIT")
            await projecting_two
            await two.execute("COMMIT")
            stale = await setup.fetchval("SELECT NOT fresh FROM rm_commitment_state")
            await commitment_state.refresh_all(setup)
            kept = await setup.fetch("SELECT * FROM rm_commitment_state")
            await setup.execute("TRUNCATE rm_commitment_state")
            await commitment_state.fill(setup)
            filled = await setup.fetch("SELECT * FROM rm_commitment_state")
    finally:
        await pool.close()
    assert stale
    assert [(r["section"], r["status"], r["fresh"]) for r in kept] == [("B", "launched", True)]
    assert _values(kept) == _values(filled)


async def test_a_refresh_never_writes_a_row_marked_again_since_it_read_it(
    database_url: str,
) -> None:
    """The refresh reads the row stale after the revision; a status change marks it
    again before the refresh writes (holding it until its commit): the refresh,
    which read the facts without the status, leaves the row stale."""
    events = _events()
    await migrate(database_url, CHAIN)
    pool = await create_pool(database_url, min_size=3, max_size=3)
    try:
        async with pool.acquire() as setup, pool.acquire() as poll, pool.acquire() as worker:
            for name in ("plan", "made", "revised"):
                await project(build_registry(), setup, events[name])
            await _projecting(poll, events["launched"])  # Marked, not committed.
            refreshing = asyncio.create_task(commitment_state.refresh_stale(worker))
            await asyncio.sleep(0.5)
            assert not refreshing.done(), "the refresh did not wait for the poll's mark"
            await poll.execute("COMMIT")
            assert await refreshing == 0
            row = await setup.fetchrow("SELECT fresh, status FROM rm_commitment_state")
            assert not row["fresh"]
            assert await commitment_state.refresh_stale(worker) == 1
            refreshed = await setup.fetchrow(
                "SELECT fresh, section, status FROM rm_commitment_state"
            )
    finally:
        await pool.close()
    assert tuple(refreshed) == (True, "B", "launched")


async def test_the_worker_waits_for_a_rebuilds_swap(database_url: str) -> None:
    """While a rebuild holds the barrier (its swap moves the tables one by one), the
    worker touches no table: it refreshes only once the barrier is let go."""
    events = _events()
    await migrate(database_url, CHAIN)
    pool = await create_pool(database_url, min_size=3, max_size=3)
    refresher = commitment_state.Refresher(pool, barrier=BARRIER_KEY, poll_seconds=0.01)
    try:
        async with pool.acquire() as setup, pool.acquire() as swap:
            for name in ("plan", "made"):
                await project(build_registry(), setup, events[name])
            await swap.execute("BEGIN")
            await swap.execute("SELECT pg_advisory_xact_lock($1)", BARRIER_KEY)
            working = asyncio.create_task(refresher.run())
            await asyncio.sleep(0.5)
            held = await setup.fetchval("SELECT fresh FROM rm_commitment_state")
            await swap.execute("COMMIT")
            for _ in range(100):
                if await setup.fetchval("SELECT fresh FROM rm_commitment_state"):
                    break
                await asyncio.sleep(0.05)
            let_go = await setup.fetchval("SELECT fresh FROM rm_commitment_state")
            refresher.request_stop()
            await working
    finally:
        await pool.close()
    assert (held, let_go) == (False, True)
