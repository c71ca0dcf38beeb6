"""Runs a partner's command once per CloudEvent (source, id): the claim and the events
it causes commit in one transaction, or neither does.

A batch runs in one transaction: one write of the claims, one read of the commitments
and one write of the events, whatever its size (and one more statement to withdraw the
claims of refused events, if any). If another writer moves one of its commitments on
meanwhile, the transaction rolls back and the batch runs again event by event, each as
it would alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from commitments.application.service import (
    Clock,
    CommitmentsService,
    Order,
    StateCache,
    Versioned,
    plan_cache,
)
from commitments.domain.commitment import Command, Commitment
from commitments.domain.errors import CommitmentsError
from commitments.domain.plan import Plan
from shared import inbound
from shared.access import OutOfScope, Scope
from shared.events import EventMetadata
from shared.eventstore import EventStoreError, WrongExpectedVersion
from shared.eventstore.postgres import PostgresEventStore

#: Tries of one event against writers racing for the same commitment.
RETRIES = 8

#: What one event came to: the commitment after it, ``None`` when seen before, or why
#: it was refused.
Outcome = Versioned[Commitment] | None | CommitmentsError | EventStoreError | OutOfScope


@dataclass(frozen=True, slots=True)
class EventRef:
    source: str
    id: str
    type: str
    subject: str


class OnceOnlyCommands:
    def __init__(
        self,
        store: PostgresEventStore,
        clock: Clock,
        cache: StateCache[Commitment],
        plans: StateCache[Plan] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._cache = cache
        self._plans = plans if plans is not None else plan_cache()

    def _service(self, tx: PostgresEventStore) -> CommitmentsService:
        """The use cases inside ``tx``'s transaction, sharing this replica's caches."""
        return CommitmentsService(tx, self._clock, self._cache, self._plans)

    async def run(
        self, ref: EventRef, command: Command, meta: EventMetadata, scope: Scope
    ) -> Versioned[Commitment] | None:
        """The commitment after the command, or ``None`` if this event was seen before.

        A partner's event names no version it expects, so when another writer moves
        the commitment on between the load and the append, it is simply decided again
        on the newer state (the claim rolled back with the first try)."""

        async def work(tx: PostgresEventStore) -> Versioned[Commitment]:
            service = self._service(tx)
            return await service.handle(ref.subject, command, meta, scope=scope)

        for attempt in range(1, RETRIES + 1):
            try:
                return await inbound.once(
                    self._store, ref.source, ref.id, ref.type, ref.subject, meta.partner, work
                )
            except WrongExpectedVersion:
                if attempt == RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def run_many(
        self, items: Sequence[tuple[EventRef, Command, EventMetadata]], scope: Scope
    ) -> list[Outcome]:
        """Each item's outcome, in order, as if run one after another."""
        pairs = [(ref.source, ref.id) for ref, _, _ in items]
        if max(Counter(pairs).values(), default=0) == 1:
            try:
                return await self._run_together(items, scope)
            except _Contended:
                pass
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
        async with self._store.transaction() as tx:
            conn = tx.connection
            # Claims in one order everywhere, so racing batches queue rather than deadlock.
            new = await inbound.claim_all(
                conn,
                sorted(
                    inbound.Claim(ref.source, ref.id, ref.type, ref.subject, meta.partner)
                    for ref, _, meta in items
                ),
            )
            fresh = [item for item in items if (item[0].source, item[0].id) in new]
            service = self._service(tx)
            try:
                decided = await service.handle_many(
                    [Order(ref.subject, command, meta) for ref, command, meta in fresh], scope
                )
            except (WrongExpectedVersion, asyncpg.DeadlockDetectedError):
                raise _Contended from None
            await inbound.release(
                conn,
                [
                    (ref.source, ref.id)
                    for (ref, _, _), outcome in zip(fresh, decided, strict=True)
                    if not isinstance(outcome, Versioned)
                ],
            )
        # Committed: the states these events left are now the commitments' own.
        for (ref, _, _), outcome in zip(fresh, decided, strict=True):
            if isinstance(outcome, Versioned):
                self._cache.put(ref.subject, outcome)
        outcomes = iter(decided)
        return [next(outcomes) if (ref.source, ref.id) in new else None for ref, _, _ in items]


class _Contended(Exception):
    """Another writer got in between: roll the batch back and run it item by item."""
