"""Rankings and results as spreadsheets organisers open in Excel: Vietnamese
headers, CSV in UTF-8 with a BOM (without it Excel reads UTF-8 as a legacy code
page and breaks every diacritic), and XLSX built with openpyxl."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Sequence

from chalicelib.domain.display import METRIC_LABELS_VI
from chalicelib.domain.errors import InvalidInput

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("json", "csv", "xlsx")
_BOM = "\ufeff"
_YES, _NO = "Có", ""


@dataclass(frozen=True)
class Table:
    title: str  # sheet title: 31 characters at most in Excel
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def requested_format(query: dict | None, accept: str | None) -> str:
    """?format=csv|xlsx wins; otherwise the Accept header; otherwise JSON."""
    wanted = (query or {}).get("format")
    if wanted is None:
        accept = (accept or "").lower()
        wanted = "xlsx" if XLSX_CONTENT_TYPE in accept else "csv" if "text/csv" in accept else "json"
    if wanted not in FORMATS:
        raise InvalidInput(
            "Định dạng xuất không được hỗ trợ (chỉ json, csv, xlsx).",
            "Unsupported export format (json, csv or xlsx only).",
            code="unknown_export_format", formats=list(FORMATS),
        )
    if wanted == "xlsx" and XLSX_CONTENT_TYPE not in (accept or "").lower():
        # API Gateway returns a binary body only when the Accept header names a
        # binary media type; "*/*" would get base64 text, so we insist.
        raise InvalidInput(
            f"Để tải tệp Excel, gửi kèm tiêu đề Accept: {XLSX_CONTENT_TYPE}.",
            f"To download the Excel file, send the header Accept: {XLSX_CONTENT_TYPE}.",
            code="xlsx_accept_header_required", accept=XLSX_CONTENT_TYPE,
        )
    return wanted


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return _BOM + buffer.getvalue()


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for column, header in zip(sheet.columns, table.headers):
        width = max([len(str(header))] + [len(str(c.value or "")) for c in column])
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value: Any) -> Any:
    """Exact scores are ints or decimal strings; spreadsheets want numbers."""
    if isinstance(value, str):
        try:
            return float(value) if "/" not in value else value
        except ValueError:
            return value
    return value


def ranking_table(view: dict) -> Table:
    metrics = list(view["weights"])
    headers = ["Vị trí", "Hạng", "Mã tác phẩm", "Tác phẩm", "Đơn vị", "Điểm"]
    headers += [METRIC_LABELS_VI.get(m, m) for m in metrics]
    headers += ["Giải tuần", "Vào chung khảo", "Ước tính", "Chưa đo"]
    rows = []
    for row in view["rows"]:
        gains = {p["metric"]: p["value"] for p in row["breakdown"]}
        rows.append(
            [row["position"], row["rank"], row["entry_id"], row["title"], row["unit_name"], _number(row["score"])]
            + [gains.get(m) for m in metrics]
            + [_YES if row["winner"] else _NO, _YES if row["finalist"] else _NO,
               ", ".join(METRIC_LABELS_VI.get(m, m) for m in row["estimated_metrics"]),
               ", ".join(METRIC_LABELS_VI.get(m, m) for m in row["unmeasured_metrics"])]
        )
    for item in view["disqualified"]:
        rows.append(["", "Bị loại", item["entry_id"], item["title"], item["unit_name"], ""]
                    + ["" for _ in metrics] + ["", "", "", item["reason"]])
    return Table(f"Tuần {view['week']} - v{view['version']}", headers, rows)


def results_table(view: dict) -> Table:
    criteria = view["criteria"]
    headers = ["Hạng", "Tác phẩm", "Mã tác phẩm", "Đơn vị", "Tuần", "Điểm trung bình"]
    headers += [c["name_vi"] for c in criteria]
    headers += ["Số giám khảo", "Giải"]
    rows = [
        [s["rank"], s["title"], s["entry_id"], s["unit_name"], s["week"], _number(s["average"])]
        + [_number(s["criteria"].get(c["key"])) for c in criteria]
        + [s["judge_count"], s["prize_name_vi"] or ""]
        for s in view["standings"]
    ]
    return Table("Kết quả chung khảo", headers, rows)
