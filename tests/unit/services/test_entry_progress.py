"""The participant's status page follows the entry into its voting week, on fakes."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.domain.ingestion import LeaderboardRow
from chalicelib.services.entry_progress import EntryProgress
from chalicelib.services.participants import ParticipantService
from chalicelib.services.week_results import WeekResultsService
from chalicelib.domain.submission import hash_access_token
from tests.fakes.stores import FakeLiveScores
from tests.unit.services.test_week_close_service import AFTER_WEEK_1, published

DURING_WEEK_1 = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def scores() -> FakeLiveScores:
    return FakeLiveScores()


@pytest.fixture
def participants(world, scores) -> ParticipantService:
    progress = EntryProgress(world.campaigns, scores, world.week_results)
    return ParticipantService(world.campaigns, world.units, world.entries, world.bucket, progress=progress)


def own(world, submission_id: str) -> str:
    """The participant's access code to the entry."""
    world.entries.put(replace(world.entries.get(submission_id), access_token_hash=hash_access_token("code")))
    return "code"


def test_before_publication_the_page_shows_no_week_and_no_score(world, participants):
    entry = world.entry(status="valid")

    view = participants.view(entry.submission_id, own(world, entry.submission_id), DURING_WEEK_1)

    assert (view["publication"], view["voting_week"], view["live_score"], view["week_result"]) == (None,) * 4


def test_a_published_entry_shows_its_link_its_week_in_vietnam_time_and_its_live_score(world, participants, scores):
    entry_id = published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 10})
    world.entries.put(replace(world.entries.get(entry_id), review={
        "publication": {"platform": "tiktok", "url": "https://www.tiktok.com/@kvhc/video/1"}}))
    breakdown = {"total": "17", "parts": [{"metric": "likes", "value": 10, "weight": 1, "points": "10"}]}
    scores.put_many([LeaderboardRow(f"{world.campaign.id}#1", entry_id, 17, breakdown, "ha-noi-ba-dinh-kim-ma",
                                    "Bài", [], DURING_WEEK_1)])

    view = participants.view(entry_id, own(world, entry_id), DURING_WEEK_1)

    assert view["publication"]["url"] == "https://www.tiktok.com/@kvhc/video/1"
    week = view["voting_week"]
    assert (week["number"], week["state"]) == (1, "open")
    assert week["starts_at_local"]["iso"] == "2024-08-05T00:00:00+07:00"
    assert week["ends_at_local"]["iso"] == "2024-08-12T00:00:00+07:00"
    assert view["live_score"]["score"] == "17" and view["live_score"]["breakdown"][0]["metric"] == "likes"
    assert view["week_result"] is None


def test_after_the_close_the_page_shows_the_rank(world, participants):
    weeks = WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                               world.audit, world.best_scores)
    strong = published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 90, "saves": 9, "shares": 9, "reposts": 9,
                                                        "comments": 1, "views": 900})
    weak = published(world, "hcm-q1-da-kao", {"likes": 10, "saves": 1, "shares": 1, "reposts": 0,
                                              "comments": 0, "views": 100})
    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    view = participants.view(weak, own(world, weak), AFTER_WEEK_1)

    assert view["voting_week"]["state"] == "closed"
    assert (view["week_result"]["rank"], view["week_result"]["of"], view["week_result"]["winner"]) == (2, 2, False)
    assert participants.view(strong, own(world, strong), AFTER_WEEK_1)["week_result"]["winner"] is True
