"""Organisers' CSV and Excel files, read into rows of cells (the rules live in
domain/engagement_import.py). Excel files are read streaming, with a row cap, so a huge
or hostile workbook cannot exhaust the function's memory."""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from chalicelib.domain.engagement_import import MAX_ROWS
from chalicelib.domain.errors import InvalidInput

MAX_FILE_BYTES = 4 * 1024 * 1024


def _unreadable(kind: str) -> InvalidInput:
    return InvalidInput(
        f"Không đọc được tệp {kind}.", f"The {kind} file could not be read.", code="unreadable_import_file",
    )


def _decode(content: bytes) -> str:
    # Excel writes UTF-8 with a BOM ("CSV UTF-8"); older Vietnamese Windows exports use cp1258.
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable("CSV")


def read_csv(content: bytes) -> list[list[Any]]:
    text = _decode(content)
    first_line = text.splitlines()[0] if text else ""
    # Excel in a Vietnamese locale separates with ";" because "," is the decimal mark.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _unreadable("Excel") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(content: bytes, file_name: str) -> list[list[Any]]:
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(
            "Tệp quá lớn (tối đa 4 MB).", "The file is too large (at most 4 MB).",
            code="import_too_large", max_bytes=MAX_FILE_BYTES,
        )
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(content)
    raise InvalidInput(
        "Chỉ nhận tệp .csv hoặc .xlsx.", "Only .csv and .xlsx files are accepted.",
        code="unsupported_import_format", file_name=file_name,
    )
