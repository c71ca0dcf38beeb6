"""Each commitment's values as of now (``rm_commitment_state``): what the lookups of
:mod:`.commitment_sql` give for the latest business date as known now, and what was made
of it (its code, priority, date made and record), so that a view of today reads one
row per commitment instead of looking each value up in the facts.

A view uses a commitment's row only where it holds for the view's dates: when the row
is fresh, and no fact of the commitment is dated after the view's business date
(``horizon``) or recorded after its record time (``recorded_through``); otherwise it
looks the values up. So the state never changes an answer, only how fast it is found;
and until ``rm_commitment_state_kept`` says every row is kept (migrations
``reporting_0014`` to ``reporting_0016``), every commitment is looked up.

**How it is kept.** A poll that changes a commitment's facts marks its row stale, in
the poll's transaction and one statement (:func:`mark`): ``fresh`` false and the
``generation`` one more, or a row without values for a commitment made since. A plan
revision that moves commitments, or a key date, marks every row of its plan (they
change where a commitment sits and when its deadline falls). A worker of each replica
(:class:`Refresher`) then refreshes stale rows from the facts, a few hundred a
statement (:func:`refresh_stale`). The poll does not wait for the lookups: made in
the poll, they took 1.4 ms of it and ~11 ms of the end-to-end p50 at 300 POSTs/s.

**Why a refreshed row is never stale.** A refresh reads the facts and each row's
generation in one snapshot, and writes a row only if its generation is still the one
it read. A poll that marked the row after that snapshot either committed before the
write (the write finds the new generation and leaves the row stale) or holds the row
until it commits (the write waits, then finds the new generation). The facts a poll
adds commit with its mark, so a generation read in a snapshot is exactly that
snapshot's facts. A commitment's own events and its plan's arrive on different
partitions, maybe in two replicas' transactions at once: both mark the same row, the
second waits for the first, and the row stays stale until a refresh that sees both.
Marks lock their rows in the order of the commitments' ids, so two polls queue rather
than deadlock; a refresh that meets a deadlock with a poll tries again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

import asyncpg

from reporting.adapters.commitment_sql import EFFECTIVE_COLUMNS, looked_up_commitments
from shared.contracts import commitments as contract
from shared.database import CONFLICT_ERRORS, Connection
from shared.events import EventData

#: The events that change a commitment's values: marked, that commitment.
_OF_COMMITMENT = (
    contract.CommitmentMade,
    contract.CommitmentStatusChanged,
    contract.ProgressReported,
    contract.ProgressReportRetracted,
    contract.CommitmentAmended,
)

_FACT_TABLES = ("rm_status_changes", "rm_progress_reports", "rm_amendments", "rm_commitment_moves")
_HORIZON = ", ".join(
    f"(SELECT max(x.as_of) FROM {t} x WHERE x.commitment_id = e.commitment_id)"
    for t in _FACT_TABLES
)
_RECORDED = ", ".join(
    f"(SELECT max(x.recorded_at) FROM {t} x WHERE x.commitment_id = e.commitment_id)"
    for t in _FACT_TABLES
)
#: What a row keeps of its commitment: everything an effective commitment gives but
#: its id, the plan included (a row marked by an event names the plan that event did).
_KEPT = [n for n in EFFECTIVE_COLUMNS if n != "commitment_id"]
_COLUMNS = ", ".join(_KEPT)


def _assigned(source: str) -> str:
    """Every value of a row from ``source`` (an alias), the row made fresh."""
    values = ", ".join(f"{source}.{n}" for n in _KEPT)
    return f"""({_COLUMNS}, horizon, recorded_through, fresh)
        = ROW({values}, {source}.horizon, {source}.recorded_through, true)"""


def _values(which: str) -> str:
    """Each commitment ``which`` (SQL on ``c``) selects, with its values, horizon and
    latest record, as the facts give them now."""
    return f"""
    SELECT e.commitment_id, {", ".join(f"e.{n}" for n in _KEPT)},
           coalesce(greatest(e.made_on, {_HORIZON}), '-infinity'::date) AS horizon,
           greatest(e.recorded_at, {_RECORDED},
                    (SELECT max(x.retracted_at) FROM rm_progress_reports x
                     WHERE x.commitment_id = e.commitment_id)) AS recorded_through
    FROM ({looked_up_commitments("'infinity'::date", "'infinity'::timestamptz")}
          AND {which}) e
    """


_STALE = (
    "c.commitment_id IN (SELECT commitment_id FROM rm_commitment_state WHERE NOT fresh "
    "ORDER BY commitment_id LIMIT $1)"
)
#: The stale rows' values, at most $1 of them, written where the generation is still
#: the one read with the facts.
REFRESH_STALE = f"""
    UPDATE rm_commitment_state s SET {_assigned("v")}
    FROM ({_values(_STALE)}) v
    JOIN rm_commitment_state seen ON seen.commitment_id = v.commitment_id
    WHERE s.commitment_id = v.commitment_id AND s.generation = seen.generation
"""
#: The commitments named ($1, of the plans $2) marked stale, in the order of their ids.
MARK_COMMITMENTS = """
    INSERT INTO rm_commitment_state (commitment_id, plan_id, fresh)
    SELECT u.commitment_id, u.plan_id, false
    FROM unnest($1::text[], $2::text[]) AS u(commitment_id, plan_id)
    ORDER BY u.commitment_id
    ON CONFLICT (commitment_id) DO UPDATE
    SET generation = rm_commitment_state.generation + 1, fresh = false
"""
#: Every commitment of the plans named ($1) marked stale, locked in the order of ids.
MARK_PLANS = """
    UPDATE rm_commitment_state s SET generation = s.generation + 1, fresh = false
    FROM (SELECT commitment_id FROM rm_commitment_state WHERE plan_id = ANY($1::text[])
          ORDER BY commitment_id FOR UPDATE) x
    WHERE s.commitment_id = x.commitment_id
"""
_FILL = f"""
    INSERT INTO rm_commitment_state (commitment_id, {_COLUMNS}, horizon, recorded_through,
                                     fresh)
    SELECT v.*, true FROM ({_values("true")}) v
    ON CONFLICT (commitment_id) DO UPDATE SET {_assigned("EXCLUDED")}
"""


async def mark(conn: Connection, changes: Iterable[EventData]) -> None:
    """Mark stale the state of what ``changes`` (a poll's projected events) changed."""
    commitments: dict[str, str] = {}
    plans: set[str] = set()
    for data in changes:
        if isinstance(data, _OF_COMMITMENT):
            commitments[data.commitment_id] = data.plan_id
        elif isinstance(data, contract.PlanKeyDateRecorded) or (
            isinstance(data, contract.PlanRevised) and data.moves
        ):
            plans.add(data.plan_id)
    if commitments:
        await conn.execute(MARK_COMMITMENTS, list(commitments), list(commitments.values()))
    if plans:
        await conn.execute(MARK_PLANS, sorted(plans))


async def refresh_stale(conn: Connection, limit: int = 500) -> int:
    """Refresh up to ``limit`` stale rows; how many were written (a row marked again
    since it was read stays stale for the next call)."""
    status = await conn.execute(REFRESH_STALE, limit)
    return int(status.split()[-1])


async def refresh_all(conn: Connection) -> None:
    """Refresh every stale row that can be (a commitment whose events came without the
    one that made it cannot), in the caller's transaction: a comparison's. A round that
    meets a worker's writes is tried again."""
    while True:
        try:
            async with conn.transaction():
                if await refresh_stale(conn) == 0:
                    return
        except CONFLICT_ERRORS:
            await asyncio.sleep(0.05)


async def fill(conn: Connection) -> None:
    """The state of every commitment, at once, and the mark that views may use it: a
    rebuild's, once its replay is done and its indexes are built (nothing else writes
    its shadow then)."""
    await conn.execute(_FILL)
    await conn.execute("INSERT INTO rm_commitment_state_kept DEFAULT VALUES ON CONFLICT DO NOTHING")


class Refresher:
    """The worker: refreshes stale rows every ``poll_seconds``, at once again while a
    call finds a full batch. A call with nothing to do costs 0.17 ms (100,000
    commitments); meanwhile views look the stale commitments up. Replicas' workers may
    refresh a row twice, never wrongly.

    Each call holds ``barrier`` shared, as the consumer's batches do, so that a
    rebuild's swap (which holds it alone while it moves the tables one by one) never
    finds a refresh holding one table it moves and waiting for another it has moved:
    without it, a swap met the worker in a deadlock and the rebuild failed."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        barrier: int,
        batch: int = 500,
        poll_seconds: float = 0.05,
    ) -> None:
        self._pool = pool
        self._barrier = barrier
        self._batch = batch
        self._poll = poll_seconds
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                refreshed = await self._refresh()
            except CONFLICT_ERRORS:  # A poll's marks crossed this call's writes.
                refreshed = 0
            if refreshed < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._poll)

    async def _refresh(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", self._barrier)
            return await refresh_stale(conn, self._batch)
