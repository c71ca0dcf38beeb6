"""Idempotency-Key on REST POSTs, as the IETF draft means it."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.platform import KEY, Platform
from tests.e2e.test_slice import create_plan
from tests.refs import random_ref


def test_the_same_key_and_body_replay_the_first_answer_with_one_effect(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    body = {
        "code": random_ref("C-"),
        "section": "1",
        "title": "Once",
        "parties": [{"name": "EU", "role": "responsible"}],
    }
    headers = {"Idempotency-Key": random_ref("idem-")}
    with platform.client("commitments") as c:
        first = c.post(f"/v1/plans/{plan['id']}/commitments", json=body, headers=headers)
        again = c.post(f"/v1/plans/{plan['id']}/commitments", json=body, headers=headers)
        other = c.post(
            f"/v1/plans/{plan['id']}/commitments", json={**body, "title": "Twice"}, headers=headers
        )
        fresh = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json=body,
            headers={"Idempotency-Key": random_ref("idem-")},
        )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotency-replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert fresh.status_code == 409  # A new key, but the code is taken: the first took effect.
    with platform.client("commitments") as c, platform.client("funding") as f:
        replay_elsewhere = f.post(
            "/v1/sources",
            json={"code": random_ref("S-"), "name": "n", "kind": "public budget"},
            headers=headers,
        )
        assert replay_elsewhere.status_code == 201, "keys are per service and per credential"
        assert c.get(f"/v1/commitments/{first.json()['id']}").status_code == 200


def test_concurrent_retries_run_once_and_the_others_wait_or_replay(platform: Platform) -> None:
    plan = create_plan(platform)
    body = {
        "code": random_ref("C-"),
        "section": "1",
        "title": "Concurrent",
        "parties": [{"name": "EU", "role": "responsible"}],
    }
    key = random_ref("idem-")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=platform.url("commitments"),
            timeout=30,
            headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": key},
        ) as c:
            return list(
                await asyncio.gather(
                    *(c.post(f"/v1/plans/{plan['id']}/commitments", json=body) for _ in range(6))
                )
            )

    responses = asyncio.run(burst())
    codes = sorted(r.status_code for r in responses)
    assert set(codes) <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1, "every 201 is the same commitment"
    for r in responses:
        if r.status_code == 409:
            assert r.json()["type"].endswith("/request-in-flight")
            assert r.headers["retry-after"] == "1"
