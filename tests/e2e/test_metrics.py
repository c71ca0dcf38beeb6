"""The metric families operators watch are exposed and move under load."""

from __future__ import annotations

import json
import re

from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import issue
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref

FAMILIES = (
    "pactstream_http_requests_total",
    "pactstream_http_request_duration_seconds_bucket",
    "pactstream_events_appended_total",
    "pactstream_events_published_total",
    "pactstream_relay_lag_seconds",
    "pactstream_consumer_lag_messages",
    "pactstream_projection_lag_seconds",
    "pactstream_dlq_messages_total",
)


def scrape(platform: Platform, service: str) -> str:
    with platform.client(service, key=None) as c:
        return c.get("/metrics").text


def total(text: str, family: str) -> float:
    return sum(float(v) for v in re.findall(rf"^{family}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.M))


def test_the_metric_families_are_exposed_and_move(platform: Platform) -> None:
    before = scrape(platform, "commitments")
    plan = create_plan(platform)
    for _ in range(5):
        make_commitment(platform, plan["id"])
    with platform.client("reporting") as c:
        poll(lambda: len(c.get(f"/v1/plans/{plan['id']}/commitments").json()), lambda n: n == 5)
    writes = scrape(platform, "commitments")
    reads = scrape(platform, "reporting")
    for family in FAMILIES:
        assert re.search(rf"^{family}", writes + reads, re.M), family
    assert (
        total(writes, "pactstream_events_appended_total")
        >= total(before, "pactstream_events_appended_total") + 6
    )
    assert total(writes, "pactstream_events_published_total") >= 6
    assert total(writes, "pactstream_http_requests_total") > total(
        before, "pactstream_http_requests_total"
    )
    assert 'route="/v1/plans/{plan_id}/commitments"' in writes
    assert re.search(
        r'^pactstream_consumer_lag_messages\{.*partition="[0-9]+".*topic=', reads, re.M
    )
    assert re.search(r"^pactstream_projection_lag_seconds\{", reads, re.M)


def test_every_service_shows_the_process_and_python_collectors(platform: Platform) -> None:
    for service in ("commitments", "funding", "reporting"):
        text = scrape(platform, service)
        assert total(text, "process_resident_memory_bytes") > 10_000_000, service
        assert total(text, "process_cpu_seconds_total") > 0, service
        assert re.search(r"^python_gc_objects_collected_total\{generation=", text, re.M)
        assert re.search(r'^python_info\{.*version="3\.11', text, re.M), service


def test_a_traceparent_on_a_post_travels_to_the_kafka_message(platform: Platform) -> None:
    import asyncio
    import os

    from tests.kafka_reader import read_topic

    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    plan = create_plan(platform)
    with platform.client("commitments") as c:
        made = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={
                "code": "TRACED",
                "section": "1",
                "title": "Traced",
                "parties": [{"name": "EU", "role": "responsible"}],
            },
            headers={"traceparent": traceparent, "x-request-id": "req-traced"},
        )
    assert made.status_code == 201
    assert made.headers["x-request-id"] == "req-traced"
    subject = f"commitment-{made.json()['id']}".encode()
    records = asyncio.run(
        read_topic(
            os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:59092"),
            f"{platform.ref}.commitments",
            until=lambda rs: any(dict(r.headers).get("ce_subject") == subject for r in rs),
            timeout=30,
        )
    )
    record = next(r for r in records if dict(r.headers).get("ce_subject") == subject)
    assert dict(record.headers)["ce_traceparent"].decode() == traceparent
    with platform.client("commitments") as c:
        events = c.get(f"/v1/commitments/{made.json()['id']}/events").json()["events"]
    assert events[0]["metadata"]["traceparent"] == traceparent


def test_each_request_leaves_one_json_access_line_in_the_services_log(
    platform: Platform,
) -> None:
    partner = issue(platform, "reader")
    rid = random_ref("req-")
    with platform.client("reporting", key=partner["key"]) as c:
        poll(lambda: c.get("/v1/plans").status_code, lambda code: code != 401)
        answer = c.get("/v1/plans/no-such-plan/progress", headers={"x-request-id": rid})
    assert answer.status_code == 404

    def lines() -> list[dict[str, object]]:
        text = (platform.logs / f"{platform.ref}-reporting.log").read_text()
        return [
            json.loads(line)
            for line in text.splitlines()
            if line.startswith("{") and rid in line and '"pactstream.access"' in line
        ]

    (line,) = poll(lines, lambda found: len(found) >= 1)
    assert line["route"] == "/v1/plans/{plan_id}/progress"
    assert line["method"] == "GET" and line["status"] == 404
    assert line["request_id"] == rid
    assert line["partner"] == partner["id"]
    assert isinstance(line["duration_ms"], float)
