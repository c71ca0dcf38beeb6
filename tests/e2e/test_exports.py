"""Lists and views as files: the same rows as the API, named, and inert in a
spreadsheet whatever partners typed."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from tests.e2e.platform import Platform, all_pages
from tests.e2e.test_slice import create_plan, make_commitment

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_filtered_commitments_export_the_rows_of_the_list_in_csv_xlsx_and_json(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    titles = ["Énergie solaire", FORMULA, "+33 contacts", "Mobility"]
    for n, title in enumerate(titles):
        made = make_commitment(
            platform, plan["id"], code=f"X{n}", title=title, priority=n % 2 == 0, section="1"
        )
        assert made.status_code == 201, made.text
    platform.await_listed(plan["id"], len(titles))
    path = f"/v1/plans/{plan['id']}/commitments"
    params = {"priority": "true", "sort": "-deadline", "as_of": "2016-06-01"}
    with platform.client("reporting") as c:
        listed = all_pages(c, path, **params)
        as_csv = c.get(f"{path}.csv", params=params)
        as_xlsx = c.get(f"{path}.xlsx", params=params)
        as_json = c.get(f"{path}.json", params=params)
    assert [r["code"] for r in listed] == ["X0", "X2"]

    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="' in as_csv.headers["content-disposition"]
    assert "2016-06-01.csv" in as_csv.headers["content-disposition"]
    rows = _csv(as_csv.content)
    assert [r["code"] for r in rows] == ["X0", "X2"]
    assert [r["title"] for r in rows] == ["Énergie solaire", "'+33 contacts"]

    sheet = _sheets(as_xlsx.content)["commitments"]
    header, *body = sheet
    assert header[0] == "code" and [r[0] for r in body] == ["X0", "X2"]
    assert body[1][header.index("title")] == "+33 contacts"
    assert [r["id"] for r in as_json.json()] == [r["id"] for r in listed]


def test_a_title_made_as_a_formula_is_text_in_every_export(platform: Platform) -> None:
    plan = create_plan(platform)
    made = make_commitment(platform, plan["id"], code="F1", title=FORMULA)
    platform.await_listed(plan["id"], 1)
    cid = made.json()["id"]
    with platform.client("reporting") as c:
        rows = _csv(c.get(f"/v1/plans/{plan['id']}/commitments.csv").content)
        xlsx = c.get(f"/v1/commitments/{cid}.xlsx")
    assert rows[0]["title"] == "'" + FORMULA
    book = load_workbook(io.BytesIO(xlsx.content))
    assert set(book.sheetnames) >= {"commitment", "indicators", "reports", "flows", "timeline"}
    title = next(r for r in book["commitment"].iter_rows() if r[0].value == "title")[1]
    assert title.value == FORMULA and title.data_type == "s"


def test_every_view_answers_as_a_named_file(platform: Platform) -> None:
    plan = create_plan(platform)
    made = make_commitment(platform, plan["id"], code="V1")
    platform.await_listed(plan["id"], 1)
    cid = made.json()["id"]
    paths = [
        "/v1/plans",
        f"/v1/plans/{plan['id']}/progress",
        f"/v1/plans/{plan['id']}/deadlines",
        f"/v1/plans/{plan['id']}/funding",
        f"/v1/commitments/{cid}",
        "/v1/parties/EU/scorecard",
    ]
    with platform.client("reporting") as c:
        for path in paths:
            for suffix in (".csv", ".xlsx", ".json"):
                answer = c.get(path + suffix)
                assert answer.status_code == 200, (path + suffix, answer.text)
                assert "attachment; filename=" in answer.headers["content-disposition"]
        assert c.get("/v1/plans/nope/progress.xlsx").status_code == 404
