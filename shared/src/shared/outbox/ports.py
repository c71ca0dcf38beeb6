"""The outbox reader port: what the relay reads of the event store, which is its own
outbox.

The contract, held by :mod:`.postgres` and the fake in :mod:`.memory` alike
(``tests/integration/test_outbox_contract.py``):

- :meth:`OutboxReader.read` returns committed events after a cursor, in the order
  they are to be published, at most ``limit`` of them; each gives the cursor just
  past it. Read again from any cursor it returned, it never yields an event before
  that cursor that it had not yielded already: no gaps, whatever commits late.
- A checkpoint is a cursor kept under a name: :meth:`OutboxReader.checkpoint` gives
  the start of the outbox for a name never saved, else the last one saved.
- :meth:`OutboxReader.oldest_unpublished` is the record time of the oldest committed
  event after a cursor, whether it can be read yet or is still held back, or ``None``
  when there is none.
- :meth:`OutboxReader.listen` says whether the publisher waits to be woken by the
  next append (``True``, also what a publisher that stops leaves) or is busy reading
  and will read again (``False``); appends need not wake it while it is busy. Once it
  has said ``True``, a read that returns nothing while
  :attr:`OutboxReader.writers_running` is true may have missed appends that
  committed without waking it: the publisher looks again soon.
- Each event comes as the bytes of its Kafka message: the relay decodes and encodes
  nothing (see :class:`OutboxEvent`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol


@dataclass(frozen=True, slots=True, order=True)
class OutboxCursor:
    """A place in publication order: the writing transaction, then the position."""

    tx: int
    position: int


#: The start of every outbox.
START = OutboxCursor(0, 0)


class OutboxEvent(NamedTuple):
    """One stored event as the UTF-8 bytes that go into its Kafka message: times in
    the RFC 3339 form of :func:`shared.cloudevents.rfc3339`, ``data`` as JSON text,
    absent metadata as ``None``. A tuple, so that a reader can make one from a row
    for little more than the row costs."""

    tx: int
    position: int
    position_text: bytes
    subject: bytes
    stream_version: bytes
    event_id: bytes
    type: bytes
    schema_version: bytes
    data: bytes
    occurred_at: bytes
    recorded_at: bytes
    partner: bytes | None
    causation_id: bytes | None
    correlation_id: bytes | None
    traceparent: bytes | None

    @property
    def cursor(self) -> OutboxCursor:
        """The cursor just past this event."""
        return OutboxCursor(self.tx, self.position)


class OutboxReader(Protocol):
    #: Whether appends were still running when the last read began (their events come
    #: after it).
    writers_running: bool

    async def checkpoint(self, name: str) -> OutboxCursor:
        """Where the publisher ``name`` got to (:data:`START` if it never saved)."""
        ...

    async def save_checkpoint(self, name: str, cursor: OutboxCursor) -> None:
        """Remember that ``name`` has published everything up to ``cursor``."""
        ...

    async def read(self, after: OutboxCursor, limit: int) -> list[OutboxEvent]:
        """The next events after ``after`` that can be published without a gap."""
        ...

    async def oldest_unpublished(self, after: OutboxCursor) -> datetime | None:
        """The record time of the oldest stored event after ``after``, if any."""
        ...

    async def listen(self, listening: bool) -> None:
        """Say whether the publisher now waits to be woken by the next append."""
        ...
