"""The unit of work on PostgreSQL.

Its transaction begins only when the unit needs one: at its first claim, at the first
statement of the caller's own (:meth:`PostgresUnitOfWork.connection`), or at a commit
of more than one staged write. A unit that commits a single staged write and nothing
else sends it as one statement, atomic on its own (the store's fast path, with no
BEGIN/COMMIT round trips).

Either way the writers' lock comes first: the transaction begins with
:meth:`PostgresEventStore.transaction`, whose first statement takes it before the
transaction has an id, and a lone statement takes it in itself. The relay's fence
(:mod:`shared.relay`) depends on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Self

from shared import inbound
from shared.database import CONFLICT_ERRORS, Connection
from shared.events import NewEvent
from shared.eventstore.errors import Contention
from shared.eventstore.ports import EventReader, StreamAppend
from shared.eventstore.postgres import PostgresEventStore
from shared.unitofwork.ports import Claim

Write = Callable[[PostgresEventStore], Awaitable[object]]


class _RolledBack(Exception):
    """Ends the transaction's context without a commit."""


class PostgresUnitOfWork:
    """Implements :class:`shared.unitofwork.UnitOfWork` on a :class:`PostgresEventStore`."""

    def __init__(self, store: PostgresEventStore) -> None:
        self._store = store
        self._tx: PostgresEventStore | None = None
        self._stack: AsyncExitStack | None = None
        self._staged: list[Write] = []
        self._claimed: dict[tuple[str, str], Claim] = {}

    @property
    def events(self) -> EventReader:
        return self._tx if self._tx is not None else self._store

    async def _begin(self) -> PostgresEventStore:
        if self._tx is None:
            stack = AsyncExitStack()
            try:
                self._tx = await stack.enter_async_context(self._store.transaction())
            except CONFLICT_ERRORS as exc:
                raise Contention(str(exc)) from exc
            self._stack = stack
        return self._tx

    async def connection(self) -> Connection:
        """The unit's transaction, begun if need be, for writes of the caller's own
        that must commit with the events (a projection of them, say)."""
        return (await self._begin()).connection

    async def claim(self, claims: Sequence[Claim]) -> set[tuple[str, str]]:
        if not claims:
            return set()
        conn = await self.connection()
        try:
            # One order everywhere, so racing units queue rather than deadlock.
            new = await inbound.claim_all(conn, sorted(claims))
        except CONFLICT_ERRORS as exc:
            raise Contention(str(exc)) from exc
        self._claimed.update({(c.source, c.id): c for c in claims if (c.source, c.id) in new})
        return new

    async def release(self, pairs: Sequence[tuple[str, str]]) -> None:
        mine = [self._claimed.pop(pair) for pair in pairs if pair in self._claimed]
        if mine:
            await inbound.release(await self.connection(), mine)

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        unique_keys: Sequence[tuple[str, str]] = (),
    ) -> None:
        if events:
            self._staged.append(
                lambda store: store.append(
                    stream_id, expected_version, events, unique_keys=unique_keys
                )
            )

    def append_streams(self, appends: Sequence[StreamAppend]) -> None:
        if any(a.events for a in appends):
            self._staged.append(lambda store: store.append_streams(appends))

    async def commit(self) -> None:
        staged, self._staged = self._staged, []
        try:
            if self._tx is None and len(staged) == 1:
                await staged[0](self._store)
                return
            if staged:
                tx = await self._begin()
                for write in staged:
                    await write(tx)
            await self._end()
        except CONFLICT_ERRORS as exc:
            raise Contention(str(exc)) from exc

    async def rollback(self) -> None:
        self._staged = []
        await self._end(_RolledBack())

    async def _end(self, error: BaseException | None = None) -> None:
        stack, self._stack, self._tx = self._stack, None, None
        if stack is None:
            return
        if error is None:
            await stack.aclose()
        else:
            await stack.__aexit__(type(error), error, None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()


class PostgresUnitsOfWork:
    """Implements :class:`shared.unitofwork.UnitsOfWork`: a unit per call."""

    def __init__(self, store: PostgresEventStore) -> None:
        self._store = store

    def __call__(self) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self._store)
