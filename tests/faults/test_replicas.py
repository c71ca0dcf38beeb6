"""Two replicas of commitments and of reporting: the relay's leader killed midway
through 1,000 events, its standby takes over within 5 seconds, a reporting replica
stopped with SIGTERM drains and exits cleanly, and both reporting replicas answer every
acknowledged event."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.platform import KEY, Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment
from tests.faults.load import Ledger, start_load

EVENTS = 1000
WRITERS = 8


@pytest.fixture
def platform() -> Iterator[Platform]:
    p = Platform()
    try:
        p.start("commitments")
        p.start("commitments", replica="b")
        p.start("funding")
        p.start("reporting")
        p.start("reporting", replica="b")
        for name in ("commitments", "commitments-b", "funding", "reporting", "reporting-b"):
            p.wait_ready(name)
        yield p
    finally:
        p.stop()


def relay_role(platform: Platform, name: str) -> str | None:
    try:
        relay = httpx.get(f"{platform.url(name)}/readyz", timeout=2).json().get("relay")
    except httpx.HTTPError:
        return None
    return None if relay is None else relay["role"]  # type: ignore[no-any-return]


def test_replicas_share_the_work_and_survive_losing_one(platform: Platform) -> None:
    plan = create_plan(platform)
    indicator = [
        {
            "code": "n",
            "title": "n",
            "unit": "events",
            "direction": "increase",
            "target": {"value": EVENTS},
        }
    ]
    commitments = [
        make_commitment(platform, plan["id"], indicators=indicator).json()["id"]
        for _ in range(WRITERS)
    ]
    replicas = ["commitments", "commitments-b"]
    roles = {name: relay_role(platform, name) for name in replicas}
    assert sorted(roles.values()) == ["leader", "standby"], roles
    leader = next(n for n, r in roles.items() if r == "leader")
    standby = next(n for n in replicas if n != leader)

    ledger = Ledger()
    urls = [platform.url(n) for n in replicas]
    load = start_load(lambda: urls, KEY, commitments, EVENTS, ledger)
    poll(lambda: ledger.count, lambda n: n >= EVENTS // 2, timeout=120, interval=0.02)
    platform.kill(leader)
    killed_at = time.monotonic()
    poll(lambda: relay_role(platform, standby), lambda r: r == "leader", timeout=10, interval=0.05)
    takeover = time.monotonic() - killed_at
    assert takeover < 5, f"the standby relay took {takeover:.2f} s"

    poll(lambda: ledger.count, lambda n: n >= EVENTS * 3 // 4, timeout=120, interval=0.02)
    assert platform.terminate("reporting-b") == 0, "SIGTERM drains and exits cleanly"
    platform.start("reporting", replica="b")

    load.join(timeout=240)
    assert ledger.count == EVENTS
    platform.wait_ready("reporting-b")
    print(f"relay taken over in {takeover:.2f} s")

    def answered_by(name: str) -> int:
        with httpx.Client(
            base_url=platform.url(name), timeout=10, headers={"Authorization": f"Bearer {KEY}"}
        ) as c:
            return sum(
                sum(
                    1
                    for t in c.get(f"/v1/commitments/{cid}").json()["timeline"]
                    if t["type"].endswith("measurement_recorded")
                )
                for cid in commitments
            )

    for name in ("reporting", "reporting-b"):
        poll(
            lambda n=name: answered_by(n), lambda count: count == EVENTS, timeout=120, interval=0.5
        )
    time.sleep(1)
    assert answered_by("reporting") == answered_by("reporting-b") == EVENTS
    with httpx.Client(
        base_url=platform.url("reporting"), timeout=10, headers={"Authorization": f"Bearer {KEY}"}
    ) as c:
        assert c.get("/v1/status").json()["lag"] == 0
