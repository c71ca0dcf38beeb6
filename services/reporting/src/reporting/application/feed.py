"""The change feed: every published change in one stable order, as CloudEvents, with
only what the caller may see, from a cursor; long-polled when there is nothing new.

The order is the order reporting applied the changes in (each one numbered as its
transaction commits, so a follower never misses one that commits late); a cursor is
that number, opaque to callers.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from reporting.application.errors import InvalidCursor, InvalidQuery
from reporting.application.models import FeedPage
from reporting.application.ports import Row

#: Events in one answer, at most (and by default).
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
#: The longest a follower may wait for something new, in seconds.
MAX_WAIT = 30.0
#: How often a waiting follower's feed is looked at again.
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What to show: ``types`` and ``plan`` as asked, ``plans`` and ``parties`` as the
    caller's scope allows (empty: no limit of that kind)."""

    types: tuple[str, ...] = ()
    plan: str | None = None
    plans: frozenset[str] = frozenset()
    parties: frozenset[str] = frozenset()


class FeedReader(Protocol):
    async def after(self, seq: int, only: FeedFilter, limit: int) -> tuple[Sequence[Row], int]:
        """The events after ``seq`` that ``only`` lets through, at most ``limit``, and
        the number to continue after (past every event looked at, shown or not)."""
        ...


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"feed:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = raw.partition(":")
        if kind != "feed" or not number.isdigit() or int(number) >= 1 << 63:
            raise ValueError(raw)
        return int(number)
    except ValueError:
        raise InvalidCursor(
            "after: not a cursor of the feed (pass the cursor of a previous answer)",
            parameter="after",
        ) from None


def check_wait(wait: float) -> float:
    if not 0 <= wait <= MAX_WAIT:
        raise InvalidQuery(f"wait: between 0 and {MAX_WAIT:g} seconds", parameter="wait")
    return wait


async def follow(
    reader: FeedReader,
    after: str | None,
    only: FeedFilter,
    limit: int = DEFAULT_LIMIT,
    wait: float = 0.0,
    *,
    hold: float = MAX_WAIT,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> FeedPage:
    """The events after the cursor (the beginning without one); when there are none,
    looked at again every :data:`POLL_SECONDS` for up to ``wait`` seconds (at most
    ``hold``: the answer must leave before the request's deadline)."""
    seq = 0 if after is None else decode_cursor(after)
    deadline = clock() + min(check_wait(wait), hold)
    while True:
        rows, last = await reader.after(seq, only, limit)
        if rows or clock() >= deadline:
            return FeedPage(events=[as_cloudevent(r) for r in rows], cursor=encode_cursor(last))
        seq = last
        await sleep(POLL_SECONDS)


def as_cloudevent(row: Row) -> dict[str, object]:
    """A change as a structured CloudEvent, as the feed and the pushes give it."""
    event: dict[str, object] = {
        "specversion": "1.0",
        "id": str(row["event_id"]),
        "source": row["source"],
        "type": row["type"],
        "subject": row["subject"],
        "time": row["occurred_at"].isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "recordedtime": row["recorded_at"].isoformat().replace("+00:00", "Z"),
        "schemaversion": str(row["schema_version"]),
        "data": row["data"],
    }
    if row["plan_id"] is not None:
        event["plan"] = row["plan_id"]
    if row["partner"] is not None:
        event["partner"] = row["partner"]
    return event
