"""Minimum entries per unit (seed 004) and weekly/monthly posting quotas (seed 001)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import parse_campaign
from chalicelib.domain.compliance import units_below_minimum
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import OrgTree
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.posting_quota import (
    PostedLink,
    contains_hashtag,
    monthly_summary,
    normalise_url,
    weekly_posting_table,
)
from chalicelib.domain.rollup import UnitCounters
from chalicelib.domain.weeks import CalendarWeek, campaign_weeks, week_of, weeks_between

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc


@pytest.fixture(scope="module")
def tree() -> OrgTree:
    return load_tree_csv((ROOT / "samples" / "organisation.csv").read_text(encoding="utf-8"))


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


# --- (1) minimum entries ---------------------------------------------------


def test_seed_004_lists_districts_below_the_minimum(tree: OrgTree) -> None:
    # Given the Lào Cai campaign (min 2 clips per unit); Sa Pa entered 2, Bát Xát 1
    campaign = parse_campaign(
        json.loads((ROOT / "samples/campaigns/clip-phan-bac-thong-tin-xau-doc.json").read_text("utf-8"))
    )
    counters = {
        "tinh-lc-sa-pa": UnitCounters(entries=2, valid=2),
        "tinh-lc-bat-xat": UnitCounters(entries=1, valid=1),
    }
    # When checking from the province
    report = units_below_minimum(tree, campaign.organiser_unit, counters, campaign.min_entries_per_unit)
    # Then the checked level defaults to districts (lowest level with entries)
    assert report.level == "district" and report.units_checked == 2
    below = [(s.unit.unit_id, s.count, s.missing) for b in report.branches for s in b.below]
    assert below == [("tinh-lc-bat-xat", 1, 1)]
    assert report.units_below == 1


def test_invalid_and_disqualified_clips_do_not_count(tree: OrgTree) -> None:
    counters = {"tinh-lc-sa-pa": UnitCounters(entries=3, valid=1, invalid=1, disqualified=1)}
    report = units_below_minimum(tree, "tinh-lc", counters, 2, level="district")
    assert {s.unit.unit_id: s.count for b in report.branches for s in b.below} == {
        "tinh-lc-sa-pa": 1,
        "tinh-lc-bat-xat": 0,
    }
    everything = units_below_minimum(tree, "tinh-lc", counters, 2, level="district", counter="entries")
    assert [s.unit.unit_id for b in everything.branches for s in b.below] == ["tinh-lc-bat-xat"]


def test_no_entries_defaults_to_the_level_below_the_scope(tree: OrgTree) -> None:
    report = units_below_minimum(tree, "tinh-lc", {}, 2)
    assert report.level == "district" and report.units_below == 2


def test_central_view_groups_shortfalls_per_province(tree: OrgTree) -> None:
    # Given ward-level entries in two provinces
    counters = {
        "ha-noi-ba-dinh-kim-ma": UnitCounters(entries=2, valid=2),
        "hcm-q1-ben-nghe": UnitCounters(entries=1, valid=1),
    }
    # When the central organiser checks
    report = units_below_minimum(tree, "tw", counters, 1)
    # Then grassroots is checked and every province is a group
    assert report.level == "grassroots"
    groups = {b.branch.unit_id: b for b in report.branches}
    assert list(groups) == ["dk-tw", "ha-noi", "hcm", "da-nang", "tinh-lc"]
    assert groups["ha-noi"].units_checked == 5
    assert "ha-noi-ba-dinh-kim-ma" not in [s.unit.unit_id for s in groups["ha-noi"].below]
    assert len(groups["ha-noi"].below) == 4
    assert "hcm-q1-ben-nghe" not in [s.unit.unit_id for s in groups["hcm"].below]


def test_ward_entries_count_towards_their_district(tree: OrgTree) -> None:
    counters = {"ha-noi-ba-dinh-kim-ma": UnitCounters(entries=1, valid=1),
                "ha-noi-ba-dinh-dien-bien": UnitCounters(entries=1, valid=1)}
    report = units_below_minimum(tree, "ha-noi", counters, 2, level="district")
    assert [s.unit.unit_id for b in report.branches for s in b.below] == [
        "ha-noi-hoan-kiem",
        "ha-noi-dong-anh",
    ]


def test_sibling_entries_do_not_choose_the_level(tree: OrgTree) -> None:
    # Entries outside the branch must not drag the default level down
    counters = {"hcm-q1-ben-nghe": UnitCounters(entries=5, valid=5)}
    assert units_below_minimum(tree, "tinh-lc", counters, 1).level == "district"


def test_level_above_scope_is_refused(tree: OrgTree) -> None:
    with pytest.raises(InvalidInput) as caught:
        units_below_minimum(tree, "tinh-lc", {}, 1, level="central")
    assert caught.value.code == "level_above_scope"


def test_grassroots_scope_checks_itself(tree: OrgTree) -> None:
    report = units_below_minimum(tree, "tinh-lc-sa-pa-ta-van", {}, 1)
    assert report.level == "grassroots"
    assert [b.branch.unit_id for b in report.branches] == ["tinh-lc-sa-pa-ta-van"]
    assert report.units_below == 1


# --- weeks -----------------------------------------------------------------


def test_week_boundary_is_monday_midnight_vietnam_time() -> None:
    # Given Sunday 23:30 and Monday 00:00 in Hà Nội, expressed in UTC
    sunday_late = datetime(2024, 5, 5, 16, 30, tzinfo=UTC)  # Sun 23:30 +07
    monday_start = datetime(2024, 5, 5, 17, 0, tzinfo=UTC)  # Mon 00:00 +07, still Sunday in UTC
    # Then they fall in different Vietnam weeks, although both are Sunday in UTC
    assert week_of(sunday_late).monday == date(2024, 4, 29)
    assert week_of(monday_start).monday == date(2024, 5, 6)
    assert week_of(monday_start).starts_at == monday_start


def test_week_of_refuses_naive_times() -> None:
    with pytest.raises(InvalidInput):
        week_of(datetime(2024, 5, 6, 12, 0))


def test_weeks_between_covers_partial_weeks() -> None:
    weeks = weeks_between(date(2024, 5, 1), date(2024, 5, 13))
    assert [w.monday for w in weeks] == [date(2024, 4, 29), date(2024, 5, 6), date(2024, 5, 13)]
    assert weeks[0].key == "2024-W18"
    with pytest.raises(InvalidInput):
        weeks_between(date(2024, 5, 2), date(2024, 5, 1))


def test_campaign_weeks_stop_before_an_exclusive_monday_close() -> None:
    campaign = parse_campaign(
        json.loads((ROOT / "samples/campaigns/khat-vong-hung-cuong.json").read_text("utf-8"))
    )
    weeks = campaign_weeks(campaign)  # 2024-05-01 (Wed) to 2024-08-31 00:00 (Sat)
    assert weeks[0].monday == date(2024, 4, 29)
    assert weeks[-1].monday == date(2024, 8, 26)


# --- (2) weekly posting quota ----------------------------------------------

HN_DISTRICTS = ["ha-noi-ba-dinh", "ha-noi-hoan-kiem", "ha-noi-dong-anh"]


def link(unit_id: str, at: datetime, n: int, hashtag: bool = True) -> PostedLink:
    return PostedLink(unit_id, at, f"https://www.tiktok.com/@u/video/{unit_id}-{n}", hashtag)


def test_weekly_table_marks_met_and_missed(tree: OrgTree) -> None:
    # Given a quota of 2 a week; Ba Đình posts 2 in week 1 and 1 in week 2
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 19))
    links = [
        link("ha-noi-ba-dinh", vn(2024, 5, 6, 9), 1),
        link("ha-noi-ba-dinh", vn(2024, 5, 12, 23, 59), 2),
        link("ha-noi-ba-dinh", vn(2024, 5, 13, 0, 0), 3),
        link("ha-noi-hoan-kiem", vn(2024, 5, 7, 9), 4, hashtag=False),
        link("ha-noi-hoan-kiem", vn(2024, 5, 8, 9), 5),
    ]
    # When tabulating for Hà Nội
    table = weekly_posting_table(tree, "ha-noi", links, weeks, per_week=2)
    # Then districts are checked week by week
    assert table.level == "district"
    assert [u.unit_id for u in table.units] == HN_DISTRICTS
    assert [(c.posted, c.met) for c in table.cells["ha-noi-ba-dinh"]] == [(2, True), (1, False)]
    assert [(c.posted, c.met) for c in table.cells["ha-noi-hoan-kiem"]] == [(1, False), (0, False)]
    assert [(s.units_met, s.units_missed, s.items_posted) for s in table.week_summaries()] == [
        (1, 2, 3),
        (0, 3, 1),
    ]
    assert table.ignored == {"no_hashtag": 1}


def test_sunday_night_post_counts_for_the_vietnam_week_not_the_utc_one(tree: OrgTree) -> None:
    # Given a post at Monday 06:00 Hà Nội time, which is still Sunday in UTC
    weeks = weeks_between(date(2024, 4, 29), date(2024, 5, 12))
    early_monday = datetime(2024, 5, 5, 23, 0, tzinfo=UTC)
    table = weekly_posting_table(
        tree, "ha-noi", [link("ha-noi-dong-anh", early_monday, 1)], weeks, per_week=1, level="district"
    )
    # Then it counts in the week starting Monday 6 May
    assert [c.posted for c in table.cells["ha-noi-dong-anh"]] == [0, 1]


def test_duplicates_out_of_range_and_out_of_scope_links_are_ignored(tree: OrgTree) -> None:
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 12))
    same = "https://www.tiktok.com/@doan/video/123"
    links = [
        PostedLink("ha-noi-ba-dinh", vn(2024, 5, 7, 10), same + "/", True),
        PostedLink("ha-noi-ba-dinh", vn(2024, 5, 6, 10), "HTTPS://WWW.TIKTOK.COM/@doan/video/123#x", True),
        link("ha-noi-ba-dinh", vn(2024, 5, 13, 0), 9),  # next week
        link("hcm-q1", vn(2024, 5, 7, 10), 1),  # another province
        link("ha-noi-2-nowhere", vn(2024, 5, 7, 10), 1),  # unknown unit
    ]
    table = weekly_posting_table(tree, "ha-noi", links, weeks, per_week=1, level="district")
    assert table.cells["ha-noi-ba-dinh"][0].posted == 1
    assert table.ignored == {"duplicate_url": 1, "outside_weeks": 1, "outside_scope": 2}


def test_ward_posts_count_for_their_district_and_province_posts_are_not_attributed(tree: OrgTree) -> None:
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 12))
    links = [
        link("ha-noi-ba-dinh-kim-ma", vn(2024, 5, 7, 10), 1),
        link("ha-noi", vn(2024, 5, 7, 10), 2),
    ]
    table = weekly_posting_table(tree, "ha-noi", links, weeks, per_week=1, level="district")
    assert table.cells["ha-noi-ba-dinh"][0].met
    assert table.ignored == {"above_level": 1}


def test_default_level_is_the_lowest_level_that_posted(tree: OrgTree) -> None:
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 12))
    table = weekly_posting_table(
        tree, "ha-noi", [link("ha-noi-ba-dinh-kim-ma", vn(2024, 5, 7, 10), 1)], weeks, per_week=1
    )
    assert table.level == "grassroots" and len(table.units) == 5


def test_quota_input_validation(tree: OrgTree) -> None:
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 12))
    with pytest.raises(InvalidInput):
        weekly_posting_table(tree, "ha-noi", [], weeks, per_week=0)
    with pytest.raises(InvalidInput):
        weekly_posting_table(tree, "ha-noi", [], [], per_week=1)
    with pytest.raises(InvalidInput):
        weekly_posting_table(
            tree, "ha-noi", [PostedLink("ha-noi", datetime(2024, 5, 7), "u", True)], weeks, per_week=1
        )


def test_table_serialises(tree: OrgTree) -> None:
    weeks = weeks_between(date(2024, 5, 6), date(2024, 5, 12))
    data = weekly_posting_table(tree, "ha-noi", [], weeks, per_week=1).to_dict()
    assert data["weeks"][0]["starts_at"] == "2024-05-06T00:00:00+07:00"
    assert data["week_summaries"][0]["units_missed"] == 3


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Tự hào #KhatVongHungCuong 🇻🇳", True),
        ("#khatvonghungcuong", True),
        ("#KhatVongHungCuong2024", False),
        ("KhatVongHungCuong", False),
        ("#KhátVọngHùngCường", False),
    ],
)
def test_contains_hashtag(caption: str, expected: bool) -> None:
    assert contains_hashtag(caption, "#KhatVongHungCuong") is expected


def test_normalise_url_keeps_the_query_that_identifies_a_post() -> None:
    a = normalise_url("https://www.facebook.com/permalink.php?story_fbid=1&id=2")
    b = normalise_url("https://www.facebook.com/permalink.php?story_fbid=3&id=2")
    assert a != b


# --- (3) monthly summary ---------------------------------------------------


def test_month_starting_mid_week_takes_the_week_holding_its_thursday(tree: OrgTree) -> None:
    # Given May 2024 (starts Wednesday) and June 2024 (starts Saturday)
    weeks = weeks_between(date(2024, 5, 1), date(2024, 6, 30))
    # Ba Đình posts every week except the week of 27 May; posts on 30 Apr and 1 Jun
    links = [
        link("ha-noi-ba-dinh", vn(2024, 4, 30, 8), 0),  # April day, week of 29 Apr -> May
        *[link("ha-noi-ba-dinh", vn(2024, 5, 7 + 7 * i, 8), i + 1) for i in range(3)],
        link("ha-noi-hoan-kiem", vn(2024, 6, 1, 8), 50),  # June day, week of 27 May -> May
        *[link("ha-noi-ba-dinh", vn(2024, 6, 4 + 7 * i, 8), i + 10) for i in range(4)],
    ]
    table = weekly_posting_table(tree, "ha-noi", links, weeks, per_week=1, level="district")
    # When summarising per month
    may, june = monthly_summary(table)
    # Then 29 Apr-5 May belongs to May (Thursday 2 May) and 27 May-2 Jun too (Thursday 30 May)
    assert may.key == "2024-05" and june.key == "2024-06"
    assert [w.monday for w in may.weeks] == [date(2024, 4, 29) + timedelta(weeks=i) for i in range(5)]
    assert [w.monday for w in june.weeks] == [date(2024, 6, 3) + timedelta(weeks=i) for i in range(4)]
    units = {u.unit.unit_id: u for u in may.units}
    assert (units["ha-noi-ba-dinh"].weeks_met, units["ha-noi-ba-dinh"].status) == (4, "some_weeks")
    assert units["ha-noi-hoan-kiem"].status == "some_weeks"
    assert units["ha-noi-dong-anh"].status == "no_week"
    assert may.items_posted == 5
    assert (may.units_with("every_week"), may.units_with("some_weeks"), may.units_with("no_week")) == (0, 2, 1)
    june_units = {u.unit.unit_id: u for u in june.units}
    assert june_units["ha-noi-ba-dinh"].status == "every_week"
    assert june.items_posted == 4
    assert june.to_dict()["units_met_every_week"] == 1


def test_week_straddling_into_a_month_that_starts_on_thursday() -> None:
    # August 2024 starts on a Thursday: the week of 29 July belongs to August
    assert CalendarWeek(date(2024, 7, 29), VN).month == (2024, 8)
    # September 2024 starts on a Sunday: the week of 26 August belongs to August
    assert CalendarWeek(date(2024, 8, 26), VN).month == (2024, 8)


def test_from_stored_totals_the_default_is_the_scopes_direct_children(tree: OrgTree) -> None:
    from chalicelib.domain.compliance import units_below_minimum_from_totals, units_to_check

    # Given a province whose districts' branch totals are stored (a ward's clips count for its district)
    level, checked = units_to_check(tree, "tinh-lc", None)
    assert level == "district" and {u.unit_id for u in checked} == {"tinh-lc-sa-pa", "tinh-lc-bat-xat"}
    totals = {"tinh-lc-sa-pa": UnitCounters(entries=3, valid=2), "tinh-lc-bat-xat": UnitCounters(entries=1, valid=1)}
    report = units_below_minimum_from_totals(tree, "tinh-lc", level, totals, 2)
    assert [(s.unit.unit_id, s.count, s.missing) for b in report.branches for s in b.below] == [
        ("tinh-lc-bat-xat", 1, 1)]
    # A unit with no stored total has no entries at all
    assert units_below_minimum_from_totals(tree, "tinh-lc", level, {}, 2).units_below == 2
    # The same shortfalls as the report summed from every counter item of the branch
    summed = units_below_minimum(tree, "tinh-lc", totals, 2, level="district")
    assert summed.to_dict() == report.to_dict()


def test_from_stored_totals_a_level_above_the_scope_is_refused_and_a_grassroots_scope_checks_itself(
        tree: OrgTree) -> None:
    from chalicelib.domain.compliance import units_to_check

    with pytest.raises(InvalidInput) as refused:
        units_to_check(tree, "tinh-lc", "central")
    assert refused.value.code == "level_above_scope"
    ward = next(u for u in tree if u.level == "grassroots")
    assert units_to_check(tree, ward.unit_id, None) == ("grassroots", (ward,))
