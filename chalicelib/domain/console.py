"""What the console and the public pages show beyond the core records: the periods an overview
counts in, the jobs due next, score curves drawn from snapshots, where a fraud flag's evidence
sits on a chart, reason templates and bulk selections. Pure values and rules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.ingestion import RunStatus, live_entry_score
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.request_numbers import whole_number
from chalicelib.domain.weeks import week_window

MAX_SERIES_ENTRIES = 10
MAX_POINTS_PER_SERIES = 200
MAX_BULK_ENTRIES = 100
MAX_REASON_TEMPLATES = 30
MAX_TEMPLATE_CHARS = 500
INGESTION_RUNS_INSPECTED = 48


# --- periods ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    starts_at: datetime
    first_day: date

    def to_dict(self) -> dict:
        return {"key": self.key, "starts_at": iso_utc(self.starts_at), "first_day": self.first_day.isoformat()}


def local_periods(zone: ZoneInfo, now: datetime) -> tuple[Period, Period]:
    """Today and this week (Monday 00:00) on the campaign's wall clock."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return (
        Period("today", datetime.combine(today, time(0), tzinfo=zone), today),
        Period("this_week", datetime.combine(monday, time(0), tzinfo=zone), monday),
    )


# --- ingestion health ---------------------------------------------------------------


def ingestion_health(runs: Sequence[RunStatus], now: datetime, interval_minutes: int) -> dict:
    """The last run, runs with gaps (dead-lettered chunks never ingested) and whether reading stalled."""
    newest_first = sorted(runs, key=lambda r: r.at, reverse=True)
    last = newest_first[0] if newest_first else None
    gaps = [r for r in newest_first if r.state == "gap"]
    overdue = last is not None and now - last.at > timedelta(minutes=2 * interval_minutes)
    return {
        "last_run": last.to_dict() if last else None,
        "runs_inspected": len(newest_first),
        "runs_with_gaps": [r.to_dict() for r in gaps],
        "dead_lettered_chunks": sum(len(r.chunks_dead_lettered - r.chunks_ok) for r in newest_first),
        "in_progress": sum(1 for r in newest_first if r.state == "in_progress"),
        "interval_minutes": interval_minutes,
        "overdue": overdue,
    }


# --- the jobs due next ------------------------------------------------------------------

_JOB_LABELS = {
    "metrics_ingestion": ("Đọc số liệu tương tác", "Read engagement figures"),
    "week_close": ("Chốt kết quả tuần", "Close the week's ranking"),
    "submissions_close": ("Đóng nhận bài dự thi", "Submissions close"),
    "submissions_open": ("Mở nhận bài dự thi", "Submissions open"),
}


def _job(name: str, at: datetime, **details: Any) -> dict:
    vi, en = _JOB_LABELS[name]
    return {"job": name, "at": iso_utc(at), "label_vi": vi, "label_en": en, **details}


def next_jobs(campaign: Campaign, now: datetime, interval_minutes: int, last_reading: datetime | None) -> list[dict]:
    """The campaign's scheduled moments still ahead, soonest first. The metrics reading runs on
    a fixed rate from the deployment, so its next time is estimated from the last one."""
    jobs = []
    if any(week_window(campaign, w.number)[0] <= now < week_window(campaign, w.number)[1]
           for w in campaign.voting_weeks):
        step = timedelta(minutes=interval_minutes)
        due = last_reading + step if last_reading else now
        while due < now:
            due += step
        jobs.append(_job("metrics_ingestion", due, estimated=True))
    for week in campaign.voting_weeks:
        _, end = week_window(campaign, week.number)
        if end > now:
            jobs.append(_job("week_close", end, week=week.number))
            break
    opens = campaign.localize(campaign.submission_window.opens_at)
    closes = campaign.localize(campaign.submission_window.closes_at)
    if opens > now:
        jobs.append(_job("submissions_open", opens))
    if closes > now:
        jobs.append(_job("submissions_close", closes))
    return sorted(jobs, key=lambda j: j["at"])


# --- score curves ---------------------------------------------------------------------


def _thinned(snapshots: Sequence[Snapshot], most: int) -> list[Snapshot]:
    """At most `most` readings, evenly spread, always keeping the last."""
    if len(snapshots) <= most:
        return list(snapshots)
    step = len(snapshots) / most
    chosen = [snapshots[int(i * step)] for i in range(most - 1)]
    return chosen + [snapshots[-1]]


def score_series(
    campaign: Campaign, week: int, published_at: datetime, snapshots: Sequence[Snapshot],
    most: int = MAX_POINTS_PER_SERIES,
) -> list[dict]:
    """The entry's week score as it stood at each reading inside the week: the same rules as the
    live leaderboard (live_entry_score), evaluated at every reading's instant."""
    start, end = week_window(campaign, week)
    ordered = sorted(snapshots, key=lambda s: s.at)
    inside = [s for s in ordered if start < s.at <= end]
    points = []
    for snapshot in _thinned(sorted({s.at: s for s in inside}.values(), key=lambda s: s.at), most):
        upto = [s for s in ordered if s.at <= snapshot.at]
        live = live_entry_score(campaign, week, published_at, upto, snapshot.at)
        points.append({"at": iso_utc(snapshot.at), "score": render_exact(live.total)})
    return points


# --- fraud evidence on a chart -----------------------------------------------------------


def evidence_marks(flag: Mapping, zone: ZoneInfo, week_start: datetime, week_end: datetime) -> list[dict]:
    """Where a flag's evidence sits on the entry's time axis: ranges (from, to) or points (at)."""
    kind, evidence = flag.get("kind"), flag.get("evidence") or {}
    if kind == "hourly_spike":
        return [{"from": iv["from"], "to": iv["to"], "points_per_hour": iv.get("points_per_hour")}
                for iv in evidence.get("intervals", [])]
    if kind == "night_burst":
        start_hour, _, end_hour = str(evidence.get("window_local", "00:00–05:00")).partition("–")
        marks = []
        for night in evidence.get("nights", []):
            day = date.fromisoformat(night["date_local"])
            lo = datetime.combine(day, time.fromisoformat(start_hour), tzinfo=zone)
            hi = datetime.combine(day, time.fromisoformat(end_hour or "05:00"), tzinfo=zone)
            marks.append({"from": iso_utc(lo), "to": iso_utc(hi), "points": night.get("points")})
        return marks
    if kind == "counter_decrease":
        return [{"at": drop["to"]["at"], "metric": drop["metric"], "drop": drop["drop"]}
                for drop in evidence.get("drops", [])]
    return [{"from": iso_utc(week_start), "to": iso_utc(week_end)}]


# --- reason templates --------------------------------------------------------------------

DEFAULT_REASON_TEMPLATES: tuple[dict, ...] = (
    {"id": "sai-dinh-dang", "text_vi": "Video không đúng định dạng, độ phân giải hoặc thời lượng theo thể lệ.",
     "text_en": "The video does not meet the required format, resolution or length."},
    {"id": "chat-luong", "text_vi": "Hình ảnh hoặc âm thanh kém chất lượng (mờ, rè, mất tiếng).",
     "text_en": "Poor picture or sound quality (blurred, distorted, silent)."},
    {"id": "sai-chu-de", "text_vi": "Nội dung không phù hợp với chủ đề cuộc thi.",
     "text_en": "The content does not fit the campaign's theme."},
    {"id": "ban-quyen", "text_vi": "Video sử dụng hình ảnh, âm nhạc vi phạm bản quyền.",
     "text_en": "The video uses pictures or music that infringe copyright."},
    {"id": "thong-tin", "text_vi": "Thiếu hoặc sai thông tin tác giả, đơn vị.",
     "text_en": "Author or unit information is missing or wrong."},
    {"id": "thuan-phong", "text_vi": "Nội dung vi phạm thuần phong mỹ tục hoặc quy định của pháp luật.",
     "text_en": "The content breaches public decency or the law."},
)


def _template_problem(message_vi: str, message_en: str, **details: Any) -> InvalidInput:
    return InvalidInput(message_vi, message_en, code="invalid_reason_templates", **details)


def parse_reason_templates(body: Mapping) -> list[dict]:
    """{"templates": [{"id"?, "text_vi", "text_en"?}, ...]}: the whole list, replaced at once."""
    templates = body.get("templates")
    if not isinstance(templates, list):
        raise _template_problem("Gửi danh sách templates.", "Send a templates list.")
    if len(templates) > MAX_REASON_TEMPLATES:
        raise _template_problem(f"Tối đa {MAX_REASON_TEMPLATES} mẫu lý do.",
                                f"At most {MAX_REASON_TEMPLATES} reason templates.", max_items=MAX_REASON_TEMPLATES)
    parsed: list[dict] = []
    seen: set[str] = set()
    for index, item in enumerate(templates):
        if not isinstance(item, dict):
            raise _template_problem("Mỗi mẫu lý do là một đối tượng.", "Each template is an object.", index=index)
        texts = {}
        for field, required in (("text_vi", True), ("text_en", False)):
            value = item.get(field)
            if value is None and not required:
                continue
            if not isinstance(value, str) or not value.strip():
                raise _template_problem(f"Mẫu lý do số {index + 1} thiếu nội dung ({field}).",
                                        f"Template {index + 1} has no text ({field}).", index=index, field=field)
            if len(value.strip()) > MAX_TEMPLATE_CHARS:
                raise _template_problem(f"Mẫu lý do dài tối đa {MAX_TEMPLATE_CHARS} ký tự.",
                                        f"A template is at most {MAX_TEMPLATE_CHARS} characters.",
                                        index=index, field=field, max_length=MAX_TEMPLATE_CHARS)
            texts[field] = value.strip()
        identifier = item.get("id") or f"mau-{index + 1}"
        if not isinstance(identifier, str) or len(identifier) > 64 or identifier in seen:
            raise _template_problem("Mã mẫu lý do trùng hoặc không hợp lệ.", "A template id is repeated or invalid.",
                                    index=index)
        seen.add(identifier)
        parsed.append({"id": identifier, "text_vi": texts["text_vi"], "text_en": texts.get("text_en", texts["text_vi"])})
    return parsed


# --- bulk selections ---------------------------------------------------------------------


def parse_selection(body: Mapping) -> list[str]:
    """{"submission_ids": [...]}: 1 to MAX_BULK_ENTRIES distinct ids, in the order sent."""
    ids = body.get("submission_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise InvalidInput("Chọn ít nhất một bài dự thi (submission_ids).",
                           "Select at least one entry (submission_ids).", code="empty_selection")
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_BULK_ENTRIES:
        raise InvalidInput(f"Mỗi lần duyệt tối đa {MAX_BULK_ENTRIES} bài dự thi.",
                           f"At most {MAX_BULK_ENTRIES} entries per request.", code="selection_too_large",
                           max_items=MAX_BULK_ENTRIES)
    return unique


def parse_top(raw: str | None) -> int:
    return whole_number(raw, "top", 1, MAX_SERIES_ENTRIES, default=5)
