"""A plan's text revised after adoption, through the API: sections renamed, added and
retired with their commitments moved; refused revisions store nothing; commitments
answer their new section; reporting shows a past date under the plan as it stood then
and lists what changed between two revisions."""

from __future__ import annotations

from datetime import datetime, timedelta
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


def planned(platform: Platform) -> tuple[str, dict[str, dict[str, Any]]]:
    """A plan with sections A, B, C and commitments a1 in A, b1 and b2 in B, c1 in C."""
    plan = create_plan(platform, period="2016/2020", adopted_on="2016-01-01", sections=SECTIONS)
    sections = {"a1": "A", "b1": "B", "b2": "B", "c1": "C"}
    return plan["id"], {name: made(platform, plan["id"], s) for name, s in sections.items()}


def to_d(*made: dict[str, Any]) -> list[dict[str, str]]:
    return [{"commitment": m["id"], "section": "D"} for m in made]


def merged(platform: Platform) -> tuple[str, dict[str, dict[str, Any]]]:
    """:func:`planned`, revised as of 2018-01-01: A renamed, B merged into the new D."""
    plan_id, made = planned(platform)
    answer = revise(platform, plan_id, moves=to_d(made["b1"], made["b2"]))
    assert answer.status_code == 201, answer.text
    return plan_id, made


def test_refused_revisions_store_nothing_and_a_merge_moves_the_commitments(
    platform: Platform,
) -> None:
    plan_id, made = planned(platform)
    a1, b1, b2 = made["a1"], made["b1"], made["b2"]
    holding = revise(platform, plan_id, moves=to_d(b1))
    assert pointers(holding) == ["/sections"] and "'B'" in holding.json()["detail"]
    assert b2["id"] in holding.json()["detail"]
    unknown = revise(platform, plan_id, moves=[*to_d(b1, b2), {"commitment": "no", "section": "A"}])
    assert pointers(unknown) == ["/moves/2/commitment"]
    assert pointers(revise(platform, plan_id, moves=to_d(b1, b2), reason="  ")) == ["/reason"]
    with platform.client("commitments") as c:
        assert c.get(f"/v1/plans/{plan_id}").json()["revision"] == 0

    answer = revise(platform, plan_id, moves=to_d(b1, b2))
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
    early = revise(platform, plan_id, as_of="2017-12-31", reason="Typo")
    assert pointers(early) == ["/as_of"]

    with platform.client("commitments") as c:
        now = c.get(f"/v1/plans/{plan_id}").json()
        assert now["revision"] == 1 and [s["code"] for s in now["sections"]] == ["A", "C", "D"]
        assert c.get(f"/v1/commitments/{b1['id']}").json()["section"] == "D"
        launched = c.post(
            f"/v1/commitments/{b1['id']}/status", json={"status": "launched", "as_of": "2016-07-01"}
        )
        assert launched.status_code == 200, launched.text
        assert launched.json()["section"] == "D"  # A write answers where it is now, too.
        assert c.get(f"/v1/commitments/{a1['id']}").json()["section"] == "A"
        listed = c.get(f"/v1/plans/{plan_id}/revisions").json()
    assert [(r["revision"], r["reason"]) for r in listed] == [(0, None), (1, "Mid-term review")]
    assert listed[1]["recorded_at"] and listed[1]["moves"] == first["moves"]
    late = make_commitment(platform, plan_id, section="B", made_on="2018-02-01")
    assert pointers(late) == ["/section"]


def test_reporting_shows_a_past_date_under_the_plan_as_it_stood_then(platform: Platform) -> None:
    plan_id, made = merged(platform)
    b1, b2 = made["b1"]["id"], made["b2"]["id"]

    def tree(as_of: str) -> Any:
        return reporting(platform, f"/v1/plans/{plan_id}/progress", as_of=as_of).json()

    def codes(view: Any) -> list[tuple[str, str, int]]:
        return [(s["code"], s["title"], s["totals"]["commitments"]) for s in view["sections"]]

    after = poll(lambda: tree("2018-06-01"), lambda v: len(v.get("sections", [])) == 3)
    assert codes(after) == [
        ("A", "Energy and climate", 1),
        ("C", "Housing", 1),
        ("D", "Cities and mobility", 2),
    ]
    before = tree("2017-06-01")
    assert codes(before) == [("A", "Energy", 1), ("B", "Transport", 2), ("C", "Housing", 1)]
    with platform.client("commitments") as c:
        revised_at = c.get(f"/v1/plans/{plan_id}/revisions").json()[1]["recorded_at"]
    as_known = (datetime.fromisoformat(revised_at) - timedelta(milliseconds=1)).isoformat()
    unknown_yet = reporting(
        platform, f"/v1/plans/{plan_id}/progress", as_of="2018-06-01", known_at=as_known
    ).json()
    assert codes(unknown_yet) == codes(before), "a revision applies once it is recorded"

    def in_section(section: str, as_of: str) -> set[tuple[str, str]]:
        found = reporting(
            platform, f"/v1/plans/{plan_id}/commitments", section=section, as_of=as_of
        ).json()
        return {(c["id"], c["section"]) for c in found}

    assert in_section("B", "2017-06-01") == {(b1, "B"), (b2, "B")}
    assert in_section("D", "2018-06-01") == {(b1, "D"), (b2, "D")}
    assert in_section("D", "2017-06-01") == set()
    with platform.client("reporting") as c:
        page = c.get(f"/plans/{plan_id}", params={"as_of": "2017-06-01"})
        assert page.status_code == 200 and "Transport" in page.text
        assert 'data-list="revisions"' not in page.text
        page = c.get(f"/plans/{plan_id}", params={"as_of": "2018-06-01", "lang": "fr"})
    assert "Le texte a été révisé une fois" in page.text and "Mid-term review" in page.text


def test_the_view_between_two_revisions_lists_only_what_changed_between_them(
    platform: Platform,
) -> None:
    plan_id, made = merged(platform)
    b1, b2 = made["b1"]["id"], made["b2"]["id"]
    renamed_c = [REVISED[0], {"code": "C", "title": "Housing and land"}, REVISED[2]]
    body = {"as_of": "2019-01-01", "reason": "Land", "sections": renamed_c}
    with platform.client("commitments") as c:
        key = {"Idempotency-Key": f"revise-{plan_id}"}
        second = c.post(f"/v1/plans/{plan_id}/revisions", json=body, headers=key)
        assert second.status_code == 201 and second.json()["revision"] == 2, second.text
        again = c.post(f"/v1/plans/{plan_id}/revisions", json=body, headers=key)
        assert again.headers.get("idempotency-replayed") == "true"
        assert again.json() == second.json()
        assert len(c.get(f"/v1/plans/{plan_id}/revisions").json()) == 3

    path = f"/v1/plans/{plan_id}/revisions"
    whole = poll(lambda: reporting(platform, path).json(), lambda v: v.get("to") == 2)
    assert whole["from"] == 0 and [r["revision"] for r in whole["revisions"]] == [1, 2]
    assert [s["code"] for s in whole["added"]] == ["D"]
    assert [s["code"] for s in whole["retired"]] == ["B"]
    assert {r["code"] for r in whole["renamed"]} == {"A", "C"}
    assert {(m["commitment"], m["from"], m["to"]) for m in whole["moved"]} == {
        (b1, "B", "D"),
        (b2, "B", "D"),
    }
    between = reporting(platform, path, **{"from": 1, "to": 2}).json()
    assert [r["revision"] for r in between["revisions"]] == [2]
    assert between["renamed"] == [{"code": "C", "from": "Housing", "to": "Housing and land"}]
    assert between["added"] == between["retired"] == between["moved"] == []

    beyond = reporting(platform, path, to=5)
    assert beyond.status_code == 422 and "to" in beyond.json()["detail"]
    assert reporting(platform, path, **{"from": 2, "to": 1}).status_code == 422
    assert reporting(platform, path, **{"from": "x"}).status_code == 422
    exported = reporting(platform, f"{path}.csv", **{"from": 1, "to": 2})
    assert exported.status_code == 200 and "renamed,C" in exported.text
