"""A plan's sections and commitments imported from a spreadsheet over HTTP and with
``./pactstream import``: a semicolon CSV with a byte order mark as French spreadsheet
programs write it, and an XLSX; the same sheet again changes nothing, a changed row is
an amendment, a row's own problem rejects that row alone, and reporting lists what was
imported."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook

from tests.e2e.platform import KEY, ROOT, Platform, poll
from tests.e2e.test_slice import create_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = [
    " Section ;Section_Title;Parent;Code;Title;Title_FR;Parties;Deadline;Priority;Notes",
    "3;Protection and asylum;;;;;;;;a new domain",
    "3.1;Reception;3;;;;;;;",
    "1.1.a;Boost socio-economic development;;IMP-1;Create jobs;Créer des emplois;"
    '"EU:responsible; AU:contributeur";d\'ici fin 2016;oui;',
    "3.1;;;IMP-2;Open reception centres;;EU:responsible;by autumn 2016;no;",
    "",
    "2;Legal mobility;;IMP-3;Simplify visas;;;;0;renames domain 2",
    "1.1.a;;;IMP-4;Whenever;;;sometime soon;;",
    "1.1.a;;;IMP-5;Unknown role;;EU:boss;;;",
]


def csv_body(lines: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def post(platform: Platform, plan_id: str, body: bytes, ctype: str, name: str) -> httpx.Response:
    headers = {"Content-Type": ctype, "Content-Disposition": f'attachment; filename="{name}"'}
    with platform.client("commitments") as c:
        return c.post(f"/v1/plans/{plan_id}/import", content=body, headers=headers)


def results(answer: httpx.Response) -> list[tuple[int, str | None, str]]:
    """Each row's number, code and status (with the rejected rows' problems when
    another status was expected)."""
    assert answer.status_code == 200, answer.text
    return [
        Row(r["row"], r["code"], r["status"], r.get("problem")) for r in answer.json()["results"]
    ]


class Row(tuple[int, str | None, str]):
    """Equal to ``(row, code, status)``; shows its problem when a comparison fails."""

    problem: str | None

    def __new__(cls, row: int, code: str | None, status: str, problem: str | None) -> Row:
        made = super().__new__(cls, (row, code, status))
        made.problem = problem
        return made

    def __repr__(self) -> str:
        return f"{tuple(self)!r}{f' ({self.problem})' if self.problem else ''}"


def by_code(platform: Platform, plan_id: str) -> dict[str, Any]:
    with platform.client("reporting") as c:
        listed = c.get(f"/v1/plans/{plan_id}/commitments", params={"limit": 1000})
    assert listed.status_code == 200, listed.text
    return {c["code"]: c for c in listed.json()}


def events(platform: Platform, commitment_id: str) -> list[dict[str, Any]]:
    with platform.client("commitments") as c:
        answer = c.get(f"/v1/commitments/{commitment_id}/events")
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]  # type: ignore[no-any-return]


def test_a_csv_imports_once_and_again_changes_nothing(platform: Platform) -> None:
    plan = create_plan(platform)
    first = post(platform, plan["id"], csv_body(SHEET), "text/csv", "plan.csv")
    assert results(first) == [
        (2, None, "accepted"),
        (3, None, "accepted"),
        (4, "IMP-1", "accepted"),
        (5, "IMP-2", "accepted"),
        (7, "IMP-3", "accepted"),
        (8, "IMP-4", "rejected"),
        (9, "IMP-5", "rejected"),
    ]
    problems = [r.get("problem") for r in first.json()["results"]]
    assert "sometime soon" in problems[5] and "unknown role 'boss'" in problems[6]
    assert first.json()["ignored_columns"] == ["Notes"]
    with platform.client("commitments") as c:
        revised = c.get(f"/v1/plans/{plan['id']}").json()
    sections = {s["code"]: s for s in revised["sections"]}
    assert sections["3.1"]["parent"] == "3" and sections["3.1"]["title"] == "Reception"
    assert sections["2"]["title"] == "Legal mobility", "a different section_title renames"

    ids = {r["code"]: r["id"] for r in first.json()["results"] if r["id"]}
    assert set(ids) == {"IMP-1", "IMP-2", "IMP-3"}
    # As recorded (reading it back in a language is another change's).
    imp_1 = events(platform, ids["IMP-1"])[0]["data"]
    assert imp_1["deadline"]["end"] == "2016-12-31" and imp_1["priority"] is True
    assert imp_1["parties"] == [
        {"name": "EU", "role": "responsible"},
        {"name": "AU", "role": "contributor"},
    ]
    assert imp_1["title"] == [
        {"lang": "en", "text": "Create jobs"},
        {"lang": "fr", "text": "Créer des emplois"},
    ]
    # Reporting lists the imported commitments (a title in two languages once reporting
    # reads language maps, which another change brings).
    listed = poll(lambda: by_code(platform, plan["id"]), lambda found: len(found) >= 2)
    assert {"IMP-2", "IMP-3"} <= set(listed)
    assert listed["IMP-2"]["section"] == "3.1" and listed["IMP-2"]["priority"] is False
    assert listed["IMP-2"]["deadline"]["end"] == "2016-11-30"
    assert listed["IMP-3"]["deadline"] is None and listed["IMP-3"]["section"] == "2"

    before = {code: len(events(platform, i)) for code, i in ids.items()}
    again = post(platform, plan["id"], csv_body(SHEET), "text/csv", "plan.csv")
    assert [s for _, _, s in results(again)] == ["unchanged"] * 5 + ["rejected"] * 2
    assert {code: len(events(platform, i)) for code, i in ids.items()} == before


def test_a_changed_row_is_an_amendment_and_another_section_a_move(platform: Platform) -> None:
    plan = create_plan(platform)
    first = post(platform, plan["id"], csv_body(SHEET), "text/csv", "plan.csv")
    ids = {r["code"]: r["id"] for r in first.json()["results"] if r["id"]}
    before = {code: len(events(platform, i)) for code, i in ids.items()}
    with platform.client("commitments") as c:
        revised = c.get(f"/v1/plans/{plan['id']}").json()

    changed = [SHEET[0], SHEET[4].replace("by autumn 2016", "d'ici l'hiver 2016")]
    assert results(post(platform, plan["id"], csv_body(changed), "text/csv", "v2.csv")) == [
        (2, "IMP-2", "accepted")
    ]
    history = events(platform, ids["IMP-2"])
    assert len(history) == before["IMP-2"] + 1
    assert history[-1]["type"].endswith("amended") and history[-1]["data"]["reason"] == "import"
    assert history[-1]["data"]["deadline"]["end"] == "2017-02-28"

    moved = [SHEET[0], "3;;;IMP-3;Simplify visas;;;;0;", "3.1;;1;;;;;;;"]
    answer = post(platform, plan["id"], csv_body(moved), "text/csv", "v3.csv")
    assert results(answer) == [(2, "IMP-3", "accepted"), (3, None, "rejected")]
    assert "moving a section" in answer.json()["results"][1]["problem"]
    with platform.client("commitments") as c:
        plan_now = c.get(f"/v1/plans/{plan['id']}").json()
    assert plan_now["sections"] == revised["sections"], "the tree is as the first import left it"
    assert len(events(platform, ids["IMP-3"])) == before["IMP-3"], "a move is the plan's event"
    again = post(platform, plan["id"], csv_body(moved[:2]), "text/csv", "v3.csv")
    assert results(again) == [(2, "IMP-3", "unchanged")]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_imports_and_the_cli_reports_rejected_rows(
    platform: Platform, tmp_path: Path
) -> None:
    plan = create_plan(platform)
    sheet = [
        ["code", "title", "section", "deadline", "priority", "parties"],
        ["X-1", "Train staff", "1.1.a", "mi-2016", True, "EU:responsible"],
        ["X-2", "Fund it", 2, None, 1, "EU:funder"],
    ]
    assert results(post(platform, plan["id"], xlsx(sheet), XLSX, "plan.xlsx")) == [
        (2, "X-1", "accepted"),
        (3, "X-2", "accepted"),
    ]
    listed = poll(lambda: by_code(platform, plan["id"]), lambda found: len(found) == 2)
    assert listed["X-1"]["deadline"]["end"] == "2016-06-30"
    assert listed["X-2"]["section"] == "2" and listed["X-2"]["deadline"] is None

    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx([*sheet, ["X-3", "", "1.1.a", None, None, None]]))
    command = [sys.executable, "-m", "pactstream_cli", "import", str(path), "--plan", plan["id"]]
    command += ["--url", platform.url("commitments"), "--key", KEY]
    ran = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "row    2  unchanged  X-1" in ran.stdout
    assert "row    4  rejected   X-3: title: a commitment needs its title" in ran.stdout
    assert "3 unchanged" not in ran.stdout and "2 unchanged, 1 rejected" in ran.stdout


def test_the_template_and_sheets_that_cannot_be_imported(platform: Platform) -> None:
    with platform.client("commitments", key=None) as c:
        template = c.get("/v1/plans/import-template.xlsx")
        documented = c.get("/openapi.json").json()["paths"]
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    header = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows())
    assert [cell.value for cell in header] == [
        "section",
        "section_title",
        "parent",
        "code",
        "title",
        "title_fr",
        "parties",
        "deadline",
        "priority",
    ]
    assert "/v1/plans/import-template.xlsx" in documented
    assert XLSX in documented["/v1/plans/{plan_id}/import"]["post"]["requestBody"]["content"]

    plan = create_plan(platform)
    missing = post(platform, plan["id"], b"section;deadline\n1;2016\n", "text/csv", "a.csv")
    assert missing.status_code == 422, missing.text
    assert missing.headers["content-type"] == "application/problem+json"
    assert "code, title" in missing.json()["detail"]
    json_body = post(platform, plan["id"], b'{"code": "1"}', "application/json", "a.json")
    assert json_body.status_code == 415, json_body.text
    pdf = post(platform, plan["id"], b"%PDF-1.4", "application/pdf", "a.pdf")
    assert pdf.status_code == 415 and "text/csv" in pdf.json()["detail"]
    huge = post(platform, plan["id"], csv_body(SHEET) + b"x" * 2_000_000, "text/csv", "a.csv")
    assert huge.status_code == 413, huge.text
    empty = post(platform, plan["id"], b"", "text/csv", "a.csv")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    unknown = post(platform, "no-such-plan", csv_body(SHEET), "text/csv", "a.csv")
    assert unknown.status_code == 404, unknown.text
    with platform.client("commitments", key=None) as c:
        anonymous = c.post(
            f"/v1/plans/{plan['id']}/import",
            content=csv_body(SHEET),
            headers={"Content-Type": "text/csv"},
        )
    assert anonymous.status_code == 401
    with platform.client("commitments") as c:
        after = c.get(f"/v1/plans/{plan['id']}").json()
    assert after["sections"] == plan["sections"], "a refused sheet changes nothing"
    # curl --data-binary without a content type sends its form type: a sheet is read.
    unsaid = post(
        platform, plan["id"], csv_body(SHEET[:2]), "application/x-www-form-urlencoded", "a.csv"
    )
    assert results(unsaid) == [(2, None, "accepted")]
