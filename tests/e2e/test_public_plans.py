"""Public plans: an operator opens a plan's reports to visitors without a key (its
reads, exports and pages), and nothing else opens with it."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_access import issue
from tests.e2e.test_slice import create_plan, make_commitment


def visibility(platform: Platform, plan_id: str, public: bool, key: str | None = None) -> Any:
    with platform.client("commitments", **({"key": key} if key else {})) as c:
        return c.put(f"/v1/plans/{plan_id}/visibility", json={"public": public})


def anonymous(platform: Platform, path: str) -> Any:
    with platform.client("reporting", key=None) as c:
        return c.get(path)


def listed_anonymously(platform: Platform) -> list[str]:
    answer = anonymous(platform, "/v1/plans")
    assert answer.status_code == 200, answer.text
    return [p["id"] for p in answer.json()]


def test_a_public_plan_answers_without_a_key_and_nothing_else_does(platform: Platform) -> None:
    shown, hidden = create_plan(platform), create_plan(platform)
    made = make_commitment(platform, shown["id"]).json()
    other = make_commitment(platform, hidden["id"]).json()
    platform.await_listed(shown["id"], 1)
    platform.await_listed(hidden["id"], 1)
    assert listed_anonymously(platform) == []
    assert anonymous(platform, f"/v1/plans/{shown['id']}/progress").status_code == 401

    partner = issue(platform, "partner")
    assert visibility(platform, shown["id"], True, key=partner["key"]).status_code == 403
    assert visibility(platform, "no-such-plan", True).status_code == 404
    answer = visibility(platform, shown["id"], True)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"plan": shown["id"], "public": True}
    assert visibility(platform, shown["id"], True).json()["public"] is True  # No change.

    poll(lambda: listed_anonymously(platform), lambda ids: ids == [shown["id"]])
    for path in [
        f"/v1/plans/{shown['id']}/progress",
        f"/v1/plans/{shown['id']}/commitments",
        f"/v1/plans/{shown['id']}/deadlines",
        f"/v1/plans/{shown['id']}/funding",
        f"/v1/plans/{shown['id']}/changes?from=2015-01-01&to=2016-12-31",
        f"/v1/plans/{shown['id']}/commitments.csv",
        f"/v1/plans/{shown['id']}/iati.xml",
        f"/v1/commitments/{made['id']}",
        f"/v1/commitments/{made['id']}.xlsx",
        "/v1/plans.csv",
        f"/plans/{shown['id']}",
        f"/commitments/{made['id']}",
    ]:
        assert anonymous(platform, path).status_code == 200, path
    assert shown["code"] in anonymous(platform, "/v1/plans.csv").text
    assert hidden["code"] not in anonymous(platform, "/v1/plans.csv").text
    assert shown["title"] in anonymous(platform, "/").text

    for path in [
        f"/v1/plans/{hidden['id']}/progress",
        f"/v1/plans/{hidden['id']}/commitments.csv",
        f"/v1/plans/{hidden['id']}/iati.xml",
        f"/v1/commitments/{other['id']}",
        "/v1/commitments/no-such-commitment",
        "/v1/parties/EU/scorecard",
        "/v1/feed",
        "/v1/status",
    ]:
        refused = anonymous(platform, path)
        assert refused.status_code == 401, path
        assert refused.headers["content-type"] == "application/problem+json"
    asked = anonymous(platform, f"/plans/{hidden['id']}")
    assert asked.status_code == 303 and asked.headers["location"].startswith("/login")

    with platform.client("reporting", key="psk_wrong") as c:  # A wrong key is no visitor.
        assert c.get(f"/v1/plans/{shown['id']}/progress").status_code == 401

    assert visibility(platform, shown["id"], False).json() == {
        "plan": shown["id"],
        "public": False,
    }
    poll(lambda: listed_anonymously(platform), lambda ids: ids == [])
    assert anonymous(platform, f"/v1/plans/{shown['id']}/progress").status_code == 401
    with platform.client("reporting") as c:
        listed = {p["id"]: p["public"] for p in c.get("/v1/plans").json()}
    assert listed[shown["id"]] is False and listed[hidden["id"]] is False


def test_visibility_takes_a_boolean_and_nothing_else(platform: Platform) -> None:
    plan = create_plan(platform)
    for body in [{}, {"public": "yes"}, {"public": True, "extra": 1}]:
        with platform.client("commitments") as c:
            answer = c.put(f"/v1/plans/{plan['id']}/visibility", json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"
