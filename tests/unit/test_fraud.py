import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.fraud import (
    FraudThresholds,
    counter_decrease_flags,
    detect_fraud,
    night_burst_flags,
    ratio_flags,
    robust_z,
    spike_flags,
)
from chalicelib.domain.scoring import WeekEntry, campaign_weights

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
OPEN = datetime(2024, 8, 5, tzinfo=VN)
CLOSE = datetime(2024, 8, 12, tzinfo=VN)
HOURS = 7 * 24


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def hourly_entry(entry_id: str, likes_in_hour: Callable[[datetime], int]) -> WeekEntry:
    """Snapshots every hour of week 1; `likes_in_hour(hour_start)` likes arrive in each hour."""
    snapshots, likes = [], 0
    for hour in range(HOURS + 1):
        at = OPEN + timedelta(hours=hour)
        snapshots.append(Snapshot(at, "tiktok", {"likes": likes, "saves": 0, "shares": 0, "reposts": 0}))
        likes += likes_in_hour(at)
    return WeekEntry(entry_id, OPEN - timedelta(days=1), snapshots)


def steady(base: int) -> Callable[[datetime], int]:
    return lambda at: base + (at.hour % 3) * max(1, base // 10)


def window(campaign):
    return OPEN.astimezone(UTC), CLOSE.astimezone(UTC), campaign_weights(campaign)


def test_robust_z_uses_median_and_mad():
    score = robust_z(20, [1, 2, 3, 4, 100])

    assert score.median == 3 and score.spread == 1
    assert score.z == pytest.approx(0.6745 * 17)


def test_robust_z_of_a_constant_sample_is_infinite_for_any_different_value():
    assert robust_z(5, [2, 2, 2]).z == math.inf
    assert robust_z(2, [2, 2, 2]).z == 0


def test_a_one_hour_spike_above_own_history_and_cohort_is_flagged_with_its_interval(campaign):
    # Given a cohort of steady entries, one steadily viral entry, and one entry
    # that suddenly gains 500 likes in the hour from Wednesday 12:00 Hanoi
    spike_hour = datetime(2024, 8, 7, 12, tzinfo=VN)
    entries = [hourly_entry(f"steady-{i}", steady(10)) for i in range(5)]
    entries.append(hourly_entry("viral", steady(200)))
    entries.append(hourly_entry("spiky", lambda at: 510 if at == spike_hour else steady(10)(at)))
    # When spikes are detected
    flags = spike_flags(entries, *window(campaign))
    # Then only the sudden spike is flagged; being popular all week is not a spike
    assert [f.entry_id for f in flags] == ["spiky"]
    (interval,) = flags[0].evidence["intervals"]
    assert interval["from"] == "2024-08-07T05:00:00Z"
    assert interval["points_per_hour"] == 510
    assert interval["own_history"]["z"] > 3.5 and interval["cohort"]["z"] > 3.5


def test_spike_threshold_is_configurable(campaign):
    entries = [hourly_entry(f"s{i}", steady(10)) for i in range(5)]
    bump_hour = datetime(2024, 8, 8, 9, tzinfo=VN)
    # 40 likes in one hour: z about 20 against a cohort running at 10-12 an hour.
    entries.append(hourly_entry("bumpy", lambda at: 40 if at == bump_hour else 10))

    assert [f.entry_id for f in spike_flags(entries, *window(campaign))] == ["bumpy"]
    assert spike_flags(entries, *window(campaign), FraudThresholds(spike_z=50)) == []


def test_too_little_data_produces_no_spike_flags(campaign):
    short = WeekEntry("short", OPEN, [
        Snapshot(OPEN + timedelta(hours=1), "tiktok", {"likes": 0}),
        Snapshot(OPEN + timedelta(hours=2), "tiktok", {"likes": 9000}),
    ])

    assert spike_flags([short], *window(campaign)) == []


def ratio_entry(entry_id: str, engagement: int, views: int) -> WeekEntry:
    return WeekEntry(entry_id, OPEN + timedelta(hours=2), [
        Snapshot(CLOSE, "tiktok", {"likes": engagement, "saves": 0, "shares": 0, "reposts": 0,
                                    "comments": 0, "views": views}),
    ])


def test_engagement_to_view_ratio_far_from_the_cohort_is_flagged_in_both_directions(campaign):
    entries = [ratio_entry(f"n{i}", 50 + i, 1000) for i in range(6)]
    entries += [ratio_entry("bought-likes", 800, 1000), ratio_entry("bought-views", 5, 100000)]
    start, end, _ = window(campaign)

    flags = {f.entry_id: f for f in ratio_flags(entries, start, end)}

    assert set(flags) == {"bought-likes", "bought-views"}
    assert flags["bought-likes"].evidence["direction"] == "high"
    assert flags["bought-views"].evidence["direction"] == "low"
    assert flags["bought-likes"].evidence["engagement_gain"] == 800


def test_ratio_needs_views_to_be_measured(campaign):
    entries = [WeekEntry(f"e{i}", OPEN, [Snapshot(CLOSE, "tiktok", {"likes": 10 * i, "views": None})]) for i in range(8)]
    start, end, _ = window(campaign)

    assert ratio_flags(entries, start, end) == []


def test_gain_concentrated_between_midnight_and_5am_vietnam_time_is_a_night_burst(campaign):
    night_owl = hourly_entry("night-owl", lambda at: 100 if at.astimezone(VN).hour < 5 else 1)
    # 00:00–05:00 UTC is 07:00–12:00 in Hanoi: an ordinary morning, not a night burst.
    utc_night = hourly_entry("utc-night", lambda at: 100 if at.astimezone(UTC).hour < 5 else 1)
    daytime = hourly_entry("daytime", steady(10))
    start, end, weights = window(campaign)

    flags = night_burst_flags([night_owl, utc_night, daytime], start, end, weights, VN)

    assert [f.entry_id for f in flags] == ["night-owl"]
    evidence = flags[0].evidence
    assert evidence["share"] > 0.9
    assert evidence["window_local"] == "00:00–05:00"
    assert [n["date_local"] for n in evidence["nights"]][:2] == ["2024-08-05", "2024-08-06"]
    assert evidence["nights"][0]["points"] == 500


def test_small_night_gains_are_not_flagged(campaign):
    tiny = hourly_entry("tiny", lambda at: 1 if at.astimezone(VN).hour < 5 else 0)
    start, end, weights = window(campaign)

    assert night_burst_flags([tiny], start, end, weights, VN) == []


def test_a_counter_going_down_is_flagged_with_both_readings():
    entry = WeekEntry("e1", OPEN, [
        Snapshot(OPEN + timedelta(hours=1), "tiktok", {"likes": 100, "shares": 4}),
        Snapshot(OPEN + timedelta(hours=2), "tiktok", {"likes": None, "shares": 5}),
        Snapshot(OPEN + timedelta(hours=3), "tiktok", {"likes": 90, "shares": 5}),
    ])

    (flag,) = counter_decrease_flags([entry])

    (drop,) = flag.evidence["drops"]
    assert drop["metric"] == "likes" and drop["drop"] == 10
    assert drop["from"]["value"] == 100 and drop["to"]["value"] == 90
    assert flag.kind == "counter_decrease"


def test_detect_fraud_returns_sorted_json_ready_flags_never_bans(campaign):
    entries = [hourly_entry(f"steady-{i}", steady(10)) for i in range(5)]
    entries.append(hourly_entry("night-owl", lambda at: 100 if at.astimezone(VN).hour < 5 else 1))
    entries.append(WeekEntry("dropper", OPEN, [
        Snapshot(OPEN + timedelta(hours=1), "tiktok", {"likes": 5}),
        Snapshot(OPEN + timedelta(hours=2), "tiktok", {"likes": 3}),
    ]))

    flags = detect_fraud(campaign, 1, entries)

    assert [(f.entry_id, f.kind) for f in flags] == sorted((f.entry_id, f.kind) for f in flags)
    assert ("dropper", "counter_decrease") in [(f.entry_id, f.kind) for f in flags]
    assert ("night-owl", "night_burst") in [(f.entry_id, f.kind) for f in flags]
    document = json.loads(json.dumps([f.to_dict() for f in flags], ensure_ascii=False, allow_nan=False))
    assert all("không phải quyết định loại" in f["message_vi"] for f in document)
