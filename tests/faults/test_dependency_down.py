"""While PostgreSQL is down, writes answer 503 with Retry-After (never a 2xx without a
durable write) and /readyz fails; while Kafka is down, writes still succeed (the event
store is the outbox), at start-up too, and reach reporting once Kafka is back."""

from __future__ import annotations

import time

from pactstream_cli import infra
from tests.e2e.platform import SERVICES, Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment
from tests.faults.conftest import LOCAL, kill_kafka, stop_postgres_immediately


def test_a_write_while_postgres_is_down_is_a_503_and_nothing_half_done(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    stop_postgres_immediately()
    try:
        with platform.client("commitments") as c:
            down = c.post(
                f"/v1/commitments/{cid}/status", json={"status": "launched", "as_of": "2016-02-01"}
            )
            ready = c.get("/readyz")
        assert down.status_code == 503, down.text
        assert down.headers["content-type"] == "application/problem+json"
        assert int(down.headers["retry-after"]) >= 1
        assert ready.status_code == 503
    finally:
        infra.start_postgres(LOCAL)
    platform.wait_ready("commitments", timeout=60)
    with platform.client("commitments") as c:
        history = c.get(f"/v1/commitments/{cid}/events").json()["events"]
        assert len(history) == 1, "the refused write left nothing behind"
        again = c.post(
            f"/v1/commitments/{cid}/status", json={"status": "launched", "as_of": "2016-02-01"}
        )
    assert again.status_code == 200


def test_writes_survive_kafka_being_down_and_arrive_when_it_is_back(platform: Platform) -> None:
    plan = create_plan(platform)
    kill_kafka()
    try:
        made = make_commitment(platform, plan["id"])
        assert made.status_code == 201, "the outbox does not need Kafka to accept a write"
        time.sleep(1)
    finally:
        infra.start_kafka(LOCAL)
    platform.await_listed(plan["id"], 1, timeout=120)
    for service in SERVICES:
        platform.wait_ready(service, timeout=120)


def test_a_write_service_restarted_while_kafka_is_down_takes_writes(platform: Platform) -> None:
    plan = create_plan(platform)
    with platform.client("reporting") as c:
        poll(lambda: c.get(f"/v1/plans/{plan['id']}/progress").status_code, lambda s: s == 200)
    kill_kafka()
    killed = time.monotonic()
    try:
        platform.kill("commitments")
        started = time.monotonic()
        platform.start("commitments")
        platform.wait_ready("commitments", timeout=30, everything=False)
        made = [make_commitment(platform, plan["id"]) for _ in range(3)]
        assert [r.status_code for r in made] == [201] * 3, [r.text for r in made]
        assert time.monotonic() - started < 30
        with platform.client("commitments") as c:
            body = c.get("/readyz").json()
        assert body["ready"] is True
        assert body["kafka"]["ok"] is False
        assert body["relay"]["ok"] is False
        with platform.client("reporting") as c:
            listed = c.get(f"/v1/plans/{plan['id']}/commitments")
        assert listed.status_code == 200, "reporting serves (stale) reads with Kafka down"
        # Nothing confirms its freshness since Kafka went: the lag says so.
        lag = float(listed.headers["pactstream-lag-seconds"])
        assert lag >= time.monotonic() - killed - 1.5, lag
    finally:
        infra.start_kafka(LOCAL)
    platform.await_listed(plan["id"], 3, timeout=120)
    for service in SERVICES:
        platform.wait_ready(service, timeout=120)
