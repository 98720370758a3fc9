import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.awards import AwardEntry, campaign_end, special_awards
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
END = datetime(2024, 9, 2, tzinfo=VN)
PUBLISHED = datetime(2024, 8, 1, tzinfo=VN)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def entry(entry_id, unit, views=None, valid=True, at=END):
    snapshots = [Snapshot(at, "tiktok", {"views": views})] if views is not None else []
    return AwardEntry(entry_id, unit, PUBLISHED, valid, snapshots)


def awards_by_kind(campaign, entries, at=None):
    return {a.kind: a for a in special_awards(campaign, entries, at)}


def test_campaign_ends_when_the_last_voting_week_closes(campaign):
    assert campaign_end(campaign) == datetime(2024, 9, 1, 17, tzinfo=timezone.utc)


def test_the_unit_with_most_valid_entries_wins_and_invalid_entries_do_not_count(campaign):
    entries = [
        entry("a1", "ha-noi-ba-dinh"), entry("a2", "ha-noi-ba-dinh"),
        entry("b1", "dk-tw-bo-ct"), entry("b2", "dk-tw-bo-ct"), entry("b3", "dk-tw-bo-ct", valid=False),
        entry("c1", "ha-noi"),
    ]

    award = awards_by_kind(campaign, entries)["most_entries_unit"]

    assert award.winners == ("dk-tw-bo-ct", "ha-noi-ba-dinh")
    assert award.tied and award.value == 2
    assert award.key == "most-entries-unit"
    assert award.to_dict()["evidence"]["leaders"][2] == {"unit_id": "ha-noi", "entries": 1}


def test_the_most_viewed_entry_at_campaign_end_wins(campaign):
    entries = [entry("a", "u1", 5000), entry("b", "u2", 9000), entry("c", "u3", 99999, valid=False), entry("d", "u4")]

    award = awards_by_kind(campaign, entries)["most_viewed_entry"]

    assert (award.winners, award.value, award.estimated) == (("b",), 9000, False)
    assert award.evidence["unmeasured"] == ["d"]
    json.dumps([a.to_dict() for a in special_awards(campaign, entries)], ensure_ascii=False)


def test_views_at_the_end_are_interpolated_between_snapshots_and_marked_estimated(campaign):
    late = AwardEntry("late", "u1", PUBLISHED, snapshots=[
        Snapshot(END - timedelta(hours=1), "tiktok", {"views": 1000}),
        Snapshot(END + timedelta(hours=1), "tiktok", {"views": 3000}),
    ])
    # A snapshot after the end must not count in full.
    steady = entry("steady", "u2", 1800)

    award = awards_by_kind(campaign, [late, steady])["most_viewed_entry"]

    assert award.winners == ("late",) and award.value == 2000
    assert award.estimated


def test_equal_views_are_a_listed_tie(campaign):
    award = awards_by_kind(campaign, [entry("x", "u", 10), entry("y", "v", 10)])["most_viewed_entry"]

    assert award.winners == ("x", "y") and award.tied


def test_no_valid_entries_means_no_winner(campaign):
    outcomes = awards_by_kind(campaign, [entry("x", "u", 10, valid=False)])

    assert outcomes["most_entries_unit"].winners == ()
    assert outcomes["most_viewed_entry"].winners == ()
