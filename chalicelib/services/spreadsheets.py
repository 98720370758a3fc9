"""Renders a domain Sheet as a file (CSV, UTF-8 with BOM, or XLSX) and hands it out as a link.

The BOM is what makes Excel on Windows open a CSV as UTF-8; without it
"Quận đoàn Ba Đình" shows up as mojibake. A sheet's title block comes first in both
formats (label, value lines, then a blank line), so the table's header is the row
after the first blank one.

Files are written row by row into a temporary file (openpyxl's write-only mode
for XLSX, which keeps no cell once written), then put into the bucket and handed
to the browser as a presigned GET: a Lambda response is at most 6 MB and a
100,000-row workbook is larger, and a link needs no Accept header to come back
as binary. Column widths are measured on the first WIDTH_SAMPLE_ROWS rows, which
are the only rows held at once.
"""
from __future__ import annotations

import csv
import io
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice
from typing import IO, Any, Callable

from chalicelib.domain.exports import (
    DOWNLOAD_LINK_SECONDS,
    EXPORT_PREFIX,
    Sheet,
    attachment_disposition,
    export_file_name,
)
from chalicelib.domain.file_types import CSV_TYPE, XLSX_TYPE
from chalicelib.observability import logger
from chalicelib.services.ports import ExportFiles


@dataclass(frozen=True)
class Download:
    body: str | bytes
    content_type: str
    file_name: str


MAX_COLUMN_WIDTH = 60
TITLE_LABEL_WIDTH = 24
WIDTH_SAMPLE_ROWS = 1_000
CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
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


def write_csv(sheet: Sheet, target: IO[bytes]) -> int:
    """The sheet as CSV into a binary file; the number of table rows written."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerows([[_csv_cell(v) for v in line] for line in _title_lines(sheet)])
        writer.writerow(sheet.headers)
        count = 0
        for row in sheet.rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller still owns the binary file
    return count


def _column_widths(sheet: Sheet, sample: list[tuple[Any, ...]]) -> list[int]:
    widths = []
    for index, header in enumerate(sheet.headers):
        width = max([len(str(header))] + [len(str(row[index] if index < len(row) and row[index] is not None
                                                    else "")) for row in sample])
        if index == 0 and sheet.title:
            width = max(width, TITLE_LABEL_WIDTH)
        widths.append(min(MAX_COLUMN_WIDTH, width + 2))
    return widths


def write_xlsx(sheet: Sheet, target: IO[bytes]) -> int:
    """The sheet as a workbook (write-only: each row leaves memory once written); the number of
    table rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    page = book.create_sheet(sheet.name[:31])
    rows = iter(sheet.rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(_column_widths(sheet, sample), start=1):
        page.column_dimensions[get_column_letter(index)].width = width
    last_column = max(len(sheet.headers), 2)
    header_row = len(sheet.title) + 2 if sheet.title else 1
    page.freeze_panes = f"A{header_row + 1}"  # written with the sheet's view, before any row

    def styled(value: Any, **style: Any) -> Any:
        cell = WriteOnlyCell(page, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    for number, (label, value) in enumerate(sheet.title, start=1):
        size = 14 if number == 1 else 11
        page.append([styled(label, font=Font(bold=True, size=size)),
                     styled(value, font=Font(bold=number == 1, size=size), alignment=Alignment(horizontal="left"))])
        # One merged cell across the table's width: a long campaign name or hash stays readable
        # without widening the table's second column.
        page.merged_cells.add(f"B{number}:{get_column_letter(last_column)}{number}")
    if sheet.title:
        page.append([])
    header_style = {"font": Font(bold=True), "alignment": Alignment(wrap_text=True, vertical="top")}
    page.append([styled(h, **header_style) for h in sheet.headers])
    count = 0
    for row in chain(sample, rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(page, value)
            # openpyxl stores any text starting with "=" as a formula: a title or author name typed by a
            # participant must reach the organiser's Excel as the text it is, never run there.
            if cell.data_type == "f":
                cell.data_type = "s"
            cells.append(cell)
        page.append(cells)
        count += 1
    if count:
        page.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.headers))}{header_row + count}"
    book.save(target)
    return count


WRITERS: dict[str, Callable[[Sheet, IO[bytes]], int]] = {"csv": write_csv, "xlsx": write_xlsx}


def to_csv(sheet: Sheet) -> Download:
    buffer = io.BytesIO()
    write_csv(sheet, buffer)
    return Download(buffer.getvalue().decode("utf-8"), CSV_TYPE, export_file_name(sheet.name, "csv"))


def to_xlsx(sheet: Sheet) -> Download:
    buffer = io.BytesIO()
    write_xlsx(sheet, buffer)
    return Download(buffer.getvalue(), XLSX_TYPE, export_file_name(sheet.name, "xlsx"))


def render(sheet: Sheet, file_format: str) -> Download:
    return to_xlsx(sheet) if file_format == "xlsx" else to_csv(sheet)


@dataclass(frozen=True)
class KeptExport:
    """An export whose content is fixed by its key (a frozen ranking version and its hash)."""

    key: str
    file_stem: str


@dataclass(frozen=True)
class ExportLink:
    download_url: str
    expires_at: datetime
    file_name: str
    rows: int | None  # None when an earlier identical export was handed out again
    key: str = ""
    size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"download_url": self.download_url, "expires_at": self.expires_at.isoformat(),
                "file_name": self.file_name}


@dataclass
class ExportService:
    """Writes a sheet into the bucket under exports/ and answers a short-lived link to it.

    `reuse_key` names an export whose content cannot change (a frozen ranking version): when the
    object is already there, the sheet is not built again. Other exports get a fresh random key,
    so one organiser's file is never handed to another by a guessed name.
    """

    files: ExportFiles
    link_seconds: int = DOWNLOAD_LINK_SECONDS

    def publish(self, build: Callable[[], Sheet], file_format: str, now: datetime,
                kept: KeptExport | None = None) -> ExportLink:
        content_type = CONTENT_TYPES[file_format]
        if kept is not None:
            key = f"{EXPORT_PREFIX}kept/{kept.key}.{file_format}"
            file_name = export_file_name(kept.file_stem, file_format)
            if self.files.exists(key):
                return self._link(key, content_type, file_name, now, None)
            sheet = build()
        else:
            sheet = build()
            file_name = export_file_name(sheet.name, file_format)
            key = f"{EXPORT_PREFIX}{now:%Y/%m/%d}/{uuid.uuid4().hex}/{file_name}"
        with tempfile.TemporaryFile() as spool:
            rows = WRITERS[file_format](sheet, spool)
            size = spool.tell()
            spool.seek(0)
            self.files.put_file(key, spool, content_type, attachment_disposition(file_name))
        logger.info("export written", extra={"export_key": key, "rows": rows, "bytes": size, "format": file_format})
        return self._link(key, content_type, file_name, now, rows, size)

    def _link(self, key: str, content_type: str, file_name: str, now: datetime, rows: int | None,
              size: int | None = None) -> ExportLink:
        url = self.files.presigned_get(key, content_type, attachment_disposition(file_name), self.link_seconds)
        return ExportLink(url, now + timedelta(seconds=self.link_seconds), file_name, rows, key, size)
