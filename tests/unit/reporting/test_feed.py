"""The change feed's rules without a database: cursors, long polling, the CloudEvent
each change becomes."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from reporting.application import feed
from reporting.application.errors import InvalidCursor, InvalidQuery
from reporting.application.feed import FeedFilter


def change(seq: int, plan: str = "p1") -> dict[str, Any]:
    return {
        "seq": seq,
        "event_id": f"00000000-0000-0000-0000-{seq:012d}",
        "source": "/pactstream/commitments",
        "type": "org.pactstream.commitment.made",
        "subject": f"commitment-c{seq}",
        "occurred_at": datetime(2016, 1, 1, tzinfo=UTC),
        "recorded_at": datetime(2016, 1, 2, 3, 4, 5, tzinfo=UTC),
        "partner": "operator",
        "schema_version": 1,
        "data": {"n": seq},
        "plan_id": plan,
    }


class Changes:
    """A feed whose changes arrive after so many looks."""

    def __init__(self, rows: list[dict[str, Any]], arrive_after: int = 0) -> None:
        self.rows = rows
        self.looks = 0
        self.arrive_after = arrive_after

    async def after(
        self, seq: int, only: FeedFilter, limit: int
    ) -> tuple[Sequence[dict[str, Any]], int]:
        self.looks += 1
        if self.looks <= self.arrive_after:
            return [], seq
        shown = [
            r for r in self.rows if r["seq"] > seq and (not only.plan or r["plan_id"] == only.plan)
        ]
        shown = shown[:limit]
        last = (
            shown[-1]["seq"] if len(shown) == limit else max([seq, *(r["seq"] for r in self.rows)])
        )
        return shown, last


class Clock:
    """A monotonic clock that moves only when the feed sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_follower_reads_in_order_and_continues_from_the_cursor() -> None:
    changes = Changes([change(1), change(2), change(3, "p2"), change(4)])
    first = asyncio.run(feed.follow(changes, None, FeedFilter(), limit=2))
    assert [e["id"][-1] for e in first.events] == ["1", "2"]
    rest = asyncio.run(feed.follow(changes, first.cursor, FeedFilter(plan="p1")))
    assert [e["data"] for e in rest.events] == [{"n": 4}]
    assert feed.decode_cursor(rest.cursor) == 4
    event = first.events[0]
    assert event["specversion"] == "1.0" and event["time"] == "2016-01-01T00:00:00Z"
    assert event["recordedtime"] == "2016-01-02T03:04:05Z" and event["plan"] == "p1"


def test_a_follower_waiting_gets_the_change_as_it_comes_and_otherwise_an_empty_page() -> None:
    changes, clock = Changes([change(7)], arrive_after=3), Clock()
    page = asyncio.run(
        feed.follow(changes, None, FeedFilter(), wait=5, sleep=clock.sleep, clock=clock)
    )
    assert len(page.events) == 1 and changes.looks == 4
    quiet, clock = Changes([], arrive_after=100), Clock()
    empty = asyncio.run(
        feed.follow(quiet, None, FeedFilter(), wait=30, hold=2, sleep=clock.sleep, clock=clock)
    )
    assert empty.events == [] and 2 <= clock.now < 2 + feed.POLL_SECONDS * 1.5


def test_cursors_and_waits_the_feed_did_not_make_are_refused() -> None:
    with pytest.raises(InvalidCursor):
        feed.decode_cursor("not-a-cursor")
    with pytest.raises(InvalidCursor):
        feed.decode_cursor(feed.encode_cursor(5)[:-2] + "xx")
    with pytest.raises(InvalidQuery):
        asyncio.run(feed.follow(Changes([]), None, FeedFilter(), wait=31))
    assert feed.decode_cursor(feed.encode_cursor(123)) == 123
    with pytest.raises(InvalidCursor):
        feed.decode_cursor(feed.encode_cursor(1 << 64))
