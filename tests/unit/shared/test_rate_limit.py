"""The rate limit speaks draft-ietf-httpapi-ratelimit-headers: ``RateLimit-Policy`` and
``RateLimit`` are structured-field lists that a generic parser (``http-sfv``) reads,
and a refusal is 429 problem+json with ``Retry-After``. On an in-process app with a
clock the test moves."""

from typing import Any

import http_sfv
import httpx
from fastapi import FastAPI

from shared.http.ratelimit import RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def field(answer: httpx.Response, name: str) -> tuple[str, dict[str, Any]]:
    """The one member of a structured-field list: its value and its parameters."""
    parsed = http_sfv.List()
    parsed.parse(answer.headers[name].encode())
    assert len(parsed) == 1, answer.headers[name]
    return parsed[0].value, dict(parsed[0].params)


def limited_app(clock: Clock, rate: float, burst: int) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimit, rate=rate, burst=burst, clock=clock)

    @app.get("/v1/things")
    async def things() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def answers(app: FastAPI, count: int, path: str = "/v1/things") -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return [await client.get(path) for _ in range(count)]


async def test_every_answer_names_the_policy_and_what_is_left_of_it() -> None:
    clock = Clock()
    first, second = await answers(limited_app(clock, rate=5, burst=10), 2)
    assert first.status_code == 200
    assert field(first, "ratelimit-policy") == ("per-credential", {"q": 10, "w": 2})
    assert field(first, "ratelimit") == ("per-credential", {"r": 9, "t": 1})
    assert field(second, "ratelimit") == ("per-credential", {"r": 8, "t": 1})
    assert "retry-after" not in first.headers


async def test_beyond_the_burst_the_answer_is_429_with_retry_after_and_nothing_left() -> None:
    clock = Clock()
    app = limited_app(clock, rate=0.5, burst=3)
    served = await answers(app, 4)
    assert [a.status_code for a in served] == [200, 200, 200, 429]
    refused = served[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert refused.headers["retry-after"] == "2"  # One token back at half a token a second.
    assert field(refused, "ratelimit") == ("per-credential", {"r": 0, "t": 6})
    assert field(refused, "ratelimit-policy") == ("per-credential", {"q": 3, "w": 6})
    clock.now += 2
    (again,) = await answers(app, 1)
    assert again.status_code == 200
    assert field(again, "ratelimit") == ("per-credential", {"r": 0, "t": 6})


async def test_operational_routes_are_not_limited_and_carry_no_fields() -> None:
    clock = Clock()
    app = limited_app(clock, rate=0.5, burst=1)
    health = await answers(app, 3, "/healthz")
    assert [a.status_code for a in health] == [200] * 3
    assert "ratelimit" not in health[0].headers
