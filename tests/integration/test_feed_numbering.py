"""The feed's numbers: drawn under a lock held until the drawing transaction commits, so
the numbers a follower can see always form an unbroken prefix. A second transaction's
append waits for the first's commit, and its numbers come after."""

from __future__ import annotations

import asyncio

import asyncpg

from reporting.adapters import feed
from reporting.adapters.migrations import CHAIN
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.migrations import migrate
from tests.received import received


def _made(commitment: str) -> ReceivedEvent:
    return received(
        contract.CommitmentMade.event_type,
        {"commitment_id": commitment, "plan_id": "p1", "code": commitment, "section": "A",
         "title": commitment},
    )  # fmt: skip


async def test_a_second_append_waits_for_the_first_commit_and_numbers_after_it(
    database_url: str,
) -> None:
    await migrate(database_url, CHAIN)
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    early, late = _made("c1"), _made("c2")
    try:
        holding = first.transaction()
        await holding.start()
        await feed.append(first, [early])

        async def append_second() -> None:
            async with second.transaction():
                await feed.append(second, [late])

        waiting = asyncio.create_task(append_second())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held back by the first transaction's numbers
        await holding.commit()
        await asyncio.wait_for(waiting, 5)
        numbered = await first.fetch("SELECT event_id FROM feed ORDER BY seq")
    finally:
        await first.close()
        await second.close()
    assert [r["event_id"] for r in numbered] == [early.event_id, late.event_id]
