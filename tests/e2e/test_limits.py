"""Hostile or careless clients: rate limits per credential and bounds on JSON."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import issue


def test_two_thousand_rapid_reads_by_one_partner_are_partly_refused(platform: Platform) -> None:
    partner = issue(platform, "reader")
    with platform.client("reporting", key=partner["key"]) as c:  # Reporting projects keys.
        poll(lambda: c.get("/v1/plans").status_code, lambda code: code != 401)

    async def hammer() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=platform.url("reporting"),
            timeout=30,
            headers={"Authorization": f"Bearer {partner['key']}"},
            limits=httpx.Limits(max_connections=16),
        ) as c:
            sem = asyncio.Semaphore(16)

            async def one() -> httpx.Response:
                async with sem:
                    return await c.get("/v1/plans")

            return list(await asyncio.gather(*(one() for _ in range(2000))))

    responses = asyncio.run(hammer())
    codes = [r.status_code for r in responses]
    refused = [r for r in responses if r.status_code == 429]
    assert codes.count(200) >= 100, "the burst is served"
    assert refused, "and the rest beyond the rate is refused"
    assert set(codes) == {200, 429}
    sample = refused[0]
    assert int(sample.headers["retry-after"]) >= 1
    assert sample.headers["content-type"] == "application/problem+json"
    assert sample.headers["ratelimit"].startswith('"per-credential";r=0;t=')
    assert responses[0].headers["ratelimit-policy"] == '"per-credential";q=100;w=2'


def test_json_nested_too_deep_or_with_huge_strings_is_refused_cleanly(
    platform: Platform,
) -> None:
    with platform.client("commitments") as c:
        deep = c.post(
            "/v1/plans",
            content=b'{"code": ' + b"[" * 100 + b"]" * 100 + b"}",
            headers={"content-type": "application/json"},
        )
        long_title = c.post("/v1/plans", json={"code": "X", "title": "t" * 5000})
    assert deep.status_code == 400 and deep.json()["type"].endswith("/json-too-complex")
    assert long_title.status_code == 422
    assert long_title.json()["errors"][0]["pointer"] == "/title"


def key_lookups(platform: Platform, service: str) -> float:
    with platform.client(service, key=None) as c:
        metrics = c.get("/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("pactstream_key_lookups_total")
    )


def test_ten_thousand_made_up_tokens_cost_a_few_lookups_and_lock_out_only_their_address(
    platform: Platform,
) -> None:
    """From another loopback address (127.0.0.2), so that the other tests' client is
    not the one limited."""
    partner = issue(platform, "reader")
    with platform.client("reporting", key=partner["key"]) as c:
        poll(lambda: c.get("/v1/plans").status_code, lambda code: code != 401)
    before = key_lookups(platform, "reporting")

    async def flood() -> list[httpx.Response]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(
            base_url=platform.url("reporting"), transport=transport, timeout=30
        ) as c:
            sem = asyncio.Semaphore(16)

            async def one(n: int) -> httpx.Response:
                async with sem:
                    token = {"Authorization": f"Bearer psk_made_up_{n}"}
                    return await c.get("/v1/plans", headers=token)

            return list(await asyncio.gather(*(one(n) for n in range(10_000))))

    responses = asyncio.run(flood())
    looked_up = key_lookups(platform, "reporting") - before
    codes = {r.status_code for r in responses}
    assert codes == {401, 429}
    assert looked_up <= 200, f"{looked_up} lookups for 10,000 made-up tokens"
    limited = next(r for r in responses if r.json()["type"].endswith("/too-many-failures"))
    assert int(limited.headers["retry-after"]) >= 1
    with platform.client("reporting", key=partner["key"]) as c:  # Another address.
        assert c.get("/v1/plans").status_code == 200
    with platform.client("reporting", key="psk_wrong") as c:
        assert c.get("/v1/plans").status_code == 401
