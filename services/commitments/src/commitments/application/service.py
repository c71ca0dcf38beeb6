"""Commitments use cases: load a stream, decide, append with the expected version.

Clock and ids are injected so the same code runs under test with fixed values.
Codes are reserved in the event store's unique keys in the same transaction as the
events: plan codes are unique, commitment codes are unique within their plan.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
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
from commitments.domain.errors import AlreadyExists, CommitmentsError, NotFound, RuleViolated
from commitments.domain.plan import CreatePlan, Plan
from shared.access import OutOfScope, Scope
from shared.contracts import registry
from shared.contracts.commitments import CommitmentMade, PlanCreated
from shared.events import EventData, EventMetadata, NewEvent, StoredEvent, new_events
from shared.eventstore import EventStore, StreamAppend, UniqueKeyTaken

Clock = Callable[[], datetime]
#: Plans each replica keeps in memory (they never change once created).
PLANS_CACHED = 1_000
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
class Order:
    """A command for one commitment, from a writer described by ``meta``."""

    commitment_id: str
    command: Command
    meta: EventMetadata


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    value: T
    version: int


class StateCache(Generic[T]):
    """Folded states by id, bounded, least recently used out first.

    A cached commitment is only a starting point: every load reads the events after
    its version from the store, so another replica's writes are never missed. Only
    states of committed events are kept, never one decided but not yet committed, and
    a state never replaces a newer one.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._states: OrderedDict[str, Versioned[T]] = OrderedDict()

    def get(self, key: str) -> Versioned[T] | None:
        found = self._states.get(key)
        if found is not None:
            self._states.move_to_end(key)
        return found

    def put(self, key: str, value: Versioned[T]) -> None:
        known = self._states.get(key)
        if known is not None and known.version > value.version:
            return
        self._states[key] = value
        self._states.move_to_end(key)
        while len(self._states) > self._size:
            self._states.popitem(last=False)


def plan_cache() -> StateCache[Plan]:
    """A replica's cache of plans, shared by its use cases."""
    return StateCache[Plan](size=PLANS_CACHED)


class CommitmentsService:
    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        cache: StateCache[Commitment] | None = None,
        plans: StateCache[Plan] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._cache = cache if cache is not None else StateCache[Commitment]()
        # A plan never changes once created (its stream holds only PlanCreated), so
        # one read serves every later command on it, with no trip to the store.
        self._plans = plans if plans is not None else plan_cache()

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
        cached = self._plans.get(plan_id)
        if cached is not None:
            return cached
        events, version = await self._load(plan_stream(plan_id))
        state: Plan | None = None
        for e in events:
            if not isinstance(e, PlanCreated):
                raise TypeError(f"plans are immutable; plan {plan_id} has a {type(e).__name__}")
            state = plan_rules.evolve(state, e)
        if state is None:
            raise NotFound("plan", plan_id)
        found = Versioned(state, version)
        self._plans.put(plan_id, found)
        return found

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
        found = (await self.get_commitments([commitment_id])).get(commitment_id)
        if found is None:
            raise NotFound("commitment", commitment_id)
        return found

    async def get_commitments(self, ids: Iterable[str]) -> dict[str, Versioned[Commitment]]:
        """Several commitments' states in one read, each from the cache caught up with
        any newer events; unknown ids are absent."""
        cached = {i: self._cache.get(i) for i in ids}
        stored = await self._store.read_streams(
            {commitment_stream(i): 0 if c is None else c.version for i, c in cached.items()}
        )
        found: dict[str, Versioned[Commitment]] = {}
        for commitment_id, start in cached.items():
            events = stored.get(commitment_stream(commitment_id), [])
            state: Commitment | None = None if start is None else start.value
            for e in events:
                state = commitment_rules.evolve(state, self._decode(e))
            if state is None:
                continue
            version = events[-1].stream_version if events else start.version if start else 0
            found[commitment_id] = Versioned(state, version)
            self._cache.put(commitment_id, found[commitment_id])
        return found

    async def handle_many(
        self, orders: Sequence[Order], scope: Scope = EVERYTHING
    ) -> list[Versioned[Commitment] | CommitmentsError | OutOfScope]:
        """Decide each order in turn on its commitment as the orders before it left it,
        then append all their events in one atomic write. An order the rules refuse
        gets its error in its place and causes nothing; a concurrent writer makes the
        whole write fail (:class:`WrongExpectedVersion`) and nothing is stored."""
        current = await self.get_commitments({o.commitment_id for o in orders})
        loaded = {i: v.version for i, v in current.items()}
        pending: dict[str, list[NewEvent]] = {}
        outcomes: list[Versioned[Commitment] | CommitmentsError | OutOfScope] = []
        for order in orders:
            state = current.get(order.commitment_id)
            try:
                if state is None:
                    raise NotFound("commitment", order.commitment_id)
                events = decide(state, order.command, scope)
            except (CommitmentsError, OutOfScope) as exc:
                outcomes.append(exc)
                continue
            pending.setdefault(order.commitment_id, []).extend(
                new_events(events, occurred_at(order.command, self._clock), order.meta)
            )
            current[order.commitment_id] = advance(state, events)
            outcomes.append(current[order.commitment_id])
        # Streams in one order everywhere, so racing writers queue rather than deadlock.
        await self._store.append_streams(
            [StreamAppend(commitment_stream(i), loaded[i], pending[i]) for i in sorted(pending)]
        )
        return outcomes

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
        events = decide(current, command, scope, if_match)
        await self._store.append(
            commitment_stream(commitment_id),
            current.version,
            new_events(events, occurred_at(command, self._clock), meta),
        )
        return advance(current, events)

    async def history(self, commitment_id: str) -> list[StoredEvent]:
        stored = await self._store.read_stream(commitment_stream(commitment_id))
        if not stored:
            raise NotFound("commitment", commitment_id)
        return stored


def decide(
    current: Versioned[Commitment],
    command: Command,
    scope: Scope = EVERYTHING,
    if_match: int | None = None,
) -> list[EventData]:
    """The events ``command`` causes on the commitment as it stands, for a writer
    limited to ``scope`` who may have said which version it saw."""
    scope.check(current.value.plan_id, {p.name for p in current.value.parties})
    if if_match is not None and if_match != current.version:
        raise StaleVersion(current.version, if_match)
    return commitment_rules.decide(current.value, command)


def advance(current: Versioned[Commitment], events: list[EventData]) -> Versioned[Commitment]:
    """The commitment once ``events`` are stored after ``current``."""
    state: Commitment | None = current.value
    for e in events:
        state = commitment_rules.evolve(state, e)
    assert state is not None
    return Versioned(state, current.version + len(events))


def occurred_at(command: Command, clock: Clock) -> datetime:
    """Business time: the date the fact took effect, where the command gives one."""
    match command:
        case ChangeStatus() | ReportProgress() | RecordMeasurement() | Amend():
            return business_time(command.as_of)
        case ReachMilestone():
            return business_time(command.reached_on)
    return clock()


class StaleVersion(RuleViolated):
    """``If-Match`` named a version the commitment has moved past (HTTP 412)."""

    def __init__(self, current: int, given: int) -> None:
        self.current = current
        self.given = given
        super().__init__(f"If-Match {given} is stale: the commitment is at version {current}")
