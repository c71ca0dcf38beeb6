"""Files for spreadsheets: accents readable, numbers and dates typed, no formula run."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reporting.api.spreadsheets import inert, to_csv, to_xlsx
from reporting.application.list_tables import Table

TABLE = Table(
    "commitments",
    ("code", "title", "amount", "due", "recorded", "priority"),
    [
        ("A", "=1+1", Decimal("-12.50"), date(2020, 1, 31), datetime(2020, 2, 1, tzinfo=UTC), True),
        ("B", "Énergie", None, None, None, False),
    ],
)


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_made_inert(text: str) -> None:
    assert inert(text) == "'" + text


def test_other_text_is_left_as_it_is() -> None:
    assert inert("Énergie = power") == "Énergie = power"


def test_csv_has_a_byte_order_mark_and_inert_text_but_plain_numbers() -> None:
    content = to_csv(TABLE)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "code,title,amount,due,recorded,priority"
    assert lines[1] == "A,'=1+1,-12.50,2020-01-31,2020-02-01T00:00:00+00:00,true"
    assert lines[2] == "B,Énergie,,,,false"


def test_xlsx_keeps_types_and_stores_text_as_text() -> None:
    book = load_workbook(io.BytesIO(to_xlsx([TABLE, Table("x/y:z", ("a",), [])])))
    assert book.sheetnames == ["commitments", "x_y_z"]
    first = next(iter(book["commitments"].iter_rows(min_row=2, max_row=2)))
    assert first[1].value == "=1+1" and first[1].data_type == "s"
    assert first[2].value == -12.5
    assert first[3].value == datetime(2020, 1, 31)


def test_control_characters_partners_typed_do_not_break_a_workbook() -> None:
    table = Table("t", ("title",), [("bell\x07 and nul\x00",)])
    book = load_workbook(io.BytesIO(to_xlsx([table])))
    assert book["t"]["A2"].value == "bell\ufffd and nul\ufffd"
