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


async def test_secrets_are_sealed_at_rest_and_opened_only_in_memory(pool: asyncpg.Pool) -> None:
    """Plain secrets an older release stored are sealed at start-up; tokens under an
    older key are sealed again under the first; lookups give the plain secrets."""
    from shared.contracts.access import WebhookSecretSealed
    from shared.sealing import Sealer, new_key

    old, new = new_key(), new_key()
    async with pool.acquire() as conn:
        await access.install_schema(conn)
        await access.project(conn, PartnerRegistered(partner_id="p", name="P", role="partner"))
        await access.project(conn, PartnerKeyIssued(partner_id="p", key_id="k", key_digest="d"))
        await conn.execute(
            "INSERT INTO webhook_secrets (partner_id, secret_id, secret) "
            "VALUES ('p', 'plain', 'whsec_b2xkLXBsYWluLXNlY3JldC1zdG9yZWQ=')"
        )
        await access.project(
            conn,
            WebhookSecretSealed(
                partner_id="p", secret_id="old", sealed=Sealer([old]).seal("whsec_o")
            ),
        )
    sealer = Sealer([new, old])
    assert await access.seal_at_rest(pool, sealer) == 2
    assert await access.seal_at_rest(pool, sealer) == 0
    async with pool.acquire() as conn:
        stored = [r["secret"] for r in await conn.fetch("SELECT secret FROM webhook_secrets")]
    assert all(sealer.is_current(token) and "whsec_" not in token for token in stored)
    found = await access.CredentialStore(pool, sealer=Sealer([new])).find("d")
    assert found is not None
    assert sorted(found.webhook_secrets) == ["whsec_b2xkLXBsYWluLXNlY3JldC1zdG9yZWQ=", "whsec_o"]


async def test_a_partner_whose_secrets_cannot_be_opened_still_must_sign(
    pool: asyncpg.Pool,
) -> None:
    """Fail closed: secrets sealed under a key this service lacks are not opened, but
    the partner still counts as signing, so its unsigned pushes are not let through."""
    from shared.contracts.access import WebhookSecretSealed
    from shared.sealing import Sealer, new_key

    async with pool.acquire() as conn:
        await access.install_schema(conn)
        await access.project(conn, PartnerRegistered(partner_id="q", name="Q", role="partner"))
        await access.project(conn, PartnerKeyIssued(partner_id="q", key_id="k", key_digest="dq"))
        sealed = Sealer([new_key()]).seal("whsec_q")
        await access.project(
            conn, WebhookSecretSealed(partner_id="q", secret_id="s", sealed=sealed)
        )
    found = await access.CredentialStore(pool, sealer=Sealer([new_key()])).find("dq")
    assert found is not None and found.signs and found.webhook_secrets == ()
