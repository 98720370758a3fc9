"""Engagement ingestion on fakes: a scheduled run fans out, one chunk writes readings and scores."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ingestion import Chunk
from chalicelib.services.engagement import EngagementService
from tests.fakes.stores import (
    FakeIngestionRuns,
    FakeLiveScores,
    FakePublishedEntries,
    FakeQueue,
    FakeSnapshotWriter,
    FakeSource,
)

PUBLISHED = datetime(2024, 8, 5, 2, 0, tzinfo=timezone.utc)  # voting week 1 of the sample campaign
READ_AT = datetime(2024, 8, 7, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def tiktok() -> FakeSource:
    return FakeSource("tiktok", {"v1": {"likes": 120, "comments": 4, "shares": 9, "views": 3000,
                                        "saves": None, "reposts": None}})


@pytest.fixture
def engagement(world, tiktok) -> EngagementService:
    return EngagementService(
        world.campaigns, FakePublishedEntries(world.entries), FakeSnapshotWriter(), FakeLiveScores(),
        FakeIngestionRuns(), FakeQueue(), lambda platform: tiktok if platform == "tiktok" else None,
        read_table=lambda content, file_name: [],
    )


def published(world, video_id: str) -> str:
    entry = world.entry(status="published", campaign_week=f"{world.campaign.id}#1",
                        platform_video=f"tiktok#{video_id}", published_at=PUBLISHED)
    return entry.submission_id


def test_an_hourly_run_sends_the_open_weeks_entries_in_chunks(world, engagement):
    published(world, "v1"), published(world, "v2")

    summary = engagement.fan_out(READ_AT, "hourly", READ_AT)

    [run] = summary["runs"]
    assert (run["week"], run["entries"], run["chunks"]) == (1, 2, 1)
    [message] = engagement.queue.sent
    assert sorted(e["video_id"] for e in message["entries"]) == ["v1", "v2"]
    assert engagement.runs.recent(world.campaign.id, 10)[0].pending == 1


def test_a_chunk_writes_the_readings_returned_and_refreshes_live_scores(world, engagement):
    measured, deleted = published(world, "v1"), published(world, "v2")  # the platform no longer returns v2
    engagement.fan_out(READ_AT, "hourly", READ_AT)
    chunk = Chunk.from_message(engagement.queue.sent[0])

    outcome = engagement.ingest_chunk(chunk, READ_AT)

    assert outcome == {"snapshots": 1, "not_returned": 1}
    [reading] = engagement.snapshots.for_entry(measured)
    assert (reading.at, reading.source, reading.values["likes"]) == (READ_AT, "tiktok-fake", 120)
    assert engagement.snapshots.for_entry(deleted) == []  # no reading rather than zeros
    board = engagement.leaderboard(world.campaign.id, 1, 10)
    assert [row["entry_id"] for row in board["rows"]] == [measured]
    assert board["rows"][0]["rank"] == 1 and "unmeasured_metrics" in board["rows"][0]["flags"]
    [run] = engagement.runs.recent(world.campaign.id, 10)
    assert (run.pending, run.snapshots_written, run.videos_not_returned) == (0, 1, 1)


def test_a_failed_chunk_is_counted_and_a_dead_lettered_one_is_named(world, engagement):
    published(world, "v1")
    engagement.fan_out(READ_AT, "hourly", READ_AT)
    chunk = Chunk.from_message(engagement.queue.sent[0])

    engagement.chunk_failed(chunk, "TikTok answered 503", dead_lettered=False)
    engagement.chunk_failed(chunk, "TikTok answered 503", dead_lettered=True)

    [run] = engagement.runs.recent(world.campaign.id, 10)
    assert (run.failed_attempts, run.chunks_dead_lettered, run.last_error) == (
        2, frozenset({str(chunk.number)}), "TikTok answered 503")


@pytest.fixture
def engagement_off(world, tiktok) -> EngagementService:
    """METRICS_MODE=off: the composition root gives no source for any platform."""
    return EngagementService(
        world.campaigns, FakePublishedEntries(world.entries), FakeSnapshotWriter(), FakeLiveScores(),
        FakeIngestionRuns(), FakeQueue(), lambda platform: None,
        read_table=lambda content, file_name: [],
    )


def test_with_metrics_off_a_scheduled_run_is_recorded_without_chunks_and_names_its_entries(world, engagement_off):
    published(world, "v1"), published(world, "v2")

    summary = engagement_off.fan_out(READ_AT, "hourly", READ_AT)

    [run] = summary["runs"]
    assert (run["week"], run["entries"], run["chunks"]) == (1, 0, 0)
    assert engagement_off.queue.sent == []
    [status] = engagement_off.runs.recent(world.campaign.id, 10)
    assert (status.entries_without_source, status.pending, status.state) == (2, 0, "complete")


def test_with_metrics_off_a_chunk_reads_no_source_and_writes_nothing(world, engagement, engagement_off, tiktok):
    published(world, "v1")
    engagement.fan_out(READ_AT, "hourly", READ_AT)  # queued while a platform was still read
    chunk = Chunk.from_message(engagement.queue.sent[0])

    with pytest.raises(InvalidInput) as refused:
        engagement_off.ingest_chunk(chunk, READ_AT)

    assert refused.value.code == "no_metric_source"
    assert tiktok.calls == []
    assert engagement_off.snapshots.for_entry(chunk.entries[0].submission_id) == []
