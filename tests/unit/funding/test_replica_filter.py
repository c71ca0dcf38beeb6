"""Funding's replica consumer skips, unread, the commitments-topic events it ignores
(credentials among them: those come from the access topic); the filter must let
through every type the replica does use."""

import pytest

from funding.adapters import directory
from shared.contracts import access, build_registry, commitments
from shared.events import EventRegistry, UnknownEventType
from tests.received import OLD, Recording, received, renaming


def test_the_replica_reads_plan_and_commitment_events_only() -> None:
    assert not any(directory.replicates(c.event_type) for c in access.EVENTS)
    assert directory.replicates(commitments.PlanCreated.event_type)
    assert directory.replicates(commitments.CommitmentMade.event_type)
    assert directory.replicates(commitments.CommitmentAmended.event_type)
    assert directory.replicates(commitments.PlanRevised.event_type)  # Its moves.
    assert not directory.replicates(commitments.MeasurementRecorded.event_type)
    assert not directory.replicates(commitments.ProgressReported.event_type)


async def test_the_replica_decodes_with_the_registry_it_is_given() -> None:
    old = {"plan": "p1", "code": "VAP", "title": "Plan", "language": "en"}
    event = received(commitments.PlanCreated.event_type, old, OLD)
    conn = Recording()
    await directory.replicate(EventRegistry([]), conn, event)  # type: ignore[arg-type]
    assert conn.statements == []
    with pytest.raises(UnknownEventType):
        await directory.replicate(build_registry(), conn, event)  # type: ignore[arg-type]
    registry = renaming(commitments.PlanCreated, "plan", "plan_id")
    await directory.replicate(registry, conn, event)  # type: ignore[arg-type]
    assert [args for _, args in conn.statements] == [("p1", "VAP")]
