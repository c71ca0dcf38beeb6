"""GET /v1/feed: a follower sees every change it may see, in order, from its cursor,
within a second of reporting when it waits; nothing of plans outside its scope."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import as_key, issue
from tests.e2e.test_slice import create_plan, make_commitment


def read(platform: Platform, key: str | None = None, **params: Any) -> Any:
    client = platform.client("reporting") if key is None else as_key(platform, "reporting", key)
    with client as c:
        return c.get("/v1/feed", params=params, timeout=40)


def everything(platform: Platform, **params: Any) -> tuple[list[dict[str, Any]], str]:
    """Every page of the feed from the beginning, and the cursor after the last."""
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = read(platform, **params, **({"after": cursor} if cursor else {}), limit=50)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        events += body["events"]
        if not body["events"]:
            return events, body["cursor"]
        cursor = body["cursor"]


def test_a_follower_sees_its_plans_changes_in_order_and_waits_for_the_next(
    platform: Platform,
) -> None:
    mine, other = create_plan(platform), create_plan(platform)
    made = [make_commitment(platform, mine["id"]).json()["id"] for _ in range(3)]
    make_commitment(platform, other["id"])
    platform.await_listed(mine["id"], 3)
    platform.await_listed(other["id"], 1)

    events, cursor = everything(platform, plan=mine["id"])
    kinds = [e["type"] for e in events]
    assert kinds == ["org.pactstream.plan.created"] + ["org.pactstream.commitment.made"] * 3
    assert [e["subject"] for e in events[1:]] == [f"commitment-{c}" for c in made]
    assert all(e["plan"] == mine["id"] and e["specversion"] == "1.0" for e in events)
    assert read(platform, plan=mine["id"], after=cursor).json()["events"] == []

    answers: list[Any] = []
    started = time.monotonic()
    waiting = threading.Thread(
        target=lambda: answers.append(read(platform, plan=mine["id"], after=cursor, wait=20))
    )
    waiting.start()
    time.sleep(0.5)
    changed_at = time.monotonic()
    latest = make_commitment(platform, mine["id"]).json()["id"]
    waiting.join(25)
    seen_after = time.monotonic() - changed_at
    (event,) = answers[0].json()["events"]
    assert event["subject"] == f"commitment-{latest}"
    print(f"a waiting follower saw the change {seen_after:.2f} s after it was answered")
    assert seen_after < 3, f"seen {seen_after:.2f} s after the change"
    assert time.monotonic() - started < 20


def test_a_partner_sees_only_its_plans_and_bad_parameters_are_refused(
    platform: Platform,
) -> None:
    mine, other = create_plan(platform), create_plan(platform)
    make_commitment(platform, mine["id"])
    make_commitment(platform, other["id"])
    platform.await_listed(other["id"], 1)
    partner = issue(platform, "partner", plans=[mine["id"]])
    answer = poll(lambda: read(platform, partner["key"]), lambda a: a.status_code == 200)
    plans = {e.get("plan") for e in answer.json()["events"]}
    assert plans == {mine["id"]}
    only_plans = read(platform, types="org.pactstream.plan.created", limit=1000).json()
    assert {e["type"] for e in only_plans["events"]} == {"org.pactstream.plan.created"}

    bad = read(platform, after="not-a-cursor")
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-cursor")
    assert read(platform, wait=31).status_code == 422
    assert read(platform, limit=0).status_code == 422
