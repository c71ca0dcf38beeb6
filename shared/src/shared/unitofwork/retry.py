"""One retry policy for every write path, REST and CloudEvents, in every service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from shared.eventstore.errors import Contention, WrongExpectedVersion
from shared.unitofwork.ports import UnitOfWork

T = TypeVar("T")
U = TypeVar("U", bound=UnitOfWork)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Runs a use case in a unit of work, and again in a fresh one when another writer
    got in between (the stream moved on, or the database gave the transaction up).

    Each try loads and decides again, on the newer state: the rules see every
    command against what is stored, never interleave silently. A writer that named the
    version it expects (``If-Match``, or a new stream at version 0) is not retried: the
    conflict is its answer.
    """

    attempts: int = 8
    retry_on: tuple[type[Exception], ...] = (WrongExpectedVersion, Contention)

    async def run(
        self,
        units: Callable[[], U],
        work: Callable[[U], Awaitable[T]],
        *,
        retry: bool = True,
    ) -> T:
        """``work``'s result once its unit committed; a refusal ``work`` raises
        rolls its unit back and comes out as it is."""
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                async with units() as uow:
                    result = await work(uow)
                    await uow.commit()
                return result
            except self.retry_on:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")


#: The policy of every write service: tries of one use case against racing writers.
RETRY: Final = RetryPolicy()
