"""Expired idempotency keys go in bounded batches found through the index on their age,
by a worker; a keyed request no longer deletes anything, and a key past its retention
is free again even before the worker came by."""

from __future__ import annotations

import asyncio

import asyncpg

from commitments.adapters.migrations import CHAIN
from shared.http import idempotency
from shared.http.idempotency import RETAIN_HOURS, KeyExpiry, expire
from shared.migrations import migrate
from tests.integration.conftest import fresh_pool


async def keys(pool: asyncpg.Pool, count: int, *, hours_old: float, prefix: str) -> None:
    await pool.execute(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, status, created_at) "
        "SELECT 'owner', $1 || n, 'fp', 201, now() - make_interval(secs => $3) "
        "FROM generate_series(1, $2) AS n",
        prefix,
        count,
        hours_old * 3600,
    )


async def test_expired_keys_go_in_bounded_batches_through_the_index(database_url: str) -> None:
    await migrate(database_url, CHAIN)
    async with fresh_pool(database_url) as pool:
        await keys(pool, 18_500, hours_old=1, prefix="fresh-")
        await keys(pool, 1_500, hours_old=RETAIN_HOURS + 1, prefix="old-")
        await pool.execute("ANALYZE idempotency_keys")
        sql = idempotency._EXPIRE_SQL.replace("$1", str(RETAIN_HOURS)).replace("$2", "1000")
        plan = "\n".join(r[0] for r in await pool.fetch(f"EXPLAIN {sql}"))
        assert "idempotency_keys_created_at" in plan, plan
        assert "Seq Scan" not in plan, plan

        assert [await expire(pool, 1000) for _ in range(3)] == [1000, 500, 0]
        left = await pool.fetch("SELECT key FROM idempotency_keys WHERE key LIKE 'old-%'")
        assert left == []
        assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 18_500


async def test_a_key_past_its_retention_is_claimed_afresh_before_the_worker_comes(
    database_url: str,
) -> None:
    await migrate(database_url, CHAIN)
    async with fresh_pool(database_url) as pool:
        await keys(pool, 1, hours_old=RETAIN_HOURS + 1, prefix="old-")
        await keys(pool, 1, hours_old=1, prefix="kept-")
        assert await idempotency._claim(pool, "owner", "old-1", "another") is True
        row = await pool.fetchrow(
            "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = 'old-1'"
        )
        assert dict(row) == {"fingerprint": "another", "status": None, "body": None}
        assert await idempotency._claim(pool, "owner", "kept-1", "another") is False


async def test_the_worker_drains_a_backlog_a_batch_a_run_and_stops_when_asked(
    database_url: str,
) -> None:
    await migrate(database_url, CHAIN)
    async with fresh_pool(database_url) as pool:
        await keys(pool, 25, hours_old=RETAIN_HOURS + 2, prefix="old-")
        worker = KeyExpiry(pool, every=0.2, batch=10)
        running = asyncio.create_task(worker.run())
        counts = []
        for _ in range(50):
            counts.append(await pool.fetchval("SELECT count(*) FROM idempotency_keys"))
            if counts[-1] == 0:
                break
            await asyncio.sleep(0.05)
        worker.request_stop()
        await asyncio.wait_for(running, 2)
    assert counts[-1] == 0
    assert 15 in counts or 5 in counts, f"never more than 10 a run: {counts}"
