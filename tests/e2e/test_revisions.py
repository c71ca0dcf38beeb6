"""A plan's text revised after adoption, through the API: sections renamed, added and
retired with their commitments moved; refused revisions store nothing; commitments
answer their new section; reporting shows a past date under the plan as it stood then
and lists what changed between two revisions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.platform import Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment

SECTIONS = [
    {"code": "A", "title": "Energy"},
    {"code": "B", "title": "Transport"},
    {"code": "C", "title": "Housing"},
]
#: A renamed, B retired (merged into the new D), C kept, D added.
REVISED = [
    {"code": "A", "title": "Energy and climate"},
    {"code": "C", "title": "Housing"},
    {"code": "D", "title": "Cities and mobility"},
]


def revise(platform: Platform, plan_id: str, **body: Any) -> httpx.Response:
    fields = {"as_of": "2018-01-01", "reason": "Mid-term review", "sections": REVISED, **body}
    with platform.client("commitments") as c:
        return c.post(f"/v1/plans/{plan_id}/revisions", json=fields)


def made(platform: Platform, plan_id: str, section: str) -> dict[str, Any]:
    answer = make_commitment(platform, plan_id, section=section, made_on="2016-02-01")
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def reporting(platform: Platform, path: str, **params: Any) -> httpx.Response:
    with platform.client("reporting") as c:
        return c.get(path, params=params)


def pointers(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return [e["pointer"] for e in answer.json().get("errors") or []]


def test_a_revised_plan_moves_its_commitments_and_reporting_keeps_the_old_tree_for_the_past(
    platform: Platform,
) -> None:
    plan = create_plan(platform, period="2016/2020", adopted_on="2016-01-01", sections=SECTIONS)
    plan_id = plan["id"]
    a1, b1, b2, c1 = (made(platform, plan_id, s) for s in ("A", "B", "B", "C"))
    to_d = [{"commitment": b1["id"], "section": "D"}, {"commitment": b2["id"], "section": "D"}]

    # Refused: B retired still holding b2; a commitment the plan does not hold; no reason.
    holding = revise(platform, plan_id, moves=to_d[:1])
    assert pointers(holding) == ["/sections"] and "'B'" in holding.json()["detail"]
    assert b2["id"] in holding.json()["detail"]
    unknown = revise(platform, plan_id, moves=[*to_d, {"commitment": "nope", "section": "A"}])
    assert pointers(unknown) == ["/moves/2/commitment"]
    assert pointers(revise(platform, plan_id, moves=to_d, reason="  ")) == ["/reason"]
    with platform.client("commitments") as c:
        assert c.get(f"/v1/plans/{plan_id}").json()["revision"] == 0

    answer = revise(platform, plan_id, moves=to_d)
    assert answer.status_code == 201, answer.text
    first = answer.json()
    assert first["revision"] == 1 and first["as_of"] == "2018-01-01"
    assert [s["code"] for s in first["added"]] == ["D"]
    assert [s["code"] for s in first["retired"]] == ["B"]
    assert first["renamed"] == [{"code": "A", "from": "Energy", "to": "Energy and climate"}]
    assert {(m["commitment"], m["from"], m["section"]) for m in first["moves"]} == {
        (b1["id"], "B", "D"),
        (b2["id"], "B", "D"),
    }
    early = revise(platform, plan_id, as_of="2017-12-31", reason="Typo", sections=REVISED)
    assert pointers(early) == ["/as_of"]

    with platform.client("commitments") as c:
        now = c.get(f"/v1/plans/{plan_id}").json()
        assert now["revision"] == 1 and [s["code"] for s in now["sections"]] == ["A", "C", "D"]
        assert c.get(f"/v1/commitments/{b1['id']}").json()["section"] == "D"
        assert c.get(f"/v1/commitments/{a1['id']}").json()["section"] == "A"
        listed = c.get(f"/v1/plans/{plan_id}/revisions").json()
    assert [(r["revision"], r["reason"]) for r in listed] == [(0, None), (1, "Mid-term review")]
    assert listed[1]["recorded_at"] and listed[1]["moves"] == first["moves"]
    late = make_commitment(platform, plan_id, section="B", made_on="2018-02-01")
    assert pointers(late) == ["/section"]

    def tree(as_of: str) -> Any:
        return reporting(platform, f"/v1/plans/{plan_id}/progress", as_of=as_of).json()

    def codes(view: Any) -> list[tuple[str, str, int]]:
        return [(s["code"], s["title"], s["totals"]["commitments"]) for s in view["sections"]]

    after = poll(lambda: tree("2018-06-01"), lambda v: "sections" in v and len(v["sections"]) == 3)
    assert codes(after) == [
        ("A", "Energy and climate", 1),
        ("C", "Housing", 1),
        ("D", "Cities and mobility", 2),
    ]
    before = tree("2017-06-01")
    assert codes(before) == [("A", "Energy", 1), ("B", "Transport", 2), ("C", "Housing", 1)]

    def in_section(section: str, as_of: str) -> set[tuple[str, str]]:
        found = reporting(
            platform, f"/v1/plans/{plan_id}/commitments", section=section, as_of=as_of
        ).json()
        return {(c["id"], c["section"]) for c in found}

    assert in_section("B", "2017-06-01") == {(b1["id"], "B"), (b2["id"], "B")}
    assert in_section("D", "2018-06-01") == {(b1["id"], "D"), (b2["id"], "D")}
    assert in_section("D", "2017-06-01") == set()
    assert c1["section"] == "C"

    # A second revision renames C; the view between two revisions shows only what changed.
    renamed_c = [REVISED[0], {"code": "C", "title": "Housing and land"}, REVISED[2]]
    second = revise(platform, plan_id, as_of="2019-01-01", reason="Land", sections=renamed_c)
    assert second.status_code == 201 and second.json()["revision"] == 2, second.text

    path = f"/v1/plans/{plan_id}/revisions"
    whole = poll(
        lambda: reporting(platform, path).json(),
        lambda v: v.get("to") == 2,
    )
    assert whole["from"] == 0 and [r["revision"] for r in whole["revisions"]] == [1, 2]
    assert [s["code"] for s in whole["added"]] == ["D"]
    assert [s["code"] for s in whole["retired"]] == ["B"]
    assert {r["code"] for r in whole["renamed"]} == {"A", "C"}
    assert {(m["commitment"], m["from"], m["to"]) for m in whole["moved"]} == {
        (b1["id"], "B", "D"),
        (b2["id"], "B", "D"),
    }
    between = reporting(platform, path, **{"from": 1, "to": 2}).json()
    assert [r["revision"] for r in between["revisions"]] == [2]
    assert between["renamed"] == [{"code": "C", "from": "Housing", "to": "Housing and land"}]
    assert between["added"] == between["retired"] == between["moved"] == []

    beyond = reporting(platform, path, to=5)
    assert beyond.status_code == 422 and "to" in beyond.json()["detail"]
    backwards = reporting(platform, path, **{"from": 2, "to": 1})
    assert backwards.status_code == 422
    assert reporting(platform, path, **{"from": "x"}).status_code == 422
    exported = reporting(platform, f"{path}.csv", **{"from": 1, "to": 2})
    assert exported.status_code == 200 and "renamed,C" in exported.text
