"""Guards every request passes before a handler sees it: JSON shape bounds, a rate
limit per credential, and a deadline."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from shared.http.auth import key_digest
from shared.http.problems import Problem, problem_response

MAX_DEPTH: Final = 32
MAX_STRING: Final = 65_536


def json_shape_problem(body: bytes) -> str | None:
    """Why ``body`` is too deep or holds too long a string, else ``None``. Scans the
    text once, without building anything, so a hostile body costs little."""
    depth = 0
    in_string = escaped = False
    string_start = 0
    for i, byte in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
                if byte == 0x75 and body[i + 1 : i + 5] == b"0000":  # \u0000
                    return "strings may not contain NUL characters (\\u0000)"
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
                if i - string_start > MAX_STRING:
                    return f"a string is longer than {MAX_STRING} bytes"
            continue
        if byte == 0x22:
            in_string, string_start = True, i
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return f"the JSON nests deeper than {MAX_DEPTH} levels"
        elif byte in (0x5D, 0x7D):
            depth -= 1
    if in_string and len(body) - string_start > MAX_STRING:
        return f"a string is longer than {MAX_STRING} bytes"
    return None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimitMiddleware(BaseHTTPMiddleware):
    """A token bucket per credential (per client address without one), in this
    process: ``rate`` requests a second on average, bursts up to ``burst``. Operators
    are not limited. With several replicas each applies its own limit."""

    def __init__(self, app: Any, rate: float, burst: int) -> None:
        super().__init__(app)
        self._rate = rate
        self._burst = burst
        self._buckets: dict[str, _Bucket] = {}

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self._rate <= 0 or request.url.path in {"/healthz", "/readyz", "/metrics"}:
            return await call_next(request)
        header = request.headers.get("authorization", "")
        key = header.partition(" ")[2].strip() or request.cookies.get("pactstream_key", "")
        auth = getattr(request.app.state, "authenticator", None)
        if key and auth is not None and auth.is_operator(key):
            return await call_next(request)
        who = key_digest(key) if key else f"ip:{request.client.host if request.client else '?'}"
        now = time.monotonic()
        bucket = self._buckets.get(who)
        if bucket is None:
            if len(self._buckets) > 50_000:
                self._buckets.clear()
            bucket = self._buckets[who] = _Bucket(float(self._burst), now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        policy = f"{self._burst};w={max(1, math.ceil(self._burst / self._rate))}"
        response: Response
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / self._rate)
            response = problem_response(
                Problem(
                    429,
                    "rate-limited",
                    f"too many requests for this credential; retry in {wait} s",
                    headers={"Retry-After": str(wait)},
                ),
                request.url.path,
            )
            remaining = 0
        else:
            bucket.tokens -= 1
            response = await call_next(request)
            remaining = int(bucket.tokens)
            wait = math.ceil((self._burst - bucket.tokens) / self._rate)
        response.headers["RateLimit-Policy"] = policy
        response.headers["RateLimit"] = f"limit={self._burst}, remaining={remaining}, reset={wait}"
        return response


class DeadlineMiddleware(BaseHTTPMiddleware):
    """A request that takes longer than ``seconds`` is abandoned with 503; its database
    transaction, if any, rolls back with the cancelled task."""

    def __init__(self, app: Any, seconds: float) -> None:
        super().__init__(app)
        self._seconds = seconds

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        try:
            return await asyncio.wait_for(call_next(request), self._seconds)
        except TimeoutError:
            return problem_response(
                Problem(
                    503,
                    "timeout",
                    f"the request took longer than {self._seconds:g} s",
                    headers={"Retry-After": "1"},
                ),
                request.url.path,
            )
