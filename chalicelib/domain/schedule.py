"""When the weekly boundary fires, as an EventBridge cron (UTC) derived from the campaign zone.

Standard library only: the trigger decorators read it when the app is imported, so
it must not pull in the campaign model.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

_REFERENCE_MONDAY = date(2024, 1, 1)  # any Monday works for a zone without DST
_CRON_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def fixed_utc_offset(zone_name: str) -> timedelta:
    """The zone's only UTC offset; a zone that changes offset cannot have one cron line."""
    zone = ZoneInfo(zone_name)
    offsets = {
        datetime(year, month, 15, 12, tzinfo=zone).utcoffset()
        for year in range(2020, 2036)
        for month in range(1, 13)
    }
    if len(offsets) != 1:
        raise ValueError(
            f"{zone_name} changes its UTC offset; one weekly cron cannot follow it"
        )
    return offsets.pop()


def boundary_cron_utc(zone_name: str = DEFAULT_TIMEZONE) -> str:
    """EventBridge cron (UTC) that fires at every Monday 00:00 in `zone_name`."""
    fixed_utc_offset(zone_name)
    local_boundary = datetime.combine(_REFERENCE_MONDAY, time(0), tzinfo=ZoneInfo(zone_name))
    utc = local_boundary.astimezone(timezone.utc)
    return f"cron({utc.minute} {utc.hour} ? * {_CRON_DAYS[utc.weekday()]} *)"
