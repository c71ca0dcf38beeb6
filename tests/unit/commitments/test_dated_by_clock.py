"""A change its writer did not date takes effect on the service's today: the date of
its injected clock, in UTC, never the machine's local date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from commitments.application.service import CommitmentsService
from commitments.domain.commands import Amend
from shared.contracts import build_registry
from shared.contracts.commitments import CommitmentAmended
from shared.events import EventMetadata
from shared.eventstore.memory import InMemoryEventStore
from tests.commands import create_plan, make_commitment

META = EventMetadata(partner="ministry")
#: 23:30 on 31 March 2024 in UTC-5: already 1 April in UTC.
LATE_EVENING = datetime(2024, 3, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))


async def test_an_undated_amendment_takes_the_clocks_utc_date() -> None:
    store = InMemoryEventStore()
    service = CommitmentsService(store, build_registry(), lambda: LATE_EVENING)
    await service.create_plan(create_plan("p1", "VAP-p1"), META)
    await service.make_commitment("p1", make_commitment("c1", "c1"), META)
    await service.handle("c1", Amend(as_of=None, reason="typo", title="Do it well"), META)
    amended = [e for e in await service.history("c1") if e.type == CommitmentAmended.event_type]
    assert [e.data["as_of"] for e in amended] == ["2024-04-01"]
    assert amended[0].occurred_at == datetime(2024, 4, 1, tzinfo=UTC)


async def test_a_dated_amendment_keeps_its_date() -> None:
    service = CommitmentsService(InMemoryEventStore(), build_registry(), lambda: LATE_EVENING)
    await service.create_plan(create_plan("p1", "VAP-p1"), META)
    await service.make_commitment("p1", make_commitment("c1", "c1"), META)
    await service.handle("c1", Amend(as_of=date(2020, 5, 4), reason="r", title="T"), META)
    history = await service.history("c1")
    assert history[-1].data["as_of"] == "2020-05-04"
