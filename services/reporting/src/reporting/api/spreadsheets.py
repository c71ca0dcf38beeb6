"""Tables written as CSV and XLSX files.

Titles and narratives come from partners, so no cell may run as a formula in the
spreadsheet program that opens the file: in CSV a text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe (OWASP's advice);
in XLSX every text is stored as a string cell, which no spreadsheet evaluates."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from starlette.responses import Response

from reporting.application.list_tables import Cell, Table

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV: Final = "text/csv; charset=utf-8"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ACTIVE: Final = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on a sheet's name, and the characters it refuses in one.
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def inert(value: str) -> str:
    return "'" + value if value.startswith(_ACTIVE) else value


def _text(value: Cell) -> str:
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case datetime() | date():
            return value.isoformat()
        case str():
            return inert(value)
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so that spreadsheet programs read accents), a
    header row, comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([_text(v) for v in row] for row in table.rows)
    return "\ufeff".encode() + out.getvalue().encode()


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, with a header row; dates and numbers as such. openpyxl is
    imported here, on the first workbook: it costs 9 MB of memory to a replica that
    never makes one."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(sheet: WriteOnlyWorksheet, value: Cell) -> object:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)  # XLSX has no zones: UTC
        if not isinstance(value, str):
            return value
        # Control characters have no place in an XLSX file (its XML cannot hold
        # them): shown as U+FFFD rather than failing the whole export.
        text = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        text.data_type = "s"  # never a formula, whatever the text starts with
        return text

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(_SHEET_NAME.sub("_", table.name)[:31])
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(content: bytes, media_type: str, filename: str) -> Response:
    """The file as an attachment, named in ASCII and in UTF-8 (RFC 6266)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
