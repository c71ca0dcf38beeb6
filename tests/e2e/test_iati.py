"""A plan's IATI activity file over HTTP: valid against the official 2.03 schema, one
activity per commitment under the plan's, and the transactions of the flows recorded
with their IATI codes, as of any business date and as known at any time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from lxml import etree

from tests.e2e.platform import Platform, poll
from tests.e2e.test_funding import agreement, post
from tests.e2e.test_slice import create_plan, make_commitment
from tests.iati import validated

INDICATOR = {
    "code": "alternants",
    "title": "Nombre d'alternants",
    "unit": "%",
    "direction": "increase",
    "baseline": {"value": "0", "date": "2015-12-31"},
    "target": {"value": "50", "date": "2016-12-31"},
}
PARTIES = [
    {"name": "EU", "role": "responsible"},
    {"name": "African partners", "role": "contributor"},
    {"name": "EIB", "role": "funder"},
    {"name": "Rabat Process", "role": "monitor"},
]


def iati(platform: Platform, plan_id: str, **params: str) -> httpx.Response:
    with platform.client("reporting") as c:
        return c.get(f"/v1/plans/{plan_id}/iati.xml", params=params)


def codes(activity: etree._Element) -> list[str]:
    return [t.get("code") or "" for t in activity.iter("transaction-type")]


def _funded_plan(platform: Platform) -> dict[str, Any]:
    """A plan with a measured, completed commitment, an unfunded one, and flows: a
    plan-level pledge, then on the first commitment a commitment, two disbursements
    (one reversed on 2016-06-01) and an expenditure."""
    plan = create_plan(platform)
    first = make_commitment(platform, plan["id"], parties=PARTIES, indicators=[INDICATOR])
    second = make_commitment(platform, plan["id"], deadline="2017")
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    cid = first.json()["id"]
    with platform.client("commitments") as c:
        for status, day in (("launched", "2016-03-01"), ("completed", "2016-10-01")):
            r = c.post(f"/v1/commitments/{cid}/status", json={"status": status, "as_of": day})
            assert r.status_code == 200, r.text
        r = c.post(
            f"/v1/commitments/{cid}/measurements",
            json={"indicator": "alternants", "value": "40", "as_of": "2016-06-30"},
        )
        assert r.status_code in (200, 201), r.text
    platform.await_listed(plan["id"], 2)
    before_flows = datetime.now(UTC).isoformat()
    edec = agreement(platform, plan["id"], period="2016")
    base = f"/v1/agreements/{edec['id']}/flows"
    flows = [
        {"type": "pledge", "amount": "2580000", "date": "2016-01-15"},
        {"type": "commitment", "amount": "1000", "date": "2016-02-01", "commitment": cid},
        {"type": "disbursement", "amount": "400", "date": "2016-04-01", "commitment": cid},
        {"type": "disbursement", "amount": "0.10", "date": "2016-04-15", "commitment": cid},
        {"type": "expenditure", "amount": "300", "date": "2016-05-01", "commitment": cid},
    ]
    ids = []
    for flow in flows:
        r = post(platform, base, flow)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = post(platform, f"{base}/{ids[3]}/reversal", {"reason": "typed twice", "date": "2016-06-01"})
    assert r.status_code == 201, r.text
    return {"plan": plan, "commitment": cid, "other": second.json()["id"], "before": before_flows}


def test_the_iati_file_validates_and_carries_the_codes_of_the_flows(platform: Platform) -> None:
    made = _funded_plan(platform)
    plan_id = made["plan"]["id"]
    answer = poll(
        lambda: iati(platform, plan_id, as_of="2016-12-31"),
        lambda r: r.status_code == 200 and r.text.count("<transaction ") == 4,
        timeout=30,
    )
    assert answer.headers["content-type"].startswith("application/xml")
    assert f'{plan_id}-iati-2016-12-31.xml"' in answer.headers["content-disposition"]
    root = validated(answer.content)
    parent, *children = root
    assert parent.get("hierarchy") == "1" and len(children) == 2
    by_id = {a.findtext("iati-identifier"): a for a in children}
    first = by_id[f"XM-DAC-PACTSTREAM-{made['commitment']}"]
    other = by_id[f"XM-DAC-PACTSTREAM-{made['other']}"]
    assert codes(parent) == ["12"]
    assert codes(first) == ["2", "3", "4"], "the reversed disbursement is not in force"
    assert codes(other) == []
    assert [v.text for v in first.iter("value")] == ["1000.00", "400.00", "300.00"]
    assert {v.get("currency") for v in root.iter("value")} == {"EUR"}
    roles = [o.get("role") for o in first.iter("participating-org")]
    assert roles == ["4", "4", "1", "2"]
    assert first.find("activity-status").get("code") == "3"
    dates = {d.get("type"): d.get("iso-date") for d in first.iter("activity-date")}
    assert dates["2"] == "2016-03-01" and dates["3"] == "2016-12-31" and dates["4"] == "2016-10-01"
    indicator = first.find("result/indicator")
    assert indicator.find("baseline").get("value") == "0"
    assert indicator.find("period/target").get("value") == "50"
    assert indicator.find("period/actual").get("value") == "40"
    assert [r.get("ref") for r in first.iter("related-activity")] == [
        parent.findtext("iati-identifier")
    ]


def test_the_iati_file_honours_as_of_and_known_at(platform: Platform) -> None:
    made = _funded_plan(platform)
    plan_id = made["plan"]["id"]
    poll(
        lambda: iati(platform, plan_id, as_of="2016-12-31"),
        lambda r: r.status_code == 200 and r.text.count("<transaction ") == 4,
        timeout=30,
    )
    spring = validated(iati(platform, plan_id, as_of="2016-04-20").content)
    first = next(
        a for a in spring if a.findtext("iati-identifier", "").endswith(made["commitment"])
    )
    assert codes(first) == ["2", "3", "3"], "before its reversal, the second disbursement counts"
    assert first.find("activity-status").get("code") == "2"
    assert first.find("result/indicator/period/actual") is None, "not measured yet"
    unknown = validated(iati(platform, plan_id, known_at=made["before"]).content)
    assert [codes(a) for a in unknown] == [[], [], []], "no flow was known then"


def test_an_unknown_plan_or_a_bad_date_is_a_problem(platform: Platform) -> None:
    missing = iati(platform, "no-such-plan")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    plan = create_plan(platform)
    assert iati(platform, plan["id"], as_of="2016-13-45").status_code == 422
    empty = validated(iati(platform, plan["id"]).content)
    assert len(empty) == 1, "a plan without commitments is its own activity"


def _complete(platform: Platform, plan_id: str, activities: int) -> httpx.Response:
    """The file once every commitment of the plan has reached reporting."""
    return poll(  # type: ignore[no-any-return]
        lambda: iati(platform, plan_id),
        lambda r: r.status_code == 200 and r.text.count("<iati-activity ") == activities,
        timeout=60,
    )


def test_the_iati_file_of_each_demo_plan_validates(seeded: Platform) -> None:
    for plan_id, language, commitments in (
        ("valletta-2015", "en", 106),
        ("mines-metallurgie-2018", "fr", 17),
    ):
        root = validated(_complete(seeded, plan_id, commitments + 1).content)
        assert {a.get("{http://www.w3.org/XML/1998/namespace}lang") for a in root} == {language}
