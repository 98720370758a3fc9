"""Turns a Sheet into a file response (CSV or XLSX), or refuses clearly before Chalice would."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.file_types import XLSX_TYPE

if TYPE_CHECKING:
    from chalicelib.domain.exports import Sheet


def require_binary_accept(headers: Any) -> None:
    """API Gateway returns a binary body only to a request whose Accept names its type
    ("*/*" gets base64 text); Chalice answers a bare 400 otherwise. Say so with our own error."""
    accept = (headers.get("accept") or "").lower()
    if XLSX_TYPE not in accept:
        raise InvalidInput(
            f"Để tải tệp Excel, yêu cầu cần tiêu đề Accept: {XLSX_TYPE}.",
            f"To download an Excel file, send the header Accept: {XLSX_TYPE}.",
            code="accept_header_required",
        )


def file_response(sheet: Sheet, file_format: str, headers: Any) -> Response:
    from chalicelib.services.spreadsheets import render  # openpyxl: loaded by the exports that need it

    if file_format == "xlsx":
        require_binary_accept(headers)
    download = render(sheet, file_format)
    return Response(
        body=download.body,
        status_code=200,
        headers={
            "Content-Type": download.content_type,
            "Content-Disposition": f'attachment; filename="{download.file_name}"',
            "Cache-Control": "no-store",
        },
    )
