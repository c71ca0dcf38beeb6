"""How every credential aggregate (partners, people) is written: load, decide, stage
the events and their projection into this service's credential tables, commit; so a
credential works here the moment it is answered, and stops the moment its revocation
is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from shared import access
from shared.aggregate import Aggregate
from shared.decider import Versioned
from shared.events import EventMetadata, EventRegistry
from shared.unitofwork import RetryPolicy
from shared.unitofwork.postgres import PostgresUnitOfWork, PostgresUnitsOfWork

C = TypeVar("C")
S = TypeVar("S")


class CredentialWrites(Generic[C, S]):
    def __init__(
        self,
        aggregate: Aggregate[C, S | None],
        registry: EventRegistry,
        units: PostgresUnitsOfWork,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._aggregate = aggregate
        self._registry = registry
        self._units = units
        self._policy = policy
        self._clock = clock

    async def change(
        self,
        aggregate_id: str,
        command: C,
        meta: EventMetadata,
        *,
        new: bool = False,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> S:
        """The state after ``command``: a new aggregate at version 0 (a conflict is a
        409), any other change retried under the policy."""
        aggregate, registry = self._aggregate, self._registry

        async def work(uow: PostgresUnitOfWork) -> Versioned[S | None]:
            current = await aggregate.load(uow.events, registry, aggregate_id, required=not new)
            decision = aggregate.decide(current, command)
            if decision.events:
                when = self._clock()
                aggregate.append(
                    uow, aggregate_id, current.version, decision.events, when, meta, unique_keys
                )
                conn = await uow.connection()
                for event in decision.events:
                    await access.project(conn, event)
            return decision.after

        after = (await self._policy.run(self._units, work, retry=not new)).value
        assert after is not None
        return after
