"""Funding's consumer skips, unread, the commitments-topic events its replica ignores;
the filter must let through every type the replica does use."""

import inspect

from funding.adapters import directory
from shared.contracts import access, commitments


def test_the_replica_reads_credential_plan_and_commitment_events_only() -> None:
    credential_events = [
        c for _, c in inspect.getmembers(access, inspect.isclass) if hasattr(c, "event_type")
    ]
    assert credential_events
    assert all(directory.replicates(c.event_type) for c in credential_events)
    assert directory.replicates(commitments.PlanCreated.event_type)
    assert directory.replicates(commitments.CommitmentMade.event_type)
    assert directory.replicates(commitments.CommitmentAmended.event_type)
    assert not directory.replicates(commitments.MeasurementRecorded.event_type)
    assert not directory.replicates(commitments.ProgressReported.event_type)
