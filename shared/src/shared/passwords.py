"""People's passwords: hashed with Argon2id (``argon2-cffi``, memory-hard: 64 MiB and
three passes each, the library's RFC 9106 profile), never stored or sent in plain text,
and checked off the event loop (a check takes tens of milliseconds by design)."""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
_HASHER = PasswordHasher()
#: Hashes computed at once, at most: each takes 64 MiB while it runs.
_AT_ONCE = asyncio.Semaphore(2)


def problem_with(password: str) -> str | None:
    """Why a new password is refused, or ``None``."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if not password.strip():
        return "a password is not only spaces"
    return None


async def hashed(password: str) -> str:
    async with _AT_ONCE:
        return await asyncio.to_thread(_HASHER.hash, password)


async def matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed; without a hash (an unknown name), it is
    checked against a decoy all the same, so that both cost alike."""

    def check() -> bool:
        try:
            return _HASHER.verify(password_hash or decoy(), password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    async with _AT_ONCE:
        return await asyncio.to_thread(check)


@functools.cache
def decoy() -> str:
    """A hash to check against when the name is unknown, so that a wrong name costs as
    long as a wrong password (no timing oracle of who exists); made once, off the
    event loop (in :func:`matches`' thread)."""
    return _HASHER.hash("a password nobody has, for unknown names")
