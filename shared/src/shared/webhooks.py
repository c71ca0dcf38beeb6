"""Standard Webhooks signatures (https://www.standardwebhooks.com/) on partner pushes.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, signed with
HMAC-SHA256 under the base64 key after the ``whsec_`` prefix. ``webhook-signature``
holds space-separated ``v1,<base64>`` signatures: any one matching any of the
partner's secrets passes, so secrets can be rotated without a gap. Timestamps more
than ``TOLERANCE_SECONDS`` away from now are refused (replays).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as random
from collections.abc import Mapping, Sequence
from typing import Final

TOLERANCE_SECONDS: Final = 300
PREFIX: Final = "whsec_"


class InvalidSignature(ValueError):
    """A push whose signature headers are missing, stale or do not match."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(random.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is whsec_ followed by base64") from None


def check_secret(secret: str) -> str:
    if not secret.startswith(PREFIX) or len(_key(secret)) < 24:
        raise ValueError("a webhook secret is whsec_ followed by at least 24 base64 bytes")
    return secret


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secrets: Sequence[str], headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Raise :class:`InvalidSignature` unless one signature matches one secret."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not stamp or not signatures:
        raise InvalidSignature(
            "this partner signs its pushes: webhook-id, webhook-timestamp and "
            "webhook-signature are required"
        )
    try:
        timestamp = int(stamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp must be Unix seconds") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature(
            f"webhook-timestamp is more than {TOLERANCE_SECONDS} s away from now"
        )
    given = [s for s in signatures.split() if s.startswith("v1,")]
    for secret in secrets:
        expected = sign(secret, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected, g) for g in given):
            return
    raise InvalidSignature("no webhook-signature matches this partner's secrets")
