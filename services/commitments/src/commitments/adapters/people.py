"""Invites people to the dashboard and sets their passwords: the person's events and
this service's ``people`` table change together (:class:`CredentialWrites`); reporting
learns them from the access topic and signs people in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

from commitments.adapters.access import slug
from commitments.adapters.credentials import CredentialWrites
from commitments.domain import people as rules
from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from commitments.domain.people import Person
from shared import access, passwords
from shared.aggregate import Aggregate
from shared.contracts.access import Role
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import UniqueKeyTaken
from shared.eventstore.postgres import PostgresEventStore
from shared.http.auth import key_digest
from shared.sealing import CannotOpen, Sealer
from shared.unitofwork import RETRY
from shared.unitofwork.postgres import PostgresUnitsOfWork

PERSON = Aggregate(
    "person", rules.DECIDER, lambda i: f"person-{i}", lambda i: NotFound("person", i)
)


#: How long an invitation may set a password.
INVITATION_LIFETIME = timedelta(days=7)


class PeopleRegistry:
    def __init__(
        self,
        store: PostgresEventStore,
        registry: EventRegistry,
        clock: Callable[[], datetime],
        *,
        pool: asyncpg.Pool,
        sealer: Sealer,
        units: PostgresUnitsOfWork | None = None,
    ) -> None:
        self._store = store
        self._registry = registry
        self._pool = pool
        self._clock = clock
        self._sealer = sealer
        units = units if units is not None else PostgresUnitsOfWork(store)
        self._writes = CredentialWrites(PERSON, registry, units, RETRY, clock)

    async def get(self, person_id: str) -> Person:
        found = (await PERSON.load(self._store, self._registry, person_id)).value
        assert found is not None
        return found

    async def invite(
        self,
        name: str,
        role: Role,
        plans: tuple[str, ...],
        parties: tuple[str, ...],
        meta: EventMetadata,
    ) -> tuple[Person, str]:
        """The person and their invitation token (shown once, in the link)."""
        person_id = slug(name)
        if await self._store.stream_version(PERSON.stream(person_id)) > 0:
            person_id = f"{person_id}-{secrets.token_hex(2)}"
        token = secrets.token_urlsafe(32)
        expires = self._clock() + INVITATION_LIFETIME
        command = rules.InvitePerson(
            person_id, name, role, plans, parties, key_digest(token), expires
        )
        try:
            person = await self._writes.change(
                person_id,
                command,
                meta,
                new=True,
                unique_keys=[(rules.NAME_KEY, access.name_key(name))],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("person", name, field="name") from None
        return person, token

    async def invitation(self, person_id: str, token: str) -> Person:
        """The person an invitation is for; :class:`NotFound` if it is not one."""
        found = (await PERSON.load(self._store, self._registry, person_id, required=False)).value
        if found is None or found.revoked or found.invitation_digest != key_digest(token):
            raise NotFound("invitation", "")
        return found

    async def set_password(self, person_id: str, token: str, password: str) -> Person:
        problem = passwords.problem_with(password)
        if problem is not None:
            raise RuleViolated(problem, "/password")
        sealed = self._sealer.seal(await passwords.hashed(password))
        meta = EventMetadata(partner=f"person:{person_id}")
        command = rules.SetPassword(key_digest(token), sealed, self._clock())
        return await self._writes.change(person_id, command, meta)

    async def reseal(self, meta: EventMetadata) -> tuple[int, int]:
        """Every password hash in force sealed again under the first sealing key, in
        new events (a step of a key rotation): how many, and how many no key opens."""
        rows = await self._pool.fetch(
            "SELECT person_id, sealed_hash FROM people "
            "WHERE sealed_hash IS NOT NULL AND NOT revoked ORDER BY person_id"
        )
        resealed = unopenable = 0
        for row in rows:
            try:
                sealed = access.sealed_again(self._sealer, row["sealed_hash"])
            except CannotOpen:
                unopenable += 1
                continue
            await self._writes.change(row["person_id"], rules.ResealPassword(sealed), meta)
            resealed += 1
        return resealed, unopenable

    async def revoke(self, person_id: str, meta: EventMetadata) -> None:
        await self._writes.change(person_id, rules.RevokePerson(), meta)
