"""Each commitment's values as of now (``rm_commitment_state``): what the lookups of
:mod:`.commitment_sql` give for the latest business date as known now, kept by the
projections, so that a view of today reads one row per commitment instead of looking
each value up in the facts.

A view uses a commitment's state only where it holds for the view's dates: when no
fact of the commitment is dated after the view's business date (``horizon``) or
recorded after its record time (``recorded_through``); otherwise it looks the values
up as before. So the state never changes an answer, only how it is found; a
commitment without state is looked up too, and so is every commitment until
``rm_commitment_state_kept`` says every row is kept (migration ``reporting_0014``).

**When it is refreshed.** At the end of each projected poll (or event), by one
statement, for every commitment whose facts the poll changed, and for every
commitment of a plan whose revision (one that moves commitments) or key date it
projected (those change where a commitment sits and when its deadline falls). Under
the plan's exclusive lock, which holds back every poll that touches the plan until it
commits; plans are revised and their key dates dated a handful of times in their life.

**Why it is always the state of every fact.** A commitment's own events arrive in
order on its partition, but its plan's events arrive on another, maybe in another
replica's transaction at the same moment; a refresh reads only what was committed
when it started. So refreshes take a lock per plan (an advisory lock keyed by the
schema and the plan): shared to refresh commitments, exclusive to refresh a plan's
commitments. A plan refresh waits for every commitment refresh in flight to commit
and then sees its facts; a commitment refresh that starts after a plan refresh waits
for it and then sees the plan's. Locks are taken in the order of their keys, so two
polls cannot wait on each other."""

from __future__ import annotations

from collections.abc import Iterable

from reporting.adapters.commitment_sql import LOOKED_UP, looked_up_commitments
from shared.contracts import commitments as contract
from shared.database import Connection
from shared.events import EventData

#: The events that change a commitment's values: refreshed, that commitment.
_OF_COMMITMENT = (
    contract.CommitmentMade,
    contract.CommitmentStatusChanged,
    contract.ProgressReported,
    contract.ProgressReportRetracted,
    contract.CommitmentAmended,
)

_FACTS = ("rm_status_changes", "rm_progress_reports", "rm_amendments", "rm_commitment_moves")
_HORIZON = ", ".join(
    f"(SELECT max(x.as_of) FROM {t} x WHERE x.commitment_id = e.commitment_id)" for t in _FACTS
)
_RECORDED = ", ".join(
    f"(SELECT max(x.recorded_at) FROM {t} x WHERE x.commitment_id = e.commitment_id)"
    for t in _FACTS
)
_COLUMNS = ", ".join(LOOKED_UP)


def _refresh(which: str) -> str:
    """The statement refreshing the state of the commitments ``which`` (SQL on ``c``)
    selects."""
    return f"""
    INSERT INTO rm_commitment_state (commitment_id, plan_id, {_COLUMNS}, horizon,
                                     recorded_through)
    SELECT e.commitment_id, e.plan_id, {", ".join(f"e.{n}" for n in LOOKED_UP)},
           coalesce(greatest(e.made_on, {_HORIZON}), '-infinity'::date),
           greatest(e.recorded_at, {_RECORDED},
                    (SELECT max(x.retracted_at) FROM rm_progress_reports x
                     WHERE x.commitment_id = e.commitment_id))
    FROM ({looked_up_commitments("'infinity'::date", "'infinity'::timestamptz")}
          AND {which}) e
    ON CONFLICT (commitment_id) DO UPDATE SET
        ({_COLUMNS}, horizon, recorded_through)
        = ROW({", ".join(f"EXCLUDED.{n}" for n in LOOKED_UP)}, EXCLUDED.horizon,
              EXCLUDED.recorded_through)
    """


#: The state of the commitments named ($1), and of every commitment of the plans named
#: ($1): two statements, since one choosing by either (``OR``) was planned afresh at
#: each call, 1 ms against 0.37 for a poll's few commitments.
REFRESH_COMMITMENTS = _refresh("c.commitment_id = ANY($1::text[])")
REFRESH_PLANS = _refresh("c.plan_id = ANY($1::text[])")
#: The plans' locks ($1 the plans, $2 whether exclusive), taken in the order of their
#: keys by one statement: the rows of the ordered subquery are locked as they come.
LOCK = """
    SELECT CASE WHEN x.exclusive THEN pg_advisory_xact_lock(x.key)
                ELSE pg_advisory_xact_lock_shared(x.key) END
    FROM (SELECT hashtextextended(current_schema() || '/' || u.plan, 0) AS key,
                 bool_or(u.exclusive) AS exclusive
          FROM unnest($1::text[], $2::boolean[]) AS u(plan, exclusive)
          GROUP BY 1 ORDER BY 1) x
"""


async def refresh(conn: Connection, changes: Iterable[EventData]) -> None:
    """Refresh the state of what ``changes`` (a poll's projected events) changed."""
    commitments: dict[str, str] = {}
    plans: set[str] = set()
    for data in changes:
        if isinstance(data, _OF_COMMITMENT):
            commitments[data.commitment_id] = data.plan_id
        elif isinstance(data, contract.PlanKeyDateRecorded) or (
            isinstance(data, contract.PlanRevised) and data.moves
        ):
            plans.add(data.plan_id)
    if not commitments and not plans:
        return
    exclusive = {**dict.fromkeys(commitments.values(), False), **dict.fromkeys(plans, True)}
    await conn.execute(LOCK, list(exclusive), list(exclusive.values()))
    alone = [c for c, plan in commitments.items() if plan not in plans]
    if alone:
        await conn.execute(REFRESH_COMMITMENTS, alone)
    if plans:
        await conn.execute(REFRESH_PLANS, sorted(plans))


async def fill(conn: Connection) -> None:
    """The state of every commitment, at once, and the mark that views may use it: a
    rebuild's, once its replay is done and its indexes are built (nothing else writes
    its shadow then)."""
    await conn.execute(_refresh("true"))
    await conn.execute("INSERT INTO rm_commitment_state_kept DEFAULT VALUES ON CONFLICT DO NOTHING")
