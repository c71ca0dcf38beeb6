"""Funding over HTTP: exact money, co-financing, allocations, flows and reversals."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.platform import Platform
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref


def source(platform: Platform, kind: str = "public budget") -> str:
    code = random_ref("SRC-")
    with platform.client("funding") as c:
        r = c.post("/v1/sources", json={"code": code, "name": f"Source {code}", "kind": kind})
    assert r.status_code == 201, r.text
    return code


def agreement(platform: Platform, plan_id: str | None, **overrides: Any) -> dict[str, Any]:
    body = {
        "code": random_ref("AGR-"),
        "title": "EDEC Transition numérique",
        "currency": "EUR",
        "period": "2017 à 2020",
        "plan": plan_id,
        "contributions": [
            {"source": source(platform), "amount": "600000"},
            {"source": source(platform, "industry body"), "amount": 1980000},
        ],
        **overrides,
    }
    with platform.client("funding") as c:
        r = c.post("/v1/agreements", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def post(platform: Platform, path: str, body: dict[str, Any]) -> httpx.Response:
    with platform.client("funding") as c:
        return c.post(path, json=body)


def test_a_co_financed_agreement_totals_its_contributions_exactly(platform: Platform) -> None:
    plan = create_plan(platform)
    edec = agreement(platform, plan["id"])
    assert edec["total"] == {"amount": "2580000.00", "currency": "EUR"}
    assert [c["amount"]["amount"] for c in edec["contributions"]] == ["600000.00", "1980000.00"]
    assert edec["period"] == {"label": "2017 à 2020", "start": "2017-01-01", "end": "2020-12-31"}
    with platform.client("funding") as c:
        again = c.get(f"/v1/agreements/{edec['id']}").json()
    assert again["total"]["amount"] == "2580000.00"


def test_cents_add_up_exactly_and_a_reversal_takes_one_back(platform: Platform) -> None:
    edec = agreement(platform, None)
    path = f"/v1/agreements/{edec['id']}/flows"
    assert (
        post(
            platform, path, {"type": "commitment", "amount": "100", "date": "2018-01-01"}
        ).status_code
        == 201
    )
    ten = post(platform, path, {"type": "disbursement", "amount": "0.10", "date": "2018-02-01"})
    assert ten.status_code == 201 and ten.json()["iati_code"] == 3
    post(platform, path, {"type": "disbursement", "amount": "0.20", "date": "2018-02-02"})
    with platform.client("funding") as c:
        assert c.get(f"/v1/agreements/{edec['id']}").json()["disbursed"]["amount"] == "0.30"
    reversed_ = post(
        platform,
        f"{path}/{ten.json()['id']}/reversal",
        {"reason": "entered twice", "date": "2018-02-03"},
    )
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["disbursed"] == {"amount": "0.20", "currency": "EUR"}
    assert [f["reversed"] for f in reversed_.json()["flows"]] == [False, True, False]


def test_a_commitment_created_a_moment_ago_can_be_funded_at_once(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    edec = agreement(platform, plan["id"])
    r = post(
        platform,
        f"/v1/agreements/{edec['id']}/allocations",
        {"commitment": cid, "amount": "2000000.00"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["allocated"] == {"amount": "2000000.00", "currency": "EUR"}


def test_every_limit_is_a_422_and_nothing_stored_changes(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    edec = agreement(platform, plan["id"])
    base = f"/v1/agreements/{edec['id']}"
    assert (
        post(platform, f"{base}/allocations", {"commitment": cid, "amount": "2580000"}).status_code
        == 201
    )
    assert (
        post(
            platform,
            f"{base}/flows",
            {"type": "commitment", "amount": "1000", "date": "2018-01-01"},
        ).status_code
        == 201
    )
    assert (
        post(
            platform,
            f"{base}/flows",
            {"type": "disbursement", "amount": "400", "date": "2018-01-02"},
        ).status_code
        == 201
    )
    with platform.client("funding") as c:
        before = c.get(base).json()
    refused = {
        "over-allocation": post(
            platform, f"{base}/allocations", {"commitment": cid, "amount": "0.01"}
        ),
        "over-disbursement": post(
            platform,
            f"{base}/flows",
            {"type": "disbursement", "amount": "600.01", "date": "2018-01-03"},
        ),
        "over-spending": post(
            platform,
            f"{base}/flows",
            {"type": "expenditure", "amount": "400.01", "date": "2018-01-03"},
        ),
        "unknown commitment": post(
            platform, f"{base}/allocations", {"commitment": "no-such-commitment", "amount": "1"}
        ),
        "float amount": post(
            platform, f"{base}/flows", {"type": "disbursement", "amount": 0.1, "date": "2018-01-03"}
        ),
        "other currency": post(
            platform,
            f"{base}/flows",
            {
                "type": "disbursement",
                "amount": {"amount": "1", "currency": "USD"},
                "date": "2018-01-03",
            },
        ),
    }
    for name, response in refused.items():
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json", name
    assert "1000.00 EUR" in refused["over-disbursement"].json()["detail"]
    assert "1000.01 EUR" in refused["over-disbursement"].json()["detail"]
    assert refused["unknown commitment"].json()["errors"][0]["pointer"] == "/commitment"
    assert refused["float amount"].json()["errors"][0]["pointer"].startswith("/amount")
    with platform.client("funding") as c:
        assert c.get(base).json() == before


def test_current_iso_codes_are_money_and_withdrawn_ones_are_refused_naming_the_field(
    platform: Platform,
) -> None:
    for code in ("ZWG", "XCG", "JPY"):
        made = agreement(
            platform,
            None,
            currency=code,
            contributions=[{"source": source(platform), "amount": "7"}],
        )
        assert made["total"]["currency"] == code
    assert made["total"]["amount"] == "7"  # JPY has no minor unit.
    body = {
        "code": random_ref("AGR-"),
        "title": "Old money",
        "contributions": [{"source": source(platform), "amount": "7"}],
    }
    for code in ("ZWL", "ANG", "XAU"):
        refused = post(platform, "/v1/agreements", {**body, "currency": code})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["pointer"] == "/currency", refused.json()
        assert code in refused.json()["detail"]
    rate = post(
        platform, "/v1/rates", {"date": "2025-01-01", "base": "ZWL", "quote": "ZWG", "rate": "2"}
    )
    assert rate.status_code == 422 and rate.json()["errors"][0]["pointer"] == "/base"


def test_a_flow_posted_as_a_cloudevent_takes_effect_once(platform: Platform) -> None:
    edec = agreement(platform, None)
    event = {
        "specversion": "1.0",
        "id": random_ref("flow-"),
        "source": "/opcaim/finance",
        "type": "org.pactstream.funding.flow_recorded",
        "subject": edec["id"],
        "data": {
            "type": "pledge",
            "amount": "1980000.00",
            "date": "2017-11-30",
            "source": edec["contributions"][1]["source"],
        },
    }
    with platform.client("funding") as c:
        codes = [
            c.post(
                "/v1/events", json=event, headers={"content-type": "application/cloudevents+json"}
            ).status_code
            for _ in range(3)
        ]
        flows = c.get(f"/v1/agreements/{edec['id']}").json()["flows"]
    assert codes == [201, 200, 200]
    assert len(flows) == 1 and flows[0]["type"] == "pledge"


def plan_funding(platform: Platform, plan_id: str, **params: str) -> httpx.Response:
    with platform.client("reporting") as c:
        return c.get(f"/v1/plans/{plan_id}/funding", params=params)


def test_reporting_shows_plan_funding_per_currency_and_never_mixes_them(
    platform: Platform,
) -> None:
    from tests.e2e.platform import poll

    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"], section="1.1").json()["id"]
    edec = agreement(platform, plan["id"], section="1.1")
    base = f"/v1/agreements/{edec['id']}"
    post(
        platform,
        f"{base}/allocations",
        {"commitment": cid, "amount": "1000000", "date": "2018-02-01"},
    )
    post(
        platform,
        f"{base}/flows",
        {"type": "commitment", "amount": "500000.00", "date": "2018-03-01", "commitment": cid},
    )
    post(
        platform,
        f"{base}/flows",
        {"type": "disbursement", "amount": "0.10", "date": "2018-04-01", "commitment": cid},
    )
    post(
        platform,
        f"{base}/flows",
        {"type": "disbursement", "amount": "0.20", "date": "2018-05-01", "commitment": cid},
    )

    def eur(r: httpx.Response) -> dict[str, Any]:
        return r.json()["totals"].get("EUR", {}) if r.status_code == 200 else {}

    report = poll(
        lambda: plan_funding(platform, plan["id"], as_of="2018-12-31"),
        lambda r: eur(r).get("disbursed", {}).get("amount") == "0.30",
    )
    totals = report.json()["totals"]["EUR"]
    assert totals["agreed"] == {"amount": "2580000.00", "currency": "EUR"}
    assert totals["allocated"]["amount"] == "1000000.00"
    assert totals["committed"]["amount"] == "500000.00"
    assert totals["absorption_pct"] == 0.0
    assert (
        plan_funding(platform, plan["id"], as_of="2018-04-15").json()["totals"]["EUR"]["disbursed"][
            "amount"
        ]
        == "0.10"
    )
    section = next(s for s in report.json()["by_section"] if s["code"] == "1.1")
    assert section["figures"]["EUR"]["disbursed"]["amount"] == "0.30"
    sources = {
        s["source"]: s["figures"]["EUR"]["agreed"]["amount"] for s in report.json()["by_source"]
    }
    assert sorted(sources.values()) == ["1980000.00", "600000.00"]

    usd = agreement(
        platform,
        plan["id"],
        currency="USD",
        contributions=[{"source": source(platform), "amount": "1000.00"}],
    )
    post(
        platform,
        f"/v1/agreements/{usd['id']}/flows",
        {"type": "commitment", "amount": "1000", "date": "2018-03-01"},
    )
    both = poll(
        lambda: plan_funding(platform, plan["id"], as_of="2018-12-31").json(),
        lambda r: "USD" in r["totals"] and r["totals"]["USD"]["committed"]["amount"] == "1000.00",
    )
    assert both["totals"]["EUR"] == totals, "a USD agreement never changes the EUR figures"

    assert (
        post(
            platform,
            "/v1/rates",
            {"date": "2018-06-01", "base": "USD", "quote": "EUR", "rate": "0.85"},
        ).status_code
        == 201
    )
    converted = poll(
        lambda: plan_funding(platform, plan["id"], as_of="2018-12-31", convert_to="EUR").json(),
        lambda r: r["converted"]["rates"],
    )["converted"]
    assert converted["figures"]["committed"]["amount"] == "500850.00"
    assert converted["rates"] == [
        {"from": "USD", "to": "EUR", "rate": "0.85", "pair": "USD/EUR", "date": "2018-06-01"}
    ]
    with platform.client("reporting") as c:
        view = c.get(f"/v1/commitments/{cid}").json()
    assert view["funding"]["EUR"]["disbursed"]["amount"] == "0.30"
    assert [f["amount"]["amount"] for f in view["flows"]] == ["500000.00", "0.10", "0.20"]


def test_the_plan_history_shows_status_and_money_month_by_month(platform: Platform) -> None:
    from tests.e2e.platform import poll

    plan = create_plan(platform)  # 2015/2017
    first = make_commitment(platform, plan["id"], made_on="2015-11-12").json()["id"]
    make_commitment(platform, plan["id"], made_on="2016-02-10")
    with platform.client("commitments") as c:
        launched = {"status": "launched", "as_of": "2016-01-04"}
        assert c.post(f"/v1/commitments/{first}/status", json=launched).status_code == 200
    edec = agreement(platform, plan["id"], section="1.1")
    for flow in [
        {"type": "pledge", "amount": "1000", "date": "2015-12-01"},
        {"type": "commitment", "amount": "400", "date": "2016-02-15", "commitment": first},
    ]:
        assert post(platform, f"/v1/agreements/{edec['id']}/flows", flow).status_code == 201

    def history() -> httpx.Response:
        with platform.client("reporting") as c:
            return c.get(f"/v1/plans/{plan['id']}/history", params={"as_of": "2016-03-10"})

    view = poll(
        history,
        lambda r: (
            r.status_code == 200
            and r.json()["money"]
            and r.json()["money"][0]["months"][-1]["committed"] == "400.00"
            and r.json()["statuses"][-1]["commitments"] == 2
        ),
    ).json()
    days = [m["day"] for m in view["statuses"]]
    assert days[0] == "2015-01-31" and days[-3:] == ["2016-01-31", "2016-02-29", "2016-03-10"]
    by_day = {m["day"]: m["by_status"] for m in view["statuses"]}
    assert by_day["2015-12-31"] == {**dict.fromkeys(by_day["2015-12-31"], 0), "planned": 1}
    assert by_day["2016-01-31"]["launched"] == 1 and by_day["2016-02-29"]["planned"] == 1
    (eur,) = view["money"]
    money = {m["day"]: (m["pledged"], m["committed"]) for m in eur["months"]}
    assert money["2015-11-30"] == ("0.00", "0.00")
    assert money["2015-12-31"] == ("1000.00", "0.00")
    assert money["2016-03-10"] == ("1000.00", "400.00")

    with platform.client("reporting") as c:
        csv = c.get(f"/v1/plans/{plan['id']}/history.csv", params={"as_of": "2016-03-10"})
        page = c.get(f"/plans/{plan['id']}", params={"as_of": "2016-03-10"})
    assert csv.status_code == 200
    header, *rows = csv.text.lstrip("\ufeff").splitlines()
    assert header.startswith("day,commitments,planned,launched") and "EUR committed" in header
    assert rows[-1].startswith("2016-03-10,2,1,1,")
    assert page.status_code == 200 and "Over time" in page.text
    assert page.text.count('role="img"') >= 2
