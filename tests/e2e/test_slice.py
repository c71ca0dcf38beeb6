"""The thin slice over HTTP: plans and commitments posted to commitments show in
reporting's plan list, progress tree and commitment list."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
from typing import Any

import httpx
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event

from tests.e2e.platform import Platform, poll
from tests.kafka_reader import read_topic
from tests.refs import random_ref

KAFKA = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:59092")
VALLETTA_SECTIONS = [
    {"code": "1", "title": "Development benefits of migration", "kind": "domain"},
    {"code": "1.1", "title": "Investing in development", "parent": "1"},
    {
        "code": "1.1.a",
        "title": "Boost socio-economic development",
        "parent": "1.1",
        "kind": "measure",
    },
    {"code": "2", "title": "Legal migration and mobility", "kind": "domain"},
]


def create_plan(platform: Platform, **overrides: Any) -> dict[str, Any]:
    body = {
        "code": random_ref("VAP-"),
        "title": "Valletta Summit Action Plan",
        "period": "2015/2017",
        "adopted_on": "2015-11-12",
        "parties": ["EU", "African partners"],
        "sections": VALLETTA_SECTIONS,
        **overrides,
    }
    with platform.client("commitments") as c:
        r = c.post("/v1/plans", json=body)
    assert r.status_code == 201, r.text
    assert r.headers["etag"] == '"1"'
    return r.json()  # type: ignore[no-any-return]


def make_commitment(platform: Platform, plan_id: str, **overrides: Any) -> httpx.Response:
    body = {
        "code": random_ref("I-"),
        "section": "1.1.a",
        "title": "Launch the initiative",
        "parties": [
            {"name": "EU", "role": "responsible"},
            {"name": "African partners", "role": "contributor"},
        ],
        "deadline": "by end 2016",
        "priority": True,
        **overrides,
    }
    with platform.client("commitments") as c:
        return c.post(f"/v1/plans/{plan_id}/commitments", json=body)


def progress(platform: Platform, plan_id: str, **params: str) -> httpx.Response:
    with platform.client("reporting") as c:
        return c.get(f"/v1/plans/{plan_id}/progress", params=params)


def test_every_service_is_ready_and_documents_its_api(platform: Platform) -> None:
    for service in ("commitments", "funding", "reporting"):
        with platform.client(service, key=None) as c:
            assert c.get("/healthz").status_code == 200
            assert c.get("/readyz").json()["ready"] is True
            assert c.get("/openapi.json").json()["openapi"].startswith("3.")
            events = c.get("/asyncapi.json").json()
            assert events["asyncapi"] == "3.0.0"
            assert events["channels"]["commitments"]["address"] == f"{platform.ref}.commitments"
            metrics = c.get("/metrics")
            assert metrics.status_code == 200
            assert "pactstream_http_requests_total" in metrics.text


def test_a_plan_and_commitment_show_in_reporting_progress(platform: Platform) -> None:
    plan = create_plan(platform)
    made = make_commitment(platform, plan["id"])
    assert made.status_code == 201, made.text
    commitment = made.json()
    assert commitment["version"] == 1
    assert commitment["deadline"] == {
        "label": "by end 2016",
        "start": "2016-12-31",
        "end": "2016-12-31",
    }
    started = time.monotonic()
    report = poll(
        lambda: progress(platform, plan["id"], as_of="2016-06-30"),
        lambda r: r.status_code == 200 and r.json()["totals"]["commitments"] == 1,
    ).json()
    print(f"visible in reporting after {time.monotonic() - started:.2f} s")
    assert report["plan"]["id"] == plan["id"]
    assert report["as_of"] == "2016-06-30"
    assert report["totals"] == {
        "commitments": 1,
        "priority": 1,
        "by_status": {"planned": 1, "launched": 0, "completed": 0, "suspended": 0, "cancelled": 0},
        "overdue": 0,
        "completed_pct": 0.0,
    }
    domain_1, domain_2 = report["sections"]
    assert domain_1["code"] == "1" and domain_1["totals"]["commitments"] == 1
    assert domain_1["sections"][0]["sections"][0]["code"] == "1.1.a"
    assert domain_2["totals"]["commitments"] == 0

    with platform.client("reporting") as c:
        listed = c.get(f"/v1/plans/{plan['id']}/commitments").json()
        plans = c.get("/v1/plans").json()
    assert listed == [
        {
            "id": commitment["id"],
            "code": commitment["code"],
            "section": "1.1.a",
            "title": "Launch the initiative",
            "status": "planned",
            "priority": True,
            "deadline": commitment["deadline"],
            "parties": commitment["parties"],
            "completion": None,
        }
    ]
    mine = next(p for p in plans if p["id"] == plan["id"])
    assert (mine["code"], mine["commitments"], mine["priority"]) == (plan["code"], 1, 1)


def test_status_changes_show_as_of_their_business_date_and_overdue_counts(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    with platform.client("commitments") as c:
        launched = c.post(
            f"/v1/commitments/{cid}/status",
            json={"status": "launched", "as_of": "2016-03-01"},
            headers={"If-Match": '"1"'},
        )
        assert launched.status_code == 200, launched.text
        assert launched.headers["etag"] == '"2"'
        stale = c.post(
            f"/v1/commitments/{cid}/status",
            json={"status": "completed", "as_of": "2016-04-01"},
            headers={"If-Match": "1"},
        )
        assert stale.status_code == 412
        assert stale.headers["content-type"] == "application/problem+json"
        invalid = c.post(
            f"/v1/commitments/{cid}/status", json={"status": "planned", "as_of": "2016-04-01"}
        )
        assert invalid.status_code == 422
        assert invalid.json()["type"].endswith("/invalid-transition")
        history = c.get(f"/v1/commitments/{cid}/events").json()["events"]
    assert [e["type"] for e in history] == [
        "org.pactstream.commitment.made",
        "org.pactstream.commitment.status_changed",
    ]

    def by_status(as_of: str) -> dict[str, int]:
        return progress(platform, plan["id"], as_of=as_of).json()["totals"]["by_status"]

    poll(lambda: by_status("2016-03-01"), lambda s: s["launched"] == 1)
    assert by_status("2016-02-29")["planned"] == 1
    assert progress(platform, plan["id"], as_of="2016-12-31").json()["totals"]["overdue"] == 0
    late = progress(platform, plan["id"], as_of="2017-01-01").json()["totals"]
    assert late["overdue"] == 1
    before_recorded = progress(
        platform, plan["id"], as_of="2016-03-01", known_at="2000-01-01T00:00:00Z"
    )
    assert before_recorded.status_code == 404  # The plan itself was not known then.

    with platform.client("reporting") as c:
        content = c.get(f"/v1/plans/{plan['id']}/progress.csv", params={"as_of": "2017-01-01"})
    assert content.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = list(csv.DictReader(io.StringIO(content.content.decode("utf-8-sig"))))
    assert rows[0]["commitments"] == "1" and rows[0]["launched"] == "1"
    assert rows[0]["overdue"] == "1"


def test_bad_input_gets_a_problem_naming_what_is_wrong(platform: Platform) -> None:
    plan = create_plan(platform)
    with platform.client("commitments") as c:
        unknown = c.get("/v1/plans/nope")
        bad_period = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "X", "section": "1", "title": "t", "parties": [], "deadline": "someday"},
        )
        bad_section = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "X", "section": "9", "title": "t", "parties": []},
        )
        missing = c.post("/v1/plans", json={"title": "no code"})
        broken = c.post(
            "/v1/plans", content=b'{"code": ', headers={"content-type": "application/json"}
        )
        text = c.post("/v1/plans", content=b"code=1", headers={"content-type": "text/plain"})
        huge = c.post(
            "/v1/plans", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
        )
        duplicate = c.post("/v1/plans", json={"code": plan["code"], "title": "again"})
    with platform.client("commitments", key=None) as anonymous:
        no_key = anonymous.post("/v1/plans", json={"code": "Z", "title": "z"})
    with platform.client("commitments", key="wrong") as wrong:
        wrong_key = wrong.get(f"/v1/plans/{plan['id']}")
    expectations = [
        (unknown, 404, "not-found"),
        (bad_period, 422, "invalid-period"),
        (bad_section, 422, "rule-violated"),
        (missing, 422, "validation-error"),
        (broken, 400, "malformed-json"),
        (text, 415, "unsupported-media-type"),
        (huge, 413, "body-too-large"),
        (duplicate, 409, "already-exists"),
        (no_key, 401, "unauthenticated"),
        (wrong_key, 401, "unauthenticated"),
    ]
    for response, status, slug in expectations:
        assert response.status_code == status, (slug, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/" + slug)
    assert bad_period.json()["errors"][0]["pointer"] == "/deadline"
    assert "someday" in bad_period.json()["detail"]
    assert missing.json()["errors"][0]["pointer"] == "/code"
    with platform.client("commitments") as c:
        assert c.get(f"/v1/plans/{plan['id']}").json()["title"] == plan["title"]


def test_published_messages_are_binary_cloudevents_keyed_by_stream(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    topic = f"{platform.ref}.commitments"

    def has_commitment(records: list) -> bool:  # type: ignore[type-arg]
        return any(
            dict(r.headers).get("ce_subject") == f"commitment-{cid}".encode() for r in records
        )

    records = asyncio.run(read_topic(KAFKA, topic, until=has_commitment, timeout=30))
    record = next(
        r for r in records if dict(r.headers)["ce_subject"] == f"commitment-{cid}".encode()
    )
    event = from_binary_event(
        KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    )
    assert record.key == f"commitment-{cid}".encode()
    assert event.get_type() == "org.pactstream.commitment.made"
    assert event.get_source() == "/pactstream/commitments"
    assert event.get_subject() == f"commitment-{cid}"
    assert event.get_data()["commitment_id"] == cid  # type: ignore[index]
    assert event.get_extension("partner") == "operator"
