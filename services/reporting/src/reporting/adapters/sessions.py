"""Dashboard sessions, kept server-side: a person signs in by name and password (or an
operator or machine with an API key), and the browser holds only a random token whose
digest keys a row here. Every request checks the row and the credential behind it, so
ending a session, revoking a person, or retiring a key signs the browser out at once
(once reporting has the revocation from the access topic).

Also what both the API and the pages ask: who is calling (:meth:`Sessions.principal`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from shared import passwords
from shared.access import Scope, name_key
from shared.http.auth import KeyAuthenticator, Principal, Role, key_digest
from shared.sealing import CannotOpen, Sealer

#: Run by ``reporting_0004``: never edit it; a change is a new revision.
SESSIONS_SQL = """
CREATE TABLE IF NOT EXISTS sessions (
    token_digest text PRIMARY KEY,
    person_id    text,
    key_digest   text,
    csrf         text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    CHECK ((person_id IS NULL) <> (key_digest IS NULL))
);
CREATE INDEX IF NOT EXISTS sessions_person_idx ON sessions (person_id);
CREATE INDEX IF NOT EXISTS sessions_expires_idx ON sessions (expires_at);
"""

#: The browser's cookie: the session token, HttpOnly, SameSite=Lax, Secure over HTTPS.
COOKIE = "pactstream_session"
LIFETIME = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class Session:
    principal: Principal
    csrf: str


@dataclass(frozen=True, slots=True)
class Started:
    token: str
    csrf: str
    max_age: int


class Sessions:
    def __init__(
        self,
        pool: asyncpg.Pool,
        authenticator: KeyAuthenticator,
        sealer: Sealer,
        clock: Callable[[], datetime],
    ) -> None:
        self._pool = pool
        self._auth = authenticator
        self._sealer = sealer
        self._clock = clock

    async def person(self, name: str, password: str) -> str | None:
        """The id of the person of that name and password, if any: a wrong name costs
        as long as a wrong password."""
        row = await self._pool.fetchrow(
            "SELECT person_id, sealed_hash FROM people "
            "WHERE name_key = $1 AND NOT revoked AND sealed_hash IS NOT NULL",
            name_key(name),
        )
        stored = None
        if row is not None:
            try:
                stored = self._sealer.open(row["sealed_hash"])
            except CannotOpen:
                row = None
        matched = await passwords.matches(stored, password)
        return row["person_id"] if row is not None and matched else None

    async def start(self, *, person_id: str | None = None, key: str | None = None) -> Started:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = self._clock()
        await self._pool.execute(
            "INSERT INTO sessions (token_digest, person_id, key_digest, csrf, created_at, "
            "expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            key_digest(token),
            person_id,
            None if key is None else key_digest(key),
            csrf,
            now,
            now + LIFETIME,
        )
        await self._forget_expired(now)
        return Started(token, csrf, int(LIFETIME.total_seconds()))

    async def find(self, token: str) -> Session | None:
        """The live session of a token: not ended, not expired, its person not revoked
        (or its key still valid)."""
        row = await self._pool.fetchrow(
            """
            SELECT s.csrf, s.key_digest, p.person_id, p.name, p.role, p.plans, p.parties
            FROM sessions s LEFT JOIN people p ON p.person_id = s.person_id AND NOT p.revoked
            WHERE s.token_digest = $1 AND s.ended_at IS NULL AND s.expires_at > $2
            """,
            key_digest(token),
            self._clock(),
        )
        if row is None:
            return None
        if row["key_digest"] is not None:
            principal = await self._auth.by_digest(row["key_digest"])
            return None if principal is None else Session(principal, row["csrf"])
        if row["person_id"] is None:
            return None  # The person was revoked.
        role: Role = row["role"]
        scope = Scope(frozenset(row["plans"]), frozenset(row["parties"]))
        principal = Principal(id=row["person_id"], role=role, name=row["name"], scope=scope)
        return Session(principal, row["csrf"])

    async def caller(
        self, key: str | None, token: str | None, client: str | None
    ) -> Session | None:
        """Who is calling: a bearer key (machines; 401 or 429 as a Problem when it is
        not valid) or else a session token (people), or nobody."""
        if key is not None:
            return Session(await self._auth.authenticate(key, client), "")
        return None if not token else await self.find(token)

    async def end(self, token: str) -> None:
        await self._pool.execute(
            "UPDATE sessions SET ended_at = $2 WHERE token_digest = $1 AND ended_at IS NULL",
            key_digest(token),
            self._clock(),
        )

    async def _forget_expired(self, now: datetime) -> None:
        """Sessions a day past their end go, a bounded batch at each sign-in."""
        await self._pool.execute(
            "DELETE FROM sessions WHERE token_digest IN (SELECT token_digest FROM sessions "
            "WHERE expires_at < $1 LIMIT 100)",
            now - timedelta(days=1),
        )
