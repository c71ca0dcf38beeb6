"""Spreadsheets in and out: a CSV (UTF-8 with or without a byte order mark, else
Windows-1252; commas, semicolons as French spreadsheet programs write, or tabs) or an
XLSX workbook's first sheet, read into rows of text; and the empty import template."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

from commitments.application.import_rows import COLUMNS, REQUIRED, SheetRow

CSV_TYPES: Final = frozenset({"text/csv", "application/csv", "text/comma-separated-values"})
XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What browsers on Windows send for a .csv file (Excel's registered type).
EXCEL_TYPE: Final = "application/vnd.ms-excel"
ACCEPTED: Final = (*sorted(CSV_TYPES), XLSX_TYPE)
#: Types that say nothing of the body: it is read if it is a sheet.
UNSAID_TYPES: Final = frozenset(
    {"", "application/octet-stream", "application/x-www-form-urlencoded", "text/plain"}
)

#: Rows an import takes at most (the header and blank rows not counted).
MAX_ROWS: Final = 5_000
#: How many filled rows may come before the header (a title, a note).
HEADER_SEARCH: Final = 20
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


class UnsupportedSheet(ValueError):
    """A body that is neither CSV nor XLSX (415)."""


class BadSheet(ValueError):
    """A sheet that cannot be imported as a whole, e.g. columns missing (422);
    ``missing`` names them."""

    def __init__(self, detail: str, missing: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.missing = tuple(missing)


@dataclass(frozen=True, slots=True)
class Sheet:
    rows: list[SheetRow]
    #: Header cells that are no import column, as written (ignored).
    ignored: list[str]


def read_sheet(body: bytes, content_type: str | None) -> Sheet:
    """The rows of ``body``; the content type says which format, but a workbook sent
    with a CSV type (or the other way round) is read as what it is, and a body sent
    with a type that says nothing (none, ``application/octet-stream``, curl's default
    ``application/x-www-form-urlencoded``) is read if it is a sheet with the columns."""
    kind = (content_type or "").split(";")[0].strip().casefold()
    if kind.startswith("multipart/"):
        raise UnsupportedSheet(
            "send the file itself as the body, not a form: "
            "curl --data-binary @plan.csv -H 'content-type: text/csv'"
        )
    unsaid = kind in UNSAID_TYPES
    if kind not in CSV_TYPES and kind not in (XLSX_TYPE, EXCEL_TYPE) and not unsaid:
        raise UnsupportedSheet(
            f"content type {kind or '(none)'!r} is not accepted; send {' or '.join(ACCEPTED)}"
        )
    if body.startswith(_OLE):
        raise UnsupportedSheet("an Excel 97-2003 .xls workbook; save it as .xlsx or CSV")
    if body.startswith(_ZIP):
        return _rows(_xlsx_cells(body))
    if kind == XLSX_TYPE:
        raise UnsupportedSheet("the body is not an XLSX workbook")
    cells = _csv_cells(body)
    if unsaid and _header_at(cells) is None:
        raise UnsupportedSheet(
            f"content type {kind or '(none)'!r} and a body that is no sheet with the columns "
            f"{', '.join(REQUIRED)}; send {' or '.join(ACCEPTED)}"
        )
    return _rows(cells)


def _text(body: bytes) -> str:
    if b"\x00" in body:
        raise UnsupportedSheet("the body is not text: send a CSV or an XLSX workbook")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _csv_cells(body: bytes) -> list[list[str]]:
    text = _text(body)
    first, _, rest = text.partition("\n")
    if re.fullmatch(r"sep=.", first.strip(), re.IGNORECASE):  # Excel's delimiter line
        delimiter, text = first.strip()[4], rest  # (not a row in Excel either).
    else:
        delimiter = _delimiter(text.splitlines())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _bounded(list(r) for r in reader)
    except csv.Error as exc:
        raise BadSheet(f"the CSV cannot be read at line {reader.line_num}: {exc}") from None


def _delimiter(lines: list[str]) -> str:
    """The delimiter that makes a header of one of the first lines (a title may come
    before it), else the one the first line has most of."""
    filled = [line for line in lines if line.strip()][:HEADER_SEARCH]
    for delimiter in (";", ",", "\t"):
        if any(not _missing(_names(line.split(delimiter))) for line in filled):
            return delimiter
    header = filled[0] if filled else ""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _xlsx_cells(body: bytes) -> list[list[str]]:
    """The cells of the workbook's first sheet with the import's columns (a sheet of
    instructions may come first), else of its first sheet."""
    from openpyxl import load_workbook  # A second or so to import: only when needed.

    # Any body may come in: whatever the workbook reader trips on is no workbook.
    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:
        raise UnsupportedSheet(f"the body is not a readable XLSX workbook ({exc})") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            if hasattr(sheet, "reset_dimensions"):  # Some programs write a wrong extent.
                sheet.reset_dimensions()
            cells = _bounded([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
            if _header_at(cells) is not None:
                return cells
            sheets.append(cells)
        return sheets[0] if sheets else []
    except BadSheet:
        raise
    except Exception as exc:
        raise BadSheet(f"the workbook cannot be read ({exc})") from None
    finally:
        book.close()


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows, refused once more than :data:`MAX_ROWS` of them (and the header)
    have anything in them."""
    kept: list[list[str]] = []
    filled = 0
    for row in rows:
        kept.append(row)
        filled += any(cell.strip() for cell in row)
        if filled > MAX_ROWS + 1:
            raise BadSheet(f"a sheet holds at most {MAX_ROWS} rows; split it")
    return kept


def _cell(value: object) -> str:
    """A cell as the text it shows: dates as ISO dates, 1.0 as 1, booleans as
    true/false, a formula's value as last computed."""
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case datetime():
            return value.date().isoformat() if value.time() == time() else value.isoformat()
        case date():
            return value.isoformat()
        case float() if value.is_integer():
            return str(int(value))
    return str(value)


def _names(header: list[str]) -> list[str]:
    """Column names as written to the names they stand for: "Section title",
    " SECTION_TITLE ", "section-title" and "Title (FR)" all name their column."""
    return [re.sub(r"\W+", "_", h.casefold()).strip("_") for h in header]


def _missing(names: list[str]) -> list[str]:
    return [c for c in REQUIRED if c not in names]


def _header_at(cells: list[list[str]]) -> int | None:
    """The index of the header row: the first of the first filled rows that names
    the required columns."""
    filled = [i for i, row in enumerate(cells) if any(c.strip() for c in row)]
    for i in filled[:HEADER_SEARCH]:
        if not _missing(_names(cells[i])):
            return i
    return None


def _rows(cells: list[list[str]]) -> Sheet:
    at = _header_at(cells)
    if at is None:
        first = next((row for row in cells if any(c.strip() for c in row)), None)
        if first is None:
            raise BadSheet("the sheet is empty: its first row names the columns", REQUIRED)
        missing = _missing(_names(first))
        raise BadSheet(f"the sheet has no column {', '.join(missing)}", missing)
    header = [c.strip() for c in cells[at]]
    names = _names(header)
    index = {name: names.index(name) for name in COLUMNS if name in names}
    ignored = [h for h, name in zip(header, names, strict=True) if h and name not in index]
    rows = []
    for number, row in enumerate(cells[at + 1 :], start=at + 2):
        values = {name: row[i].strip() if i < len(row) else "" for name, i in index.items()}
        if any(values.values()):
            rows.append(SheetRow(number=number, **values))
    return Sheet(rows=rows, ignored=ignored)


def template() -> bytes:
    """An empty workbook with the import's columns, and a sheet saying what each
    column holds."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "commitments"
    sheet.append(list(COLUMNS))
    sheet.freeze_panes = "A2"
    about = book.create_sheet("columns")
    about.append(["column", "what it holds"])
    for row in HELP:
        about.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HELP: Final = (
    ("section", "Required. The code of the section the commitment is under (e.g. 1.2)."),
    ("section_title", "A new section's title; a different title renames the section."),
    ("parent", "A new section's parent section code; empty for a top-level section."),
    ("code", "The commitment's code, unique in the plan; empty on a row defining a section."),
    ("title", "The commitment's title, in the plan's language."),
    ("title_fr", "Optional. The title in French: the title is then given in both."),
    ("parties", "name:role; name:role (responsible, contributor, funder, monitor)."),
    ("deadline", "As written: 'by March 2021', 'd'ici fin 2021', 2021-03-31; empty: none."),
    ("priority", "true/false, yes/no, oui/non or 1/0; empty: false."),
)
