"""A service's credential lookups against the tables it projects (real PostgreSQL)."""

from __future__ import annotations

import asyncpg

from shared import access
from shared.contracts.access import PartnerKeyIssued, PartnerRegistered


async def test_a_key_projected_after_a_refusal_is_accepted_at_once(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await access.install_schema(conn)
    store = access.CredentialStore(pool)

    assert await store.find("digest-1") is None  # Its registration is not projected yet.
    async with pool.acquire() as conn:
        await access.project(conn, PartnerRegistered(partner_id="p1", name="P", role="reader"))
        await access.project(
            conn, PartnerKeyIssued(partner_id="p1", key_id="k1", key_digest="digest-1")
        )

    found = await store.find("digest-1")  # Well within CACHE_SECONDS of the refusal.
    assert found is not None and found.partner_id == "p1" and found.role == "reader"
