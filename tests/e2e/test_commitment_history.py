"""The whole commitment domain over HTTP, both ways in, projected into reporting."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.platform import Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref

STRUCTURED = {"content-type": "application/cloudevents+json"}
BATCH = {"content-type": "application/cloudevents-batch+json"}


def cloudevent(type_: str, subject: str, data: dict[str, Any], **attrs: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": attrs.get("id", random_ref("ce-")),
        "source": attrs.get("source", "/ministry/planning"),
        "type": f"org.pactstream.commitment.{type_}",
        "subject": subject,
        "data": data,
    }


def history(platform: Platform, cid: str) -> list[dict[str, Any]]:
    with platform.client("commitments") as c:
        return c.get(f"/v1/commitments/{cid}/events").json()["events"]  # type: ignore[no-any-return]


def view(platform: Platform, cid: str, **params: str) -> httpx.Response:
    with platform.client("reporting") as c:
        return c.get(f"/v1/commitments/{cid}", params=params)


def test_rest_and_cloudevents_record_the_same_events(platform: Platform) -> None:
    plan = create_plan(platform)
    via_rest = make_commitment(platform, plan["id"]).json()["id"]
    via_events = make_commitment(platform, plan["id"]).json()["id"]
    report = {
        "as_of": "2016-05-01",
        "completion": "limited",
        "narrative": "Launched in Niger",
        "evidence": ["https://example.org/report.pdf"],
    }
    with platform.client("commitments") as c:
        assert c.post(f"/v1/commitments/{via_rest}/progress", json=report).status_code == 201
        r = c.post(
            "/v1/events",
            json=cloudevent("progress_reported", via_events, report),
            headers=STRUCTURED,
        )
        assert r.status_code == 201, r.text
    rest_event, ce_event = history(platform, via_rest)[-1], history(platform, via_events)[-1]
    assert rest_event["type"] == ce_event["type"] == "org.pactstream.commitment.progress_reported"
    strip = {"commitment_id", "report_id"}
    assert {k: v for k, v in rest_event["data"].items() if k not in strip} == {
        k: v for k, v in ce_event["data"].items() if k not in strip
    }
    assert rest_event["occurred_at"] == ce_event["occurred_at"]
    assert ce_event["metadata"]["partner"] == "operator"


def test_one_cloudevent_posted_three_times_has_one_effect(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    event = cloudevent("status_changed", cid, {"status": "launched", "as_of": "2016-02-01"})
    with platform.client("commitments") as c:
        codes = [c.post("/v1/events", json=event, headers=STRUCTURED).status_code for _ in range(3)]
    assert codes == [201, 200, 200]
    assert [e["type"] for e in history(platform, cid)].count(
        "org.pactstream.commitment.status_changed"
    ) == 1


def test_a_batch_answers_each_event_in_order(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    batch = [
        cloudevent("status_changed", cid, {"status": "launched", "as_of": "2016-02-01"}),
        cloudevent(
            "status_changed", "no-such-commitment", {"status": "launched", "as_of": "2016-02-01"}
        ),
        cloudevent("progress_reported", cid, {"as_of": "2016-03-01", "completion": "substantial"}),
        cloudevent("status_changed", cid, {"status": "planned", "as_of": "2016-04-01"}),
        {"specversion": "1.0", "id": "x"},
    ]
    with platform.client("commitments") as c:
        r = c.post("/v1/events", json=batch, headers=BATCH)
        again = c.post("/v1/events", json=batch[:1], headers=BATCH)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == [
        "accepted",
        "rejected",
        "accepted",
        "rejected",
        "rejected",
    ]
    assert [x["id"] for x in results[:4]] == [e["id"] for e in batch[:4]]
    assert results[1]["problem"]["status"] == 404
    assert results[3]["problem"]["type"].endswith("/invalid-transition")
    assert results[4]["problem"]["errors"][0]["pointer"] == "/4/source"
    assert again.json()["results"][0]["status"] == "duplicate"


def test_reports_measurements_milestones_and_amendments_show_as_of_and_as_known(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(
        platform,
        plan["id"],
        deadline="mid-2016",
        indicators=[
            {
                "code": "cost",
                "title": "Remittance cost",
                "unit": "%",
                "direction": "decrease",
                "baseline": {"value": "9.5", "date": "2015-01-01"},
                "target": {"value": 3, "date": "2030-12-31"},
            }
        ],
    ).json()["id"]
    with platform.client("commitments") as c:
        first = c.post(
            f"/v1/commitments/{cid}/progress",
            json={"id": "r1", "as_of": "2016-03-01", "completion": "substantial"},
        )
        assert first.status_code == 201 and first.json()["id"] == "r1"
        assert (
            c.post(
                f"/v1/commitments/{cid}/measurements",
                json={"indicator": "cost", "value": "6.25", "as_of": "2016-06-01"},
            ).status_code
            == 201
        )
        unknown = c.post(
            f"/v1/commitments/{cid}/measurements",
            json={"indicator": "nope", "value": 1, "as_of": "2016-06-01"},
        )
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/indicator"
        assert (
            c.post(
                f"/v1/commitments/{cid}/milestones",
                json={"code": "M1", "title": "Seminar", "planned": "first half of 2016"},
            ).status_code
            == 201
        )
        assert (
            c.post(
                f"/v1/commitments/{cid}/milestones/M1/reached", json={"reached_on": "2016-05-20"}
            ).status_code
            == 200
        )
        amended = c.post(
            f"/v1/commitments/{cid}/amendments",
            json={"as_of": "2016-06-15", "reason": "SOM agreed a new date", "deadline": "end 2016"},
        )
        assert amended.status_code == 201 and amended.json()["deadline"]["end"] == "2016-12-31"
    known_before_retraction = poll(
        lambda: view(platform, cid, as_of="2016-12-01"),
        lambda r: (
            r.status_code == 200
            and r.json()["milestones"]
            and r.json()["milestones"][0]["reached_on"] is not None
        ),
    ).json()["known_at"]
    with platform.client("commitments") as c:
        retracted = c.post(
            f"/v1/commitments/{cid}/progress/r1/retraction",
            json={"reason": "reported on the wrong commitment"},
        )
        assert retracted.status_code == 200
        assert retracted.json()["reports"][0]["retracted"] is True

    now = poll(
        lambda: view(platform, cid, as_of="2016-12-01").json(),
        lambda v: v["reports"] and v["reports"][0]["retracted"],
    )
    assert now["completion"] is None
    assert now["reports"][0]["retraction_reason"] == "reported on the wrong commitment"
    (cost,) = now["indicators"]
    assert cost["latest"] == {"value": "6.25", "as_of": "2016-06-01"}
    assert cost["progress_pct"] == 50.0  # 9.5 → 6.25 is half the way to 3.
    assert now["deadline"]["label"] == "end 2016" and now["overdue"] is False
    assert [t["type"].rsplit(".", 1)[-1] for t in now["timeline"]][-1] == "amended"
    assert all(t["partner"] == "operator" and t["event_id"] for t in now["timeline"])

    as_known_then = view(platform, cid, as_of="2016-12-01", known_at=known_before_retraction)
    assert as_known_then.json()["completion"] == "substantial"
    before_amendment = view(platform, cid, as_of="2016-06-14").json()
    assert before_amendment["deadline"]["label"] == "mid-2016"
    assert before_amendment["overdue"] is False
    assert view(platform, cid, as_of="2016-07-01").json()["deadline"]["label"] == "end 2016"
    assert view(platform, cid, as_of="2016-02-01").json()["indicators"][0]["latest"] is None

    with platform.client("reporting") as c:
        deadlines = c.get(
            f"/v1/plans/{plan['id']}/deadlines", params={"as_of": "2017-01-10", "within_days": 30}
        ).json()
    assert [d["id"] for d in deadlines["overdue"]] == [cid]
    assert deadlines["overdue"][0]["days_overdue"] == 10


def test_a_hundred_event_history_reads_back_whole_and_in_order(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(
        platform,
        plan["id"],
        indicators=[
            {
                "code": "n",
                "title": "Count",
                "unit": "items",
                "direction": "increase",
                "target": {"value": 1000},
            }
        ],
    ).json()["id"]
    with platform.client("commitments") as c:
        for n in range(99):
            r = c.post(
                f"/v1/commitments/{cid}/measurements",
                json={
                    "indicator": "n",
                    "value": n,
                    "as_of": f"2016-{1 + n // 28:02d}-{1 + n % 28:02d}",
                },
            )
            assert r.status_code == 201, r.text
    events = history(platform, cid)
    assert len(events) == 100
    assert [e["stream_version"] for e in events] == list(range(1, 101))
    assert [e["data"]["value"] for e in events[1:]] == [str(n) for n in range(99)]
    latest = poll(lambda: view(platform, cid).json(), lambda v: len(v["timeline"]) == 100)
    assert latest["indicators"][0]["latest"]["value"] == "98"


def test_a_french_plan_typed_in_through_the_api_projects_correctly(platform: Platform) -> None:
    plan = create_plan(
        platform,
        code=random_ref("CSF-"),
        title="Contrat stratégique de la filière Chimie",
        language="fr",
        period="2018 à 2022",
        adopted_on="2018-11-12",
        parties=["Etat", "Filière"],
        sections=[
            {"code": "A1", "title": "Économie circulaire et recyclage", "kind": "action"},
            {
                "code": "A1.1",
                "title": "Réduire les émissions de CO₂",
                "parent": "A1",
                "kind": "mesure",
            },
            {"code": "T", "title": "Thèmes transversaux", "kind": "theme"},
        ],
    )
    assert plan["period"] == {"label": "2018 à 2022", "start": "2018-01-01", "end": "2022-12-31"}
    deadlines = ["T1 2019", "S1 2019", "début 2019", "fin 2020", "2017 à 2020"]
    for n, deadline in enumerate(deadlines):
        r = make_commitment(
            platform,
            plan["id"],
            section="A1.1",
            deadline=deadline,
            title=f"Engagement n°{n} : 600 000 € d'ici {deadline}",
            parties=[
                {"name": "Etat", "role": "funder"},
                {"name": "Filière", "role": "responsible"},
            ],
        )
        assert r.status_code == 201, r.text
    report = poll(
        lambda: httpx.get(
            f"{platform.url('reporting')}/v1/plans/{plan['id']}/progress",
            params={"as_of": "2019-07-01"},
            headers={"Authorization": "Bearer e2e-operator-key"},
        ),
        lambda r: r.status_code == 200 and r.json()["totals"]["commitments"] == 5,
    ).json()
    assert report["plan"]["title"] == "Contrat stratégique de la filière Chimie"
    a1 = report["sections"][0]
    assert a1["title"] == "Économie circulaire et recyclage"
    assert a1["sections"][0]["title"] == "Réduire les émissions de CO₂"
    assert a1["totals"]["overdue"] == 3  # T1 2019, S1 2019 and début 2019 have passed.
    with platform.client("reporting") as c:
        listed = c.get(f"/v1/plans/{plan['id']}/commitments").json()
    assert {c["title"] for c in listed} >= {"Engagement n°0 : 600 000 € d'ici T1 2019"}
    assert {c["deadline"]["label"] for c in listed} == set(deadlines)
