"""Engagement figures typed in by organisers (a CSV or Excel sheet), as pure rules.

Organisers export or copy counters from the platform's own tools, often with
Vietnamese headers ("Mã video", "Lượt thích", "Lượt lưu", ...), Vietnamese number
formatting ("1.234") and video links instead of bare ids. This module turns the
sheet's rows into readings, or refuses the whole file with every bad row named:
half an import is worse than none, because the organiser cannot tell which half.

Headers are matched without diacritics, case or punctuation, so "Lượt thích",
"luot thich" and "LUOT_THICH" are one column. An empty cell means "not measured"
(None), never zero.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from chalicelib.domain.engagement import METRICS
from chalicelib.domain.errors import InvalidInput

VIDEO_ID = "video_id"
MEASURED_AT = "measured_at"
PLATFORM = "platform"
MAX_ROWS = 20_000
MAX_PROBLEMS_REPORTED = 50

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    VIDEO_ID: ("video id", "platform video id", "id", "ma video", "id video", "video", "link",
               "link video", "duong dan", "url"),
    PLATFORM: ("platform", "nen tang"),
    MEASURED_AT: ("measured at", "thoi diem do", "thoi diem", "thoi gian do", "thoi gian"),
    "likes": ("likes", "like", "like count", "luot thich", "thich"),
    "saves": ("saves", "save", "favorites", "favourites", "luot luu", "luu", "yeu thich"),
    "shares": ("shares", "share", "share count", "luot chia se", "chia se"),
    "reposts": ("reposts", "repost", "luot dang lai", "dang lai"),
    "comments": ("comments", "comment", "comment count", "luot binh luan", "binh luan"),
    "views": ("views", "view", "view count", "plays", "luot xem", "xem"),
}
_COLUMN_BY_ALIAS = {alias: column for column, aliases in _HEADER_ALIASES.items() for alias in aliases}

_PLATFORM_ALIASES = {"tiktok": "tiktok", "tik tok": "tiktok", "youtube": "youtube", "facebook": "facebook", "fb": "facebook"}
_VIDEO_IN_URL = (
    re.compile(r"tiktok\.com/.*?/video/(\d+)"),
    re.compile(r"(?:youtube\.com/(?:watch\?(?:.*&)?v=|shorts/)|youtu\.be/)([A-Za-z0-9_-]{6,})"),
    re.compile(r"facebook\.com/.*?/videos/(\d+)"),
)
_PLATFORM_OF_URL = ("tiktok", "youtube", "facebook")
_PLAIN_INT = re.compile(r"^\d+$")
# "1.234.567", "1,234,567" or "1 234 567": thousands groups, as Vietnamese and English sheets write them.
_GROUPED_INT = re.compile(r"^\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*$")
_VN_DATETIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def normalise_header(text: Any) -> str:
    """'Lượt thích' -> 'luot thich'; 'LIKE_COUNT' -> 'like count'."""
    value = str(text or "").strip().lower().replace("đ", "d")
    value = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value).split())


@dataclass(frozen=True)
class Columns:
    """Which sheet column holds what; `ignored` are headers we did not recognise."""

    index: Mapping[str, int]
    ignored: tuple[str, ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(m for m in METRICS if m in self.index)


def map_columns(header: Sequence[Any]) -> Columns:
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(header):
        column = _COLUMN_BY_ALIAS.get(normalise_header(cell))
        if column is None:
            if str(cell or "").strip():
                ignored.append(str(cell).strip())
            continue
        if column in index:
            raise InvalidInput(
                f"Cột “{cell}” bị lặp (trùng ý nghĩa với một cột khác).",
                f"Column “{cell}” is duplicated (it means the same as another column).",
                code="duplicate_column",
                column=str(cell),
            )
        index[column] = position
    if VIDEO_ID not in index:
        raise InvalidInput(
            "Thiếu cột mã video (ví dụ “Mã video” hoặc “video_id”).",
            "The sheet has no video id column (e.g. “Mã video” or “video_id”).",
            code="missing_video_id_column",
        )
    columns = Columns(index, tuple(ignored))
    if not columns.metrics:
        raise InvalidInput(
            "Không có cột chỉ số nào (Lượt thích, Lượt lưu, Lượt chia sẻ, Lượt đăng lại, Lượt bình luận, Lượt xem).",
            "The sheet has no metric column (likes, saves, shares, reposts, comments, views).",
            code="no_metric_columns",
        )
    return columns


def parse_count(cell: Any) -> int | None:
    """A whole, non-negative counter; empty means not measured. Raises ValueError otherwise."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError("a yes/no value is not a count")
    if isinstance(cell, int):
        if cell < 0:
            raise ValueError("negative")
        return cell
    if isinstance(cell, float):
        if not cell.is_integer() or cell < 0:
            raise ValueError("not a whole non-negative number")
        return int(cell)
    text = str(cell).strip()
    if not text:
        return None
    if _PLAIN_INT.match(text):
        return int(text)
    if _GROUPED_INT.match(text):
        return int(re.sub(r"\D", "", text))
    raise ValueError("not a whole non-negative number")


def parse_video_ref(cell: Any) -> tuple[str | None, str]:
    """(platform if the cell says so, video id). Accepts a bare id, "tiktok#id" or a video link."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # Excel stores long ids typed as numbers as floats; ids > 2**53 lose digits
    text = str(cell if cell is not None else "").strip()
    for platform, pattern in zip(_PLATFORM_OF_URL, _VIDEO_IN_URL):
        found = pattern.search(text)
        if found:
            return platform, found.group(1)
    if "#" in text:
        platform, _, video_id = text.partition("#")
        if platform in _PLATFORM_ALIASES.values() and video_id:
            return platform, video_id
    if not text or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", text):
        raise ValueError("not a video id or link")
    return None, text


def parse_measured_at(cell: Any, zone: ZoneInfo) -> datetime:
    """ISO 8601 or dd/mm/yyyy [HH:MM]; without a zone it is the campaign's wall clock."""
    if isinstance(cell, datetime):
        moment = cell
    elif isinstance(cell, date):
        moment = datetime.combine(cell, time(0))
    else:
        text = str(cell or "").strip()
        found = _VN_DATETIME.match(text)
        if found:
            day, month, year, hour, minute, second = found.groups()
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


@dataclass(frozen=True)
class ImportRow:
    line: int  # 1-based line in the sheet, header included, as the organiser sees it
    platform: str | None
    video_id: str
    measured_at: datetime
    values: Mapping[str, int | None]


@dataclass(frozen=True)
class ParsedSheet:
    rows: tuple[ImportRow, ...]
    metrics: tuple[str, ...]
    ignored_columns: tuple[str, ...]


def _problem(line: int, column: str, vi: str, en: str) -> dict:
    return {"line": line, "column": column, "message_vi": vi, "message_en": en}


def parse_sheet(
    table: Sequence[Sequence[Any]], zone: ZoneInfo, default_measured_at: datetime | None
) -> ParsedSheet:
    """Rows of cells (the first is the header) -> readings, or InvalidInput naming every bad row."""
    if not table:
        raise InvalidInput("Tệp không có dữ liệu.", "The file is empty.", code="empty_import")
    columns = map_columns(table[0])
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(str(c or "").strip() for c in row)]
    if not body:
        raise InvalidInput("Tệp chỉ có dòng tiêu đề.", "The file has a header and no rows.", code="empty_import")
    if len(body) > MAX_ROWS:
        raise InvalidInput(
            f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).", f"Too many rows (at most {MAX_ROWS}).",
            code="import_too_large", max_rows=MAX_ROWS,
        )
    if MEASURED_AT not in columns.index and default_measured_at is None:
        # The reading's time decides the week it counts in; guessing "now" would
        # misplace a file exported hours earlier, and re-imports would not be idempotent.
        raise InvalidInput(
            "Cần cho biết thời điểm đo: thêm cột “Thời điểm đo” hoặc trường measured_at.",
            "Say when the figures were read: add a “measured_at” column or the measured_at field.",
            code="measured_at_required",
        )

    def cell(row: Sequence[Any], column: str) -> Any:
        position = columns.index.get(column)
        return row[position] if position is not None and position < len(row) else None

    rows: list[ImportRow] = []
    problems: list[dict] = []
    seen: dict[tuple, int] = {}
    for line, row in body:
        try:
            platform, video_id = parse_video_ref(cell(row, VIDEO_ID))
        except ValueError:
            problems.append(_problem(line, VIDEO_ID, "Mã video hoặc đường dẫn không hợp lệ.", "Invalid video id or link."))
            continue
        stated_platform = normalise_header(cell(row, PLATFORM))
        if stated_platform:
            if stated_platform not in _PLATFORM_ALIASES:
                problems.append(_problem(line, PLATFORM, "Nền tảng không được hỗ trợ.", "Unsupported platform."))
                continue
            platform = _PLATFORM_ALIASES[stated_platform]
        measured_at = default_measured_at
        if cell(row, MEASURED_AT) not in (None, ""):
            try:
                measured_at = parse_measured_at(cell(row, MEASURED_AT), zone)
            except ValueError:
                problems.append(_problem(line, MEASURED_AT, "Thời điểm đo không hợp lệ (dùng dd/mm/yyyy HH:MM hoặc ISO 8601).",
                                         "Invalid measured_at (use dd/mm/yyyy HH:MM or ISO 8601)."))
                continue
        if measured_at is None:
            problems.append(_problem(line, MEASURED_AT, "Thiếu thời điểm đo.", "measured_at is missing."))
            continue
        values: dict[str, int | None] = {}
        for metric in columns.metrics:
            try:
                values[metric] = parse_count(cell(row, metric))
            except ValueError:
                problems.append(_problem(line, metric, "Giá trị phải là số nguyên không âm (ví dụ 1.234) hoặc để trống.",
                                         "The value must be a whole non-negative number (e.g. 1,234) or empty."))
        if all(v is None for v in values.values()):
            problems.append(_problem(line, "", "Dòng không có chỉ số nào.", "The row has no figures."))
            continue
        key = (platform, video_id, measured_at)
        if key in seen:
            problems.append(_problem(line, VIDEO_ID, f"Trùng với dòng {seen[key]} (cùng video, cùng thời điểm).",
                                     f"Duplicates line {seen[key]} (same video, same time)."))
            continue
        seen[key] = line
        rows.append(ImportRow(line, platform, video_id, measured_at, values))
    if problems:
        raise InvalidInput(
            f"Tệp có {len(problems)} lỗi; chưa nhập dòng nào. Sửa các dòng được nêu rồi gửi lại.",
            f"The file has {len(problems)} problem(s); nothing was imported. Fix the listed rows and send it again.",
            code="invalid_import_rows",
            problems=problems[:MAX_PROBLEMS_REPORTED],
            problem_count=len(problems),
        )
    return ParsedSheet(tuple(rows), columns.metrics, columns.ignored)
