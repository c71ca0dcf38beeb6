"""Commitments use cases: each runs in a unit of work under the one retry policy, and
each change goes through the one aggregate handler (load, fold, decide, append at the
loaded version).

Clock and ids are injected so the same code runs under test with fixed values, and so is
the event registry that reads the stored events back.
Codes are reserved in the event store's unique keys in the same transaction as the
events: plan codes are unique, commitment codes are unique within their plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from commitments.application.cache import StateCache
from commitments.domain import commitment as commitment_rules
from commitments.domain import deadlines
from commitments.domain import plan as plan_rules
from commitments.domain import visibility as visibility_rules
from commitments.domain.commitment import (
    Amend,
    Command,
    Commitment,
    MakeCommitment,
)
from commitments.domain.errors import AlreadyExists, CommitmentsError, NotFound
from commitments.domain.plan import CreatePlan, Plan, RecordKeyDate
from commitments.domain.visibility import SetVisibility
from shared.access import OutOfScope, Scope
from shared.aggregate import Aggregate, Decision
from shared.contracts.commitments import CommitmentMade
from shared.decider import Versioned, business_time, existing
from shared.events import (
    EventData,
    EventMetadata,
    EventRegistry,
    NewEvent,
    StoredEvent,
    new_events,
)
from shared.eventstore import EventReader, EventStore, StreamAppend, UniqueKeyTaken
from shared.unitofwork import RETRY, RetryPolicy, UnitOfWork, UnitsOfWork
from shared.unitofwork.stores import units_for

__all__ = ["CommitmentsService", "Order", "StateCache", "Versioned", "plan_cache"]

Clock = Callable[[], datetime]
#: Plans each replica keeps in memory (they change rarely: key dates, revisions).
PLANS_CACHED = 1_000
EVERYTHING = Scope()
#: A batch's orders decided between two turns of the event loop: deciding 100 of them
#: and encoding their append in one step held the replica's event loop, its relay
#: included, for 3-4 ms (measured under full-speed batch ingest; README, "Relay lag").
#: The unit's transaction stays open meanwhile, as it does across its statements.
YIELD_EVERY = 25


def plan_stream(plan_id: str) -> str:
    return f"plan-{plan_id}"


def visibility_stream(plan_id: str) -> str:
    return f"plan-visibility-{plan_id}"


def commitment_stream(commitment_id: str) -> str:
    return f"commitment-{commitment_id}"


PLAN = Aggregate("plan", plan_rules.DECIDER, plan_stream, lambda i: NotFound("plan", i))
VISIBILITY = Aggregate(
    "plan visibility",
    visibility_rules.DECIDER,
    visibility_stream,
    lambda i: NotFound("plan", i),
)
COMMITMENT = Aggregate(
    "commitment",
    commitment_rules.DECIDER,
    commitment_stream,
    lambda i: NotFound("commitment", i),
)


@dataclass(frozen=True, slots=True)
class Order:
    """A command for one commitment, from a writer described by ``meta``."""

    commitment_id: str
    command: Command
    meta: EventMetadata


def plan_cache() -> StateCache[Plan]:
    """A replica's cache of plans, shared by its use cases."""
    return StateCache[Plan](size=PLANS_CACHED)


class CommitmentsService:
    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        clock: Clock,
        cache: StateCache[Commitment] | None = None,
        plans: StateCache[Plan] | None = None,
        *,
        units: UnitsOfWork | None = None,
        policy: RetryPolicy = RETRY,
    ) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock
        self._cache = cache if cache is not None else StateCache[Commitment]()
        # A plan changes rarely (its key dates, its revisions), so a replica keeps it
        # and reads only the events after the version it holds.
        self._plans = plans if plans is not None else plan_cache()
        self.units = units if units is not None else units_for(store)
        self.policy = policy

    @property
    def store(self) -> EventStore:
        return self._store

    @property
    def registry(self) -> EventRegistry:
        return self._registry

    async def create_plan(
        self, command: CreatePlan, meta: EventMetadata, scope: Scope = EVERYTHING
    ) -> Versioned[Plan]:
        if scope.plans:
            raise OutOfScope(f"a credential limited to {scope.describe()} cannot create plans")
        adopted = command.adopted_on

        async def work(uow: UnitOfWork) -> Versioned[Plan | None]:
            return PLAN.create(
                uow,
                command.plan_id,
                command,
                lambda _: business_time(adopted) if adopted else self._clock(),
                meta,
                unique_keys=[("plan-code", command.code)],
            )

        try:
            created = await self.policy.run(self.units, work, retry=False)
        except UniqueKeyTaken:
            raise AlreadyExists("plan", command.code) from None
        return existing(created)

    async def get_plan(self, plan_id: str, *, fresh: bool = True) -> Versioned[Plan]:
        """The plan as stored: the cached state caught up with any newer events (or, not
        ``fresh``, as cached: what only its creation fixes, its code and fiscal year,
        never changes)."""
        cached = self._plans.get(plan_id)
        if cached is None:
            found = existing(await PLAN.load(self._store, self._registry, plan_id))
        else:
            newer = (
                await self._store.read_stream(plan_stream(plan_id), cached.version) if fresh else []
            )
            if not newer:
                return cached
            found = existing(PLAN.fold(self._registry, newer, cached))
        self._plans.put(plan_id, found)
        return found

    async def record_key_date(
        self, plan_id: str, command: RecordKeyDate, meta: EventMetadata, scope: Scope = EVERYTHING
    ) -> Versioned[Plan]:
        """Date or correct one of the plan's key dates; recording what holds changes
        nothing."""
        scope.check(plan_id, set())

        async def work(uow: UnitOfWork) -> Versioned[Plan | None]:
            when = business_time(command.day)
            return await PLAN.handle(uow, self._registry, plan_id, command, when, meta)

        return existing(await self.policy.run(self.units, work, retry=True))

    async def _completed(self, command: Command, state: Versioned[Commitment]) -> Command:
        """An amendment dated today (by the service's clock) when its writer gave no
        date, and read against the plan's calendar when it changes the deadline."""
        if not isinstance(command, Amend):
            return command
        if command.as_of is None:
            command = replace(command, as_of=self._clock().astimezone(UTC).date())
        if command.deadline is not None:
            plan = await self.get_plan(state.value.plan_id)
            command = replace(command, calendar=plan.value.calendar())
        return command

    async def set_visibility(self, command: SetVisibility, meta: EventMetadata) -> bool:
        """Make a plan public or private again (operators only, checked by the route);
        the answer is whether it is public now."""
        await self.get_plan(command.plan_id)

        async def work(uow: UnitOfWork) -> bool:
            current = await VISIBILITY.load(
                uow.events, self._registry, command.plan_id, required=False
            )
            decision = VISIBILITY.decide(current, command)
            VISIBILITY.append(
                uow, command.plan_id, current.version, decision.events, self._clock(), meta
            )
            return decision.after.value

        return await self.policy.run(self.units, work, retry=True)

    async def make_commitment(
        self,
        plan_id: str,
        command: MakeCommitment,
        meta: EventMetadata,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Commitment]:
        # The plan as it is now, not as cached: a revision may have retired a section
        # since (on another replica), and a key date a deadline counts from may have
        # been dated. Catching up reads only its newer events (usually none).
        plan = (await self.get_plan(plan_id)).value
        scope.check(plan_id, {p.name for p in command.parties})
        command = replace(command, plan=plan)

        def when(events: Sequence[EventData]) -> datetime:
            made = events[0]
            assert isinstance(made, CommitmentMade)
            return business_time(made.made_on) if made.made_on else self._clock()

        async def work(uow: UnitOfWork) -> Versioned[Commitment | None]:
            key = ("commitment-code", f"{plan_id}/{command.code}")
            return COMMITMENT.create(uow, command.commitment_id, command, when, meta, [key])

        try:
            made = await self.policy.run(self.units, work, retry=False)
        except UniqueKeyTaken:
            raise AlreadyExists("commitment", command.code) from None
        return existing(made)

    async def get_commitment(
        self, commitment_id: str, reader: EventReader | None = None
    ) -> Versioned[Commitment]:
        """The commitment's state, from the cache caught up with any newer events."""
        found = (await self.get_commitments([commitment_id], reader)).get(commitment_id)
        if found is None:
            raise NotFound("commitment", commitment_id)
        return found

    async def as_placed(self, found: Versioned[Commitment]) -> Versioned[Commitment]:
        """A commitment just written, in the section the plan (as it is now) puts it."""
        return placed_in((await self.get_plan(found.value.plan_id)).value, found)

    async def get_commitment_as_read(self, commitment_id: str) -> Versioned[Commitment]:
        """The commitment in the section the plan's revisions moved it to, its deadline
        and milestones that wait for a key date read again on the plan as it is now
        (dated once the plan dates the key date)."""
        found = await self.get_commitment(commitment_id)
        plan = (await self.get_plan(found.value.plan_id)).value
        found = placed_in(plan, found)
        c = found.value
        if not deadlines.pending(c.deadline) and not any(
            deadlines.pending(m.planned) for m in c.milestones
        ):
            return found
        calendar = plan.calendar()
        milestones = tuple(
            replace(m, planned=deadlines.resolved(m.planned, calendar)) for m in c.milestones
        )
        now = replace(c, deadline=deadlines.resolved(c.deadline, calendar), milestones=milestones)
        return Versioned(now, found.version)

    async def get_commitments(
        self, ids: Iterable[str], reader: EventReader | None = None
    ) -> dict[str, Versioned[Commitment]]:
        """Several commitments' states in one read, each from the cache caught up with
        any newer events; unknown ids are absent."""
        starts = {i: self._cache.get(i) for i in ids}
        loaded = await COMMITMENT.load_many(reader or self._store, self._registry, starts)
        found: dict[str, Versioned[Commitment]] = {}
        for commitment_id, state in loaded.items():
            found[commitment_id] = existing(state)
            self._cache.put(commitment_id, found[commitment_id])
        return found

    async def handle_many_in(
        self, uow: UnitOfWork, orders: Sequence[Order], scope: Scope = EVERYTHING
    ) -> list[Versioned[Commitment] | CommitmentsError | OutOfScope]:
        """Decide each order in turn on its commitment as the orders before it left it,
        and stage all their events in ``uow`` as one write. An order the rules refuse
        gets its error in its place and causes nothing; a concurrent writer makes the
        commit fail (:class:`WrongExpectedVersion`) and nothing is stored."""
        current = await self.get_commitments({o.commitment_id for o in orders}, uow.events)
        loaded = {i: v.version for i, v in current.items()}
        pending: dict[str, list[NewEvent]] = {}
        outcomes: list[Versioned[Commitment] | CommitmentsError | OutOfScope] = []
        for n, order in enumerate(orders):
            if n and n % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # Others' turn (YIELD_EVERY).
            state = current.get(order.commitment_id)
            try:
                if state is None:
                    raise NotFound("commitment", order.commitment_id)
                command = await self._completed(order.command, state)
                decision = decide(state, command, scope)
            except (CommitmentsError, OutOfScope) as exc:
                outcomes.append(exc)
                continue
            pending.setdefault(order.commitment_id, []).extend(
                new_events(decision.events, occurred_at(command, self._clock), order.meta)
            )
            current[order.commitment_id] = existing(decision.after)
            outcomes.append(current[order.commitment_id])
        await asyncio.sleep(0)  # The commit encodes the append: a long step of its own.
        # Streams in one order everywhere, so racing writers queue rather than deadlock.
        uow.append_streams(
            [StreamAppend(commitment_stream(i), loaded[i], pending[i]) for i in sorted(pending)]
        )
        return outcomes

    async def handle_in(
        self,
        uow: UnitOfWork,
        commitment_id: str,
        command: Command,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Commitment]:
        """Load, decide and stage in ``uow`` at the loaded version: the commitment
        once the unit commits."""
        current = await self.get_commitment(commitment_id, uow.events)
        command = await self._completed(command, current)
        decision = decide(current, command, scope, if_match)
        when = occurred_at(command, self._clock)
        COMMITMENT.append(uow, commitment_id, current.version, decision.events, when, meta)
        return existing(decision.after)

    async def handle(
        self,
        commitment_id: str,
        command: Command,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Commitment]:
        """:meth:`handle_in` in a unit of its own. A writer who named the version it
        saw (``if_match``) gets a concurrent change as a conflict (409); one who named
        none has the command decided again on the newer state."""

        async def work(uow: UnitOfWork) -> Versioned[Commitment]:
            return await self.handle_in(uow, commitment_id, command, meta, if_match, scope)

        return await self.policy.run(self.units, work, retry=if_match is None)

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
) -> Decision[Commitment | None]:
    """The events ``command`` causes on the commitment as it stands, for a writer
    limited to ``scope`` who may have said which version it saw."""
    scope.check(current.value.plan_id, {p.name for p in current.value.parties})
    return COMMITMENT.decide(current, command, if_match)


def placed_in(plan: Plan, found: Versioned[Commitment]) -> Versioned[Commitment]:
    """The commitment in the section the plan's revisions moved it to."""
    c = found.value
    return Versioned(replace(c, section=plan.placed(c.commitment_id, c.section)), found.version)


def occurred_at(command: Command, clock: Clock) -> datetime:
    """Business time: the date the fact took effect, where the command gives one."""
    day = command.effective_on
    return clock() if day is None else business_time(day)
