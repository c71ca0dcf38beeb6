"""Bearer-key authentication and role checks.

Keys are compared by their SHA-256 digests: the operator key from settings in
constant time, partner keys through the :class:`shared.access.CredentialStore`. The
clear key is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Request

from shared.access import CredentialStore, Scope
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


UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


class KeyAuthenticator:
    def __init__(self, operator_key: str, store: CredentialStore | None = None) -> None:
        self._operator_digest = key_digest(operator_key)
        self._store = store

    def is_operator(self, key: str) -> bool:
        return hmac.compare_digest(key_digest(key), self._operator_digest)

    def attach(self, store: CredentialStore) -> None:
        """Called once the database pool exists."""
        self._store = store

    async def authenticate(self, key: str | None) -> Principal:
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
        found = None if self._store is None else await self._store.find(digest)
        if found is None:
            raise Problem(
                401,
                "unauthenticated",
                "the key is not valid (unknown, retired or revoked)",
                headers=UNAUTHENTICATED,
            )
        role: Role = found.role  # type: ignore[assignment]
        return Principal(
            id=found.partner_id,
            role=role,
            name=found.name,
            scope=found.scope,
            webhook_secrets=found.webhook_secrets,
        )
