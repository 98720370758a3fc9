from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exact_numbers import parse_exact, render_exact, render_rounded
from chalicelib.domain.scoring import (
    EntryInputs,
    WeekEntry,
    boundary_value,
    campaign_weights,
    weekly_gains,
    weighted_score,
)

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
# Week 2 of seed 000 opens Monday 2024-08-12 00:00 in Hanoi = Sunday 17:00 UTC.
WEEK2_OPEN = datetime(2024, 8, 12, tzinfo=VN)
WEEK2_CLOSE = datetime(2024, 8, 19, tzinfo=VN)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def snap(at: datetime, source: str = "tiktok", **values) -> Snapshot:
    return Snapshot(at, source, values)


def test_seed_worked_example_scores_500(campaign):
    # Given the seed weights likes 1, saves 2, shares 3, reposts 5
    weights = campaign_weights(campaign)
    # When an entry gained 100 likes, 50 saves, 50 shares and 30 reposts
    score = weighted_score({"likes": 100, "saves": 50, "shares": 50, "reposts": 30}, weights)
    # Then its score is 100 + 100 + 150 + 150 = 500, with each part explained
    assert score.total == 500
    assert {p.metric: render_exact(p.points) for p in score.parts} == {
        "likes": 100, "saves": 100, "shares": 150, "reposts": 150,
    }
    assert score.unmeasured == ()
    assert score.to_dict()["total"] == 500


def test_float_weights_are_exact_decimals_not_binary_floats():
    score = weighted_score({"likes": 1, "shares": 2}, {"likes": 0.1, "shares": 0.1})

    assert score.total == Fraction(3, 10)
    assert render_exact(score.total) == "0.3"


def test_a_weighted_metric_without_a_value_is_reported_unmeasured_but_zero_weights_are_not():
    score = weighted_score({"likes": 10, "views": None}, {"likes": 1, "reposts": 5, "views": 0})

    assert score.total == 10
    assert score.unmeasured == ("reposts",)


def test_missing_monday_boundary_is_interpolated_in_vietnam_time_not_at_utc_midnight():
    # Given hourly-ish readings around the Hanoi Monday boundary, none exactly on it,
    # and one at UTC midnight that must not be mistaken for the boundary
    snapshots = [
        snap(datetime(2024, 8, 11, 16, tzinfo=UTC), likes=100),   # 23:00 Sun in Hanoi
        snap(datetime(2024, 8, 11, 18, tzinfo=UTC), likes=200),   # 01:00 Mon in Hanoi
        snap(datetime(2024, 8, 12, 0, tzinfo=UTC), likes=900),    # UTC midnight
    ]
    published = datetime(2024, 8, 1, tzinfo=VN)
    # When the open value is needed at Monday 00:00 Hanoi
    value = boundary_value(snapshots, "likes", WEEK2_OPEN, published)
    # Then it is halfway between the readings on either side, and estimated
    assert value.at == datetime(2024, 8, 11, 17, tzinfo=UTC)
    assert value.value == 150
    assert value.method == "interpolated"
    assert value.estimated
    assert [r.value for r in value.basis] == [100, 200]


def test_a_snapshot_exactly_at_the_boundary_wins_over_interpolation():
    snapshots = [
        snap(datetime(2024, 8, 11, 16, tzinfo=UTC), likes=100),
        snap(WEEK2_OPEN, "manual", likes=170),
        snap(datetime(2024, 8, 11, 18, tzinfo=UTC), likes=200),
    ]

    value = boundary_value(snapshots, "likes", WEEK2_OPEN, datetime(2024, 8, 1, tzinfo=VN))

    assert (value.value, value.method, value.estimated) == (170, "exact", False)
    assert value.basis[0].source == "manual"


def test_an_entry_published_after_the_open_starts_the_week_at_zero_exactly():
    published = datetime(2024, 8, 14, 9, tzinfo=VN)
    snapshots = [snap(datetime(2024, 8, 19, tzinfo=VN), likes=40, reposts=3)]

    inputs = weekly_gains(WeekEntry("e1", published, snapshots), WEEK2_OPEN, WEEK2_CLOSE, ["likes", "reposts"])

    likes = inputs.gains["likes"]
    assert (likes.open.value, likes.open.method) == (0, "not_yet_published")
    assert (likes.close.value, likes.close.method) == (40, "exact")
    assert likes.gain == 40 and not likes.estimated


def test_publication_counts_as_a_zero_reading_when_the_first_snapshot_comes_after_the_open():
    # Published 10 hours before the open; first reading 10 hours after it.
    published = WEEK2_OPEN - timedelta(hours=10)
    snapshots = [snap(WEEK2_OPEN + timedelta(hours=10), likes=50)]

    value = boundary_value(snapshots, "likes", WEEK2_OPEN, published)

    assert (value.value, value.method) == (25, "interpolated")
    assert value.basis[0].source == "publication"


def test_close_without_a_later_snapshot_carries_the_latest_reading_forward_as_estimated():
    snapshots = [
        snap(WEEK2_OPEN, likes=10),
        snap(WEEK2_CLOSE - timedelta(minutes=40), likes=90),
    ]

    inputs = weekly_gains(
        WeekEntry("e1", datetime(2024, 8, 1, tzinfo=VN), snapshots), WEEK2_OPEN, WEEK2_CLOSE, ["likes"]
    )

    close = inputs.gains["likes"].close
    assert (close.value, close.method, close.estimated) == (90, "carried_forward", True)
    assert inputs.gains["likes"].gain == 80
    assert inputs.estimated_metrics == ("likes",)


def test_unmeasured_readings_are_skipped_and_a_never_measured_metric_stays_unmeasured(campaign):
    snapshots = [
        snap(WEEK2_OPEN, likes=10, reposts=None),
        snap(WEEK2_OPEN + timedelta(hours=2), likes=None),
        snap(WEEK2_CLOSE, likes=30, saves=4, shares=6, reposts=None),
    ]
    entry = WeekEntry("e1", datetime(2024, 8, 1, tzinfo=VN), snapshots)

    inputs = weekly_gains(entry, WEEK2_OPEN, WEEK2_CLOSE, campaign_weights(campaign))
    score = inputs.score(campaign_weights(campaign))

    assert inputs.gains["likes"].gain == 20
    # saves and shares were only measured at the close: open interpolated from publication.
    assert inputs.gains["saves"].open.method == "interpolated"
    assert inputs.gains["reposts"].measured is False
    assert inputs.gains["reposts"].close.method == "unmeasured"
    assert score.unmeasured == ("reposts",)


def test_interpolated_counters_round_half_up():
    snapshots = [snap(WEEK2_OPEN - timedelta(hours=1), likes=0), snap(WEEK2_OPEN + timedelta(hours=1), likes=1)]

    assert boundary_value(snapshots, "likes", WEEK2_OPEN, datetime(2024, 8, 1, tzinfo=VN)).value == 1


def test_same_instant_readings_from_two_sources_resolve_the_same_way_in_any_order():
    a = snap(WEEK2_OPEN, "manual", likes=5)
    b = snap(WEEK2_OPEN, "tiktok", likes=7)
    published = datetime(2024, 8, 1, tzinfo=VN)

    assert boundary_value([a, b], "likes", WEEK2_OPEN, published) == boundary_value(
        [b, a], "likes", WEEK2_OPEN, published
    )


def test_entry_published_after_the_week_is_refused():
    with pytest.raises(InvalidInput) as raised:
        weekly_gains(WeekEntry("late", WEEK2_CLOSE, []), WEEK2_OPEN, WEEK2_CLOSE, ["likes"])
    assert raised.value.code == "published_after_week"


def test_snapshot_refuses_naive_times_unknown_metrics_and_negative_counts():
    with pytest.raises(InvalidInput):
        Snapshot(datetime(2024, 8, 12), "tiktok", {"likes": 1})
    with pytest.raises(InvalidInput):
        Snapshot(WEEK2_OPEN, "tiktok", {"hearts": 1})
    with pytest.raises(InvalidInput):
        Snapshot(WEEK2_OPEN, "tiktok", {"likes": -1})
    with pytest.raises(InvalidInput):
        Snapshot(WEEK2_OPEN, "tiktok", {"likes": True})
    assert Snapshot(WEEK2_OPEN, "tiktok", {"likes": 1}).at.tzinfo == UTC


def test_entry_inputs_round_trip_through_json(campaign, ):
    snapshots = [
        snap(datetime(2024, 8, 11, 16, tzinfo=UTC), likes=100, saves=1),
        snap(datetime(2024, 8, 18, 18, tzinfo=UTC), likes=300, saves=5),
    ]
    inputs = weekly_gains(
        WeekEntry("e1", datetime(2024, 8, 1, tzinfo=VN), snapshots), WEEK2_OPEN, WEEK2_CLOSE,
        campaign_weights(campaign),
    )

    assert EntryInputs.from_dict(inputs.to_dict()) == inputs


@given(st.fractions(max_denominator=10**6))
def test_exact_rendering_is_lossless(value):
    assert parse_exact(render_exact(value)) == value


def test_rendering_uses_ints_when_integral_and_rounds_only_for_display():
    assert render_exact(Fraction(10, 2)) == 5
    assert render_exact(Fraction(5, 2)) == "2.5"
    assert render_exact(Fraction(1, 3)) == "1/3"
    assert render_exact(Fraction(1, 512)) == "0.001953125"
    assert render_exact(Fraction(-1, 20)) == "-0.05"
    assert render_rounded(Fraction(250, 3)) == "83.33"
    assert render_rounded(Fraction(1999, 20), 1) == 100


def test_integral_decimal_counters_from_dynamodb_are_accepted_as_ints():
    from decimal import Decimal

    assert Snapshot(WEEK2_OPEN, "tiktok", {"likes": Decimal("12")}).value("likes") == 12
    with pytest.raises(InvalidInput):
        Snapshot(WEEK2_OPEN, "tiktok", {"likes": Decimal("1.5")})
