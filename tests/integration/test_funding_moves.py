"""Funding's copy of the commitments follows plan revisions: a commitment a revision
moved is funded under its new section, whichever of the commitment and the revision
reaches funding first (they travel on different partitions)."""

from __future__ import annotations

import httpx
import pytest

from funding.adapters.directory import ReplicaDirectory, replicate
from funding.adapters.migrations import CHAIN as FUNDING
from shared.contracts import build_registry
from shared.contracts import commitments as contract
from shared.database import create_pool
from shared.migrations import migrate
from tests.received import received

MADE = {
    "commitment_id": "c1",
    "plan_id": "p1",
    "code": "C1",
    "section": "A",
    "title": "Do it",
    "parties": [{"name": "EU", "role": "responsible"}],
}


def revised(revision: int, section: str) -> dict[str, object]:
    return {
        "plan_id": "p1",
        "revision": revision,
        "as_of": "2020-01-01",
        "reason": "review",
        "sections": [{"code": code, "title": code} for code in ("A", "B", "C")],
        "moves": [{"commitment_id": "c1", "section": section}],
    }


@pytest.mark.parametrize("revision_first", [False, True])
async def test_a_moved_commitment_is_funded_under_its_new_section(
    database_url: str, revision_first: bool
) -> None:
    await migrate(database_url, FUNDING)
    registry = build_registry()
    events = [
        received(contract.CommitmentMade.event_type, MADE),
        received(contract.PlanRevised.event_type, revised(1, "B")),
    ]
    if revision_first:
        events.reverse()
    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            for event in events:
                await replicate(registry, conn, event)
            # An older revision's move, arriving late, does not undo a newer one.
            await replicate(
                registry, conn, received(contract.PlanRevised.event_type, revised(2, "C"))
            )
            await replicate(
                registry, conn, received(contract.PlanRevised.event_type, revised(1, "B"))
            )
        async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as unused:
            found = await ReplicaDirectory(pool, unused).commitment("c1")
    finally:
        await pool.close()
    assert found is not None and (found.plan_id, found.section) == ("p1", "C")
