"""Scheduled ingestion as pure rules: which weeks, how many chunks, what live score."""
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.ingestion import (
    Chunk,
    PublishedEntry,
    RunStatus,
    chunk_count,
    competition_ranks,
    live_entry_score,
    plan_chunks,
    snapshot_from_reading,
    sortable_score,
    weeks_to_ingest,
)

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK2_OPEN = datetime(2024, 8, 12, tzinfo=VN)
WEEK2_CLOSE = datetime(2024, 8, 19, tzinfo=VN)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def published(n: int, platform: str = "tiktok") -> list[PublishedEntry]:
    at = WEEK2_OPEN + timedelta(hours=1)
    return [PublishedEntry(f"s-{i:04d}", platform, f"{7000 + i}", at, "ha-noi", f"Video {i}") for i in range(n)]


def test_hourly_reads_the_open_week_and_the_boundary_reads_both_weeks_that_meet_there(campaign):
    assert weeks_to_ingest(campaign, WEEK2_OPEN + timedelta(hours=5), "hourly") == [2]
    assert weeks_to_ingest(campaign, WEEK2_OPEN, "boundary") == [1, 2]
    assert weeks_to_ingest(campaign, datetime(2024, 7, 1, tzinfo=VN), "hourly") == []
    assert weeks_to_ingest(campaign, WEEK2_OPEN + timedelta(hours=5), "boundary") == []


@pytest.mark.parametrize("entries", [0, 1, 499, 500, 501, 1250])
def test_n_entries_make_ceil_n_over_chunk_size_chunks_of_one_platform_each(entries):
    # Given N TikTok entries and 20 ids per call, 500 entries (25 calls, 20 full batches of 25) per chunk
    plan = plan_chunks("c", 2, WEEK2_OPEN, published(entries), {"tiktok": 20})
    # Then there are ceil(N / 500) chunks, none larger than 500, covering every entry once
    assert len(plan.chunks) == chunk_count(entries, 20) == -(-entries // 500)
    assert all(len(c.entries) <= 500 for c in plan.chunks)
    assert all(len(c.entries) % 100 == 0 for c in plan.chunks[:-1])
    assert sorted(e.submission_id for c in plan.chunks for e in c.entries) == [e.submission_id for e in published(entries)]
    assert [c.number for c in plan.chunks] == list(range(1, len(plan.chunks) + 1))


def test_platforms_are_chunked_apart_and_entries_without_a_source_are_named():
    entries = published(3) + published(2, "youtube") + published(1, "facebook")
    plan = plan_chunks("c", 2, WEEK2_OPEN, entries, {"tiktok": 20, "youtube": 50})
    assert [(c.platform, len(c.entries)) for c in plan.chunks] == [("tiktok", 3), ("youtube", 2)]
    assert plan.entries_without_source == ("s-0000",)
    assert plan.entries_planned == 5


def test_a_chunk_survives_the_round_trip_through_a_message():
    chunk = plan_chunks("c", 2, WEEK2_OPEN, published(2), {"tiktok": 20}).chunks[0]
    assert Chunk.from_message(chunk.to_message()) == chunk


def test_a_stored_snapshot_says_for_every_metric_whether_it_was_measured():
    snapshot = snapshot_from_reading(WEEK2_OPEN, "tiktok-display-api", {"likes": 3, "shares": 0})
    assert dict(snapshot.values) == {
        "likes": 3, "saves": None, "shares": 0, "reposts": None, "comments": None, "views": None}


def test_seed_000_worked_example_scores_500_live_at_the_close(campaign):
    # Given an entry published in week 2 that gained 100 likes, 50 saves, 50 shares, 30 reposts
    published_at = WEEK2_OPEN + timedelta(hours=2)
    close = WEEK2_CLOSE.astimezone(timezone.utc)
    snapshots = [
        Snapshot(close, "tiktok-display-api", {"likes": 100, "shares": 50, "saves": None, "reposts": None}),
        Snapshot(close, "organiser-import", {"saves": 50, "reposts": 30}),
    ]
    # When the live score is computed at the boundary
    live = live_entry_score(campaign, 2, published_at, snapshots, close)
    # Then it is 500, exact, with nothing estimated or unmeasured
    assert render_exact(live.total) == 500 and live.flags == ()
    assert sortable_score(live.total) == 500


def test_a_metric_no_source_measured_is_flagged_not_zeroed_silently(campaign):
    published_at = WEEK2_OPEN + timedelta(hours=2)
    now = WEEK2_OPEN + timedelta(days=1)
    snapshots = [Snapshot(now, "tiktok-display-api", {"likes": 10, "shares": 1})]
    live = live_entry_score(campaign, 2, published_at, snapshots, now)
    assert render_exact(live.total) == 13
    assert "unmeasured_metrics" in live.flags
    assert live.breakdown()["unmeasured_metrics"] == ["reposts", "saves"]


def test_an_entry_published_after_now_has_no_gain_yet(campaign):
    live = live_entry_score(campaign, 2, WEEK2_OPEN + timedelta(days=2), [], WEEK2_OPEN + timedelta(days=1))
    assert live.total == 0 and live.flags == ("no_gain_yet",)


def test_equal_scores_share_a_rank():
    assert competition_ranks([500, 300, 300, 10]) == [1, 2, 2, 4]


def test_a_run_with_a_dead_lettered_chunk_shows_a_gap_until_that_chunk_succeeds():
    base = dict(campaign_id="c", run_id="r", week=2, at=WEEK2_OPEN, trigger="hourly", entries_planned=120,
                chunks_planned=2, failed_attempts=3, snapshots_written=60, videos_not_returned=0,
                entries_without_source=0)
    gap = RunStatus(chunks_ok=frozenset({"1"}), chunks_dead_lettered=frozenset({"2"}), **base)
    assert gap.state == "gap" and gap.to_dict()["chunks"] == {
        "planned": 2, "ok": 1, "dead_lettered": 1, "pending": 0, "failed_attempts": 3}
    redriven = RunStatus(chunks_ok=frozenset({"1", "2"}), chunks_dead_lettered=frozenset({"2"}), **base)
    assert redriven.state == "complete"
    waiting = RunStatus(chunks_ok=frozenset({"1"}), chunks_dead_lettered=frozenset(), **base)
    assert waiting.state == "in_progress"
