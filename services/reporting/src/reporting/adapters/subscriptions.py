"""Subscriptions and their deliveries, in reporting's database: what to push where,
how far each got (a cursor in the change feed), and every attempt with its answer.
Kept through rebuilds (not read models), like the feed they follow."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from shared import webhooks
from shared.http.auth import Principal
from shared.sealing import Sealer

#: Run by ``reporting_0006``: never edit it; a change is a new revision.
SUBSCRIPTIONS_SQL = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id               text PRIMARY KEY,
    owner            text NOT NULL,
    owner_plans      jsonb NOT NULL DEFAULT '[]',
    owner_parties    jsonb NOT NULL DEFAULT '[]',
    url              text NOT NULL,
    types            jsonb NOT NULL DEFAULT '[]',
    plans            jsonb NOT NULL DEFAULT '[]',
    sealed_secret    text NOT NULL,
    cursor           bigint NOT NULL,
    failures         int NOT NULL DEFAULT 0,
    first_failure_at timestamptz,
    next_attempt_at  timestamptz NOT NULL,
    paused_reason    text,
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_due_idx ON subscriptions (next_attempt_at)
    WHERE deleted_at IS NULL AND paused_reason IS NULL;
CREATE TABLE IF NOT EXISTS deliveries (
    id              bigserial PRIMARY KEY,
    subscription_id text NOT NULL,
    seq             bigint NOT NULL,
    event_id        uuid NOT NULL,
    attempt         int NOT NULL,
    at              timestamptz NOT NULL,
    status          int,
    error           text,
    duration_ms     int NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_subscription_idx ON deliveries (subscription_id, id);
"""

_COLUMNS = (
    "id, owner, owner_plans, owner_parties, url, types, plans, sealed_secret, cursor, "
    "failures, first_failure_at, next_attempt_at, paused_reason, created_at"
)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    owner: str
    owner_plans: list[str]
    owner_parties: list[str]
    url: str
    types: list[str]
    plans: list[str]
    sealed_secret: str
    cursor: int
    failures: int
    first_failure_at: datetime | None
    next_attempt_at: datetime
    paused_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> Subscription:
        return cls(*(row[name.strip()] for name in _COLUMNS.split(",")))


class SubscriptionStore:
    def __init__(self, pool: asyncpg.Pool, sealer: Sealer, clock: Callable[[], datetime]):
        self._pool = pool
        self._sealer = sealer
        self._clock = clock

    async def create(
        self, owner: Principal, url: str, types: Sequence[str], plans: Sequence[str]
    ) -> tuple[Subscription, str]:
        """A subscription from the newest change on, and its secret (shown once)."""
        secret = webhooks.new_secret()
        now = self._clock()
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO subscriptions (id, owner, owner_plans, owner_parties, url, types,
                                       plans, sealed_secret, cursor, next_attempt_at,
                                       created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                    (SELECT coalesce(max(seq), 0) FROM feed), $9, $9)
            RETURNING {_COLUMNS}
            """,
            "sub_" + secrets.token_hex(8),
            owner.id,
            sorted(owner.scope.plans),
            sorted(owner.scope.parties),
            url,
            list(types),
            list(plans),
            self._sealer.seal(secret),
            now,
        )
        return Subscription.of(row), secret

    async def get(self, subscription_id: str) -> Subscription | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE id = $1 AND deleted_at IS NULL",
            subscription_id,
        )
        return None if row is None else Subscription.of(row)

    async def delete(self, subscription_id: str) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET deleted_at = $2 WHERE id = $1", subscription_id, self._clock()
        )

    async def pause(self, subscription_id: str, reason: str) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET paused_reason = $2 WHERE id = $1", subscription_id, reason
        )

    async def resume(self, subscription_id: str) -> None:
        """Push again at once, from where it stopped."""
        await self._pool.execute(
            "UPDATE subscriptions SET paused_reason = NULL, failures = 0, "
            "first_failure_at = NULL, next_attempt_at = $2 WHERE id = $1",
            subscription_id,
            self._clock(),
        )

    async def deliveries(self, subscription_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        """The latest attempts, oldest first."""
        rows = await self._pool.fetch(
            """
            SELECT seq, event_id, attempt, at, status, error, duration_ms FROM (
                SELECT * FROM deliveries WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2
            ) latest ORDER BY id
            """,
            subscription_id,
            limit,
        )
        return [dict(r) for r in rows]

    def secret(self, subscription: Subscription) -> str:
        return self._sealer.open(subscription.sealed_secret)
