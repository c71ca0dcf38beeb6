"""Deadlines as plans write them, typed in through the API: seasons, fiscal years,
open and recurring ones, several steps in one text, none at all, and ones that count
from a key date the plan dates later; ambiguous text is refused with its readings."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.platform import Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment


def made(platform: Platform, plan_id: str, deadline: str | None) -> httpx.Response:
    return make_commitment(platform, plan_id, deadline=deadline, made_on="2018-01-15")


def deadline_of(platform: Platform, plan_id: str, text: str | None) -> Any:
    answer = made(platform, plan_id, text)
    assert answer.status_code == 201, (text, answer.text)
    return answer.json()["deadline"]


def test_every_deadline_form_reads_with_its_label_kept(platform: Platform) -> None:
    plan = create_plan(platform, period="2018/2022", adopted_on="2018-01-15", fiscal_year_start=4)
    cases = {
        "by autumn 2019": ("2019-09-01", "2019-11-30"),
        "d'ici l'hiver 2019": ("2019-12-01", "2020-02-29"),
        "fiscal year 2019-20": ("2019-04-01", "2020-03-31"),
        "exercice 2020-2021": ("2020-04-01", "2021-03-31"),
        "d'ici mars 2021": ("2021-03-01", "2021-03-31"),
        "mi-2019": ("2019-06-30", "2019-06-30"),
        "dès mars 2019": ("2019-03-01", "2022-12-31"),
        "ongoing": ("2018-01-01", "2022-12-31"),
    }
    for text, (start, end) in cases.items():
        assert deadline_of(platform, plan["id"], text) == {
            "label": text,
            "start": start,
            "end": end,
        }, text
    yearly = deadline_of(platform, plan["id"], "chaque année")
    assert yearly["recurrence"] == {"every": "year", "from": "2018-01-01", "until": "2022-12-31"}
    assert deadline_of(platform, plan["id"], None) is None

    steps = made(
        platform, plan["id"], "by June 2021 for the first report and June 2022 for the second"
    )
    assert steps.status_code == 201, steps.text
    body = steps.json()
    assert body["deadline"]["end"] == "2022-06-30"
    assert [(m["code"], m["title"], m["planned"]["end"]) for m in body["milestones"]] == [
        ("step-1", "the first report", "2021-06-30"),
        ("step-2", "the second", "2022-06-30"),
    ]


def test_text_that_stays_ambiguous_or_needs_a_setting_is_refused_naming_the_field(
    platform: Platform,
) -> None:
    calendar_plan = create_plan(platform, period="2018/2022")
    ambiguous = made(platform, calendar_plan["id"], "03/04/2021")
    assert ambiguous.status_code == 422
    (error,) = ambiguous.json()["errors"]
    assert error["pointer"] == "/deadline" and len(error["readings"]) == 2
    no_fiscal_year = made(platform, calendar_plan["id"], "FY2019/20")
    assert no_fiscal_year.status_code == 422
    assert "fiscal_year_start" in no_fiscal_year.json()["errors"][0]["detail"]
    with platform.client("commitments") as c:
        bad_month = c.post(
            "/v1/plans", json={"code": "FY-13", "title": "t", "fiscal_year_start": 13}
        )
    assert bad_month.status_code == 422


def test_a_deadline_counting_from_a_key_date_is_pending_until_the_plan_dates_it(
    platform: Platform,
) -> None:
    plan = create_plan(platform, period="2018/2022", key_dates=[{"name": "summit"}])
    assert plan["key_dates"] == [{"name": "summit", "date": None}]
    waiting = made(platform, plan["id"], "within 18 months of the summit").json()
    assert waiting["deadline"] == {
        "label": "within 18 months of the summit",
        "start": None,
        "end": None,
        "pending": "summit",
    }
    none = made(platform, plan["id"], None).json()
    platform.await_listed(plan["id"], 2)

    with platform.client("commitments") as c:
        dated = c.post(
            f"/v1/plans/{plan['id']}/key-dates", json={"name": "summit", "date": "2019-06-15"}
        )
        assert dated.status_code == 200, dated.text
        assert dated.json()["key_dates"] == [{"name": "summit", "date": "2019-06-15"}]
        now = c.get(f"/v1/commitments/{waiting['id']}").json()["deadline"]
    assert (now["start"], now["end"], now.get("pending")) == ("2019-06-15", "2020-12-15", None)

    def view(**params: str) -> Any:
        with platform.client("reporting") as c:
            return c.get(f"/v1/commitments/{waiting['id']}", params=params).json()

    seen = poll(lambda: view(as_of="2021-01-01"), lambda v: v["deadline"]["end"] == "2020-12-15")
    assert seen["deadline"]["start"] == "2019-06-15"
    with platform.client("reporting") as c:
        late = c.get(f"/v1/plans/{plan['id']}/deadlines", params={"as_of": "2021-01-01"}).json()
    overdue = {item["id"] for item in late["overdue"]}
    assert waiting["id"] in overdue and none["id"] not in overdue


def test_a_recurring_deadline_is_overdue_period_by_period(platform: Platform) -> None:
    """ "Each year" from 2018 is due every 31 December; a report dated in a year covers
    it (and the years before); the first year no report covers is overdue on its own."""
    plan = create_plan(platform, period="2018/2022", adopted_on="2018-01-15")
    yearly = made(platform, plan["id"], "each year").json()
    once = made(platform, plan["id"], "by June 2022").json()
    platform.await_listed(plan["id"], 2)

    def overdue(as_of: str) -> dict[str, int]:
        with platform.client("reporting") as c:
            answer = c.get(f"/v1/plans/{plan['id']}/deadlines", params={"as_of": as_of})
        assert answer.status_code == 200, answer.text
        return {item["id"]: item["days_overdue"] for item in answer.json()["overdue"]}

    def totals(as_of: str) -> Any:
        with platform.client("reporting") as c:
            answer = c.get(f"/v1/plans/{plan['id']}/progress", params={"as_of": as_of})
        return answer.json()["totals"]["overdue"]

    assert overdue("2019-01-10") == {yearly["id"]: 10}
    assert totals("2019-01-10") == 1
    with platform.client("commitments") as c:
        report = c.post(
            f"/v1/commitments/{yearly['id']}/progress",
            json={"as_of": "2019-03-01", "completion": "limited"},
        )
    assert report.status_code == 201, report.text
    covered = poll(lambda: overdue("2019-06-01"), lambda found: yearly["id"] not in found)
    assert covered == {}
    assert overdue("2020-01-05") == {}  # Dated in 2019, the report covers 2018 and 2019.
    assert totals("2020-01-05") == 0  # The totals count by the latest report's date too.
    assert overdue("2021-01-05") == {yearly["id"]: 5}  # Nothing covers 2020.
    assert totals("2021-01-05") == 1
    assert overdue("2022-07-10") == {yearly["id"]: 556, once["id"]: 10}
