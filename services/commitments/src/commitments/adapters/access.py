"""Issues credentials: the partner's events and this service's own credentials table
change in one transaction, so a key works here the moment it is answered and stops the
moment its revocation is: the events go through the one aggregate handler, and their
projection into the credentials table joins the same unit of work."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime

import asyncpg

from commitments.adapters.credentials import CredentialWrites
from commitments.domain import access as rules
from commitments.domain.access import Partner
from commitments.domain.errors import NotFound, RuleViolated, SourceTaken
from shared import access, webhooks
from shared.aggregate import Aggregate
from shared.contracts.access import Role
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import UniqueKeyTaken
from shared.eventstore.postgres import PostgresEventStore
from shared.http.auth import key_digest
from shared.sealing import CannotOpen, Sealer
from shared.unitofwork import RETRY, RetryPolicy
from shared.unitofwork.postgres import PostgresUnitsOfWork

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def new_key() -> str:
    return "psk_" + secrets.token_urlsafe(32)


def new_key_id() -> str:
    return "key_" + secrets.token_hex(6)


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (text or "partner")[:48]


PARTNER = Aggregate(
    "partner", rules.DECIDER, lambda i: f"partner-{i}", lambda i: NotFound("partner", i)
)


class AccessRegistry:
    def __init__(
        self,
        store: PostgresEventStore,
        registry: EventRegistry,
        clock: Clock,
        *,
        pool: asyncpg.Pool,
        sealer: Sealer,
        units: PostgresUnitsOfWork | None = None,
        policy: RetryPolicy = RETRY,
    ) -> None:
        self._store = store
        self._registry = registry
        self._pool = pool
        self._sealer = sealer
        units = units if units is not None else PostgresUnitsOfWork(store)
        self._writes = CredentialWrites(PARTNER, registry, units, policy, clock)

    async def get(self, partner_id: str) -> Partner:
        found = (await PARTNER.load(self._store, self._registry, partner_id)).value
        assert found is not None
        return found

    async def _change(
        self, partner_id: str, command: rules.Command, meta: EventMetadata, *, new: bool = False
    ) -> Partner:
        held = getattr(command, "sources", ())
        keys = [(rules.SOURCE_KEY, source) for source in held]
        try:
            return await self._writes.change(partner_id, command, meta, new=new, unique_keys=keys)
        except UniqueKeyTaken as taken:
            raise SourceTaken(taken.key, taken.owner.removeprefix("partner-")) from None

    async def register(
        self,
        partner_id: str | None,
        name: str,
        role: Role,
        plans: tuple[str, ...],
        parties: tuple[str, ...],
        meta: EventMetadata,
        sources: tuple[str, ...] = (),
    ) -> tuple[Partner, str, str]:
        """The partner, its first key id and the key itself (shown once)."""
        chosen = partner_id or slug(name)
        if partner_id is None and await self._store.stream_version(f"partner-{chosen}") > 0:
            chosen = f"{chosen}-{secrets.token_hex(2)}"
        key, key_id = new_key(), new_key_id()
        command = rules.RegisterPartner(
            chosen, name, role, plans, parties, key_id, key_digest(key), sources
        )
        partner = await self._change(chosen, command, meta, new=True)
        return partner, key_id, key

    async def issue_key(self, partner_id: str, meta: EventMetadata) -> tuple[str, str]:
        key, key_id = new_key(), new_key_id()
        await self._change(partner_id, rules.IssueKey(key_id, key_digest(key)), meta)
        return key_id, key

    async def retire_key(self, partner_id: str, key_id: str, meta: EventMetadata) -> None:
        await self._change(partner_id, rules.RetireKey(key_id), meta)

    async def add_secret(
        self, partner_id: str, secret: str | None, meta: EventMetadata
    ) -> tuple[str, str]:
        """A webhook secret (generated when none is given): its id and the secret."""
        await self.get(partner_id)
        chosen = secret or webhooks.new_secret()
        try:
            webhooks.check_secret(chosen)
        except ValueError as exc:
            raise RuleViolated(str(exc), "/secret") from None
        secret_id = "whs_" + secrets.token_hex(6)
        sealed = self._sealer.seal(chosen)
        await self._change(partner_id, rules.AddSecret(secret_id, sealed), meta)
        return secret_id, chosen

    async def reseal(self, meta: EventMetadata) -> tuple[int, int]:
        """Seal every secret in force again under the first sealing key and send the
        new tokens to every service (the step of a key rotation before the old key is
        dropped): how many, and how many no key opens (left as they are, logged).
        Commitments opens them from its own table."""
        rows = await self._pool.fetch(
            "SELECT w.partner_id, w.secret_id, w.secret FROM webhook_secrets w "
            "JOIN partners p USING (partner_id) WHERE NOT w.removed AND NOT p.revoked "
            "ORDER BY w.partner_id, w.secret_id"
        )
        by_partner: dict[str, list[tuple[str, str]]] = {}
        unopenable = 0
        for row in rows:
            try:
                sealed = access.sealed_again(self._sealer, row["secret"])
            except CannotOpen:
                log.error("webhook secret %s: no sealing key opens it", row["secret_id"])
                unopenable += 1
                continue
            by_partner.setdefault(row["partner_id"], []).append((row["secret_id"], sealed))
        for partner_id, tokens in by_partner.items():
            await self._change(partner_id, rules.ResealSecrets(tuple(tokens)), meta)
        return sum(len(tokens) for tokens in by_partner.values()), unopenable

    async def remove_secret(self, partner_id: str, secret_id: str, meta: EventMetadata) -> None:
        await self._change(partner_id, rules.RemoveSecret(secret_id), meta)

    async def revoke(self, partner_id: str, meta: EventMetadata) -> None:
        await self._change(partner_id, rules.Revoke(), meta)
