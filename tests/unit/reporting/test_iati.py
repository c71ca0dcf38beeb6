"""The IATI activity file, built without I/O and validated against the official 2.03
schema (``../shared/iati-2.03/`` beside the repository)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from reporting.application.iati import (
    Activity,
    Baseline,
    Dates,
    IatiFile,
    Measure,
    Measured,
    Org,
    Publisher,
    Transaction,
    to_xml,
)
from reporting.application.iati_plan import plan_file
from reporting.application.models import ReportDates
from reporting.application.ports import Rows
from tests.iati import validated
from tests.unit.reporting.fakes import FakeCommitments, FakeFunding, readers

PUBLISHER = Publisher("XM-DAC-TEST", "Test publisher")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
NS = "{https://pactstream.org/ns/iati}"


def _activity(**overrides: Any) -> Activity:
    fields: dict[str, Any] = {
        "identifier": "XM-DAC-TEST-c1",
        "title": {"fr": "Énergie solaire", "en": "Solar energy"},
        "description": "Plan · 1 Énergie",
        "orgs": [Org("Etat", "responsible"), Org("OPCAIM", "funder"), Org("CNI", "monitor")],
        "status": "completed",
        "dates": Dates(
            planned_start=date(2018, 1, 1),
            planned_end=date(2020, 12, 31),
            actual_start=date(2018, 3, 1),
            actual_end=date(2020, 6, 30),
            end_label="2017 à 2020",
        ),
        "hierarchy": 2,
        "transactions": [
            Transaction("a/f1", 2, date(2018, 1, 5), Decimal("1000.00"), "EUR", "commitment", "X"),
            Transaction("a/f2", 2, date(2018, 2, 5), Decimal("-100.00"), "EUR", "decommitment"),
            Transaction("a/f3", 3, date(2018, 3, 5), Decimal("0.10"), "EUR", "disbursement"),
        ],
        "related": [("XM-DAC-TEST-plan-p1", "1")],
        "result_title": "Énergie solaire",
        "measures": [
            Measure(
                code="share",
                title="Share of solar",
                unit="%",
                ascending=True,
                baseline=Baseline("0", 2017, date(2017, 11, 30)),
                period=(date(2017, 11, 30), date(2022, 12, 31)),
                target="50",
                actual=Measured("12.5", date(2019, 6, 30)),
            ),
            Measure("undated", "Tonnes", "t", False, Baseline("3", 2018, None), None, "1", None),
        ],
    }
    return Activity(**(fields | overrides))


def test_a_full_activity_validates_and_carries_each_iati_code() -> None:
    doc = IatiFile(PUBLISHER, "fr", NOW, date(2020, 7, 1), NOW, [_activity()])
    root = validated(to_xml(doc))
    assert root.get("version") == "2.03"
    assert root.get(f"{NS}as-of") == "2020-07-01"
    activity = root.find("iati-activity")
    assert activity is not None
    assert activity.findtext("iati-identifier") == "XM-DAC-TEST-c1"
    assert [
        n.get("{http://www.w3.org/XML/1998/namespace}lang") for n in activity.find("title")
    ] == [
        "fr",
        "en",
    ]
    orgs = [(o.get("role"), o.get(f"{NS}role")) for o in activity.iter("participating-org")]
    assert orgs == [("4", "responsible"), ("1", "funder"), ("2", "monitor")]
    assert activity.find("activity-status").get("code") == "3"
    dates = {d.get("type"): d.get("iso-date") for d in activity.iter("activity-date")}
    assert dates == {"1": "2018-01-01", "2": "2018-03-01", "3": "2020-12-31", "4": "2020-06-30"}
    codes = [t.find("transaction-type").get("code") for t in activity.iter("transaction")]
    assert codes == ["2", "2", "3"]
    assert [v.text for v in activity.iter("value")] == ["1000.00", "-100.00", "0.10"]
    indicator = activity.find("result/indicator")
    assert indicator is not None and indicator.get("measure") == "2"
    assert indicator.find("period/actual").get("value") == "12.5"


def test_the_least_an_activity_can_hold_still_validates() -> None:
    bare = _activity(
        title="Only a title",
        orgs=[Org("Someone", "contributor")],
        status="planned",
        dates=Dates(planned_start=date(2015, 11, 12)),
        transactions=(),
        related=(),
        measures=(),
    )
    root = validated(to_xml(IatiFile(PUBLISHER, "en", NOW, date(2016, 1, 1), NOW, [bare])))
    assert root.find("iati-activity/result") is None


def test_every_status_and_role_has_a_code_the_schema_takes() -> None:
    statuses = ["planned", "launched", "completed", "suspended", "cancelled"]
    activities = [
        _activity(identifier=f"X-{s}", status=s, orgs=[Org("P", r)])
        for s, r in zip(
            statuses, ["responsible", "contributor", "funder", "monitor", "party"], strict=True
        )
    ]
    root = validated(to_xml(IatiFile(PUBLISHER, "en", NOW, date(2016, 1, 1), NOW, activities)))
    assert [a.find("activity-status").get("code") for a in root] == ["1", "2", "3", "6", "5"]


class FakeIati:
    def __init__(self, statuses: Rows, indicators: Rows, flows: Rows) -> None:
        self._parts = statuses, indicators, flows

    async def status_dates(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return self._parts[0]

    async def indicators(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return self._parts[1]

    async def flows(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return self._parts[2]


def _plan() -> dict[str, Any]:
    return {
        "plan_id": "p1",
        "code": "CSF",
        "title": "Contrat de filière",
        "language": "fr",
        "period": {"label": "2018-2022", "start": "2018-01-01", "end": "2022-12-31"},
        "adopted_on": date(2019, 1, 18),
        "parties": ["Etat", "OPCAIM"],
        "monitoring_bodies": ["CNI"],
        "sections": [{"code": "A1", "title": "Standards"}],
        "occurred_at": NOW,
    }


def _commitment(cid: str, status: str, parties: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "commitment_id": cid,
        "plan_id": "p1",
        "code": cid.upper(),
        "section": "A1",
        "title": f"Commitment {cid}",
        "status": status,
        "priority": False,
        "made_on": None,
        "deadline": {"label": "2017 à 2020", "start": "2017-01-01", "end": "2020-12-31"},
        "parties": parties,
    }


def _flow(fid: str, commitment: str | None, kind: str, code: int, amount: str) -> dict[str, Any]:
    return {
        "agreement_id": "edec",
        "agreement_code": "EDEC",
        "flow_id": fid,
        "type": kind,
        "iati_code": code,
        "amount": Decimal(amount),
        "currency": "EUR",
        "date": date(2019, 2, 1),
        "commitment_id": commitment,
        "source": "ETAT",
        "reference": None,
    }


def _iati_rows() -> FakeIati:
    """A completed, measured commitment c1 with three flows, and a plan-level pledge."""
    return FakeIati(
        statuses=[
            {
                "commitment_id": "c1",
                "launched_on": date(2018, 2, 1),
                "latest_status": "completed",
                "latest_on": date(2019, 5, 1),
            }
        ],
        indicators=[
            {
                "commitment_id": "c1",
                "code": "alternants",
                "definition": {
                    "code": "alternants",
                    "title": "Alternants",
                    "unit": "%",
                    "direction": "increase",
                    "baseline": {"value": "0"},
                    "target": {"value": "50", "date": "2022-12-31"},
                },
                "latest_value": Decimal("12"),
                "latest_as_of": date(2019, 3, 1),
            }
        ],
        flows=[
            _flow("f0", None, "pledge", 12, "500"),
            _flow("f1", "c1", "commitment", 2, "1000"),
            _flow("f2", "c1", "decommitment", 2, "100"),
            _flow("f3", "c1", "disbursement", 3, "400"),
        ],
    )


def test_a_plan_file_has_the_plan_over_one_activity_per_commitment() -> None:
    commitments = FakeCommitments(
        plan_rows={"p1": _plan()},
        commitment_rows=[
            _commitment("c1", "completed", [{"name": "Etat", "role": "responsible"}]),
            _commitment("c2", "planned", []),
        ],
    )
    funding = FakeFunding(source_rows={"ETAT": {"name": "Etat (DGEFP)"}})
    iati = _iati_rows()
    dates = ReportDates(as_of=date(2019, 6, 30), known_at=NOW)
    doc = asyncio.run(plan_file(readers(commitments, funding), iati, "p1", dates, PUBLISHER, NOW))
    root = validated(to_xml(doc))
    plan, c1, c2 = root
    assert [a.findtext("iati-identifier") for a in root] == [
        "XM-DAC-TEST-plan-p1",
        "XM-DAC-TEST-c1",
        "XM-DAC-TEST-c2",
    ]
    assert [r.get("type") for r in plan.iter("related-activity")] == ["2", "2"]
    assert [_codes(a) for a in root] == [["12"], ["2", "2", "3"], []]
    assert [v.text for v in c1.iter("value")] == ["1000", "-100", "400"]
    assert c1.find("transaction/provider-org/narrative").text == "Etat (DGEFP)"
    c1_dates = {d.get("type"): d.get("iso-date") for d in c1.iter("activity-date")}
    assert c1_dates == {"1": "2017-01-01", "2": "2018-02-01", "3": "2020-12-31", "4": "2019-05-01"}
    baseline = c1.find("result/indicator/baseline")
    assert baseline is not None and baseline.get("year") == "2017"
    assert [o.findtext("narrative") for o in c2.iter("participating-org")] == [
        "Etat",
        "OPCAIM",
        "CNI",
    ]
    assert plan.find("activity-status").get("code") == "2"


def _codes(activity: etree._Element) -> list[str]:
    return [t.get("code") or "" for t in activity.iter("transaction-type")]


def test_characters_xml_cannot_hold_are_left_out_of_partners_texts() -> None:
    typed = _activity(
        title="Bell\x07 and tab\tkept",
        orgs=[Org("Null\x00 party", "funder")],
        transactions=[
            Transaction("a/\x1bf", 3, date(2018, 1, 5), Decimal("1"), "EUR", "ref \x0b", "S\x01")
        ],
    )
    root = validated(to_xml(IatiFile(PUBLISHER, "en", NOW, date(2020, 1, 1), NOW, [typed])))
    assert root.findtext("iati-activity/title/narrative") == "Bell and tab\tkept"
    assert root.findtext("iati-activity/participating-org/narrative") == "Null party"
    assert root.find("iati-activity/transaction").get("ref") == "a/f"
