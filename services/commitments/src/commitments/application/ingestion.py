"""Runs a partner's command once per CloudEvent (source, id): the claim and the events
it causes commit in one unit of work, or neither does.

A batch runs in one unit: one write of the claims, one read of the commitments and one
write of the events, whatever its size (and one more statement to withdraw the claims
of refused events, if any). If another writer moves one of its commitments on
meanwhile, the unit rolls back and the batch runs again event by event, each as it
would alone, under the retry policy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from commitments.application.cache import StateCache
from commitments.application.service import Clock, CommitmentsService, Order
from commitments.domain.commitment import Command, Commitment
from commitments.domain.errors import CommitmentsError
from commitments.domain.plan import Plan
from shared.access import OutOfScope, Scope
from shared.decider import Versioned
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import Contention, EventStore, EventStoreError, WrongExpectedVersion
from shared.unitofwork import RETRY, Claim, RetryPolicy, UnitOfWork, UnitsOfWork

#: What one event came to: the commitment after it, ``None`` when seen before, or why
#: it was refused.
Outcome = Versioned[Commitment] | None | CommitmentsError | EventStoreError | OutOfScope
Refused = CommitmentsError | OutOfScope
Decided = list[Versioned[Commitment] | Refused]


@dataclass(frozen=True, slots=True)
class EventRef:
    source: str
    id: str
    type: str
    subject: str

    def claim(self, meta: EventMetadata) -> Claim:
        return Claim(self.source, self.id, self.type, self.subject, meta.partner)


class OnceOnlyCommands:
    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        clock: Clock,
        cache: StateCache[Commitment],
        plans: StateCache[Plan] | None = None,
        *,
        units: UnitsOfWork | None = None,
        policy: RetryPolicy = RETRY,
    ) -> None:
        self._cache = cache
        self._service = CommitmentsService(
            store, registry, clock, cache, plans, units=units, policy=policy
        )

    async def run(
        self, ref: EventRef, command: Command, meta: EventMetadata, scope: Scope
    ) -> Versioned[Commitment] | None:
        """The commitment after the command, or ``None`` if this event was seen before.

        A partner's event names no version it expects, so when another writer moves
        the commitment on between the load and the append, it is simply decided again
        on the newer state (the claim rolled back with the first try)."""

        async def work(uow: UnitOfWork) -> Versioned[Commitment] | None:
            if not await uow.claim([ref.claim(meta)]):
                return None
            return await self._service.handle_in(uow, ref.subject, command, meta, scope=scope)

        return await self._service.policy.run(self._service.units, work)

    async def run_many(
        self, items: Sequence[tuple[EventRef, Command, EventMetadata]], scope: Scope
    ) -> list[Outcome]:
        """Each item's outcome, in order, as if run one after another."""
        pairs = [(ref.source, ref.id) for ref, _, _ in items]
        if max(Counter(pairs).values(), default=0) == 1:
            try:
                return await self._run_together(items, scope)
            except (WrongExpectedVersion, Contention):
                pass  # Another writer got in between: run the batch item by item.
        return [await self.outcome(ref, command, meta, scope) for ref, command, meta in items]

    async def outcome(
        self, ref: EventRef, command: Command, meta: EventMetadata, scope: Scope
    ) -> Outcome:
        """What :meth:`run` comes to, a refusal included."""
        try:
            return await self.run(ref, command, meta, scope)
        except (CommitmentsError, EventStoreError, OutOfScope) as exc:
            return exc

    async def _run_together(
        self, items: Sequence[tuple[EventRef, Command, EventMetadata]], scope: Scope
    ) -> list[Outcome]:
        async def work(uow: UnitOfWork) -> tuple[set[tuple[str, str]], Decided]:
            new = await uow.claim([ref.claim(meta) for ref, _, meta in items])
            fresh = [item for item in items if (item[0].source, item[0].id) in new]
            decided = await self._service.handle_many_in(
                uow, [Order(ref.subject, command, meta) for ref, command, meta in fresh], scope
            )
            await uow.release(
                [
                    (ref.source, ref.id)
                    for (ref, _, _), outcome in zip(fresh, decided, strict=True)
                    if not isinstance(outcome, Versioned)
                ]
            )
            return new, decided

        new, decided = await self._service.policy.run(self._service.units, work, retry=False)
        # Committed: the states these events left are now the commitments' own.
        fresh = [ref for ref, _, _ in items if (ref.source, ref.id) in new]
        for ref, outcome in zip(fresh, decided, strict=True):
            if isinstance(outcome, Versioned):
                self._cache.put(ref.subject, outcome)
        outcomes = iter(decided)
        return [next(outcomes) if (ref.source, ref.id) in new else None for ref, _, _ in items]
