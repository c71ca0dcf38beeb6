"""Every CloudEvents HTTP mode on both writing services, posted as the CloudEvents SDK
writes them: binary mode (``ce-`` headers, the data as the body) takes effect once like
structured mode, and ``data_base64`` holding JSON is honoured."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from cloudevents.core.bindings.http import HTTPMessage, to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from shared import jsontext
from tests.e2e.platform import Platform
from tests.e2e.test_access import as_key, issue
from tests.e2e.test_commitment_history import history
from tests.e2e.test_funding import agreement
from tests.e2e.test_slice import create_plan, make_commitment
from tests.e2e.test_sources import register
from tests.refs import random_ref

STATUS_CHANGED = "org.pactstream.commitment.status_changed"


def sdk_event(type_: str, subject: str, data: Any, **attributes: str) -> CloudEvent:
    return CloudEvent(
        attributes={
            "id": random_ref("ce-"),
            "source": "/ministry/planning",
            "type": type_,
            "subject": subject,
            "datacontenttype": "application/json",
            **attributes,
        },
        data=data,
    )


def send(platform: Platform, service: str, message: HTTPMessage) -> httpx.Response:
    with platform.client(service) as c:
        return c.post("/v1/events", content=message.body, headers=message.headers)


def problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + slug), body
    return body


def test_a_binary_event_takes_effect_once_and_its_repeat_answers_200(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    event = sdk_event(STATUS_CHANGED, cid, {"status": "launched", "as_of": "2016-02-01"})
    message = to_binary_event(event)
    assert "ce-id" in message.headers and b"launched" in message.body

    first, again = send(platform, "commitments", message), send(platform, "commitments", message)
    assert first.status_code == 201, first.text
    assert first.json() == {**first.json(), "status": "accepted", "commitment": cid}
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    # Its structured form is the same event: a duplicate too.
    structured = send(platform, "commitments", to_structured_event(event))
    assert structured.status_code == 200 and structured.json()["status"] == "duplicate"
    recorded = [e for e in history(platform, cid) if e["type"] == STATUS_CHANGED]
    assert len(recorded) == 1
    assert recorded[0]["data"]["status"] == "launched"
    assert recorded[0]["metadata"]["causation_id"] == f"/ministry/planning#{event.get_id()}"


def test_structured_data_base64_holding_json_takes_effect(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    data = jsontext.dumps_bytes({"status": "launched", "as_of": "2016-02-01"})
    message = to_structured_event(sdk_event(STATUS_CHANGED, cid, data))
    assert "data_base64" in jsontext.loads(message.body)
    answer = send(platform, "commitments", message)
    assert answer.status_code == 201, answer.text
    assert [e["type"] for e in history(platform, cid)].count(STATUS_CHANGED) == 1


def test_binary_and_base64_events_that_cannot_be_read_are_refused_with_no_effect(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    event = sdk_event(STATUS_CHANGED, cid, {"status": "launched", "as_of": "2016-02-01"})
    message = to_binary_event(event)
    no_id = {k: v for k, v in message.headers.items() if k not in {"ce-id", "ce-source"}}
    missing = problem(
        send(platform, "commitments", HTTPMessage(no_id, message.body)), 400, "invalid-cloudevent"
    )
    assert "ce-id" in missing["detail"] and "ce-source" in missing["detail"]
    assert {e["header"] for e in missing["errors"]} == {"ce-id", "ce-source"}

    broken = HTTPMessage(message.headers, b'{"status": "launched"')
    assert (
        "not valid JSON"
        in problem(send(platform, "commitments", broken), 400, "malformed-json")["detail"]
    )
    text = HTTPMessage({**message.headers, "content-type": "text/plain"}, b"launched")
    refused = problem(send(platform, "commitments", text), 415, "unsupported-media-type")
    assert "application/json" in refused["detail"]

    not_json = base64.b64encode(b"launched").decode()
    body = {**jsontext.loads(to_structured_event(event).body), "data_base64": not_json}
    with platform.client("commitments") as c:
        answer = c.post(
            "/v1/events",
            content=jsontext.dumps_bytes(body),
            headers={"content-type": "application/cloudevents+json"},
        )
    assert problem(answer, 400, "invalid-cloudevent")["errors"][0]["pointer"] == "/data_base64"
    assert STATUS_CHANGED not in [e["type"] for e in history(platform, cid)]
    # None of them claimed the event: it takes effect when it comes readable.
    assert send(platform, "commitments", message).status_code == 201


def test_a_binary_event_is_held_to_the_same_source_and_scope_checks(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    source = f"/ngo/{random_ref()}"
    owner = register(platform, sources=[source])
    intruder = issue(platform, "partner")  # No sources of its own.
    elsewhere = issue(platform, "partner", plans=[create_plan(platform)["id"]])
    data = {"status": "launched", "as_of": "2016-02-01"}
    vendor_json = "application/vnd.x+json"
    message = to_binary_event(
        sdk_event(STATUS_CHANGED, cid, data, source=source, datacontenttype=vendor_json)
    )
    mine = to_binary_event(sdk_event(STATUS_CHANGED, cid, data, source=f"/own/{random_ref()}"))

    def post(key: str, message: HTTPMessage) -> httpx.Response:
        with as_key(platform, "commitments", key) as c:
            return c.post("/v1/events", content=message.body, headers=message.headers)

    problem(post(intruder["key"], message), 403, "foreign-source")
    out_of_scope = post(elsewhere["key"], mine)
    assert out_of_scope.status_code in {403, 404}, out_of_scope.text
    assert STATUS_CHANGED not in [e["type"] for e in history(platform, cid)]
    assert post(owner["key"], message).status_code == 201


def test_a_binary_flow_takes_effect_once_on_funding(platform: Platform) -> None:
    edec = agreement(platform, None)
    data = {
        "type": "pledge",
        "amount": "1980000.00",
        "date": "2017-11-30",
        "source": edec["contributions"][1]["source"],
    }
    event = sdk_event(
        "org.pactstream.funding.flow_recorded", edec["id"], data, source="/opcaim/finance"
    )
    sent = to_binary_event(event)
    # A JSON type with parameters is JSON data.
    utf8 = "application/json; charset=utf-8"
    message = HTTPMessage({**sent.headers, "content-type": utf8}, sent.body)
    codes = [send(platform, "funding", message).status_code for _ in range(2)]
    with platform.client("funding") as c:
        flows = c.get(f"/v1/agreements/{edec['id']}").json()["flows"]
    assert codes == [201, 200]
    assert len(flows) == 1 and flows[0]["type"] == "pledge"


def test_a_structured_event_posted_as_plain_json_is_still_taken(platform: Platform) -> None:
    """Partners that posted structured events as application/json before binary mode
    existed keep working: a JSON body with no ce- header is a structured event."""
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    event = {
        "specversion": "1.0",
        "id": random_ref("ce-"),
        "source": "/ministry/planning",
        "type": STATUS_CHANGED,
        "subject": cid,
        "data": {"status": "launched", "as_of": "2016-02-01"},
    }
    with platform.client("commitments") as c:
        first = c.post("/v1/events", json=event)
        again = c.post("/v1/events", json=event)
    assert (first.status_code, again.status_code) == (201, 200), first.text
