"""The bench's generated plan stays a valid event history as the contracts change (a
deadline contract change once broke the bench's data set, and nothing said so until a
run reached it)."""

from __future__ import annotations

from typing import Any

from pactstream_bench import dataset
from shared.contracts import build_registry
from shared.events import EventMetadata
from shared.eventstore.memory import InMemoryEventStore


async def test_the_generated_plan_and_commitments_decode_with_the_registry() -> None:
    store: Any = InMemoryEventStore()
    meta = EventMetadata(partner="bench")
    await dataset._plan(store, "bench-plan", meta)
    await dataset._commitment(store, "bench-plan", 7, 3, meta)
    registry = build_registry()
    events = await store.read_stream("plan-bench-plan") + await store.read_stream(
        "commitment-bench-plan-7"
    )
    decoded = [registry.decode(e.type, e.schema_version, e.data) for e in events]
    assert [type(d).__name__ for d in decoded] == [
        "PlanCreated",
        "CommitmentMade",
        "CommitmentStatusChanged",
        "MeasurementRecorded",
        "MeasurementRecorded",
        "MeasurementRecorded",
    ]
