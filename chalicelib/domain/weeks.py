"""Voting-week boundaries in the campaign's own wall clock.

A voting week runs from Monday 00:00 to the next Monday 00:00 in the campaign
zone (Asia/Ho_Chi_Minh: UTC+7, no daylight saving). The scheduler lives in
UTC, so the weekly close fires on Sunday 17:00 UTC; `boundary_cron_utc`
derives that expression from the zone instead of hard-coding it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Literal

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import iso_utc, require_aware
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.schedule import boundary_cron_utc, fixed_utc_offset  # noqa: F401 - part of this module's API

WeekState = Literal["upcoming", "open", "closing", "closed"]



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
    """An ISO calendar week in the campaign zone, with its UTC boundaries."""

    iso_year: int
    iso_week: int
    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "iso_year": self.iso_year,
            "iso_week": self.iso_week,
            "starts_at": iso_utc(self.starts_at),
            "ends_at": iso_utc(self.ends_at),
        }


def calendar_week(campaign: Campaign, at: datetime) -> CalendarWeek:
    """The Monday-to-Monday week containing `at` on the campaign's wall clock."""
    local = require_aware(at, "at").astimezone(campaign.zone)
    start = monday_midnight(local)
    end = next_monday_midnight(local)
    iso_year, iso_week, _ = local.isocalendar()
    return CalendarWeek(
        iso_year, iso_week, start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    )
