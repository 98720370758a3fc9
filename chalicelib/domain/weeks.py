"""The week calendar, in the campaign's own wall clock: calendar weeks and voting weeks.

A week runs from Monday 00:00 to the next Monday 00:00 in the campaign zone
(Asia/Ho_Chi_Minh: UTC+7, no daylight saving), never in UTC: a clip posted
Sunday 23:30 in Hà Nội is Sunday 16:30 UTC, and one posted Monday 06:00 in Hà Nội
is still Sunday in UTC. `CalendarWeek` is that week; voting weeks are the
numbered weeks of the campaign file, read with `week_window`. The scheduler
lives in UTC, so the weekly close fires on Sunday 17:00 UTC; `boundary_cron_utc`
derives that expression from the zone instead of hard-coding it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.campaign import DEFAULT_TIMEZONE, Campaign
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.instants import require_aware
from chalicelib.domain.schedule import boundary_cron_utc  # noqa: F401 - part of this module's API

WeekState = Literal["upcoming", "open", "closing", "closed"]
Zone = ZoneInfo | str


def monday_midnight(local: datetime) -> datetime:
    """Monday 00:00 at or before `local`, in `local`'s own zone."""
    if local.tzinfo is None:
        raise InvalidInput(
            "Thời điểm phải kèm múi giờ.", "The time must carry a time zone.",
            code="naive_datetime",
        )
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=local.tzinfo)


def next_monday_midnight(local: datetime) -> datetime:
    """The Monday 00:00 strictly after `local`."""
    return monday_midnight(local) + timedelta(days=7)


def is_monday_midnight(local: datetime) -> bool:
    return local.weekday() == 0 and local.timetz().replace(tzinfo=None) == time(0)


def week_window(campaign: Campaign, number: int) -> tuple[datetime, datetime]:
    """[start, end) of voting week `number`, as UTC instants."""
    week = campaign.week(number)
    if week is None:
        raise InvalidInput(
            f"Chiến dịch không có tuần bình chọn số {number}.",
            f"The campaign has no voting week {number}.",
            code="unknown_week",
            week=number,
        )
    start = campaign.localize(week.starts_at).astimezone(timezone.utc)
    end = campaign.localize(week.ends_at).astimezone(timezone.utc)
    return start, end


def week_state(campaign: Campaign, number: int, now: datetime, closed: bool) -> WeekState:
    """Where week `number` stands at `now`.

    "closing" is the gap between the boundary passing and the close job freezing
    the result. `closed` is trusted as given: only the close job sets it, and a
    frozen result must stay visible as such even if a caller's clock lags.
    """
    if closed:
        return "closed"
    start, end = week_window(campaign, number)
    now = require_aware(now, "now")
    if now < start:
        return "upcoming"
    if now < end:
        return "open"
    return "closing"


def misaligned_weeks(campaign: Campaign) -> list[int]:
    """Numbers of configured weeks that do not run Monday 00:00 to the next Monday 00:00."""
    bad: list[int] = []
    for week in campaign.voting_weeks:
        start, end = campaign.localize(week.starts_at), campaign.localize(week.ends_at)
        if not (
            is_monday_midnight(start)
            and is_monday_midnight(end)
            and end.date() - start.date() == timedelta(days=7)
        ):
            bad.append(week.number)
    return bad


def competing_week(campaign: Campaign, published_at: datetime) -> int | None:
    """The voting week an entry published at `published_at` competes in.

    The rules only say "one week"; we pick the week containing publication, and
    week 1 for entries published before voting starts (submissions open months
    earlier in seed 000). Published after the last week: no week.
    """
    published_at = require_aware(published_at, "published_at")
    week = campaign.week_containing(published_at)
    if week is not None:
        return week.number
    if campaign.voting_weeks:
        first = campaign.voting_weeks[0]
        if published_at < campaign.localize(first.starts_at):
            return first.number
    return None


@dataclass(frozen=True)
class CalendarWeek:
    """Monday 00:00 to the next Monday 00:00 on a wall clock (the campaign's zone).

    The one week of the calendar: compliance counts posts per calendar week, and
    voting weeks are configured to coincide with them (`misaligned_weeks`).
    """

    monday: date
    zone: ZoneInfo

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.monday, time(0), tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=self.zone)

    @property
    def iso_year(self) -> int:
        return self.monday.isocalendar()[0]

    @property
    def iso_week(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def key(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def month(self) -> tuple[int, int]:
        """(year, month) this week is reported under: the month holding its Thursday."""
        thursday = self.monday + timedelta(days=3)
        return thursday.year, thursday.month

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "monday": self.monday.isoformat(),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }


def _zone(zone: Zone) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def week_of(moment: datetime, zone: Zone = DEFAULT_TIMEZONE) -> CalendarWeek:
    """The calendar week holding the instant `moment`, cut on the wall clock of `zone`."""
    local = require_aware(moment, "at").astimezone(_zone(zone))
    return CalendarWeek(monday_midnight(local).date(), _zone(zone))


def calendar_week(campaign: Campaign, at: datetime) -> CalendarWeek:
    """The week holding `at` on the campaign's wall clock."""
    return week_of(at, campaign.zone)


def weeks_between(first_day: date, last_day: date, zone: Zone = DEFAULT_TIMEZONE) -> tuple[CalendarWeek, ...]:
    """Every week touching the local calendar days first_day..last_day (inclusive)."""
    if last_day < first_day:
        raise InvalidInput(
            "Ngày kết thúc phải sau ngày bắt đầu.",
            "The last day must not be before the first day.",
            code="invalid_range",
        )
    monday = first_day - timedelta(days=first_day.weekday())
    weeks = []
    while monday <= last_day:
        weeks.append(CalendarWeek(monday, _zone(zone)))
        monday += timedelta(days=7)
    return tuple(weeks)


def campaign_weeks(campaign: Campaign) -> tuple[CalendarWeek, ...]:
    """The weeks touching the campaign's submission window (closes_at is exclusive)."""
    window = campaign.submission_window
    opens = campaign.localize(window.opens_at)
    last_moment = campaign.localize(window.closes_at) - timedelta(microseconds=1)
    return weeks_between(opens.date(), last_moment.date(), campaign.zone)
