"""Tables organisers download (entries, roll-ups, compliance), with Vietnamese headers.

Pure: each function turns a report (entries, roll-ups, compliance, a week's
ranking, the final results) into a `Sheet` of headers and rows; the rendering
to CSV or XLSX is in services/spreadsheets.py, the response in api/downloads.py. Times are shown on the
Vietnam wall clock, the way organisers read them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.compliance import MinimumEntriesReport
from chalicelib.domain.display import METRIC_LABELS_VI
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import LEVEL_NAMES_VI
from chalicelib.domain.posting_quota import MonthSummary, PostingQuotaTable
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


# --- weekly rankings and final results -------------------------------------
_YES, _NO = "Có", ""


def _number(value: Any) -> Any:
    """Exact scores are ints or decimal strings; spreadsheets want numbers."""
    if isinstance(value, str):
        try:
            return float(value) if "/" not in value else value
        except ValueError:
            return value
    return value


def ranking_sheet(view: dict, name: str) -> Sheet:
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
    return Sheet(name, tuple(headers), tuple(tuple(r) for r in rows))


def results_sheet(view: dict, name: str) -> Sheet:
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
    return Sheet(name, tuple(headers), tuple(tuple(r) for r in rows))
