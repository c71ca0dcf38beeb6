"""The per-credential rate limit, a plain ASGI middleware like those of
``shared.http.asgi``, and the fields that tell a client where it stands."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Final

from shared.http.asgi import (
    OPERATIONAL,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    header,
    send_problem,
)
from shared.http.problems import Problem

#: The policy's name in ``RateLimit-Policy`` and ``RateLimit`` (a structured-field String).
RATE_POLICY: Final = "per-credential"


def rate_limit_fields(burst: int, rate: float, tokens: float) -> list[tuple[bytes, bytes]]:
    """``RateLimit-Policy`` and ``RateLimit`` as draft-ietf-httpapi-ratelimit-headers
    (revisions 08 to 11) writes them: structured-field lists of one item, the policy's
    name with its parameters. The token bucket reads as a quota of ``burst`` requests
    (``q``) a window of the seconds it takes to refill (``w``); ``r`` is what is left,
    ``t`` the seconds until the whole quota is back."""
    window = max(1, math.ceil(burst / rate))
    remaining = max(0, int(tokens))
    reset = max(0, math.ceil((burst - tokens) / rate))
    return [
        (b"ratelimit-policy", f'"{RATE_POLICY}";q={burst};w={window}'.encode()),
        (b"ratelimit", f'"{RATE_POLICY}";r={remaining};t={reset}'.encode()),
    ]


class RateLimit:
    """A token bucket per credential (per client address for a key not known valid), in this
    process: ``rate`` requests a second on average, bursts up to ``burst``. Operators
    are not limited; with several replicas each applies its own limit. Every limited
    answer carries the rate-limit fields; a refusal is 429 with ``Retry-After``, the
    seconds until one more request passes."""

    def __init__(
        self,
        app: ASGIApp,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.buckets: dict[str, list[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.rate <= 0 or scope.get("path") in OPERATIONAL:
            await self.app(scope, receive, send)
            return
        from shared.http.auth import key_digest

        key = (header(scope, b"authorization") or "").partition(" ")[2].strip()
        auth = getattr(scope["app"].state, "authenticator", None) if "app" in scope else None
        if key and auth is not None and auth.is_operator(key):
            await self.app(scope, receive, send)
            return
        # A key found valid a moment ago has a bucket of its own; any other (absent,
        # made up, not looked up yet) is charged to the address, so that random tokens
        # do not each get a fresh bucket.
        client = scope.get("client") or ("?", 0)
        known = key and auth is not None and auth.knows(key)
        passed, tokens = self._take(key_digest(key) if known else f"ip:{client[0]}")
        fields = rate_limit_fields(self.burst, self.rate, tokens)
        if not passed:
            wait = max(1, math.ceil((1 - tokens) / self.rate))
            problem = Problem(
                429,
                "rate-limited",
                f"too many requests for this credential; retry in {wait} s",
                headers={
                    "Retry-After": str(wait),
                    **{name.decode(): value.decode() for name, value in fields},
                },
            )
            await send_problem(scope, send, problem)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *fields]
            await send(message)

        await self.app(scope, receive, with_headers)

    def _take(self, who: str) -> tuple[bool, float]:
        """Refills ``who``'s bucket and takes a token from it if it holds a whole one:
        whether it did, and the tokens left."""
        now = self.clock()
        bucket = self.buckets.get(who)
        if bucket is None:
            if len(self.buckets) > 50_000:
                self.buckets.clear()
            bucket = self.buckets[who] = [float(self.burst), now]
        bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if bucket[0] < 1:
            return False, bucket[0]
        bucket[0] -= 1
        return True, bucket[0]
