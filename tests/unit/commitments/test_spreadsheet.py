"""Reading a plan's spreadsheet: CSV as spreadsheet programs write it (a byte order
mark, semicolons, Windows-1252, headers in any case), XLSX, and the cells' meaning."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from commitments.adapters.spreadsheet import (
    MAX_ROWS,
    XLSX_TYPE,
    BadSheet,
    UnsupportedSheet,
    read_sheet,
    template,
)
from commitments.application import import_rows
from commitments.application.import_rows import COLUMNS, RowProblem, SheetRow
from shared.contracts.commitments import PartyData
from shared.contracts.common import Translation


def test_a_bom_prefixed_comma_csv_reads_with_the_spreadsheets_row_numbers() -> None:
    body = (
        "\ufeffsection,section_title,code,title,deadline,priority\r\n"
        "1,Migration,,,,\r\n"
        "\r\n"
        '1,,1.1,"Launch, then report",by end 2016,yes\r\n'
    ).encode()
    sheet = read_sheet(body, "text/csv; charset=utf-8")
    assert sheet.rows == [
        SheetRow(number=2, section="1", section_title="Migration"),
        SheetRow(
            number=4,
            section="1",
            code="1.1",
            title="Launch, then report",
            deadline="by end 2016",
            priority="yes",
        ),
    ]
    assert sheet.ignored == []


def test_a_semicolon_csv_in_windows_1252_with_headers_in_any_case() -> None:
    body = (
        " Section ;Section Title;CODE;Titre interne;Title;Title (FR);Deadline\n"
        "2;Développement;2.1;x;Créer des emplois;Créer des emplois;d'ici fin 2017\n"
    ).encode("cp1252")
    sheet = read_sheet(body, "text/csv")
    assert sheet.rows == [
        SheetRow(
            number=2,
            section="2",
            section_title="Développement",
            code="2.1",
            title="Créer des emplois",
            title_fr="Créer des emplois",
            deadline="d'ici fin 2017",
        )
    ]
    assert sheet.ignored == ["Titre interne"]


def test_an_xlsx_reads_its_first_sheet_dates_numbers_and_booleans_as_text() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "section", "title", "deadline", "priority", "parties"])
    sheet.append(["A-1", 2, "Open centres", datetime(2017, 6, 30), True, "EU:responsible"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["A-2", 2.0, "Close gaps", date(2018, 1, 31), 0, None])
    out = io.BytesIO()
    book.save(out)
    rows = read_sheet(out.getvalue(), XLSX_TYPE).rows
    assert rows == [
        SheetRow(
            number=2,
            section="2",
            code="A-1",
            title="Open centres",
            deadline="2017-06-30",
            priority="true",
            parties="EU:responsible",
        ),
        SheetRow(
            number=4,
            section="2",
            code="A-2",
            title="Close gaps",
            deadline="2018-01-31",
            priority="0",
        ),
    ]


def test_missing_columns_are_named_and_other_bodies_are_refused() -> None:
    with pytest.raises(BadSheet) as missing:
        read_sheet(b"section;deadline\n1;2017\n", "text/csv")
    assert missing.value.missing == ("code", "title")
    with pytest.raises(BadSheet):
        read_sheet(b"\n\n", "text/csv")
    with pytest.raises(UnsupportedSheet, match="application/json"):
        read_sheet(b'{"code": "1"}', "application/json")
    with pytest.raises(UnsupportedSheet):
        read_sheet(b"section,code,title\n", XLSX_TYPE)
    with pytest.raises(UnsupportedSheet):
        read_sheet(b"\x00\x01binary", "text/csv")
    for unsaid in (None, "application/x-www-form-urlencoded", "application/octet-stream"):
        assert len(read_sheet(b"section,code,title\n1,A-1,t\n", unsaid).rows) == 1
        with pytest.raises(UnsupportedSheet, match="no sheet with the columns"):
            read_sheet(b"code=1&title=2", unsaid)
    with pytest.raises(UnsupportedSheet, match="--data-binary"):
        read_sheet(b"--x\r\n", "multipart/form-data; boundary=x")


def test_priority_cells_in_either_language_and_empty_is_false() -> None:
    for text in ("true", "Yes", "OUI", "1", "vrai"):
        assert import_rows.priority(text) is True, text
    for text in ("", "false", "No", "non", "0"):
        assert import_rows.priority(text) is False, text
    with pytest.raises(RowProblem, match="priority"):
        import_rows.priority("maybe")


def test_parties_with_roles_in_either_language() -> None:
    assert import_rows.parties("EU: responsible; Member States:Contributeur;;") == (
        PartyData(name="EU", role="responsible"),
        PartyData(name="Member States", role="contributor"),
    )
    assert import_rows.parties("") == ()
    with pytest.raises(RowProblem, match="unknown role 'boss'"):
        import_rows.parties("EU:boss")
    with pytest.raises(RowProblem, match="needs its role"):
        import_rows.parties("EU")


def test_a_french_title_makes_a_language_map_in_the_plans_language_first() -> None:
    row = SheetRow(number=2, title="Open centres", title_fr="Ouvrir des centres")
    assert import_rows.title(row, "en") == (
        Translation(lang="en", text="Open centres"),
        Translation(lang="fr", text="Ouvrir des centres"),
    )
    assert import_rows.title(row, "fr")[0] == Translation(lang="en", text="Open centres")  # type: ignore[index]
    assert import_rows.title(SheetRow(number=2, title="Open"), "en") == "Open"
    assert import_rows.title(SheetRow(number=2, title_fr="Ouvrir"), "fr") == (
        Translation(lang="fr", text="Ouvrir"),
    )


def test_the_template_has_the_columns_and_a_sheet_explaining_them() -> None:
    book = load_workbook(io.BytesIO(template()), read_only=True)
    first, about = book.worksheets
    assert [c.value for c in next(first.iter_rows())] == list(COLUMNS)
    explained = [row[0] for row in about.iter_rows(min_row=2, values_only=True)]
    assert explained == list(COLUMNS)
    assert read_sheet(template(), XLSX_TYPE).rows == []


def test_sheets_too_long_or_unreadable_are_refused_as_a_whole() -> None:
    rows = "section,code,title\n" + "\n".join(f"1,C-{n},t" for n in range(MAX_ROWS + 1))
    with pytest.raises(BadSheet, match=f"at most {MAX_ROWS} rows"):
        read_sheet(rows.encode(), "text/csv")
    blank = "section,code,title\n" + ",,\n" * (MAX_ROWS + 10) + "1,C-1,t\n"
    assert [r.number for r in read_sheet(blank.encode(), "text/csv").rows] == [MAX_ROWS + 12]
    with pytest.raises(BadSheet, match="cannot be read"):
        read_sheet(b'section,code,title\n1,"' + b"x" * 200_000 + b'",t\n', "text/csv")
    with pytest.raises(UnsupportedSheet, match="not a readable XLSX"):
        read_sheet(b"PK\x03\x04 not really a zip", XLSX_TYPE)


def test_excels_delimiter_line_and_a_title_above_the_header() -> None:
    body = b"sep=;\r\nsection;code;title\r\n1;A-1;Open, then close\r\n"
    assert read_sheet(body, "text/csv").rows == [
        SheetRow(number=2, section="1", code="A-1", title="Open, then close")
    ]
    titled = "Valletta Action Plan, 2015\n\nCode,Section,Title,Notes\nA-1,1,Open,\n,,,only a note\n"
    assert read_sheet(titled.encode(), "text/csv").rows == [
        SheetRow(number=4, section="1", code="A-1", title="Open")
    ]


def test_a_workbook_whose_first_sheet_is_instructions() -> None:
    book = Workbook()
    about = book.active
    assert about is not None
    about.append(["Fill in the next sheet"])
    sheet = book.create_sheet("plan")
    sheet.append(["Plan", None, None])
    sheet.append(["section", "code", "title"])
    sheet.append(["1", "A-1", "Open"])
    out = io.BytesIO()
    book.save(out)
    assert read_sheet(out.getvalue(), XLSX_TYPE).rows == [
        SheetRow(number=3, section="1", code="A-1", title="Open")
    ]


def test_a_party_name_or_section_title_longer_than_the_api_takes_is_the_rows_problem() -> None:
    from commitments.application.import_rows import RowProblem, parties

    with pytest.raises(RowProblem, match="200 characters"):
        parties("x" * 201 + ":responsible")
