"""Renders a domain Sheet as a download: CSV (UTF-8 with BOM) or XLSX.

The BOM is what makes Excel on Windows open a CSV as UTF-8; without it
"Quận đoàn Ba Đình" shows up as mojibake. A sheet's title block comes first in both
formats (label, value lines, then a blank line), so the table's header is the row
after the first blank one. XLSX is binary, so the API declares
its content type in `app.api.binary_types` and the client must send a
matching Accept header (API Gateway base64-encodes it only then).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chalicelib.domain.exports import Sheet
from chalicelib.domain.file_types import CSV_TYPE, XLSX_TYPE


@dataclass(frozen=True)
class Download:
    body: str | bytes
    content_type: str
    file_name: str


MAX_COLUMN_WIDTH = 60
TITLE_LABEL_WIDTH = 24
# Titles and names come from participants: in a CSV a cell starting with one of these is a formula
# to Excel and LibreOffice (OWASP "CSV injection"), so it gets a leading apostrophe and stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    return "'" + value if _is_formula_like(value) else value


def _title_lines(sheet: Sheet) -> list[list[str]]:
    """The title block and the blank line that ends it; nothing for a sheet without one."""
    return [[label, value] for label, value in sheet.title] + ([[]] if sheet.title else [])


def to_csv(sheet: Sheet) -> Download:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[_csv_cell(v) for v in line] for line in _title_lines(sheet)])
    writer.writerow(sheet.headers)
    writer.writerows([[_csv_cell(v) for v in row] for row in sheet.rows])
    return Download("\ufeff" + buffer.getvalue(), CSV_TYPE, f"{sheet.name}.csv")


def to_xlsx(sheet: Sheet) -> Download:
    book = Workbook(write_only=False)
    page = book.active
    page.title = sheet.name[:31]
    last_column = max(len(sheet.headers), 2)
    for number, (label, value) in enumerate(sheet.title, start=1):
        page.append([label, value])
        page.cell(number, 1).font = Font(bold=True, size=14 if number == 1 else 11)
        page.cell(number, 2).font = Font(bold=number == 1, size=14 if number == 1 else 11)
        # One merged cell across the table's width: a long campaign name or hash stays readable
        # without widening the table's second column.
        page.merge_cells(start_row=number, start_column=2, end_row=number, end_column=last_column)
        page.cell(number, 2).alignment = Alignment(horizontal="left")
    if sheet.title:
        page.append([])
    header_row = len(sheet.title) + 2 if sheet.title else 1
    page.append(list(sheet.headers))
    for cell in page[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        page.append(list(row))
        # openpyxl stores any text starting with "=" as a formula: a title or author name typed by a
        # participant must reach the organiser's Excel as the text it is, never run there.
        for cell in page[page.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    page.freeze_panes = f"A{header_row + 1}"
    if sheet.rows:
        page.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.headers))}{page.max_row}"
    for index, header in enumerate(sheet.headers, start=1):
        column = [page.cell(r, index).value for r in range(header_row + 1, page.max_row + 1)]
        width = max([len(str(header))] + [len(str(v or "")) for v in column])
        if index == 1 and sheet.title:
            width = max(width, TITLE_LABEL_WIDTH)
        page.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return Download(buffer.getvalue(), XLSX_TYPE, f"{sheet.name}.xlsx")


def render(sheet: Sheet, file_format: str) -> Download:
    return to_xlsx(sheet) if file_format == "xlsx" else to_csv(sheet)
