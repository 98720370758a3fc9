"""Closing a voting week on fakes: closed, unchanged, held for unmeasured metrics, ties."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import Conflict
from chalicelib.domain.week_result import WeekResult
from chalicelib.services.week_results import WeekResultsService
from tests.fakes.world import TREE, organiser_of

PUBLISHED = datetime(2024, 8, 5, 2, 0, tzinfo=timezone.utc)  # inside voting week 1
WEEK_1_ENDS = datetime(2024, 8, 11, 17, 0, tzinfo=timezone.utc)
AFTER_WEEK_1 = WEEK_1_ENDS + timedelta(hours=1)
ORGANISER = organiser_of("dk-tw")  # the campaign's organising unit
EVERY_METRIC = {"likes": 0, "saves": 0, "shares": 0, "reposts": 0, "comments": 0, "views": 0}


@pytest.fixture
def weeks(world) -> WeekResultsService:
    return WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                              world.audit, world.best_scores)


def published(world, unit_id: str, reading: dict) -> str:
    """Given: an entry published in week 1 whose counters went from zero to `reading` by the week's end."""
    entry = world.entry(unit_id, status="published", campaign_week=f"{world.campaign.id}#1",
                        platform_video=f"tiktok#{unit_id}-{len(world.entries.items)}", published_at=PUBLISHED)
    world.snapshots.add(
        entry.submission_id,
        Snapshot(PUBLISHED, "tiktok", dict(EVERY_METRIC) if "saves" in reading else
                 {m: (0 if m in reading else None) for m in EVERY_METRIC}),
        Snapshot(WEEK_1_ENDS - timedelta(minutes=5), "tiktok",
                 {m: reading.get(m) for m in EVERY_METRIC}),
    )
    return entry.submission_id


def test_an_ended_week_is_frozen_once_with_its_winners_and_best_scores(world, weeks):
    strong = published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 90, "saves": 9, "shares": 9, "reposts": 9,
                                                        "comments": 1, "views": 900})
    weak = published(world, "hcm-q1-da-kao", {"likes": 10, "saves": 1, "shares": 1, "reposts": 0,
                                              "comments": 0, "views": 100})

    outcome = weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    assert (outcome["outcome"], outcome["version"], outcome["state"]) == ("closed", 1, "closed")
    stored = world.week_results.latest(world.campaign.id, 1)
    assert [row.entry_id for row in WeekResult.from_dict(stored.document).rows] == [strong, weak]
    assert stored.document["outputs"]["winners"][0] == strong
    assert ("khat-vong-hung-cuong", "ha-noi-ba-dinh-kim-ma") in world.best_scores.best
    assert world.audit_trail.actions() == ["close_week"]


def test_the_close_writes_each_best_score_item_once_however_many_units_share_ancestors(world, weeks):
    grassroots = ["ha-noi-ba-dinh-kim-ma", "ha-noi-ba-dinh-dien-bien", "ha-noi-hoan-kiem-hang-bac",
                  "ha-noi-hoan-kiem-trang-tien", "ha-noi-dong-anh-co-loa"]
    for likes, unit_id in enumerate(grassroots, start=1):
        published(world, unit_id, {"likes": likes * 10, "saves": 1, "shares": 1, "reposts": 1})
    published(world, grassroots[0], {"likes": 5, "saves": 1, "shares": 1, "reposts": 1})  # a second entry

    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    writes = world.best_scores.writes
    assert sorted(unit for kind, unit in writes if kind == "counter") == sorted(grassroots)
    assert sorted(unit for kind, unit in writes if kind == "own_aggregate") == sorted(grassroots)
    ancestors = ["tw", "ha-noi", "ha-noi-ba-dinh", "ha-noi-hoan-kiem", "ha-noi-dong-anh"]
    assert sorted(unit for kind, unit in writes if kind == "subtree_aggregate") == sorted(ancestors + grassroots)
    assert len(writes) == 2 * len(grassroots) + len(ancestors) + len(grassroots)
    best = {unit: world.best_scores.subtree_best[(world.campaign.id, unit)] for unit in ancestors + grassroots}
    assert best["tw"] == best["ha-noi"] == best["ha-noi-dong-anh"] == best["ha-noi-dong-anh-co-loa"]
    assert best["ha-noi-ba-dinh"] == best["ha-noi-ba-dinh-dien-bien"] > best["ha-noi-ba-dinh-kim-ma"]


def test_closing_again_recomputes_the_same_result_and_changes_nothing(world, weeks):
    published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 5, "saves": 1, "shares": 1, "reposts": 1})
    first = weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    again = weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1 + timedelta(days=1))

    assert again["outcome"] == "unchanged" and again["hash"] == first["hash"]
    assert len(world.week_results.versions(world.campaign.id, 1)) == 1


def test_a_week_still_running_cannot_be_closed(world, weeks):
    with pytest.raises(Conflict) as refused:
        weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS - timedelta(seconds=1), principal=ORGANISER)

    assert refused.value.code == "week_not_over"


def test_unmeasured_weighted_metrics_hold_the_scheduled_close_for_confirmation(world, weeks):
    entry = published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 50, "shares": 3})  # saves, reposts never measured

    held = weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    assert (held["outcome"], held["state"]) == ("awaiting_confirmation", "closing")
    assert set(held["unmeasured"][entry]) == {"saves", "reposts"}
    assert world.week_results.latest(world.campaign.id, 1) is None
    assert world.week_results.pending(world.campaign.id, 1).document["awaiting"] == "confirm_unmeasured"


def test_an_organiser_must_confirm_unmeasured_metrics_then_the_week_closes(world, weeks):
    published(world, "ha-noi-ba-dinh-kim-ma", {"likes": 50, "shares": 3})

    with pytest.raises(Conflict) as refused:
        weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1, principal=ORGANISER)
    assert refused.value.code == "unmeasured_confirmation_required"

    confirmed = weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1, principal=ORGANISER, confirm_unmeasured=True)

    assert confirmed["outcome"] == "closed"
    assert world.week_results.latest(world.campaign.id, 1).reason == "confirmed_unmeasured"


def test_equal_scores_share_a_rank_and_the_ranking_names_each_entry(world, weeks):
    same = {"likes": 7, "saves": 2, "shares": 2, "reposts": 1, "comments": 0, "views": 70}
    first = published(world, "ha-noi-ba-dinh-kim-ma", same)
    second = published(world, "hcm-q1-da-kao", same)
    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)

    ranking = weeks.ranking(world.campaign.id, 1, None, AFTER_WEEK_1)

    rows = {row["entry_id"]: row for row in ranking["rows"]}
    assert rows[first]["rank"] == rows[second]["rank"] == 1
    assert rows[second]["unit_name"] == TREE.find("hcm-q1-da-kao").name
    assert rows[first]["title"] == world.entries.get(first).title
