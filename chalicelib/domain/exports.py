"""Tables organisers download (entries, roll-ups, compliance), with Vietnamese headers.

Pure: each function turns a report into a `Sheet` of headers and rows; the
rendering to CSV or XLSX is in services/spreadsheets.py. Times are shown on the
Vietnam wall clock, the way organisers read them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.compliance import MinimumEntriesReport, MonthSummary, PostingQuotaTable
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import LEVEL_NAMES_VI
from chalicelib.domain.rollup import BranchReport, UnitCounters

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Sheet:
    name: str  # file name stem and worksheet title (Excel allows 31 characters)
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def export_format(raw: str | None) -> str | None:
    """None for a JSON answer; "csv" or "xlsx" for a file."""
    if raw is None or raw == "json":
        return None
    if raw not in FORMATS:
        raise InvalidInput(
            "Định dạng tải về phải là csv hoặc xlsx.",
            "The download format must be csv or xlsx.",
            code="invalid_format",
            allowed=list(FORMATS),
        )
    return raw


def vietnam_time(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") if moment else ""


ENTRY_HEADERS = (
    "Mã bài dự thi", "Tên tác phẩm", "Thể loại", "Mã đơn vị", "Đơn vị", "Tác giả",
    "Trạng thái", "Thời điểm gửi (giờ Việt Nam)",
)


def entries_sheet(campaign_id: str, entries: Iterable[Mapping[str, Any]], unit_names: Mapping[str, str]) -> Sheet:
    rows = tuple(
        (
            e["submission_id"], e["title"], e.get("category") or "", e["unit_id"],
            unit_names.get(e["unit_id"], ""), ", ".join(e.get("authors") or []),
            e["status_label"]["vi"], e["created_at_vietnam"],
        )
        for e in entries
    )
    return Sheet(f"bai-du-thi-{campaign_id}", ENTRY_HEADERS, rows)


COUNTER_HEADERS = ("Số bài", "Hợp lệ", "Không hợp lệ", "Đã duyệt", "Đã đăng", "Bị loại", "Điểm tuần cao nhất")


def _counter_cells(counters: UnitCounters) -> tuple[Any, ...]:
    best = counters.to_dict()["best_weekly_score"]
    return (counters.entries, counters.valid, counters.invalid, counters.approved,
            counters.published, counters.disqualified, "" if best is None else best)


def rollup_sheet(campaign_id: str, report: BranchReport) -> Sheet:
    headers = ("Mã đơn vị", "Đơn vị", "Cấp", "Số đơn vị trong nhánh", "Số đơn vị có bài") + COUNTER_HEADERS
    top = (report.unit.unit_id, f"{report.unit.name} (toàn nhánh)", LEVEL_NAMES_VI[report.unit.level],
           report.units_in_branch, report.units_with_entries, *_counter_cells(report.totals))
    children = tuple(
        (c.unit.unit_id, c.unit.name, LEVEL_NAMES_VI[c.unit.level], c.units_in_branch,
         c.units_with_entries, *_counter_cells(c.totals))
        for c in report.children
    )
    return Sheet(f"tong-hop-{campaign_id}-{report.unit.unit_id}", headers, (top, *children))


def minimum_entries_sheet(campaign_id: str, report: MinimumEntriesReport) -> Sheet:
    headers = ("Nhánh", "Mã đơn vị", "Đơn vị", "Số bài", "Tối thiểu", "Còn thiếu")
    rows = tuple(
        (branch.branch.name, s.unit.unit_id, s.unit.name, s.count, report.minimum, s.missing)
        for branch in report.branches
        for s in branch.below
    )
    return Sheet(f"chua-du-bai-{campaign_id}-{report.scope.unit_id}", headers, rows)


def posting_sheet(campaign_id: str, table: PostingQuotaTable, months: Sequence[MonthSummary]) -> Sheet:
    week_headers = tuple(f"Tuần {w.monday.strftime('%d/%m/%Y')}" for w in table.weeks)
    headers = ("Mã đơn vị", "Đơn vị") + week_headers + ("Số tuần đạt", "Tổng số tin")
    rows = []
    for unit in table.units:
        cells = table.cells[unit.unit_id]
        rows.append(
            (unit.unit_id, unit.name, *(f"{c.posted} ✓" if c.met else f"{c.posted} ✗" for c in cells),
             sum(1 for c in cells if c.met), sum(c.posted for c in cells))
        )
    for month in months:
        rows.append((f"Tháng {month.month:02d}/{month.year}", "Đạt mọi tuần / một số tuần / không tuần nào",
                     *([""] * len(week_headers)),
                     f"{month.units_with('every_week')} / {month.units_with('some_weeks')} / "
                     f"{month.units_with('no_week')}", month.items_posted))
    return Sheet(f"dang-tin-{campaign_id}-{table.scope.unit_id}", headers, tuple(rows))
