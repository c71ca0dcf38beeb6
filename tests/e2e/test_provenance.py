"""The lists inside views, page by page, over HTTP and on the pages, and every figure
of a plan page traced to the events it is made of."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import httpx

from tests.e2e.platform import Platform, poll
from tests.e2e.platform import all_pages as _all_pages
from tests.e2e.test_funding import agreement, post
from tests.e2e.test_slice import create_plan, make_commitment

DAY = {"as_of": "2019-06-30"}


def all_pages(client: httpx.Client, path: str, **params: object) -> list[Any]:
    return _all_pages(client, path, **params)


def _follow(client: httpx.Client, url: str) -> list[Any]:
    """Every item from the page at ``url`` on, by its ``Link: rel="next"``."""
    items: list[Any] = []
    while True:
        answer = client.get(url)
        answer.raise_for_status()
        items += answer.json()
        if "next" not in answer.links:
            return items
        url = answer.links["next"]["url"]


def timeline_of_plan(client: httpx.Client, plan_id: str) -> set[str]:
    """The ids of every event of the plan recorded so far."""
    window = {"known_from": "2000-01-01T00:00:00Z", "known_to": "2100-01-01T00:00:00Z"}
    answer = client.get(f"/v1/plans/{plan_id}/changes", params=window).json()
    return {c["event_id"] for c in answer["changes"]}


def _links(html: str, marker: str) -> list[str]:
    """The hrefs of the page's links carrying ``marker`` (an attribute)."""
    return [unescape(h) for h in re.findall(rf'<a [^>]*href="([^"]+)"[^>]*{marker}', html)]


def _overdue_codes(html: str) -> list[str]:
    section = html.split('id="overdue-h"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="/commitments/[^"]+">([^<]+)</a>', section)


def test_deadlines_page_through_the_api_and_the_plan_page_keeping_its_dates(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    # 28 overdue on DAY, one day apart (the first the most late), and 3 due soon.
    for n in range(28):
        made = make_commitment(
            platform, plan["id"], code=f"L{n:02d}", deadline=f"2018-01-{n + 1:02d}"
        )
        assert made.status_code == 201, made.text
    for n in range(3):
        make_commitment(platform, plan["id"], code=f"S{n}", deadline=f"2019-07-0{n + 1}")
    platform.await_listed(plan["id"], 31)
    base = f"/v1/plans/{plan['id']}/deadlines"
    with platform.client("reporting") as c:
        whole = c.get(base, params=DAY).json()
        assert len(whole["overdue"]) == 28 and len(whole["upcoming"]) == 3
        first = c.get(f"{base}/overdue", params={"limit": 10, **DAY})
        assert [r["code"] for r in first.json()] == [f"L{n:02d}" for n in range(10)]
        make_commitment(platform, plan["id"], code="L-new", deadline="2017")
        platform.await_listed(plan["id"], 32)
        rest = first.json() + _follow(c, first.links["next"]["url"])
        assert [r["code"] for r in rest] == [r["code"] for r in whole["overdue"]]
        assert [r["code"] for r in all_pages(c, f"{base}/upcoming", limit=2, **DAY)] == [
            "S0",
            "S1",
            "S2",
        ]
        bad = c.get(f"{base}/overdue", params={"cursor": "bm90LWEtY3Vyc29y"})
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "cursor" in bad.text
        assert c.get(f"{base}/upcoming", params={"within_days": -1}).status_code == 422
        exported = c.get(f"{base}/overdue.csv", params=DAY)
        assert exported.status_code == 200 and len(exported.text.splitlines()) == 1 + 29

        known_at = "2030-01-01T00:00:00+00:00"
        page = c.get(f"/plans/{plan['id']}", params={"known_at": known_at, **DAY}).text
        shown = _overdue_codes(page)
        following = _links(page, 'data-list="overdue"')
        assert len(shown) == 25 and len(following) == 1
        assert "known_at=2030-01-01" in following[0] and "as_of=2019-06-30" in following[0]
        second = c.get(following[0]).text
        assert shown + _overdue_codes(second) == ["L-new", *[r["code"] for r in rest]]
        assert not _links(second, 'data-list="overdue"')
        broken = c.get(f"/plans/{plan['id']}", params={"overdue_cursor": "nope"})
        assert broken.status_code == 400


def test_a_commitment_s_timeline_pages_in_the_api_and_on_its_page(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    with platform.client("commitments") as c:
        for n in range(55):
            r = c.post(
                f"/v1/commitments/{cid}/progress",
                json={"as_of": f"2018-{n // 5 + 1:02d}-{n % 5 + 1:02d}", "completion": "limited"},
            )
            assert r.status_code == 201, r.text
    path = f"/v1/commitments/{cid}"
    with platform.client("reporting") as c:
        view = poll(
            lambda: c.get(path).json(), lambda v: len(v.get("timeline", [])) == 56, timeout=60
        )
        paged = all_pages(c, f"{path}/timeline", limit=7)
        assert [t["event_id"] for t in paged] == [t["event_id"] for t in view["timeline"]]
        assert all(t["recorded_at"] and t["occurred_at"] for t in paged)
        assert c.get(f"{path}/timeline", params={"limit": 1001}).status_code == 422
        changes = f"/v1/plans/{plan['id']}/changes"
        window = {"from": "2018-01-01", "to": "2018-12-31"}
        every = c.get(changes, params=window).json()["changes"]
        assert len(every) >= 55 and "link" not in c.get(changes, params=window).headers
        first = c.get(changes, params={"limit": 20, **window})
        paged = first.json()["changes"]
        nxt: str | None = first.links["next"]["url"]
        while nxt:
            answer = c.get(nxt)
            assert answer.json()["from"] == "2018-01-01"
            paged += answer.json()["changes"]
            nxt = answer.links.get("next", {}).get("url")
        assert [x["event_id"] for x in paged] == [x["event_id"] for x in every]
        known = {"known_from": "2000-01-01T00:00:00Z", "known_to": "2100-01-01T00:00:00Z"}
        other_kind = c.get(
            changes, params={"cursor": first.links["next"]["url"].split("cursor=")[1], **known}
        )
        assert other_kind.status_code == 400 and "cursor" in other_kind.text

        page = c.get(f"/commitments/{cid}", params={"as_of": "2019-01-01"}).text
        following = _links(page, 'data-list="timeline"')
        assert len(following) == 1 and "as_of=2019-01-01" in following[0]
        second = c.get(following[0]).text
        ids = [t["event_id"] for t in view["timeline"]]
        assert all(i in page for i in ids[:50]) and not any(i in page for i in ids[50:])
        assert all(i in second for i in ids[50:]) and not _links(second, 'data-list="timeline"')


def test_every_money_figure_leads_to_the_flows_it_adds_up_with_their_provenance(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"], section="1.1").json()["id"]
    edec = agreement(platform, plan["id"], section="1.1")
    flows = f"/v1/agreements/{edec['id']}/flows"
    made = []
    for kind, amount, day in (
        ("commitment", "500000.00", "2018-03-01"),
        ("disbursement", "0.10", "2018-04-01"),
        ("disbursement", "0.20", "2018-05-01"),
        ("disbursement", "7.00", "2018-05-02"),
    ):
        r = post(platform, flows, {"type": kind, "amount": amount, "date": day, "commitment": cid})
        assert r.status_code == 201, r.text
        made.append(r.json())
    wrong = made[-1]["id"]
    r = post(platform, f"{flows}/{wrong}/reversal", {"reason": "typed twice", "date": "2018-05-03"})
    assert r.status_code == 201, r.text

    def funding() -> dict[str, Any]:
        with platform.client("reporting") as c:
            answer: httpx.Response = c.get(f"/v1/plans/{plan['id']}/funding", params=DAY)
        return answer.json() if answer.status_code == 200 else {}

    report = poll(
        funding,
        lambda r: r.get("totals", {}).get("EUR", {}).get("disbursed", {}).get("amount") == "0.30",
        timeout=60,
    )
    with platform.client("reporting") as c:
        for figure in ("committed", "disbursed"):
            listed = all_pages(
                c, f"/v1/plans/{plan['id']}/flows", figure=figure, currency="EUR", limit=1, **DAY
            )
            total = sum(Decimal(f["amount"]["amount"]) for f in listed)
            assert total == Decimal(report["totals"]["EUR"][figure]["amount"])
            for f in listed:
                assert f["partner"] and f["recorded_at"] and f["event_id"], f
                assert f["commitment"] == cid and f["section"] == "1.1"
        disbursed = all_pages(
            c, f"/v1/plans/{plan['id']}/flows", figure="disbursed", currency="EUR", **DAY
        )
        assert [f["amount"]["amount"] for f in disbursed] == ["0.10", "0.20"]
        timeline = {t["event_id"] for t in c.get(f"/v1/commitments/{cid}").json()["timeline"]}
        assert {f["event_id"] for f in disbursed} <= timeline
        assert (
            c.get(f"/v1/plans/{plan['id']}/flows", params={"figure": "agreed"}).status_code == 422
        )

        page = c.get(f"/plans/{plan['id']}", params=DAY).text
        money_links = [h for h in _links(page, "") if "/flows?" in h]
        assert any("figure=disbursed" in h and "currency=EUR" in h for h in money_links)
        target = next(h for h in money_links if "figure=disbursed" in h)
        flows_page = c.get(target)
        assert flows_page.status_code == 200
        assert "0,30" in flows_page.text or "0.30" in flows_page.text
        for f in disbursed:
            assert str(f["event_id"]) in flows_page.text
        concluded = report["agreements"][0]
        assert concluded["event_id"] and concluded["recorded_at"] and concluded["partner"]
        assert concluded["event_id"] in timeline_of_plan(c, plan["id"])
        agreed = next(h for h in money_links if "figure=agreed" in h and "source=" not in h)
        agreed_page = c.get(agreed).text
        assert concluded["code"] in agreed_page and concluded["event_id"] in agreed_page
        status_links = [h for h in _links(page, "") if "status=" in h and "#list-h" in h]
        assert status_links, "each status count links to its commitments"
        # The tables beside the charts: each month's figures link to the plan, or the
        # flows, as of that month's end.
        monthly = [h for h in money_links if "as_of=2019-05-31" in h and "figure=disbursed" in h]
        assert monthly, "each month's money links to its flows"
        month = c.get(monthly[0])
        assert month.status_code == 200
        assert any("as_of=2019-05-31" in h and "status=" in h for h in _links(page, ""))
