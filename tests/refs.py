"""Random references so that tests never collide, in one database or one topic."""

from __future__ import annotations

import secrets


def random_ref(prefix: str = "t") -> str:
    return f"{prefix}{secrets.token_hex(5)}"
