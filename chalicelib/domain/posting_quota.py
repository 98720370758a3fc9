"""Weekly posting quotas (seed 001): did each unit post its tagged links every week, and per month.

Weeks are the calendar weeks of `weeks.CalendarWeek`: Monday 00:00 to Monday
00:00 on the campaign's wall clock (Asia/Ho_Chi_Minh), never in UTC.

Months: a week straddling two months belongs to the month holding its
Thursday, i.e. the month holding most of its days (the ISO 8601 rule), so each
week is counted in exactly one month and monthly figures are sums of weekly
ones. A month's `weeks` says which weeks it covers, so a report can show
"May 2024: weeks of 29 Apr … 27 May".
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from chalicelib.domain.compliance import level_to_check
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.instants import require_aware
from chalicelib.domain.organisation import LEVEL_RANK, PATH_SEPARATOR, OrgTree, OrgUnit
from chalicelib.domain.weeks import CalendarWeek, week_of


@dataclass(frozen=True)
class PostedLink:
    unit_id: str
    posted_at: datetime  # aware
    url: str
    has_hashtag: bool


def contains_hashtag(text: str, hashtag: str) -> bool:
    """Whether `text` carries `hashtag` as a whole tag, ignoring case.

    Diacritics are kept: "#KhátVọng" is a different tag page from "#KhatVong"
    on the platforms, so the post would not show under the campaign's tag.
    """
    tag = unicodedata.normalize("NFC", hashtag.strip()).casefold()
    if not tag.startswith("#"):
        tag = "#" + tag
    haystack = unicodedata.normalize("NFC", text).casefold()
    return re.search(re.escape(tag) + r"(?!\w)", haystack) is not None


def normalise_url(url: str) -> str:
    """The form used to spot the same post submitted twice."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


IgnoredReason = Literal["no_hashtag", "duplicate_url", "outside_weeks", "outside_scope", "above_level"]


@dataclass(frozen=True)
class WeekCell:
    posted: int
    met: bool


@dataclass(frozen=True)
class WeekSummary:
    week: CalendarWeek
    units_met: int
    units_missed: int
    items_posted: int


@dataclass(frozen=True)
class PostingQuotaTable:
    scope: OrgUnit
    level: str
    per_week: int
    weeks: tuple[CalendarWeek, ...]
    units: tuple[OrgUnit, ...]
    cells: Mapping[str, tuple[WeekCell, ...]]  # unit_id -> one cell per week, in week order
    ignored: Mapping[str, int]  # reason -> number of links not counted

    def cell(self, unit_id: str, week: CalendarWeek) -> WeekCell:
        return self.cells[unit_id][self.weeks.index(week)]

    def week_summaries(self) -> tuple[WeekSummary, ...]:
        summaries = []
        for index, week in enumerate(self.weeks):
            column = [self.cells[u.unit_id][index] for u in self.units]
            met = sum(1 for c in column if c.met)
            summaries.append(
                WeekSummary(week, met, len(column) - met, sum(c.posted for c in column))
            )
        return tuple(summaries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.scope.unit_id,
            "level": self.level,
            "per_week": self.per_week,
            "weeks": [w.to_dict() for w in self.weeks],
            "units": [
                {
                    "unit_id": u.unit_id,
                    "name": u.name,
                    "path": u.path,
                    "weeks": [
                        {"posted": c.posted, "met": c.met} for c in self.cells[u.unit_id]
                    ],
                }
                for u in self.units
            ],
            "week_summaries": [
                {
                    "key": s.week.key,
                    "units_met": s.units_met,
                    "units_missed": s.units_missed,
                    "items_posted": s.items_posted,
                }
                for s in self.week_summaries()
            ],
            "ignored": dict(self.ignored),
        }


def weekly_posting_table(
    tree: OrgTree,
    scope_unit_id: str,
    links: Iterable[PostedLink],
    weeks: Sequence[CalendarWeek],
    per_week: int,
    level: str | None = None,
) -> PostingQuotaTable:
    """Week by week, did each unit at `level` in the scope's branch post `per_week` tagged items?

    `per_week` is campaign.posting_quota.per_week. A link counts once, for the
    earliest submission of its URL, if it carries the hashtag and was posted
    inside one of `weeks`; links from units above the checked level cannot be
    attributed to one unit and are not counted. `ignored` says how many links
    were left out and why, so an organiser can trust the numbers.
    """
    if per_week < 1:
        raise InvalidInput(
            "Chỉ tiêu mỗi tuần phải ít nhất là 1.",
            "The weekly quota must be at least 1.",
            code="invalid_quota",
        )
    scope = tree.get(scope_unit_id)
    ordered_weeks = tuple(sorted(set(weeks), key=lambda w: w.monday))
    if not ordered_weeks:
        raise InvalidInput(
            "Cần ít nhất một tuần để lập bảng.",
            "At least one week is needed.",
            code="invalid_range",
        )
    week_index = {week.monday: i for i, week in enumerate(ordered_weeks)}
    zone = ordered_weeks[0].zone
    ignored: dict[str, int] = {}

    def ignore(reason: IgnoredReason) -> None:
        ignored[reason] = ignored.get(reason, 0) + 1

    # Earliest first, so of two submissions of one URL the first is the one counted.
    candidates = sorted(
        enumerate(links), key=lambda pair: (require_aware(pair[1].posted_at, "posted_at"), pair[0])
    )
    seen_urls: set[str] = set()
    accepted: list[tuple[OrgUnit, int]] = []  # (posting unit, week index)
    for _, link in candidates:
        unit = tree.find(link.unit_id)
        if unit is None or not tree.is_within(unit.path, scope.path):
            ignore("outside_scope")
            continue
        if not link.has_hashtag:
            ignore("no_hashtag")
            continue
        index = week_index.get(week_of(link.posted_at, zone).monday)
        if index is None:
            ignore("outside_weeks")
            continue
        url = normalise_url(link.url)
        if url in seen_urls:
            ignore("duplicate_url")
            continue
        seen_urls.add(url)
        accepted.append((unit, index))

    checked_level = level_to_check(tree, scope, level, (u.unit_id for u, _ in accepted))
    checked_rank = LEVEL_RANK[checked_level]
    units = tree.units_at_level(checked_level, within=scope.unit_id)
    posted = {u.unit_id: [0] * len(ordered_weeks) for u in units}
    for unit, index in accepted:
        if LEVEL_RANK[unit.level] < checked_rank:
            ignore("above_level")
            continue
        # Path segment i is the ancestor at level rank i (the root is central),
        # so this is the poster itself or its ancestor at the checked level.
        counted_id = unit.path.split(PATH_SEPARATOR)[checked_rank]
        posted[counted_id][index] += 1
    cells = {
        unit_id: tuple(WeekCell(n, n >= per_week) for n in counts)
        for unit_id, counts in posted.items()
    }
    return PostingQuotaTable(
        scope=scope,
        level=checked_level,
        per_week=per_week,
        weeks=ordered_weeks,
        units=units,
        cells=cells,
        ignored=ignored,
    )


# --- (3) monthly summary -----------------------------------------------------

MonthStatus = Literal["every_week", "some_weeks", "no_week"]


@dataclass(frozen=True)
class UnitMonth:
    unit: OrgUnit
    weeks_met: int
    weeks_counted: int
    items_posted: int

    @property
    def status(self) -> MonthStatus:
        if self.weeks_met == self.weeks_counted:
            return "every_week"
        return "some_weeks" if self.weeks_met else "no_week"


@dataclass(frozen=True)
class MonthSummary:
    year: int
    month: int
    weeks: tuple[CalendarWeek, ...]
    units: tuple[UnitMonth, ...]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def items_posted(self) -> int:
        return sum(u.items_posted for u in self.units)

    def units_with(self, status: MonthStatus) -> int:
        return sum(1 for u in self.units if u.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.key,
            "weeks": [w.key for w in self.weeks],
            "units_met_every_week": self.units_with("every_week"),
            "units_met_some_weeks": self.units_with("some_weeks"),
            "units_met_no_week": self.units_with("no_week"),
            "items_posted": self.items_posted,
            "units": [
                {
                    "unit_id": u.unit.unit_id,
                    "name": u.unit.name,
                    "weeks_met": u.weeks_met,
                    "weeks_counted": u.weeks_counted,
                    "items_posted": u.items_posted,
                    "status": u.status,
                }
                for u in self.units
            ],
        }


def monthly_summary(table: PostingQuotaTable) -> tuple[MonthSummary, ...]:
    """Per calendar month (Vietnam time): who met the quota every week, some weeks, or none."""
    months: dict[tuple[int, int], list[int]] = {}
    for index, week in enumerate(table.weeks):
        months.setdefault(week.month, []).append(index)
    summaries = []
    for (year, month), indexes in sorted(months.items()):
        units = tuple(
            UnitMonth(
                unit=unit,
                weeks_met=sum(1 for i in indexes if table.cells[unit.unit_id][i].met),
                weeks_counted=len(indexes),
                items_posted=sum(table.cells[unit.unit_id][i].posted for i in indexes),
            )
            for unit in table.units
        )
        summaries.append(
            MonthSummary(year, month, tuple(table.weeks[i] for i in indexes), units)
        )
    return tuple(summaries)


__all__ = [
    "MonthSummary",
    "PostedLink",
    "PostingQuotaTable",
    "UnitMonth",
    "WeekCell",
    "WeekSummary",
    "contains_hashtag",
    "monthly_summary",
    "normalise_url",
    "weekly_posting_table",
]
