"""The two source plans, loaded through the public API as ./pactstream up does."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.platform import Platform, all_pages, poll


def progress(platform: Platform, plan_id: str, expected: int, as_of: str) -> dict[str, Any]:
    with platform.client("reporting") as c:
        return poll(  # type: ignore[no-any-return]
            lambda: c.get(f"/v1/plans/{plan_id}/progress", params={"as_of": as_of}),
            lambda r: r.status_code == 200 and r.json()["totals"]["commitments"] == expected,
            timeout=30,
        ).json()


def test_valletta_has_five_domains_and_sixteen_priority_initiatives_due_in_2016(
    seeded: Platform,
) -> None:
    report = progress(seeded, "valletta-2015", 106, "2016-01-01")
    assert [s["code"] for s in report["sections"]] == ["1", "2", "3", "4", "5"]
    assert report["totals"]["priority"] == 16
    assert [s["totals"]["priority"] for s in report["sections"]] == [4, 3, 3, 4, 2]
    with seeded.client("reporting") as c:
        first = c.get("/v1/plans/valletta-2015/commitments")
        listed = all_pages(c, "/v1/plans/valletta-2015/commitments")
    assert len(first.json()) == 100 and 'rel="next"' in first.headers["link"]
    assert len(listed) == 106
    priority = [x for x in listed if x["priority"]]
    assert len(priority) == 16
    assert all(date.fromisoformat(x["deadline"]["end"]) <= date(2016, 12, 31) for x in priority)
    labels = {x["deadline"]["label"] for x in priority}
    assert labels == {"by end 2016", "by mid-2016", "first quarter of 2016"}
    remittances = next(x for x in listed if x["title"].startswith("By 2030, reduce"))
    assert remittances["deadline"]["end"] == "2030-12-31"
    with seeded.client("reporting") as c:
        view = c.get(f"/v1/commitments/{remittances['id']}").json()
    assert view["indicators"][0]["target"] == {"value": "3", "date": "2030-12-31"}
    # What the text says and indicators alone could not hold: "less than 3 percent", a
    # threshold, as a target of the plan; the summit as the date deadlines count from.
    with seeded.client("reporting") as c:
        targets = c.get("/v1/plans/valletta-2015/targets").json()["targets"]
    assert [(t["code"], t["target"]["comparison"], t["value"]) for t in targets] == [
        ("remittance-costs-3pct", "<", None)
    ]
    with seeded.client("commitments") as c:
        plan = c.get("/v1/plans/valletta-2015").json()
    assert plan["key_dates"] == [{"name": "summit", "date": "2015-11-12"}]


def test_mines_has_its_seven_structuring_actions_in_french(seeded: Platform) -> None:
    report = progress(seeded, "mines-metallurgie-2018", 17, "2019-06-30")
    codes = [s["code"] for s in report["sections"]]
    assert codes[:7] == [f"A{n}" for n in range(1, 8)]
    assert report["sections"][3]["title"].endswith(
        "en extrayant le CO₂ des gaz et fumées industrielles"
    )
    others = next(s for s in report["sections"] if s["code"] == "AC")
    assert len(others["sections"]) == 4
    themes = next(s for s in report["sections"] if s["code"] == "T")
    assert [s["kind"] for s in themes["sections"]] == ["theme", "theme"]
    with seeded.client("reporting") as c:
        edec = c.get("/v1/commitments/mines-2018-a7-edec").json()
        group = c.get("/v1/commitments/mines-2018-mp-groupe-de-travail").json()
    assert edec["deadline"] == {"label": "2017 à 2020", "start": "2017-01-01", "end": "2020-12-31"}
    assert "2 580 000 €" in edec["title"]
    assert [(m["code"], m["planned"]["label"]) for m in group["milestones"]] == [
        ("RAPPORT", "début 2019"),
        ("LANCEMENT", "T1 2019"),
    ]


def test_the_edec_convention_reads_exactly_in_funding_and_reporting(seeded: Platform) -> None:
    with seeded.client("funding") as c:
        edec = c.get("/v1/agreements/edec-transition-numerique").json()
    assert edec["total"] == {"amount": "2580000.00", "currency": "EUR"}
    with seeded.client("reporting") as c:
        report = poll(
            lambda: c.get(
                "/v1/plans/mines-metallurgie-2018/funding", params={"as_of": "2019-06-30"}
            ).json(),
            lambda r: "EUR" in r.get("totals", {}) and r["targets"],
            timeout=30,
        )
    eur = report["totals"]["EUR"]
    assert eur["agreed"] == {"amount": "2580000.00", "currency": "EUR"}
    assert eur["to_mobilise"] == {"amount": "20000000.00", "currency": "EUR"}
    assert eur["disbursed"]["amount"] == "0.00", "the DMX target is not a disbursement"
    assert {s["source"]: s["figures"]["EUR"]["agreed"]["amount"] for s in report["by_source"]} == {
        "ETAT": "600000.00",
        "OPCAIM": "1980000.00",
    }
    a7 = next(s for s in report["by_section"] if s["code"] == "A7")
    assert a7["figures"]["EUR"]["agreed"]["amount"] == "2580000.00"
