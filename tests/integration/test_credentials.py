"""A service's credential lookups against the tables it projects (real PostgreSQL)."""

from __future__ import annotations

import asyncio

import asyncpg

from shared import access
from shared.contracts.access import PartnerKeyIssued, PartnerRegistered


async def test_a_refused_key_is_remembered_briefly_then_found_once_projected(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await access.install_schema(conn)
    lookups: list[int] = []
    store = access.CredentialStore(pool, on_lookup=lambda: lookups.append(1))

    assert await store.find("digest-1") is None  # Its registration is not projected yet.
    async with pool.acquire() as conn:
        await access.project(
            conn,
            PartnerRegistered(partner_id="p1", name="P", role="partner", sources=("/p1",)),
        )
        await access.project(
            conn, PartnerKeyIssued(partner_id="p1", key_id="k1", key_digest="digest-1")
        )

    assert await store.find("digest-1") is None  # The miss is remembered: no query.
    assert len(lookups) == 1
    await asyncio.sleep(access.CACHE_SECONDS + 0.05)
    found = await store.find("digest-1")
    assert found is not None and found.partner_id == "p1" and found.sources == {"/p1"}
    assert store.cached("digest-1") and len(lookups) == 2
    assert await store.owners(["/p1", "/nobody"]) == {"/p1": "p1"}
