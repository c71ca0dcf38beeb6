"""Runs a partner's command once per CloudEvent (source, id): the claim and the events
it causes commit in one transaction, or neither does."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from commitments.application.service import Clock, CommitmentsService, StateCache, Versioned
from commitments.domain.commitment import Command, Commitment
from shared import inbound
from shared.access import Scope
from shared.database import Connection
from shared.events import EventMetadata
from shared.eventstore.postgres import PostgresEventStore


@dataclass(frozen=True, slots=True)
class EventRef:
    source: str
    id: str
    type: str
    subject: str


class OnceOnlyCommands:
    def __init__(
        self, pool: asyncpg.Pool, store: PostgresEventStore, clock: Clock, cache: StateCache
    ) -> None:
        self._pool = pool
        self._store = store
        self._clock = clock
        self._cache = cache

    async def run(
        self, ref: EventRef, command: Command, meta: EventMetadata, scope: Scope
    ) -> Versioned[Commitment] | None:
        """The commitment after the command, or ``None`` if this event was seen before."""

        async def work(conn: Connection) -> Versioned[Commitment]:
            service = CommitmentsService(self._store.bound(conn), self._clock, self._cache)
            return await service.handle(ref.subject, command, meta, scope=scope)

        return await inbound.once(
            self._pool, ref.source, ref.id, ref.type, ref.subject, meta.partner, work
        )
