"""Commitments use cases: load a stream, decide, append with the expected version.

Clock and ids are injected so the same code runs under test with fixed values.
Codes are reserved in the event store's unique keys in the same transaction as the
events: plan codes are unique, commitment codes are unique within their plan.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Generic, TypeVar
from uuid import uuid4

from commitments.domain import commitment as commitment_rules
from commitments.domain import plan as plan_rules
from commitments.domain.commitment import (
    Amend,
    ChangeStatus,
    Command,
    Commitment,
    MakeCommitment,
    ReachMilestone,
    RecordMeasurement,
    ReportProgress,
)
from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from commitments.domain.plan import CreatePlan, Plan
from shared.access import OutOfScope, Scope
from shared.contracts import registry
from shared.contracts.commitments import CommitmentMade, PlanCreated
from shared.events import EventData, EventMetadata, StoredEvent, new_events
from shared.eventstore import EventStore, UniqueKeyTaken

Clock = Callable[[], datetime]
EVERYTHING = Scope()


def plan_stream(plan_id: str) -> str:
    return f"plan-{plan_id}"


def commitment_stream(commitment_id: str) -> str:
    return f"commitment-{commitment_id}"


def new_id() -> str:
    return str(uuid4())


def business_time(day: date) -> datetime:
    """Midnight UTC of a business date: when a dated fact took effect."""
    return datetime.combine(day, time.min, tzinfo=UTC)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    value: T
    version: int


class StateCache:
    """Folded commitment states by id, bounded, least recently used out first.

    A cached state is only a starting point: every load reads the events after its
    version from the store, so another replica's writes are never missed. Only states
    read from committed events are kept, never one decided but not yet committed.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._states: OrderedDict[str, Versioned[Commitment]] = OrderedDict()

    def get(self, key: str) -> Versioned[Commitment] | None:
        found = self._states.get(key)
        if found is not None:
            self._states.move_to_end(key)
        return found

    def put(self, key: str, value: Versioned[Commitment]) -> None:
        self._states[key] = value
        self._states.move_to_end(key)
        while len(self._states) > self._size:
            self._states.popitem(last=False)


class CommitmentsService:
    def __init__(self, store: EventStore, clock: Clock, cache: StateCache | None = None) -> None:
        self._store = store
        self._clock = clock
        self._cache = cache if cache is not None else StateCache()

    async def _load(self, stream_id: str) -> tuple[list[EventData], int]:
        stored = await self._store.read_stream(stream_id)
        return [self._decode(e) for e in stored], (stored[-1].stream_version if stored else 0)

    @staticmethod
    def _decode(event: StoredEvent) -> EventData:
        return registry.decode(event.type, event.schema_version, event.data)

    async def create_plan(
        self, command: CreatePlan, meta: EventMetadata, scope: Scope = EVERYTHING
    ) -> Versioned[Plan]:
        if scope.plans:
            raise OutOfScope(f"a credential limited to {scope.describe()} cannot create plans")
        events = plan_rules.decide_create(None, command)
        occurred = business_time(command.adopted_on) if command.adopted_on else self._clock()
        try:
            await self._store.append(
                plan_stream(command.plan_id),
                0,
                new_events(events, occurred, meta),
                unique_keys=[("plan-code", command.code)],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("plan", command.code) from None
        return Versioned(plan_rules.evolve(None, events[0]), len(events))

    async def get_plan(self, plan_id: str) -> Versioned[Plan]:
        events, version = await self._load(plan_stream(plan_id))
        state: Plan | None = None
        for e in events:
            if isinstance(e, PlanCreated):
                state = plan_rules.evolve(state, e)
        if state is None:
            raise NotFound("plan", plan_id)
        return Versioned(state, version)

    async def make_commitment(
        self,
        plan_id: str,
        command: MakeCommitment,
        meta: EventMetadata,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Commitment]:
        plan = (await self.get_plan(plan_id)).value
        scope.check(plan_id, {p.name for p in command.parties})
        events = commitment_rules.decide_make(None, plan, command)
        made: CommitmentMade = events[0]
        occurred = business_time(made.made_on) if made.made_on else self._clock()
        try:
            await self._store.append(
                commitment_stream(command.commitment_id),
                0,
                new_events(events, occurred, meta),
                unique_keys=[("commitment-code", f"{plan_id}/{command.code}")],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("commitment", command.code) from None
        state = commitment_rules.evolve(None, made)
        assert state is not None
        return Versioned(state, 1)

    async def get_commitment(self, commitment_id: str) -> Versioned[Commitment]:
        """The commitment's state, from the cache caught up with any newer events."""
        cached = self._cache.get(commitment_id)
        after = 0 if cached is None else cached.version
        stored = await self._store.read_stream(commitment_stream(commitment_id), after)
        state: Commitment | None = None if cached is None else cached.value
        for e in stored:
            state = commitment_rules.evolve(state, self._decode(e))
        if state is None:
            raise NotFound("commitment", commitment_id)
        current = Versioned(state, stored[-1].stream_version if stored else after)
        self._cache.put(commitment_id, current)
        return current

    async def handle(
        self,
        commitment_id: str,
        command: Command,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Commitment]:
        """Load, decide, append at the loaded version: a concurrent writer makes the
        append fail (409) rather than silently interleave."""
        current = await self.get_commitment(commitment_id)
        scope.check(current.value.plan_id, {p.name for p in current.value.parties})
        if if_match is not None and if_match != current.version:
            raise StaleVersion(current.version, if_match)
        events = commitment_rules.decide(current.value, command)
        await self._store.append(
            commitment_stream(commitment_id),
            current.version,
            new_events(events, self._occurred_at(command), meta),
        )
        state: Commitment | None = current.value
        for e in events:
            state = commitment_rules.evolve(state, e)
        assert state is not None
        return Versioned(state, current.version + len(events))

    def _occurred_at(self, command: Command) -> datetime:
        """Business time: the date the fact took effect, where the command gives one."""
        match command:
            case ChangeStatus() | ReportProgress() | RecordMeasurement() | Amend():
                return business_time(command.as_of)
            case ReachMilestone():
                return business_time(command.reached_on)
        return self._clock()

    async def history(self, commitment_id: str) -> list[StoredEvent]:
        stored = await self._store.read_stream(commitment_stream(commitment_id))
        if not stored:
            raise NotFound("commitment", commitment_id)
        return stored


class StaleVersion(RuleViolated):
    """``If-Match`` named a version the commitment has moved past (HTTP 412)."""

    def __init__(self, current: int, given: int) -> None:
        self.current = current
        self.given = given
        super().__init__(f"If-Match {given} is stale: the commitment is at version {current}")
