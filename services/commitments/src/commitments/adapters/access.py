"""Issues credentials: the partner's events and this service's own credentials table
change in one transaction, so a key works here the moment it is answered and stops the
moment its revocation is."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime

from commitments.domain import access as rules
from commitments.domain.access import Partner
from commitments.domain.errors import NotFound, RuleViolated
from shared import access, webhooks
from shared.contracts import registry
from shared.contracts.access import Role
from shared.events import EventData, EventMetadata, new_events
from shared.eventstore.postgres import PostgresEventStore
from shared.http.auth import key_digest

Clock = Callable[[], datetime]


def new_key() -> str:
    return "psk_" + secrets.token_urlsafe(32)


def new_key_id() -> str:
    return "key_" + secrets.token_hex(6)


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (text or "partner")[:48]


class AccessRegistry:
    def __init__(self, store: PostgresEventStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def _load(self, partner_id: str) -> tuple[Partner | None, int]:
        stored = await self._store.read_stream(f"partner-{partner_id}")
        state: Partner | None = None
        for e in stored:
            state = rules.evolve(state, registry.decode(e.type, e.schema_version, e.data))
        return state, len(stored)

    async def get(self, partner_id: str) -> Partner:
        state, _ = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        return state

    async def _commit(
        self, partner_id: str, version: int, events: list[EventData], meta: EventMetadata
    ) -> None:
        if not events:
            return
        async with self._store.transaction() as tx:
            await tx.append(
                f"partner-{partner_id}", version, new_events(events, self._clock(), meta)
            )
            for event in events:
                await access.project(tx.connection, event)

    async def register(
        self,
        partner_id: str | None,
        name: str,
        role: Role,
        plans: tuple[str, ...],
        parties: tuple[str, ...],
        meta: EventMetadata,
    ) -> tuple[Partner, str, str]:
        """The partner, its first key id and the key itself (shown once)."""
        chosen = partner_id or slug(name)
        if partner_id is None and (await self._load(chosen))[0] is not None:
            chosen = f"{chosen}-{secrets.token_hex(2)}"
        key, key_id = new_key(), new_key_id()
        events = rules.decide_register(
            (await self._load(chosen))[0],
            chosen,
            name,
            role,
            plans,
            parties,
            key_id,
            key_digest(key),
        )
        await self._commit(chosen, 0, events, meta)
        return await self.get(chosen), key_id, key

    async def issue_key(self, partner_id: str, meta: EventMetadata) -> tuple[str, str]:
        state, version = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        key, key_id = new_key(), new_key_id()
        await self._commit(
            partner_id, version, rules.decide_issue_key(state, key_id, key_digest(key)), meta
        )
        return key_id, key

    async def retire_key(self, partner_id: str, key_id: str, meta: EventMetadata) -> None:
        state, version = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        await self._commit(partner_id, version, rules.decide_retire_key(state, key_id), meta)

    async def add_secret(
        self, partner_id: str, secret: str | None, meta: EventMetadata
    ) -> tuple[str, str]:
        """A webhook secret (generated when none is given): its id and the secret."""
        state, version = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        chosen = secret or webhooks.new_secret()
        try:
            webhooks.check_secret(chosen)
        except ValueError as exc:
            raise RuleViolated(str(exc), "/secret") from None
        secret_id = "whs_" + secrets.token_hex(6)
        await self._commit(
            partner_id, version, rules.decide_add_secret(state, secret_id, chosen), meta
        )
        return secret_id, chosen

    async def remove_secret(self, partner_id: str, secret_id: str, meta: EventMetadata) -> None:
        state, version = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        await self._commit(partner_id, version, rules.decide_remove_secret(state, secret_id), meta)

    async def revoke(self, partner_id: str, meta: EventMetadata) -> None:
        state, version = await self._load(partner_id)
        if state is None:
            raise NotFound("partner", partner_id)
        await self._commit(partner_id, version, rules.decide_revoke(state), meta)
