"""Funding's replica consumer skips, unread, the commitments-topic events it ignores
(credentials among them: those come from the access topic); the filter must let
through every type the replica does use."""

from funding.adapters import directory
from shared.contracts import access, commitments


def test_the_replica_reads_plan_and_commitment_events_only() -> None:
    assert not any(directory.replicates(c.event_type) for c in access.EVENTS)
    assert directory.replicates(commitments.PlanCreated.event_type)
    assert directory.replicates(commitments.CommitmentMade.event_type)
    assert directory.replicates(commitments.CommitmentAmended.event_type)
    assert not directory.replicates(commitments.MeasurementRecorded.event_type)
    assert not directory.replicates(commitments.ProgressReported.event_type)
