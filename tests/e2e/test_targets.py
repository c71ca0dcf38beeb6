"""A target several parties share ("at least 25 % of funding through local responders
by 2020"), set on a plan through the API and fed by the measurements of each party's
commitment; reporting combines them as the target says, as of any date."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment

INDICATORS = [
    {
        "code": "local",
        "title": "Share through local responders",
        "unit": "%",
        "direction": "increase",
        "target": {"value": "25"},
    },
    {
        "code": "funding",
        "title": "Humanitarian funding",
        "unit": "EUR",
        "direction": "increase",
        "target": {"value": "1000000"},
    },
]


def commitment(platform: Platform, plan_id: str, party: str) -> str:
    made = make_commitment(
        platform,
        plan_id,
        parties=[{"name": party, "role": "responsible"}],
        indicators=INDICATORS,
        made_on="2016-01-10",
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def measure(platform: Platform, commitment_id: str, indicator: str, value: str, as_of: str) -> None:
    with platform.client("commitments") as c:
        answer = c.post(
            f"/v1/commitments/{commitment_id}/measurements",
            json={"indicator": indicator, "value": value, "as_of": as_of},
        )
    assert answer.status_code == 201, answer.text


def test_a_shared_target_combines_its_parties_measurements(platform: Platform) -> None:
    plan = create_plan(platform, parties=["EU", "Norway"])
    eu, norway = commitment(platform, plan["id"], "EU"), commitment(platform, plan["id"], "Norway")
    measure(platform, eu, "local", "30", "2016-06-30")
    measure(platform, eu, "funding", "100", "2016-06-30")
    measure(platform, norway, "local", "10", "2016-09-30")
    measure(platform, norway, "funding", "300", "2016-09-30")
    body = {
        "code": "GB-2",
        "title": {"en": "At least 25 % through local responders", "fr": "Au moins 25 %"},
        "unit": "%",
        "aggregation": "weighted_mean",
        "target": {"comparison": "≥", "value": "25", "by": "2020-12-31"},
        "sources": [
            {"commitment": eu, "indicator": "local", "weight_indicator": "funding"},
            {"commitment": norway, "indicator": "local", "weight_indicator": "funding"},
        ],
    }
    path = f"/v1/plans/{plan['id']}/targets"
    with platform.client("commitments") as c:
        first = c.post(path, json=body)
        assert first.status_code == 201, first.text
        assert first.json()["target"] == {"comparison": ">=", "value": "25", "by": "2020-12-31"}
        assert c.post(path, json=body).status_code == 200  # The same again: unchanged.
        listed = c.get(path, headers={"Accept-Language": "fr"}).json()["targets"]
        assert [(t["code"], t["title"]) for t in listed] == [("GB-2", "Au moins 25 %")]

    def view(**params: str) -> Any:
        with platform.client("reporting") as c:
            answer = c.get(path, params=params)
        return answer.json() if answer.status_code == 200 else None

    seen = poll(lambda: view(as_of="2016-12-31"), lambda v: v is not None and v["targets"])
    [target] = seen["targets"]
    # (30 × 100 + 10 × 300) / 400
    assert (target["value"], target["met"], target["reporting"]) == ("15", False, 2)
    assert [s["weight"] for s in target["sources"]] == ["100", "300"]
    [early] = view(as_of="2016-07-31")["targets"]  # Norway had not measured yet.
    assert (early["value"], early["met"], early["reporting"]) == ("30", True, 1)
    with platform.client("reporting") as c:
        csv = c.get(f"/v1/plans/{plan['id']}/targets.csv", params={"as_of": "2016-12-31"})
        french = c.get(path, params={"as_of": "2016-12-31"}, headers={"Accept-Language": "fr"})
        assert french.json()["targets"][0]["title"] == "Au moins 25 %"
        page = c.get(f"/plans/{plan['id']}", params={"as_of": "2016-12-31", "lang": "fr"})
    assert csv.status_code == 200 and csv.text.count("GB-2") == 2
    assert page.status_code == 200
    assert "Objectifs partagés" in page.text and 'data-figure="target-GB-2">15 %' in page.text


def test_a_target_the_plan_cannot_feed_is_refused_naming_the_field(platform: Platform) -> None:
    plan, other = create_plan(platform), create_plan(platform)
    mine, theirs = commitment(platform, plan["id"], "EU"), commitment(platform, other["id"], "EU")
    good = {"commitment": mine, "indicator": "local", "weight": "1"}
    cases = [
        ([{**good, "commitment": theirs}], "weighted_mean", "/sources/0/commitment"),
        ([{**good, "indicator": "nothing"}], "weighted_mean", "/sources/0/indicator"),
        ([{"commitment": mine, "indicator": "local"}], "weighted_mean", "/sources/0/weight"),
        ([good, good], "sum", "/sources/1"),
    ]
    with platform.client("commitments") as c:
        for sources, aggregation, pointer in cases:
            answer = c.post(
                f"/v1/plans/{plan['id']}/targets",
                json={
                    "code": "T",
                    "title": "T",
                    "unit": "%",
                    "aggregation": aggregation,
                    "target": {"value": "3", "comparison": "<"},
                    "sources": sources,
                },
            )
            assert answer.status_code == 422, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert pointer in answer.text, (pointer, answer.text)
        assert c.get(f"/v1/plans/{plan['id']}/targets").json()["targets"] == []
