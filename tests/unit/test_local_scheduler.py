"""The local scheduler reads AWS's cron dialect, which runs in UTC."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.local.scheduler import next_fire_time

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_week_boundary_cron_fires_at_monday_midnight_in_vietnam():
    after = datetime(2024, 8, 7, 12, 0, tzinfo=timezone.utc)  # a Wednesday
    fires = next_fire_time("cron(0 17 ? * SUN *)", after)
    assert fires == datetime(2024, 8, 11, 17, 0, tzinfo=timezone.utc)
    local = fires.astimezone(VIETNAM)
    assert (local.weekday(), local.hour, local.minute) == (0, 0, 0)


def test_numeric_days_count_from_sunday_as_one():
    after = datetime(2024, 8, 7, 12, 0, tzinfo=timezone.utc)
    assert next_fire_time("cron(0 17 ? * 1 *)", after) == next_fire_time("cron(0 17 ? * SUN *)", after)


def test_rates_add_their_interval():
    after = datetime(2024, 8, 7, 12, 0, tzinfo=timezone.utc)
    assert next_fire_time("rate(1 hour)", after) == datetime(2024, 8, 7, 13, 0, tzinfo=timezone.utc)
    assert next_fire_time("rate(15 minutes)", after) == datetime(2024, 8, 7, 12, 15, tzinfo=timezone.utc)


def test_unknown_expressions_are_refused():
    with pytest.raises(ValueError):
        next_fire_time("every tuesday", datetime(2024, 8, 7, tzinfo=timezone.utc))
