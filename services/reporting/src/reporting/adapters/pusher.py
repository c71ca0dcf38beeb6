"""Pushes each subscription's changes to its URL, in order, at least once, signed per
Standard Webhooks (``webhook-id`` is the event's id, so receivers can drop a repeat).

Every replica may run a pusher: a subscription is pushed by whichever holds its
advisory lock, so its order holds; the cursor moves after each acknowledged push, so
a pusher killed mid-push sends that one change again and nothing is lost. A failed
push is retried with exponential backoff (1 s doubling to 1 h); a subscription failing
for ``give_up`` (a day) is paused with the reason, until resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg
import httpx

from reporting.adapters.feed import FeedQueries
from reporting.adapters.subscriptions import Subscription, SubscriptionStore
from reporting.application.feed import FeedFilter, as_cloudevent
from reporting.application.ports import Row
from reporting.application.subscriptions import gives_up, next_attempt
from shared import webhooks
from shared.database import Connection

log = logging.getLogger(__name__)

#: The advisory-lock class of subscriptions ("push"), the second key their id's hash.
PUSH_LOCK = 0x70757368
#: Changes pushed per subscription per round.
BATCH = 50


def only(subscription: Subscription) -> FeedFilter:
    """What a subscription receives: its types and plans, within its owner's scope
    (its plans were checked to lie within that scope when it was made)."""
    return FeedFilter(
        types=tuple(subscription.types),
        plans=frozenset(subscription.plans or subscription.owner_plans),
        parties=frozenset(subscription.owner_parties),
    )


class Pusher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: SubscriptionStore,
        http: httpx.AsyncClient,
        clock: Callable[[], datetime],
        *,
        give_up: timedelta,
        poll_seconds: float = 0.2,
    ) -> None:
        self._pool = pool
        self._store = store
        self._feed = FeedQueries(pool)
        self._http = http
        self._clock = clock
        self._give_up = give_up
        self._poll = poll_seconds
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        async with self._pool.acquire() as locks:  # Session locks live on this one.
            while not self._stop.is_set():
                due = await self._pool.fetch(
                    "SELECT id FROM subscriptions WHERE deleted_at IS NULL "
                    "AND paused_reason IS NULL AND next_attempt_at <= $1 "
                    "ORDER BY next_attempt_at LIMIT 100",
                    self._clock(),
                )
                for row in due:
                    await self._push_locked(locks, row["id"])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._poll)

    async def _push_locked(self, locks: Connection, subscription_id: str) -> None:
        key = (PUSH_LOCK, subscription_id)
        if not await locks.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))", *key):
            return  # Another replica pushes it.
        try:
            subscription = await self._store.get(subscription_id)
            if subscription is None or subscription.paused_reason is not None:
                return
            if await self._owner_revoked(subscription.owner):
                await self._store.pause(subscription_id, "its owner's credential was revoked")
                return
            await self._push(subscription)
        finally:
            await locks.execute("SELECT pg_advisory_unlock($1, hashtext($2))", *key)

    async def _owner_revoked(self, owner: str) -> bool:
        """A revoked partner's or person's subscriptions push nothing more."""
        revoked: bool = await self._pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = $1 AND revoked) "
            "OR EXISTS (SELECT 1 FROM people WHERE person_id = $1 AND revoked)",
            owner,
        )
        return revoked

    async def _push(self, subscription: Subscription) -> None:
        rows, last = await self._feed.after(subscription.cursor, only(subscription), BATCH)
        secret = self._store.secret(subscription)
        for row in rows:
            if not await self._deliver(subscription, secret, row):
                return
            # Acknowledged: the next one is a first attempt again.
            subscription = replace(
                subscription, cursor=row["seq"], failures=0, first_failure_at=None
            )
        if len(rows) < BATCH and last > subscription.cursor:  # Past what it does not want.
            await self._pool.execute(
                "UPDATE subscriptions SET cursor = greatest(cursor, $2) WHERE id = $1",
                subscription.id,
                last,
            )

    async def _deliver(self, subscription: Subscription, secret: str, row: Row) -> bool:
        body = json.dumps(as_cloudevent(row), default=str).encode()
        event_id = str(row["event_id"])
        stamp = int(time.time())
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": event_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": webhooks.sign(secret, event_id, stamp, body),
        }
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            answer = await self._http.post(subscription.url, content=body, headers=headers)
            status = answer.status_code
            if not 200 <= status < 300:
                error = f"answered {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        await self._record(subscription, row, status, error, time.monotonic() - started)
        return error is None

    async def _record(
        self,
        subscription: Subscription,
        row: Row,
        status: int | None,
        error: str | None,
        seconds: float,
    ) -> None:
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO deliveries (subscription_id, seq, event_id, attempt, at, status, "
                "error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                subscription.id,
                row["seq"],
                row["event_id"],
                subscription.failures + 1,
                now,
                status,
                error,
                round(seconds * 1000),
            )
            if error is None:
                await conn.execute(
                    "UPDATE subscriptions SET cursor = $2, failures = 0, "
                    "first_failure_at = NULL WHERE id = $1",
                    subscription.id,
                    row["seq"],
                )
                return
            failures = subscription.failures + 1
            first = subscription.first_failure_at or now
            paused = None
            if gives_up(first, now, self._give_up):
                paused = f"failed {failures} times since {first.isoformat()}; last: {error}"
                log.warning("subscription %s paused: %s", subscription.id, paused)
            await conn.execute(
                "UPDATE subscriptions SET failures = $2, first_failure_at = $3, "
                "next_attempt_at = $4, paused_reason = $5 WHERE id = $1",
                subscription.id,
                failures,
                first,
                next_attempt(failures, now),
                paused,
            )
