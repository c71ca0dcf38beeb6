"""Credentials over HTTP: the 401/403 matrix on every service, revocation everywhere
within 5 seconds, rotation without downtime."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.e2e.platform import KEY, Platform, poll
from tests.e2e.test_funding import agreement
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref


def issue(platform: Platform, role: str, **scopes: list[str]) -> dict[str, Any]:
    with platform.client("commitments") as c:
        r = c.post(
            "/v1/access/partners",
            json={
                "name": f"{role} {random_ref()}",
                "role": role,
                **({"scopes": scopes} if scopes else {}),
            },
        )
    assert r.status_code == 201, r.text
    assert r.json()["key"].startswith("psk_")
    return r.json()  # type: ignore[no-any-return]


def as_key(platform: Platform, service: str, key: str | None) -> httpx.Client:
    return platform.client(service, key=key)


def test_every_service_answers_the_access_matrix(platform: Platform) -> None:
    inside, outside = create_plan(platform), create_plan(platform)
    agreement_in = agreement(platform, inside["id"])
    agreement_out = agreement(platform, outside["id"])
    reader = issue(platform, "reader")
    partner = issue(platform, "partner", plans=[inside["id"]])
    revoked = issue(platform, "partner")
    with platform.client("commitments") as c:
        assert c.delete(f"/v1/access/partners/{revoked['id']}").status_code == 204

    def commitment_on(plan_id: str) -> dict[str, Any]:
        return {
            "code": random_ref("C-"),
            "section": "1",
            "title": "t",
            "parties": [{"name": "EU", "role": "responsible"}],
        }

    def write(service: str, key: str | None, target: str) -> int:
        with as_key(platform, service, key) as c:
            if service == "commitments":
                plan = inside if target == "inside" else outside
                return c.post(
                    f"/v1/plans/{plan['id']}/commitments", json=commitment_on(plan["id"])
                ).status_code
            agr = agreement_in if target == "inside" else agreement_out
            return c.post(
                f"/v1/agreements/{agr['id']}/flows",
                json={"type": "pledge", "amount": "1", "date": "2018-01-01"},
            ).status_code

    time.sleep(1.5)  # Let funding's replica see the credential events.
    for service in ("commitments", "funding"):
        codes = [
            write(service, None, "inside"),
            write(service, "psk_not-a-key", "inside"),
            write(service, revoked["key"], "inside"),
            write(service, reader["key"], "inside"),
            write(service, partner["key"], "outside"),
            write(service, partner["key"], "inside"),
            write(service, KEY, "outside"),
        ]
        assert codes == [401, 401, 401, 403, 403, 201, 201], service

    for key, expected in [
        (None, 200),  # A visitor: the public plans (none here).
        ("psk_not-a-key", 401),
        (revoked["key"], 401),
        (reader["key"], 200),
        (partner["key"], 200),
        (KEY, 200),
    ]:
        with as_key(platform, "reporting", key) as c:
            assert c.get("/v1/plans").status_code == expected, key
    with as_key(platform, "reporting", None) as c:
        assert c.get(f"/v1/plans/{inside['id']}/progress").status_code == 401

    with as_key(platform, "commitments", partner["key"]) as c:
        denied = c.post("/v1/access/partners", json={"name": "x", "role": "operator"})
        assert denied.status_code == 403
        assert c.post("/v1/plans", json={"code": random_ref("P-"), "title": "t"}).status_code == 403


def test_a_partner_limited_to_parties_writes_only_for_them(platform: Platform) -> None:
    plan = create_plan(platform)
    ours = make_commitment(
        platform, plan["id"], parties=[{"name": "Niger", "role": "responsible"}]
    ).json()["id"]
    theirs = make_commitment(
        platform, plan["id"], parties=[{"name": "Mali", "role": "responsible"}]
    ).json()["id"]
    partner = issue(platform, "partner", parties=["Niger"])
    report = {"as_of": "2016-05-01", "completion": "limited"}
    with as_key(platform, "commitments", partner["key"]) as c:
        assert c.post(f"/v1/commitments/{ours}/progress", json=report).status_code == 201
        refused = c.post(f"/v1/commitments/{theirs}/progress", json=report)
        batch = c.post(
            "/v1/events",
            headers={"content-type": "application/cloudevents-batch+json"},
            json=[
                {
                    "specversion": "1.0",
                    "id": random_ref(),
                    "source": "/niger",
                    "type": "org.pactstream.commitment.progress_reported",
                    "subject": cid,
                    "data": report,
                }
                for cid in (ours, theirs)
            ],
        )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/out-of-scope")
    assert [r["status"] for r in batch.json()["results"]] == ["accepted", "rejected"]
    assert batch.json()["results"][1]["problem"]["status"] == 403
    with platform.client("commitments") as c:
        events = c.get(f"/v1/commitments/{ours}/events").json()["events"]
    assert events[-1]["metadata"]["partner"] == partner["id"]


def test_revocation_takes_effect_on_every_service_within_five_seconds(platform: Platform) -> None:
    partner = issue(platform, "partner")
    services = ("commitments", "funding", "reporting")

    def status(service: str) -> int:
        with as_key(platform, service, partner["key"]) as c:
            path = {
                "commitments": "/v1/plans/none",
                "funding": "/v1/agreements/none",
                "reporting": "/v1/plans",
            }[service]
            return c.get(path).status_code

    deadline = time.monotonic() + 10
    while any(status(s) == 401 for s in services):  # Until every service knows the key.
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with platform.client("commitments") as c:
        assert c.delete(f"/v1/access/partners/{partner['id']}").status_code == 204
    revoked_at = time.monotonic()
    pending = set(services)
    while pending:
        pending = {s for s in pending if status(s) != 401}
        assert time.monotonic() - revoked_at < 5, f"still accepted by {pending}"
        time.sleep(0.05)
    print(f"revoked everywhere after {time.monotonic() - revoked_at:.2f} s")


def test_rotation_keeps_the_old_key_until_it_is_retired(platform: Platform) -> None:
    partner = issue(platform, "reader")
    with platform.client("commitments") as c:
        rotated = c.post(f"/v1/access/partners/{partner['id']}/keys")
        assert rotated.status_code == 201
        new_key = rotated.json()["key"]
        for key in (partner["key"], new_key):
            with as_key(platform, "commitments", key) as k:
                assert k.get(f"/v1/plans/{'none'}").status_code == 404  # authenticated
        assert (
            c.delete(f"/v1/access/partners/{partner['id']}/keys/{partner['key_id']}").status_code
            == 204
        )
        shown = c.get(f"/v1/access/partners/{partner['id']}").json()
    assert [k["retired"] for k in shown["keys"]] == [True, False]
    with as_key(platform, "commitments", partner["key"]) as k:  # Within the 5 s bound.
        poll(lambda: k.get("/v1/plans/none").status_code, lambda code: code == 401, timeout=5)
    with as_key(platform, "commitments", new_key) as k:
        assert k.get("/v1/plans/none").status_code == 404


def test_a_partner_with_a_secret_must_sign_its_pushes(platform: Platform) -> None:
    import json

    from shared import webhooks

    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    edec = agreement(platform, plan["id"])
    partner = issue(platform, "partner")
    with platform.client("commitments") as c:
        added = c.post(f"/v1/access/partners/{partner['id']}/webhook-secrets", json={})
    assert added.status_code == 201 and added.json()["secret"].startswith("whsec_")
    secret = added.json()["secret"]
    time.sleep(1.5)  # Funding learns the secret from the topic; caches forget in 1 s.

    def push(
        service: str, subject: str, data: dict[str, Any], sign: bool, stamp: int | None = None
    ) -> int:
        event_type = (
            "org.pactstream.commitment.progress_reported"
            if service == "commitments"
            else "org.pactstream.funding.flow_recorded"
        )
        body = json.dumps(
            {
                "specversion": "1.0",
                "id": random_ref(),
                "source": "/signed",
                "type": event_type,
                "subject": subject,
                "data": data,
            }
        ).encode()
        headers = {"content-type": "application/cloudevents+json"}
        if sign:
            msg_id, when = random_ref("msg_"), stamp or int(time.time())
            headers |= {
                "webhook-id": msg_id,
                "webhook-timestamp": str(when),
                "webhook-signature": webhooks.sign(secret, msg_id, when, body),
            }
        with as_key(platform, service, partner["key"]) as c:
            return c.post("/v1/events", content=body, headers=headers).status_code

    report = {"as_of": "2016-05-01", "completion": "limited"}
    pledge = {"type": "pledge", "amount": "1", "date": "2018-01-01"}
    assert push("commitments", cid, report, sign=False) == 401
    assert push("commitments", cid, report, sign=True, stamp=int(time.time()) - 3600) == 401
    assert push("commitments", cid, report, sign=True) == 201
    assert push("funding", edec["id"], pledge, sign=False) == 401
    assert push("funding", edec["id"], pledge, sign=True) == 201
    # Binary mode's attributes travel in headers the signature does not cover.
    body = json.dumps(report).encode()
    msg_id, when = random_ref("msg_"), int(time.time())
    headers = {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": random_ref(),
        "ce-source": "/signed",
        "ce-type": "org.pactstream.commitment.progress_reported",
        "ce-subject": cid,
        "webhook-id": msg_id,
        "webhook-timestamp": str(when),
        "webhook-signature": webhooks.sign(secret, msg_id, when, body),
    }
    with as_key(platform, "commitments", partner["key"]) as c:
        binary = c.post("/v1/events", content=body, headers=headers)
    assert binary.status_code == 400, binary.text
    assert binary.json()["type"].endswith("/signed-binary-mode")
