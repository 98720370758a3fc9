import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.weeks import (
    boundary_cron_utc,
    calendar_week,
    competing_week,
    misaligned_weeks,
    monday_midnight,
    next_monday_midnight,
    week_state,
    week_window,
)

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
CRON_DAYS = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def fires_at(cron: str, moment: datetime) -> bool:
    """Does an EventBridge `cron(min hour ? * DOW *)` fire at this UTC instant?"""
    minute, hour, _, _, dow, _ = re.fullmatch(r"cron\((.*)\)", cron).group(1).split()
    utc = moment.astimezone(UTC)
    return (utc.minute, utc.hour, utc.weekday(), utc.second) == (
        int(minute), int(hour), CRON_DAYS[dow], 0,
    )


def test_week_one_runs_monday_to_monday_vietnam_time_which_is_sunday_17h_utc(campaign):
    start, end = week_window(campaign, 1)

    assert start == datetime(2024, 8, 4, 17, tzinfo=UTC)
    assert end == datetime(2024, 8, 11, 17, tzinfo=UTC)
    assert start.astimezone(VN) == datetime(2024, 8, 5, tzinfo=VN)


def test_unknown_week_is_a_typed_error(campaign):
    with pytest.raises(InvalidInput) as raised:
        week_window(campaign, 9)
    assert raised.value.code == "unknown_week"


def test_boundary_cron_is_sunday_17_utc_for_vietnam():
    assert boundary_cron_utc() == "cron(0 17 ? * SUN *)"


def test_boundary_cron_fires_exactly_at_every_seed_week_end_and_at_monday_midnight_vietnam(campaign):
    cron = boundary_cron_utc(campaign.timezone)

    for week in campaign.voting_weeks:
        _, end = week_window(campaign, week.number)
        assert fires_at(cron, end)
        local = end.astimezone(VN)
        assert (local.weekday(), local.hour, local.minute) == (0, 0, 0)
    # And it fires at no other hour of the week.
    monday = datetime(2024, 8, 5, tzinfo=VN)
    hits = [h for h in range(7 * 24) if fires_at(cron, monday + timedelta(hours=h))]
    assert hits == [0]


def test_boundary_cron_follows_half_hour_zones_and_refuses_dst_zones():
    assert boundary_cron_utc("Asia/Kolkata") == "cron(30 18 ? * SUN *)"
    assert boundary_cron_utc("Asia/Tokyo") == "cron(0 15 ? * SUN *)"
    with pytest.raises(ValueError):
        boundary_cron_utc("Europe/Paris")


def test_monday_midnight_uses_the_local_calendar_not_utc():
    # Sunday 18:00 UTC is already Monday 01:00 in Hanoi.
    local = datetime(2024, 8, 11, 18, tzinfo=UTC).astimezone(VN)

    assert monday_midnight(local) == datetime(2024, 8, 12, tzinfo=VN)
    assert next_monday_midnight(local) == datetime(2024, 8, 19, tzinfo=VN)
    assert monday_midnight(datetime(2024, 8, 12, tzinfo=VN)) == datetime(2024, 8, 12, tzinfo=VN)


def test_calendar_week_of_an_instant_is_the_vietnam_week(campaign):
    week = calendar_week(campaign, datetime(2024, 8, 11, 17, 30, tzinfo=UTC))

    assert week.key == "2024-W33"
    assert week.starts_at == datetime(2024, 8, 11, 17, tzinfo=UTC)
    assert week.ends_at == datetime(2024, 8, 18, 17, tzinfo=UTC)
    assert iso_utc(week.starts_at) == "2024-08-11T17:00:00Z"


@pytest.mark.parametrize(
    ("now", "closed", "state"),
    [
        (datetime(2024, 8, 4, 16, 59, 59, tzinfo=UTC), False, "upcoming"),
        (datetime(2024, 8, 4, 17, tzinfo=UTC), False, "open"),
        (datetime(2024, 8, 11, 16, 59, 59, tzinfo=UTC), False, "open"),
        (datetime(2024, 8, 11, 17, tzinfo=UTC), False, "closing"),
        (datetime(2024, 8, 11, 17, 5, tzinfo=UTC), True, "closed"),
    ],
)
def test_week_state_moves_through_its_life(campaign, now, closed, state):
    assert week_state(campaign, 1, now, closed) == state


def test_week_state_refuses_a_naive_now(campaign):
    with pytest.raises(InvalidInput):
        week_state(campaign, 1, datetime(2024, 8, 6), False)


def test_seed_weeks_are_monday_aligned_and_a_shifted_week_is_reported(campaign):
    assert misaligned_weeks(campaign) == []
    data = campaign.model_dump()
    data["voting_weeks"][1]["starts_at"] = datetime(2024, 8, 12, 7)
    data["voting_weeks"][0]["ends_at"] = datetime(2024, 8, 12, 7)
    shifted = type(campaign).model_validate(data)
    assert misaligned_weeks(shifted) == [1, 2]


def test_entries_compete_in_the_week_of_publication_or_week_one_if_earlier(campaign):
    assert competing_week(campaign, datetime(2024, 6, 1, tzinfo=VN)) == 1
    assert competing_week(campaign, datetime(2024, 8, 12, 0, 0, tzinfo=VN)) == 2
    assert competing_week(campaign, datetime(2024, 8, 11, 23, 59, tzinfo=VN)) == 1
    assert competing_week(campaign, datetime(2024, 9, 2, tzinfo=VN)) is None


def test_every_voting_week_is_a_calendar_week(campaign):
    for voting in campaign.voting_weeks:
        start, end = week_window(campaign, voting.number)
        calendar = calendar_week(campaign, start)
        assert (calendar.starts_at, calendar.ends_at) == (start, end)
        assert calendar.contains(start) and not calendar.contains(end)
