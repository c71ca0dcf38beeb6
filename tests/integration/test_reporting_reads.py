"""Every reporting response reads the read models through one snapshot: a projection
that commits between two of its queries must not show in the second only."""

from __future__ import annotations

import asyncpg
import pytest

from reporting.adapters.queries import consistent_reads


async def test_reads_in_one_snapshot_do_not_see_a_commit_made_between_them(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute("CREATE TABLE projected (n integer)")
    await pool.execute("INSERT INTO projected VALUES (1)")
    async with consistent_reads(pool) as conn:
        first = await conn.fetchval("SELECT count(*) FROM projected")
        await pool.execute("INSERT INTO projected VALUES (2)")  # A projection commits.
        second = await conn.fetchval("SELECT count(*) FROM projected")
    assert first == second == 1
    assert await pool.fetchval("SELECT count(*) FROM projected") == 2


async def test_reads_cannot_write(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE TABLE projected (n integer)")
    async with consistent_reads(pool) as conn:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute("INSERT INTO projected VALUES (1)")


async def test_pooled_sessions_never_compile_queries_to_machine_code(pool: asyncpg.Pool) -> None:
    """JIT compilation cost 280 ms of a 400 ms progress query on a plan of 10,000
    commitments, whose many short lookups pass the planner's cost threshold."""
    async with pool.acquire() as conn:
        assert await conn.fetchval("SHOW jit") == "off"
