"""Bearer-key authentication.

Keys are compared by their SHA-256 digests in constant time; the clear key is never
kept beyond the request. The operator key comes from settings; scoped partner
credentials build on :class:`Principal`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Request

from shared.http.problems import Problem

Role = Literal["operator", "partner", "reader"]


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    role: Role
    plans: frozenset[str] = field(default_factory=frozenset)
    parties: frozenset[str] = field(default_factory=frozenset)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Problem(403, "forbidden", f"role {self.role!r} may not do this")


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class KeyAuthenticator:
    """Resolves a bearer key to a :class:`Principal`; only the operator key for now."""

    def __init__(self, operator_key: str) -> None:
        self._operator_digest = key_digest(operator_key)

    def authenticate(self, key: str | None) -> Principal:
        if key is None:
            raise Problem(
                401,
                "unauthenticated",
                "an Authorization: Bearer <key> header is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if hmac.compare_digest(key_digest(key), self._operator_digest):
            return Principal(id="operator", role="operator")
        raise Problem(
            401, "unauthenticated", "the key is not valid", headers={"WWW-Authenticate": "Bearer"}
        )
