"""No byte of a webhook signing secret in the events table, on any topic or in the
AsyncAPI document; a removed secret stops working on every service within 5 s."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg

from shared import sealing, webhooks
from shared.settings import ServiceSettings
from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import as_key, issue
from tests.e2e.test_funding import agreement
from tests.e2e.test_people import PASSWORD, invite, set_password, sign_in
from tests.e2e.test_slice import KAFKA, create_plan, make_commitment
from tests.kafka_reader import read_topic
from tests.refs import random_ref

POSTGRES = ServiceSettings().postgres_url.rstrip("/")


def signed_push(platform: Platform, service: str, key: str, secret: str, subject: str) -> int:
    if service == "commitments":
        kind, data = (
            "commitment.progress_reported",
            {"as_of": "2016-05-01", "completion": "limited"},
        )
    else:
        kind, data = (
            "funding.flow_recorded",
            {"type": "pledge", "amount": "1", "date": "2018-01-01"},
        )
    body = json.dumps(
        {
            "specversion": "1.0",
            "id": random_ref(),
            "source": "/sealed",
            "type": f"org.pactstream.{kind}",
            "subject": subject,
            "data": data,
        }
    ).encode()
    msg_id, when = random_ref("msg_"), int(time.time())
    headers = {
        "content-type": "application/cloudevents+json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(when),
        "webhook-signature": webhooks.sign(secret, msg_id, when, body),
    }
    with as_key(platform, service, key) as c:
        return c.post("/v1/events", content=body, headers=headers).status_code


async def stored_events(platform: Platform) -> list[str]:
    conn = await asyncpg.connect(f"{POSTGRES}/{platform.ref}_commitments")
    try:
        return [r["text"] for r in await conn.fetch("SELECT e::text AS text FROM events e")]
    finally:
        await conn.close()


def test_a_secret_is_nowhere_in_the_log_and_dies_everywhere_when_removed(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    edec = agreement(platform, plan["id"])
    partner = issue(platform, "partner")
    with platform.client("commitments") as c:
        added = c.post(f"/v1/access/partners/{partner['id']}/webhook-secrets", json={})
        # A second one keeps signatures required once the first is removed.
        kept = c.post(f"/v1/access/partners/{partner['id']}/webhook-secrets", json={})
    assert added.status_code == kept.status_code == 201
    secret, secret_id = added.json()["secret"], added.json()["id"]
    raw = secret.removeprefix("whsec_")

    targets = {"commitments": cid, "funding": edec["id"]}
    for service, subject in targets.items():  # Funding opens the sealed token it was sent.
        poll(
            lambda s=service, j=subject: signed_push(platform, s, partner["key"], secret, j),
            lambda code: code == 201,
        )

    def holds_secret(records: list[Any]) -> bool:
        return any(raw.encode() in (r.value or b"") for r in records)

    access = asyncio.run(
        read_topic(
            KAFKA,
            f"{platform.ref}.access",
            until=lambda rs: any(secret_id.encode() in (r.value or b"") for r in rs),
        )
    )
    assert not holds_secret(access)
    for topic in ("commitments", "funding"):
        records = asyncio.run(read_topic(KAFKA, f"{platform.ref}.{topic}", until=bool))
        assert not holds_secret(records)
    assert not any(raw in row for row in asyncio.run(stored_events(platform)))
    for service in targets:
        with platform.client(service, key=None) as c:
            assert raw not in c.get("/asyncapi.json").text

    with platform.client("commitments") as c:
        gone = c.delete(f"/v1/access/partners/{partner['id']}/webhook-secrets/{secret_id}")
    assert gone.status_code == 204
    removed_at = time.monotonic()
    for service, subject in targets.items():
        poll(
            lambda s=service, j=subject: signed_push(platform, s, partner["key"], secret, j),
            lambda code: code == 401,
            timeout=5,
        )
    took = time.monotonic() - removed_at
    print(f"a removed secret refused on both services after {took:.2f} s")
    assert took < 5
    other = kept.json()["secret"]
    assert signed_push(platform, "funding", partner["key"], other, edec["id"]) == 201


def restart_all(platform: Platform, keys: str) -> None:
    for service in ("commitments", "funding", "reporting"):
        assert platform.terminate(service) == 0
        platform.start(service, env={"PACTSTREAM_SECRETS_KEYS": keys})
    for service in ("commitments", "funding", "reporting"):
        platform.wait_ready(service)


def test_the_sealing_key_rotates_without_a_secret_lost(platform: Platform) -> None:
    """Last in the module: it restarts the services under other keys."""
    plan = create_plan(platform)
    edec = agreement(platform, plan["id"])
    partner = issue(platform, "partner")
    with platform.client("commitments") as c:
        added = c.post(f"/v1/access/partners/{partner['id']}/webhook-secrets", json={})
    secret = added.json()["secret"]
    poll(
        lambda: signed_push(platform, "funding", partner["key"], secret, edec["id"]),
        lambda code: code == 201,
    )
    person = invite(platform)
    assert set_password(person["invitation_url"], PASSWORD).status_code == 200
    new = sealing.new_key()
    restart_all(platform, f"{new},{sealing.DEVELOPMENT_KEY}")
    with platform.client("commitments") as c:
        resealed = c.post("/v1/access/webhook-secrets/reseal")
    assert resealed.status_code == 200, resealed.text
    assert resealed.json()["resealed"] >= 1 and resealed.json()["passwords"] >= 1
    secret_id = added.json()["id"].encode()

    def tokens(records: list[Any]) -> list[str]:
        return [json.loads(r.value)["sealed"] for r in records if secret_id in (r.value or b"")]

    on_topic = asyncio.run(
        read_topic(KAFKA, f"{platform.ref}.access", until=lambda rs: len(tokens(rs)) >= 2)
    )
    # A replica replaying the topic from the start ends with a token the new key opens.
    assert sealing.Sealer([new]).open(tokens(on_topic)[-1]) == secret
    restart_all(platform, new)  # The old key is gone.
    for service, subject in (("funding", edec["id"]), ("commitments", None)):
        if subject is None:
            subject = make_commitment(platform, plan["id"]).json()["id"]
        assert signed_push(platform, service, partner["key"], secret, subject) == 201
    assert sign_in(platform, person["name"], PASSWORD).status_code == 303
