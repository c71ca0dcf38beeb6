"""``./pactstream import``: the content type a file is sent as, one line per row, and
an exit status that says whether any row was rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pactstream_cli import importing
from pactstream_cli.main import parser


def test_the_file_suffix_names_the_content_type() -> None:
    assert importing.content_type(Path("plan.XLSX")) == importing.XLSX
    assert importing.content_type(Path("plan.csv")) == "text/csv"
    args = parser().parse_args(["import", "plan.csv", "--plan", "p1"])
    assert (args.file, args.plan, args.url, args.key) == (
        "plan.csv",
        "p1",
        "http://127.0.0.1:8001",
        None,
    )


def test_each_row_is_printed_and_a_rejected_row_fails_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = {
        "results": [
            {"row": 2, "code": None, "status": "accepted", "section": "3"},
            {"row": 3, "code": "A-1", "status": "unchanged"},
            {"row": 4, "code": "A-2", "status": "rejected", "problem": "title: needed"},
        ],
        "ignored_columns": ["Notes"],
    }
    assert importing.report(answer) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "row    2  accepted   section 3",
        "row    3  unchanged  A-1",
        "row    4  rejected   A-2: title: needed",
        "pactstream: 3 rows: 1 accepted, 1 unchanged, 1 rejected",
        "pactstream: columns not imported: Notes",
    ]
    assert importing.report({"results": answer["results"][:2]}) == 0


def test_a_file_name_in_any_script_reaches_the_service_as_written() -> None:
    from commitments.api.imports import _file_name
    from pactstream_cli.importing import disposition

    header = disposition("plan-révisé.csv")
    header.encode("ascii")  # An HTTP header: httpx refuses anything else.
    assert _file_name(header) == "plan-révisé.csv"
    assert _file_name('attachment; filename="C:\\\\Users\\\\me\\\\plan.csv"') == "plan.csv"
    assert _file_name("attachment; filename*=UTF-8''%FF.csv") is None
