"""What changed in a plan between two business dates or two record times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment


def _post(platform: Platform, path: str, body: dict[str, Any]) -> None:
    with platform.client("commitments") as c:
        answer = c.post(path, json=body)
    assert answer.status_code in (200, 201), answer.text


def _changes(platform: Platform, plan_id: str, **params: str) -> dict[str, Any]:
    with platform.client("reporting") as c:
        answer = c.get(f"/v1/plans/{plan_id}/changes", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_change_between_two_dates_and_a_correction_recorded_after_the_first(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    _post(platform, f"/v1/commitments/{cid}/status", {"status": "launched", "as_of": "2016-06-01"})
    _post(
        platform,
        f"/v1/commitments/{cid}/progress",
        {"as_of": "2016-02-01", "completion": "limited"},
    )
    _post(platform, f"/v1/commitments/{cid}/status", {"status": "completed", "as_of": "2017-03-01"})
    window = {"from": "2016-03-01", "to": "2016-12-31"}
    found = poll(
        lambda: _changes(platform, plan["id"], **window)["changes"],
        lambda changes: len(changes) >= 4,
    )
    by_kind = {c["kind"]: c for c in found}
    # The plan and the commitment, both in force since the adoption in 2015 and typed in
    # today, are corrections of the past too.
    assert set(by_kind) == {"status", "report", "created"}
    created = [c for c in found if c["kind"] == "created"]
    assert [c["commitment"] for c in created] == [None, cid]
    assert all(c["correction"] for c in created)
    assert [c["kind"] for c in found].count("status") == 1  # not the one of 2017
    assert by_kind["status"]["commitment"] == cid and by_kind["status"]["correction"] is False
    assert by_kind["status"]["data"]["status"] == "launched"
    assert by_kind["report"]["correction"] is True  # effective before `from`, recorded since
    with platform.client("reporting") as c:
        history = c.get(f"/v1/commitments/{cid}").json()["timeline"]
    mine = {c["event_id"] for c in found if c["commitment"] == cid}
    assert mine and mine <= {e["event_id"] for e in history}


def test_changes_recorded_between_two_times(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    before = datetime.now(UTC).isoformat()
    _post(
        platform,
        f"/v1/commitments/{cid}/progress",
        {"as_of": "2016-02-01", "completion": "limited"},
    )
    window = {"known_from": before, "known_to": datetime.now(UTC).isoformat()}
    found = poll(lambda: _changes(platform, plan["id"], **window)["changes"], lambda c: len(c) >= 1)
    assert [(c["kind"], c["correction"]) for c in found] == [("report", True)]


def test_a_window_that_is_not_one_gets_a_problem(platform: Platform) -> None:
    plan = create_plan(platform)
    platform.await_listed(plan["id"], 0)  # The page below needs a plan reporting has.
    with platform.client("reporting") as c:
        path = f"/v1/plans/{plan['id']}/changes"
        for params, named in (
            ({}, "from"),
            ({"from": "2017-01-01", "to": "2016-01-01"}, "from"),
            ({"from": "2017-01-01"}, "to"),
            (
                {"from": "2016-01-01", "to": "2017-01-01", "known_from": "2020-01-01T00:00:00Z"},
                "from",
            ),
        ):
            answer = c.get(path, params=params)
            assert answer.status_code == 422, (params, answer.text)
            assert named in answer.text
        page = c.get(
            f"/plans/{plan['id']}/changes", params={"from": "2016-01-01", "to": "2017-01-01"}
        )
        assert page.status_code == 200 and "What changed" in page.text
