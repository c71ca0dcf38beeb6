"""Bearer-key authentication and role checks.

Keys are compared by their SHA-256 digests: the operator key from settings in
constant time, partner keys through the :class:`shared.access.CredentialStore`. The
clear key is never stored.

Failing is cheap and limited: the store remembers unknown keys briefly, and each
client address has a budget of failures (:class:`FailureLimit`); once it is spent,
the client gets 429 with ``Retry-After`` before its key is even looked up, so a flood
of made-up tokens costs PostgreSQL a few lookups, not one each.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from fastapi import Request

from shared.access import Credential, Scope
from shared.http.problems import Problem

Role = Literal["operator", "partner", "reader"]


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    role: Role
    name: str = ""
    scope: Scope = field(default_factory=Scope.everything)
    webhook_secrets: tuple[str, ...] = ()
    #: Its pushes must be signed (it has secrets in force, even ones not opened here).
    signs: bool = False
    sources: frozenset[str] = frozenset()

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Problem(403, "forbidden", f"role {self.role!r} may not do this")

    @property
    def write_scope(self) -> Scope:
        """Operators write everywhere; partners within their scope."""
        return Scope.everything() if self.role == "operator" else self.scope


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def client_address(request: Request) -> str | None:
    """The caller's address as the server sees it (behind a proxy, uvicorn's
    ``--forwarded-allow-ips`` makes it the client's rather than the proxy's)."""
    return request.client.host if request.client is not None else None


UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


class Credentials(Protocol):
    """What authentication asks of the credential store (:class:`shared.access.CredentialStore`)."""

    def cached(self, key_digest: str) -> bool: ...

    async def find(self, key_digest: str) -> Credential | None: ...

    async def owners(self, sources: Iterable[str]) -> dict[str, str]: ...


def _principal(found: Credential) -> Principal:
    role: Role = found.role  # type: ignore[assignment]
    return Principal(
        id=found.partner_id,
        role=role,
        name=found.name,
        scope=found.scope,
        webhook_secrets=found.webhook_secrets,
        signs=found.signs,
        sources=found.sources,
    )


def _network(client: str | None) -> str | None:
    """Whom a failure is charged to: an IPv4 address, or an IPv6 one's /64 (a host
    usually holds a whole /64, and would otherwise get a budget per address)."""
    if client is None or ":" not in client:
        return client
    try:
        return str(ipaddress.ip_network(f"{client}/64", strict=False))
    except ValueError:
        return client


class FailureLimit:
    """A token bucket of failed authentications per client address, in this process:
    ``burst`` failures, refilled at ``per_second``; ``per_second`` 0 turns it off."""

    #: Addresses remembered at most; beyond it the oldest half is forgotten.
    MAX_CLIENTS = 50_000

    def __init__(
        self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = float(burst)
        self._rate = per_second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # tokens, when

    def _tokens(self, client: str) -> float:
        tokens, then = self._buckets.get(client, (self._burst, self._clock()))
        return min(self._burst, tokens + (self._clock() - then) * self._rate)

    def check(self, client: str | None) -> None:
        """Raise 429 when ``client`` has no failure left to spend."""
        client = _network(client)
        if self._rate <= 0 or client is None or client not in self._buckets:
            return
        tokens = self._tokens(client)
        if tokens < 1:
            wait = math.ceil((1 - tokens) / self._rate)
            raise Problem(
                429,
                "too-many-failures",
                f"too many failed authentications from this address; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    def failed(self, client: str | None) -> None:
        client = _network(client)
        if self._rate <= 0 or client is None:
            return
        if len(self._buckets) >= self.MAX_CLIENTS:
            for old in list(self._buckets)[: self.MAX_CLIENTS // 2]:
                del self._buckets[old]
        self._buckets[client] = (self._tokens(client) - 1, self._clock())


class KeyAuthenticator:
    def __init__(
        self,
        operator_key: str,
        store: Credentials | None = None,
        failures: FailureLimit | None = None,
    ) -> None:
        self._operator_digest = key_digest(operator_key)
        self._store = store
        self._failures = failures or FailureLimit(0, 0)

    def is_operator(self, key: str) -> bool:
        return hmac.compare_digest(key_digest(key), self._operator_digest)

    def attach(self, store: Credentials) -> None:
        """Called once the database pool exists."""
        self._store = store

    def knows(self, key: str) -> bool:
        """Whether ``key`` was found valid a moment ago (no lookup): the rate limit
        gives such keys a bucket of their own, and charges any other to its address."""
        return self._store is not None and self._store.cached(key_digest(key))

    async def by_digest(self, digest: str) -> Principal | None:
        """The principal of a key known by its digest (a dashboard session's), if the
        key is still valid."""
        if hmac.compare_digest(digest, self._operator_digest):
            return Principal(id="operator", role="operator", name="operator")
        found = None if self._store is None else await self._store.find(digest)
        return None if found is None else _principal(found)

    def check_failures(self, client: str | None) -> None:
        """429 when ``client`` has failed too often (a password, say)."""
        self._failures.check(client)

    def failed(self, client: str | None) -> None:
        """Charge a failed sign-in to ``client``."""
        self._failures.failed(client)

    async def authenticate(self, key: str | None, client: str | None = None) -> Principal:
        """The principal of ``key``; ``client`` (the caller's address) is charged
        when the key is not valid, and refused 429 once it has failed too often."""
        if key is None:
            raise Problem(
                401,
                "unauthenticated",
                "an Authorization: Bearer <key> header is required",
                headers=UNAUTHENTICATED,
            )
        digest = key_digest(key)
        if hmac.compare_digest(digest, self._operator_digest):
            return Principal(id="operator", role="operator", name="operator")
        if self._store is None or not self._store.cached(digest):
            self._failures.check(client)
        found = None if self._store is None else await self._store.find(digest)
        if found is None:
            self._failures.failed(client)
            raise Problem(
                401,
                "unauthenticated",
                "the key is not valid (unknown, retired or revoked)",
                headers=UNAUTHENTICATED,
            )
        return _principal(found)

    async def foreign_sources(
        self, principal: Principal, sources: Collection[str]
    ) -> dict[str, str]:
        """The ``sources`` that ``principal`` may not post CloudEvents with, each with
        the reason. Operators may use any; a partner its own; a partner registered
        before sources belonged to partners (it has none) any that no other holds."""
        if principal.role == "operator":
            return {}
        if principal.sources:
            own = ", ".join(sorted(principal.sources))
            return {
                s: f"source {s!r} is not one of this credential's sources ({own})"
                for s in sources
                if s not in principal.sources
            }
        owners = {} if self._store is None else await self._store.owners(sources)
        return {
            s: f"source {s!r} belongs to another partner"
            for s, owner in owners.items()
            if owner != principal.id
        }
