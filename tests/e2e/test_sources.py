"""Sources belong to partners: a partner cannot post with another's CloudEvents source,
so it can never make the other's events duplicates, on either writing service."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import as_key, issue
from tests.e2e.test_commitment_history import BATCH, STRUCTURED, cloudevent
from tests.e2e.test_funding import agreement
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref

REPORT = {"as_of": "2016-05-01", "completion": "limited"}


def register(platform: Platform, **body: Any) -> dict[str, Any]:
    with platform.client("commitments") as c:
        answer = c.post(
            "/v1/access/partners", json={"name": random_ref("p "), "role": "partner", **body}
        )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def post(platform: Platform, service: str, key: str, event: dict[str, Any]) -> Any:
    with as_key(platform, service, key) as c:
        return c.post("/v1/events", json=event, headers=STRUCTURED)


def test_a_partner_posting_with_anothers_source_is_refused_and_the_owners_event_counts(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    source = f"/ngo/{random_ref()}"
    owner = register(platform, sources=[source, f"{source}/eu"])
    assert owner["sources"] == [source, f"{source}/eu"]
    intruder = issue(platform, "partner")  # No sources of its own.
    event = cloudevent("progress_reported", cid, REPORT, source=source)

    refused = post(platform, "commitments", intruder["key"], event)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/foreign-source")
    assert source in refused.json()["detail"]
    taken = post(platform, "commitments", owner["key"], event)
    assert taken.status_code == 201, taken.text
    assert taken.json()["status"] == "accepted"
    assert post(platform, "commitments", owner["key"], event).json()["status"] == "duplicate"

    mine = cloudevent("progress_reported", cid, REPORT, source=f"/own/{random_ref()}")
    with as_key(platform, "commitments", intruder["key"]) as c:
        batch = c.post("/v1/events", json=[mine, {**event, "id": "x"}], headers=BATCH)
    assert [r["status"] for r in batch.json()["results"]] == ["accepted", "rejected"]
    assert batch.json()["results"][1]["problem"]["status"] == 403

    # The owner itself may not use a source outside its list.
    elsewhere = cloudevent("progress_reported", cid, REPORT, source="/somewhere-else")
    assert post(platform, "commitments", owner["key"], elsewhere).status_code == 403


def test_funding_refuses_anothers_source_once_it_has_learnt_it(platform: Platform) -> None:
    plan = create_plan(platform)
    edec = agreement(platform, plan["id"])
    source = f"/fund/{random_ref()}"
    register(platform, sources=[source])
    intruder = issue(platform, "partner")
    pledge = {"type": "pledge", "amount": "1", "date": "2018-01-01"}

    def attempt() -> int:
        event = {
            **cloudevent("x", edec["id"], pledge, source=source),
            "type": "org.pactstream.funding.flow_recorded",
        }
        return int(post(platform, "funding", intruder["key"], event).status_code)

    assert poll(attempt, lambda code: code == 403, timeout=10) == 403


def test_a_source_is_held_by_one_partner_and_a_refused_registration_stores_nothing(
    platform: Platform,
) -> None:
    source = f"/held/{random_ref()}"
    register(platform, sources=[source])
    name = random_ref("second-")
    with platform.client("commitments") as c:
        second = c.post(
            "/v1/access/partners",
            json={"id": name, "name": name, "role": "partner", "sources": ["/free", source]},
        )
        assert second.status_code == 409, second.text
        assert second.json()["type"].endswith("/source-taken")
        assert c.get(f"/v1/access/partners/{name}").status_code == 404
        bad = c.post(
            "/v1/access/partners",
            json={"name": "r", "role": "reader", "sources": ["/r"]},
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["pointer"] == "/sources"


def test_partners_without_sources_never_make_each_others_events_duplicates(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    first, second = issue(platform, "partner"), issue(platform, "partner")
    event = cloudevent("progress_reported", cid, REPORT, source=f"/shared/{random_ref()}")
    assert post(platform, "commitments", first["key"], event).json()["status"] == "accepted"
    assert post(platform, "commitments", second["key"], event).json()["status"] == "accepted"
    assert post(platform, "commitments", second["key"], event).json()["status"] == "duplicate"
