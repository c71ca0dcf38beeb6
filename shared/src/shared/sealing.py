"""Secrets sealed at rest and in transit: webhook signing secrets are kept, stored and
sent between services only as Fernet tokens (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package), under keys every service reads from its settings.

Several keys make rotation possible: the first seals, every one opens. To rotate, put
a new key first on every service (``PACTSTREAM_SECRETS_KEYS="new,old"``), run
``./pactstream access reseal`` (each secret in force is sealed again under the new key
and the new token sent to every service), then drop the old key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

#: The development key, so that a fresh checkout runs; refused in production.
DEVELOPMENT_KEY = "cGFjdHN0cmVhbS1kZXZlbG9wbWVudC1zZWFsLWtleSE="


class CannotOpen(ValueError):
    """A token none of the keys opens: sealed under a key since dropped, or not a token."""


def new_key() -> str:
    """A fresh key for ``PACTSTREAM_SECRETS_KEYS``."""
    return Fernet.generate_key().decode()


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one sealing key is needed")
        try:
            self._keys = [Fernet(k.strip().encode()) for k in keys]
        except ValueError:
            raise ValueError(
                "a sealing key is 32 url-safe base64-encoded bytes (./pactstream secrets-key)"
            ) from None
        self._all = MultiFernet(self._keys)

    @classmethod
    def from_setting(cls, value: str) -> Sealer:
        """From the comma-separated keys of ``PACTSTREAM_SECRETS_KEYS``, newest first."""
        return cls([k for k in value.split(",") if k.strip()])

    def seal(self, plain: str) -> str:
        return self._all.encrypt(plain.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode()).decode()
        except InvalidToken:
            raise CannotOpen("no sealing key opens this token") from None

    def is_current(self, token: str) -> bool:
        """Whether the first (sealing) key opens ``token``: nothing to reseal."""
        try:
            self._keys[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True
