"""Finding commitments through reporting's list: filters, sort, pages and their
cursors, and the problems bad parameters get."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform import Platform, all_pages
from tests.e2e.test_slice import create_plan, make_commitment


def _listed(platform: Platform, plan_id: str, **params: Any) -> list[str]:
    with platform.client("reporting") as c:
        return [str(r["code"]) for r in all_pages(c, f"/v1/plans/{plan_id}/commitments", **params)]


def test_commitments_are_filtered_sorted_and_paged_with_stable_cursors(
    platform: Platform,
) -> None:
    plan = create_plan(platform, title="Stratégie énergétique et numérique")
    made = [
        ("C1", "1.1.a", "Réseau d'énergie numérique", "by end 2016", "EU"),
        ("C2", "1", "Energy storage", "2018", "EU"),
        ("C3", "2", "Legal migration", "2017-06-30", "État"),
        ("C4", "1.1", "Investment desk", "2020", "African partners"),
        ("C5", "2", "Mobility", "2016-03-31", "État"),
    ]
    for code, section, title, deadline, party in made:
        answer = make_commitment(
            platform,
            plan["id"],
            code=code,
            section=section,
            title=title,
            deadline=deadline,
            parties=[{"name": party, "role": "responsible"}],
            priority=code in ("C1", "C4"),
        )
        assert answer.status_code == 201, answer.text
    platform.await_listed(plan["id"], len(made))
    day = {"as_of": "2019-01-01"}

    assert _listed(platform, plan["id"], q="ENERGIE", **day) == ["C1"]
    assert _listed(platform, plan["id"], section="1", **day) == ["C1", "C2", "C4"]
    assert _listed(platform, plan["id"], party="etat", overdue="true", **day) == ["C3", "C5"]
    assert _listed(platform, plan["id"], priority="true", **day) == ["C1", "C4"]
    assert _listed(
        platform, plan["id"], deadline_from="2016-12-31", deadline_to="2018-12-31", **day
    ) == ["C1", "C2", "C3"]
    assert _listed(platform, plan["id"], status="planned,launched", sort="-deadline", **day) == [
        "C4",
        "C2",
        "C3",
        "C1",
        "C5",
    ]

    with platform.client("reporting") as c:
        path = f"/v1/plans/{plan['id']}/commitments"
        first = c.get(path, params={"limit": 2, "sort": "deadline", **day})
        assert [r["code"] for r in first.json()] == ["C5", "C1"]
        following = first.links["next"]["url"]
        make_commitment(platform, plan["id"], code="C0", deadline="2015", section="2")
        platform.await_listed(plan["id"], len(made) + 1)
        second = c.get(following)
        assert [r["code"] for r in second.json()] == ["C3", "C2"]
        third = c.get(second.links["next"]["url"])
        assert [r["code"] for r in third.json()] == ["C4"]
        assert "next" not in third.links


def test_bad_list_parameters_get_a_problem_naming_them(platform: Platform) -> None:
    plan = create_plan(platform)
    platform.await_listed(plan["id"], 0)  # A plan reporting has not seen yet is a 404.
    path = f"/v1/plans/{plan['id']}/commitments"
    with platform.client("reporting") as c:
        cases: list[tuple[dict[str, Any], int, str]] = [
            ({"cursor": "bm90LWEtY3Vyc29y"}, 400, "cursor"),
            ({"status": "done"}, 422, "status"),
            ({"deadline_from": "2020-01-01", "deadline_to": "2019-01-01"}, 422, "deadline_from"),
            ({"limit": 0}, 422, "limit"),
            ({"sort": "title"}, 422, "sort"),
        ]
        for params, status, named in cases:
            answer = c.get(path, params=params)
            assert answer.status_code == status, (params, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert named in answer.text, (params, answer.text)
        assert c.get("/v1/plans", params={"cursor": "%%%"}).status_code == 400


def test_plans_are_found_by_title_ignoring_case_and_accents(platform: Platform) -> None:
    plan = create_plan(platform, title="Contrat stratégique de la filière Mines et Métallurgie")
    platform.await_listed(plan["id"], 0)  # Reporting has the plan once it lists it.
    with platform.client("reporting") as c:
        found = all_pages(c, "/v1/plans", q="METALLURGIE")
    assert plan["id"] in {p["id"] for p in found}
    assert all("tallurgie" in str(p["title"]) for p in found)
