"""Plans change rarely, so the service folds each from the store once and then reads
only its newer events; a plan not found is never remembered as missing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commitments.application.service import CommitmentsService, plan_stream
from commitments.domain.errors import NotFound
from shared.contracts import build_registry
from shared.events import EventMetadata, StoredEvent
from shared.eventstore.memory import InMemoryEventStore
from tests.commands import create_plan, make_commitment

META = EventMetadata(partner="ministry")


class CountingStore(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []
        self.from_start: list[str] = []

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        self.reads.append(stream_id)
        if after_version == 0:
            self.from_start.append(stream_id)
        return await super().read_stream(stream_id, after_version)


def service(store: InMemoryEventStore) -> CommitmentsService:
    return CommitmentsService(store, build_registry(), lambda: datetime(2016, 1, 1, tzinfo=UTC))


async def test_commitments_under_one_plan_fold_the_plan_once() -> None:
    store = CountingStore()
    commitments = service(store)
    await commitments.create_plan(create_plan("p1", "VAP-p1"), META)
    for n in range(3):
        await commitments.make_commitment("p1", make_commitment(f"c{n}", f"c{n}"), META)
    assert store.from_start.count(plan_stream("p1")) == 1
    assert (await commitments.get_plan("p1")).value.code == "VAP-p1"


async def test_a_plan_not_found_is_looked_up_again_next_time() -> None:
    store = CountingStore()
    commitments = service(store)
    with pytest.raises(NotFound):
        await commitments.get_plan("p2")
    await service(store).create_plan(
        create_plan("p2", "VAP-p2"), META
    )  # Another replica creates it.
    assert (await commitments.get_plan("p2")).value.code == "VAP-p2"
    assert store.reads.count(plan_stream("p2")) == 2
