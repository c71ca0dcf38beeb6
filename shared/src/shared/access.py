"""Credentials every service honours, and the scopes a partner acts within.

Commitments issues credentials as events; each service keeps a ``credentials`` table
(commitments writes it with the events, the others consume the internal access topic,
:func:`honour`) and looks keys up by their SHA-256 digest through a cache that forgets
within ``CACHE_SECONDS``, so a revocation takes effect everywhere within a few seconds.
Unknown keys are remembered as long, so that the same wrong key asked again costs no
query; a key issued a moment ago works on a service at most that much later than it
would without the cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg

from shared import webhooks
from shared.cloudevents import ReceivedEvent
from shared.contracts import access as contract
from shared.database import Connection
from shared.events import EventData, EventRegistry
from shared.sealing import CannotOpen, Sealer

log = logging.getLogger(__name__)

CACHE_SECONDS: Final = 1.0

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS credentials (
    key_digest text PRIMARY KEY,
    key_id     text NOT NULL,
    partner_id text NOT NULL,
    retired    boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS credentials_partner_idx ON credentials (partner_id);
CREATE TABLE IF NOT EXISTS partners (
    partner_id text PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL,
    plans      jsonb NOT NULL DEFAULT '[]',
    parties    jsonb NOT NULL DEFAULT '[]',
    revoked    boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS webhook_secrets (
    partner_id text NOT NULL,
    secret_id  text NOT NULL,
    secret     text NOT NULL,
    removed    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (partner_id, secret_id)
);
"""


#: Run by the ``*_0002`` (sources) revisions, never to be edited once released. The
#: sources each partner may post CloudEvents with: a source belongs to one partner at
#: most. A partner with none was registered before sources belonged to partners and may
#: use any source no other partner holds.
SOURCES_SQL = """
CREATE TABLE IF NOT EXISTS partner_sources (
    source     text PRIMARY KEY,
    partner_id text NOT NULL
);
CREATE INDEX IF NOT EXISTS partner_sources_partner_idx ON partner_sources (partner_id);
"""


#: Run by the ``*_people`` revisions, never to be edited once released. People who
#: sign in to the dashboard; their names are unique as :func:`name_key` compares them,
#: as they sign in by name.
PEOPLE_SQL = """
CREATE TABLE IF NOT EXISTS people (
    person_id   text PRIMARY KEY,
    name        text NOT NULL,
    name_key    text NOT NULL UNIQUE,
    role        text NOT NULL,
    plans       jsonb NOT NULL DEFAULT '[]',
    parties     jsonb NOT NULL DEFAULT '[]',
    sealed_hash text,
    revoked     boolean NOT NULL DEFAULT false
);
"""


async def install_schema(conn: Connection) -> None:
    """The baseline SQL and what later revisions add, for scratch databases in tests
    and the bench; a service's database gets its schema from its migration chain."""
    await conn.execute(SCHEMA_SQL)
    await conn.execute(SOURCES_SQL)
    await conn.execute(PEOPLE_SQL)


#: Every credential event's type starts so (see :mod:`shared.contracts.access`).
EVENT_TYPE_PREFIX: Final = "org.pactstream.access."


Arguments = Callable[[Any], tuple[object, ...]]

#: Each credential event's statements on the credential tables, with their arguments.
_STATEMENTS: dict[type[EventData], list[tuple[str, Arguments]]] = {
    contract.PartnerRegistered: [
        (
            "INSERT INTO partners (partner_id, name, role, plans, parties) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (partner_id) DO NOTHING",
            lambda d: (d.partner_id, d.name, d.role, list(d.plans), list(d.parties)),
        ),
        (
            "INSERT INTO partner_sources (source, partner_id) "
            "SELECT unnest($1::text[]), $2 ON CONFLICT (source) DO NOTHING",
            lambda d: (list(d.sources), d.partner_id),
        ),
    ],
    contract.PartnerKeyIssued: [
        (
            "INSERT INTO credentials (key_digest, key_id, partner_id) VALUES ($1, $2, $3) "
            "ON CONFLICT (key_digest) DO NOTHING",
            lambda d: (d.key_digest, d.key_id, d.partner_id),
        )
    ],
    contract.PartnerKeyRetired: [
        (
            "UPDATE credentials SET retired = true WHERE partner_id = $1 AND key_id = $2",
            lambda d: (d.partner_id, d.key_id),
        )
    ],
    contract.PartnerRevoked: [
        ("UPDATE partners SET revoked = true WHERE partner_id = $1", lambda d: (d.partner_id,))
    ],
    # Sent again under a newer key when the keys rotate: the newer token wins.
    contract.WebhookSecretSealed: [
        (
            "INSERT INTO webhook_secrets (partner_id, secret_id, secret) VALUES ($1, $2, $3) "
            "ON CONFLICT (partner_id, secret_id) DO UPDATE SET secret = EXCLUDED.secret",
            lambda d: (d.partner_id, d.secret_id, d.sealed),
        )
    ],
    contract.WebhookSecretRemoved: [
        (
            "UPDATE webhook_secrets SET removed = true WHERE partner_id = $1 AND secret_id = $2",
            lambda d: (d.partner_id, d.secret_id),
        )
    ],
    contract.PersonInvited: [
        (
            # Any conflict: a name another holds is refused by commitments' unique
            # keys as its transaction commits.
            "INSERT INTO people (person_id, name, name_key, role, plans, parties) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            lambda d: (
                d.person_id,
                d.name,
                name_key(d.name),
                d.role,
                list(d.plans),
                list(d.parties),
            ),
        )
    ],
    contract.PersonPasswordSet: [
        (
            "UPDATE people SET sealed_hash = $2 WHERE person_id = $1",
            lambda d: (d.person_id, d.sealed_hash),
        )
    ],
    contract.PersonRevoked: [
        ("UPDATE people SET revoked = true WHERE person_id = $1", lambda d: (d.person_id,))
    ],
}


async def project(conn: Connection, data: EventData) -> bool:
    """Apply a credential event; False when ``data`` is not one (the plain webhook
    secret of older releases is never applied: it is published sealed)."""
    statements = _STATEMENTS.get(type(data))
    if statements is None:
        return False
    for sql, arguments in statements:
        await conn.execute(sql, *arguments(data))
    return True


async def honour(registry: EventRegistry, conn: Connection, event: ReceivedEvent) -> None:
    """The handler of a service's consumer of the access topic: apply each credential
    event ``registry`` knows to its tables; a type it does not know stays on the topic."""
    if event.type.startswith(EVENT_TYPE_PREFIX) and registry.knows(event.type):
        await project(conn, registry.decode(event.type, event.schema_version, event.data))


class OutOfScope(Exception):
    """A principal acting outside the plans or parties it may write for (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a principal may write. Empty sets mean no restriction of that kind."""

    plans: frozenset[str] = field(default_factory=frozenset)
    parties: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    def allows_plan(self, plan_id: str | None) -> bool:
        return not self.plans or (plan_id is not None and plan_id in self.plans)

    def allows_parties(self, names: set[str] | frozenset[str]) -> bool:
        return not self.parties or bool(self.parties & names)

    def check(self, plan_id: str | None, parties: set[str] | frozenset[str] | None = None) -> None:
        """Raise :class:`OutOfScope` unless the plan (and, if given, one of the
        parties) is within this scope."""
        if not self.allows_plan(plan_id):
            raise OutOfScope(f"plan {plan_id!r} is outside this credential's {self.describe()}")
        if parties is not None and not self.allows_parties(parties):
            raise OutOfScope(
                f"parties {', '.join(sorted(parties)) or '(none)'} are outside this "
                f"credential's {self.describe()}"
            )

    def describe(self) -> str:
        parts = []
        if self.plans:
            parts.append(f"plans {', '.join(sorted(self.plans))}")
        if self.parties:
            parts.append(f"parties {', '.join(sorted(self.parties))}")
        return " and ".join(parts) or "everything"


@dataclass(frozen=True, slots=True)
class Credential:
    partner_id: str
    name: str
    role: str
    scope: Scope
    webhook_secrets: tuple[str, ...] = ()
    #: Whether it has secrets in force, opened or not: its pushes must be signed.
    signs: bool = False
    #: The sources it may post with; empty for a partner registered before sources
    #: belonged to partners (see :meth:`CredentialStore.owners`).
    sources: frozenset[str] = frozenset()


class CredentialStore:
    """Looks a key digest up in the local ``credentials``/``partners`` tables."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        on_lookup: Callable[[], None] | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        self._pool = pool
        self._on_lookup = on_lookup
        self._sealer = sealer
        self._cache: dict[str, tuple[float, Credential]] = {}
        # Apart, so that a flood of made-up keys cannot push the valid ones out.
        self._missed: dict[str, float] = {}

    def cached(self, key_digest: str) -> bool:
        """Whether the key was found valid within ``CACHE_SECONDS``, without a query."""
        hit = self._cache.get(key_digest)
        return hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS

    async def find(self, key_digest: str) -> Credential | None:
        now = time.monotonic()
        hit = self._cache.get(key_digest)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        if now - self._missed.get(key_digest, -CACHE_SECONDS) < CACHE_SECONDS:
            return None
        if self._on_lookup is not None:
            self._on_lookup()
        row = await self._pool.fetchrow(
            """
            SELECT p.partner_id, p.name, p.role, p.plans, p.parties,
                   ARRAY(SELECT w.secret FROM webhook_secrets w
                         WHERE w.partner_id = p.partner_id AND NOT w.removed
                         ORDER BY w.secret_id) AS secrets,
                   ARRAY(SELECT s.source FROM partner_sources s
                         WHERE s.partner_id = p.partner_id) AS sources
            FROM credentials c JOIN partners p USING (partner_id)
            WHERE c.key_digest = $1 AND NOT c.retired AND NOT p.revoked
            """,
            key_digest,
        )
        if row is None:
            if len(self._missed) > 10_000:
                self._missed.clear()
            self._missed[key_digest] = now
            return None
        found = Credential(
            partner_id=row["partner_id"],
            name=row["name"],
            role=row["role"],
            scope=Scope(frozenset(row["plans"]), frozenset(row["parties"])),
            webhook_secrets=self._opened(row["secrets"]),
            signs=bool(row["secrets"]),
            sources=frozenset(row["sources"]),
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_digest] = (now, found)
        return found

    def _opened(self, tokens: Iterable[str]) -> tuple[str, ...]:
        """The plain secrets, kept in memory only; a token no key opens is left out
        and logged (pushes then fail to verify against it; with none opened, they are
        refused, never let through unsigned)."""
        opened = []
        for token in tokens:
            if is_plain(token):  # Stored before sealing, not sealed at rest yet.
                opened.append(token)
                continue
            if self._sealer is None:
                continue
            try:
                opened.append(self._sealer.open(token))
            except CannotOpen:
                log.error("a webhook secret is sealed under a key this service lacks")
        return tuple(opened)

    async def owners(self, sources: Iterable[str]) -> dict[str, str]:
        """The partner each of ``sources`` belongs to, for those that belong to one."""
        rows = await self._pool.fetch(
            "SELECT source, partner_id FROM partner_sources WHERE source = ANY($1::text[])",
            list(sources),
        )
        return {r["source"]: r["partner_id"] for r in rows}


def name_key(name: str) -> str:
    """A person's name as names are compared (unique, and signed in with): the one
    normalisation everywhere, in Python, whatever the database's collation."""
    return " ".join(name.split()).casefold()


def is_plain(stored: str) -> bool:
    """Whether a stored webhook secret is the plain text older releases kept."""
    return stored.startswith(webhooks.PREFIX)


def sealed_again(sealer: Sealer, stored: str) -> str:
    """A stored secret (sealed, or plain from an older release) sealed under the first
    key; :class:`CannotOpen` when no key opens it."""
    return sealer.seal(stored if is_plain(stored) else sealer.open(stored))


async def seal_at_rest(pool: asyncpg.Pool, sealer: Sealer) -> int:
    """Seal the plain secrets older releases stored, and seal again under the first
    key any token (webhook secret, password hash) an older key sealed: run at
    start-up, so a service keeps no plain secret and drops nothing it can open. How
    many rows changed."""
    changed = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT partner_id, secret_id, secret FROM webhook_secrets FOR UPDATE"
        )
        for row in rows:
            stored = row["secret"]
            if not is_plain(stored) and sealer.is_current(stored):
                continue
            try:
                sealed = sealed_again(sealer, stored)
            except CannotOpen:
                continue  # Its key is gone; a reseal from commitments replaces it.
            await conn.execute(
                "UPDATE webhook_secrets SET secret = $3 WHERE partner_id = $1 AND secret_id = $2",
                row["partner_id"],
                row["secret_id"],
                sealed,
            )
            changed += 1
        changed += await _reseal_people(conn, sealer)
    return changed


async def _reseal_people(conn: Connection, sealer: Sealer) -> int:
    changed = 0
    rows = await conn.fetch(
        "SELECT person_id, sealed_hash FROM people WHERE sealed_hash IS NOT NULL FOR UPDATE"
    )
    for row in rows:
        if sealer.is_current(row["sealed_hash"]):
            continue
        try:
            sealed = sealed_again(sealer, row["sealed_hash"])
        except CannotOpen:
            continue
        await conn.execute(
            "UPDATE people SET sealed_hash = $2 WHERE person_id = $1", row["person_id"], sealed
        )
        changed += 1
    return changed
