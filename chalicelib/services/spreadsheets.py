"""Renders a domain Sheet as a download: CSV (UTF-8 with BOM) or XLSX.

The BOM is what makes Excel on Windows open a CSV as UTF-8; without it
"Quận đoàn Ba Đình" shows up as mojibake. XLSX is binary, so the API declares
its content type in `app.api.binary_types` and the client must send a
matching Accept header (API Gateway base64-encodes it only then).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from chalicelib.domain.exports import Sheet
from chalicelib.domain.file_types import CSV_TYPE, XLSX_TYPE


@dataclass(frozen=True)
class Download:
    body: str | bytes
    content_type: str
    file_name: str


def to_csv(sheet: Sheet) -> Download:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    writer.writerows([["" if v is None else v for v in row] for row in sheet.rows])
    return Download("\ufeff" + buffer.getvalue(), CSV_TYPE, f"{sheet.name}.csv")


def to_xlsx(sheet: Sheet) -> Download:
    book = Workbook(write_only=False)
    page = book.active
    page.title = sheet.name[:31]
    page.append(list(sheet.headers))
    for cell in page[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        page.append(list(row))
    page.freeze_panes = "A2"
    for column, header in zip(page.columns, sheet.headers):
        width = max([len(str(header))] + [len(str(c.value or "")) for c in column])
        page.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return Download(buffer.getvalue(), XLSX_TYPE, f"{sheet.name}.xlsx")


def render(sheet: Sheet, file_format: str) -> Download:
    return to_xlsx(sheet) if file_format == "xlsx" else to_csv(sheet)
