"""Tables organisers download (entries, roll-ups, compliance), with Vietnamese headers.

Pure: each function turns a report (entries, roll-ups, compliance, a week's
ranking, the final results) into a `Sheet` of headers and rows; the rendering
to CSV or XLSX is in services/spreadsheets.py, the response in api/downloads.py. Times are shown on the
Vietnam wall clock, the way organisers read them.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.compliance import MinimumEntriesReport
from chalicelib.domain.display import METRIC_LABELS_VI
from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import LEVEL_NAMES_VI, OrgTree
from chalicelib.domain.posting_quota import MonthSummary, PostingQuotaTable
from chalicelib.domain.rollup import BranchReport, UnitCounters

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Sheet:
    name: str  # file name stem and worksheet title (Excel allows 31 characters)
    headers: tuple[str, ...]
    # A tuple for small reports; a generator for large ones (entries read page by page), consumed
    # once by the writer, so a 100,000-row file never holds its rows in memory.
    rows: Iterable[tuple[Any, ...]]
    # (label, value) lines above the table, so a printed or forwarded file says what it is;
    # the first line is the heading.
    title: tuple[tuple[str, str], ...] = ()


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


# --- download links ------------------------------------------------------------
EXPORT_PREFIX = "exports/"
# Long enough to survive a slow click and a download, short enough that a forwarded link soon dies.
DOWNLOAD_LINK_SECONDS = 10 * 60
FILE_EXTENSIONS = {"csv": "csv", "xlsx": "xlsx"}


def ascii_file_name(name: str) -> str:
    """The name with Vietnamese letters reduced to plain ASCII ("Đoàn Ba Đình" -> "Doan Ba Dinh"),
    for browsers that read only `filename=`; quotes and path separators are dropped."""
    folded = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in folded if not unicodedata.combining(c) and c.isascii() and c.isprintable())
    cleaned = re.sub(r'["\\/;]+', "-", plain).strip() or "tai-ve"
    return cleaned


def attachment_disposition(file_name: str) -> str:
    """Content-Disposition for a download (RFC 6266): an ASCII `filename` for old clients and the
    exact UTF-8 name in `filename*`, which every current browser prefers."""
    return f"attachment; filename=\"{ascii_file_name(file_name)}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def export_file_name(sheet_name: str, file_format: str) -> str:
    return f"{sheet_name}.{FILE_EXTENSIONS[file_format]}"


def link_expiry(now: datetime) -> datetime:
    return now + timedelta(seconds=DOWNLOAD_LINK_SECONDS)


def vietnam_time(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") if moment else ""


def vietnam_wall_clock(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam, the way a report handed to a superior writes a date."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


ENTRY_HEADERS = (
    "Mã bài dự thi", "Tên tác phẩm", "Thể loại", "Mã đơn vị", "Đơn vị", "Tác giả",
    "Trạng thái", "Thời điểm gửi (giờ Việt Nam)",
)


# Only in a reviewer's export, and only filled for the entries they review (domain/privacy.py).
CONTACT_HEADERS = ("Email tác giả", "Số điện thoại tác giả")


def _contact_cells(entry: Mapping[str, Any]) -> tuple[str, str]:
    contacts = entry.get("contacts") or []
    return (AUTHOR_SEPARATOR.join(c["email"] for c in contacts if c.get("email")),
            AUTHOR_SEPARATOR.join(c["phone"] for c in contacts if c.get("phone")))


def entries_sheet(
    campaign_id: str, entries: Iterable[Mapping[str, Any]], unit_names: Mapping[str, str], with_contacts: bool = False,
) -> Sheet:
    """The rows are produced while the file is written: `entries` may be a generator over pages.
    `with_contacts` adds the contact columns (a reviewer's export), filled for rows that carry them."""
    rows = (
        (
            e["submission_id"], e["title"], e.get("category") or "", e["unit_id"],
            unit_names.get(e["unit_id"], ""), ", ".join(e.get("authors") or []),
            e["status_label"]["vi"], e["created_at_vietnam"],
            *(_contact_cells(e) if with_contacts else ()),
        )
        for e in entries
    )
    headers = ENTRY_HEADERS + CONTACT_HEADERS if with_contacts else ENTRY_HEADERS
    return Sheet(f"bai-du-thi-{campaign_id}", headers, rows)


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
PROVISIONAL = "Tạm tính"
AUTHOR_SEPARATOR = "; "


@dataclass(frozen=True)
class EntryDetails:
    """What a ranking or results row names of its entry, for people rather than machines.
    Authors' names only: their contacts are personal data, shown only where the campaign's
    reviewers may see them (issue item 5), never in these files."""

    title: str
    authors: str
    unit_name: str
    parent_unit_name: str
    video_link: str


MISSING_ENTRY = EntryDetails("", "", "", "", "")


def video_link(platform_video: str | None, publication: Mapping[str, Any], account: str | None = None) -> str:
    """The published video's address: built from the channel's account when it is known,
    else the link the organiser recorded at publication."""
    platform, _, video_id = (platform_video or "").partition("#")
    if platform == "tiktok" and video_id and account:
        return f"https://www.tiktok.com/@{account.lstrip('@')}/video/{video_id}"
    return publication.get("url") or ""


def entry_details(entry: Entry | None, tree: OrgTree, account: str | None = None) -> EntryDetails:
    if entry is None:
        return MISSING_ENTRY
    unit = tree.find(entry.unit_id)
    parent = tree.find(unit.parent_id) if unit and unit.parent_id else None
    names = (str(a.get("name") or "").strip() for a in (entry.authors or []))
    return EntryDetails(
        title=entry.title,
        authors=AUTHOR_SEPARATOR.join(n for n in names if n),
        unit_name=unit.name if unit else entry.unit_id,
        parent_unit_name=parent.name if parent else "",
        video_link=video_link(entry.platform_video, entry.publication, account),
    )


def _number(value: Any) -> Any:
    """Exact scores are ints or decimal strings; spreadsheets want numbers."""
    if isinstance(value, str):
        try:
            return float(value) if "/" not in value else value
        except ValueError:
            return value
    return value


def metrics_in_rules_order(campaign: Campaign, weighted: Iterable[str]) -> list[str]:
    """The campaign rules' own order (as its organisers wrote the weights); a metric a frozen
    result weighted that today's rules no longer name keeps its place after them."""
    present = list(weighted)
    ordered = [m for m in campaign.scoring.weights if m in present]
    return ordered + [m for m in present if m not in ordered]


def _metric_names(metrics: Iterable[str]) -> str:
    return ", ".join(METRIC_LABELS_VI.get(m, m) for m in metrics)


_CUT_NAMES_VI = {"winners": "giải tuần", "finalists": "vào chung khảo"}


def ranking_title(campaign: Campaign, week: int, starts_at: datetime, ends_at: datetime,
                  frozen_at: datetime | None, version: int | None, latest_version: int | None,
                  result_hash: str | None) -> tuple[tuple[str, str], ...]:
    """Frozen results name their moment, version and hash; a live ranking says it is provisional."""
    lines = [
        ("Bảng xếp hạng bình chọn", campaign.name_vi),
        ("Tuần", f"Tuần {week}: từ {vietnam_wall_clock(starts_at)} đến {vietnam_wall_clock(ends_at)} (giờ Việt Nam)"),
    ]
    if frozen_at is None:
        lines.append(("Trạng thái", f"{PROVISIONAL}: tuần chưa được chốt, thứ hạng còn thay đổi"))
        return tuple(lines)
    lines.append(("Chốt kết quả lúc", f"{vietnam_wall_clock(frozen_at)} (giờ Việt Nam)"))
    shown = str(version)
    if latest_version is not None and latest_version != version:
        shown += f" (phiên bản mới nhất: {latest_version})"
    lines += [("Phiên bản", shown), ("Mã băm (SHA-256)", result_hash or "")]
    return tuple(lines)


def ranking_sheet(view: dict, name: str, campaign: Campaign, details: Mapping[str, EntryDetails],
                  title: tuple[tuple[str, str], ...] = ()) -> Sheet:
    """One row per ranked entry, then the disqualified ones. The full entry id closes each row:
    it is what support and the audit log go by."""
    metrics = metrics_in_rules_order(campaign, view["weights"])
    headers = ["STT", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Liên kết TikTok"]
    headers += [METRIC_LABELS_VI.get(m, m) for m in metrics]
    headers += ["Điểm", "Giải tuần", "Vào chung khảo", "Số liệu ước tính", "Chưa đo", "Bằng điểm tại ngưỡng",
                "Ghi chú", "Mã tác phẩm"]
    rows = []
    for row in view["rows"]:
        entry = details.get(row["entry_id"], MISSING_ENTRY)
        gains = {p["metric"]: p["value"] for p in row["breakdown"]}
        rows.append(
            [row["position"], row["rank"], entry.title or row["title"] or "", entry.authors, entry.unit_name,
             entry.parent_unit_name, entry.video_link]
            + [gains.get(m) for m in metrics]
            + [_number(row["score"]), _YES if row["winner"] else _NO, _YES if row["finalist"] else _NO,
               _metric_names(row["estimated_metrics"]), _metric_names(row["unmeasured_metrics"]),
               ", ".join(_CUT_NAMES_VI.get(c, c) for c in row.get("tie_at_cut") or []), "", row["entry_id"]]
        )
    for item in view["disqualified"]:
        entry = details.get(item["entry_id"], MISSING_ENTRY)
        rows.append(["", "Bị loại", entry.title or item["title"] or "", entry.authors, entry.unit_name,
                     entry.parent_unit_name, entry.video_link]
                    + ["" for _ in metrics] + ["", "", "", "", "", "", f"Bị loại: {item['reason']}", item["entry_id"]])
    return Sheet(name, tuple(headers), tuple(tuple(r) for r in rows), title)


def results_title(campaign: Campaign, view: dict) -> tuple[tuple[str, str], ...]:
    missing = len(view.get("missing_scorecards") or []) + len(view.get("unscored") or [])
    state = "Chính thức: mọi giám khảo đã chấm mọi bài" if view.get("complete") else (
        f"{PROVISIONAL}: còn {missing} phiếu chấm hoặc bài chưa chấm")
    return (
        ("Kết quả chung khảo", campaign.name_vi),
        ("Trạng thái", state),
        ("Số giám khảo", str(len(view.get("judges") or []))),
    )


def results_sheet(view: dict, name: str, details: Mapping[str, EntryDetails] | None = None,
                  title: tuple[tuple[str, str], ...] = ()) -> Sheet:
    """The list certificates are written from: prize, rank, work, authors, unit and its parent."""
    details = details or {}
    criteria = view["criteria"]
    tied = {e for flag in view.get("tie_flags") or [] for e in flag["entry_ids"]}
    headers = ["Giải", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Tuần", "Điểm trung bình"]
    headers += [c["name_vi"] for c in criteria]
    headers += ["Số giám khảo", "Bằng điểm tại ranh giới giải", "Liên kết", "Mã tác phẩm"]
    rows = []
    for s in view["standings"]:
        entry = details.get(s["entry_id"], MISSING_ENTRY)
        rows.append(
            [s["prize_name_vi"] or "", s["rank"], entry.title or s["title"] or "", entry.authors,
             entry.unit_name or s["unit_name"] or "", entry.parent_unit_name, s["week"], _number(s["average"])]
            + [_number(s["criteria"].get(c["key"])) for c in criteria]
            + [s["judge_count"], "Có, Ban tổ chức cần quyết định" if s["entry_id"] in tied else "",
               entry.video_link or s.get("url") or "", s["entry_id"]]
        )
    return Sheet(name, tuple(headers), tuple(tuple(r) for r in rows), title)
