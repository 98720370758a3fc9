import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.jury import (
    ConflictOfInterest,
    Finalist,
    InvalidScore,
    Judge,
    Scorecard,
    check_declared_conflicts,
    ensure_can_score,
    in_subtree,
    judge_for,
    jury_pool,
    jury_results,
    score_entry,
    validate_points,
)
from chalicelib.domain.scoring import WeekEntry
from chalicelib.domain.week_result import disqualify, freeze_week
from chalicelib.domain.weeks import week_window

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def frozen_week(campaign, number: int, count: int = 6):
    start, end = week_window(campaign, number)
    entries = [
        WeekEntry(
            f"w{number}-e{i}", start + timedelta(hours=1),
            [Snapshot(end, "tiktok", {"likes": 100 - i, "saves": 0, "shares": 0, "reposts": 0})],
        )
        for i in range(count)
    ]
    return freeze_week(campaign, number, entries, end)


def points(message, creativity, craft):
    return {"message": message, "creativity": creativity, "craft": craft}


# --- pool --------------------------------------------------------------------


def test_four_weeks_of_five_finalists_make_a_jury_pool_of_twenty(campaign):
    results = [frozen_week(campaign, n) for n in (1, 2, 3, 4)]

    pool = jury_pool(campaign, results)

    assert len(pool.entry_ids) == 20
    assert pool.entry_ids[:5] == ("w1-e0", "w1-e1", "w1-e2", "w1-e3", "w1-e4")
    assert pool.week_versions == {1: 1, 2: 1, 3: 1, 4: 1}
    json.dumps(pool.to_dict())


def test_the_pool_follows_the_latest_version_of_each_week(campaign):
    week1 = frozen_week(campaign, 1)
    week1_v2 = disqualify(week1, "w1-e0", "Sao chép nội dung")
    results = [week1, week1_v2] + [frozen_week(campaign, n) for n in (2, 3, 4)]

    pool = jury_pool(campaign, results)

    assert "w1-e0" not in pool.entry_ids and "w1-e5" in pool.entry_ids
    assert pool.week_versions[1] == 2


def test_the_pool_waits_for_every_week_to_be_frozen(campaign):
    with pytest.raises(Conflict) as raised:
        jury_pool(campaign, [frozen_week(campaign, 1)])
    assert raised.value.details["weeks"] == [2, 3, 4]


# --- conflict of interest ------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_path", "judge_path", "blocked"),
    [
        ("tw/ha-noi/ha-noi-ba-dinh", "tw/ha-noi", True),      # below the judge's unit
        ("tw/ha-noi", "tw/ha-noi", True),                     # the judge's own unit
        ("tw/ha-noi-x/abc", "tw/ha-noi", False),              # same prefix, different unit
        ("tw/ha-noi", "tw/ha-noi/ha-noi-ba-dinh", False),     # above the judge's unit
        ("tw/dk-tw/dk-tw-bo-ct", None, False),                # outside judge
    ],
)
def test_subtree_rule(entry_path, judge_path, blocked):
    assert in_subtree(entry_path, judge_path) is blocked


def test_a_judge_is_blocked_from_scoring_an_entry_in_their_own_subtree(campaign):
    # Given a judge from the Hanoi city union and an entry from Ba Dinh district
    judge = Judge("judge-hn", "tw/ha-noi")
    entry = Finalist("e1", "tw/ha-noi/ha-noi-ba-dinh/ha-noi-ba-dinh-kim-ma")
    # When the judge tries to score it
    with pytest.raises(ConflictOfInterest) as raised:
        score_entry(campaign, judge, entry, points(30, 20, 20))
    # Then a typed Forbidden error explains why, in both languages
    assert isinstance(raised.value, Forbidden)
    assert raised.value.code == "judge_own_subtree"
    assert "đơn vị" in raised.value.message_vi
    assert raised.value.details["entry_id"] == "e1"
    ensure_can_score(Judge("judge-dk", "tw/dk-tw"), entry)  # another branch is fine


# --- scorecards ------------------------------------------------------------------


def test_points_must_cover_every_criterion_within_its_maximum(campaign):
    assert validate_points(campaign, points(40, "7.5", 0)) == {
        "message": 40, "creativity": Fraction(15, 2), "craft": 0,
    }
    with pytest.raises(InvalidScore) as raised:
        validate_points(campaign, {"message": 41, "creativity": -1, "style": 3})
    problems = {(p["criterion"], p["problem"]) for p in raised.value.details["problems"]}
    assert problems == {
        ("message", "out_of_range"), ("creativity", "out_of_range"),
        ("craft", "missing"), ("style", "unknown"),
    }
    assert isinstance(raised.value, InvalidInput)
    for bad in (True, float("nan"), "abc", None):
        with pytest.raises(InvalidScore):
            validate_points(campaign, points(bad, 1, 1))


# --- results -------------------------------------------------------------------------


def card(judge, entry, total_message, creativity=20, craft=20):
    return Scorecard(judge, entry, {"message": Fraction(total_message), "creativity": Fraction(creativity), "craft": Fraction(craft)})


def test_jury_score_is_the_mean_of_judges_totals_and_tiers_fill_in_order(campaign):
    finalists = [Finalist(f"e{i:02d}", f"tw/unit-{i}") for i in range(12)]
    judges = [Judge("j1", "tw/dk-tw"), Judge("j2", None)]
    # Entry e00 gets 90 and 80 -> 85; then strictly decreasing means.
    cards = []
    for i, finalist in enumerate(finalists):
        cards.append(card("j1", finalist.entry_id, 40 - i, 30, 20))
        cards.append(card("j2", finalist.entry_id, 30 - i, 30, 20))

    result = jury_results(campaign, finalists, judges, cards)

    first = result.standings[0]
    assert (first.entry_id, first.average, first.judge_count) == ("e00", 85, 2)
    assert result.awarded() == {
        "first": ["e00"],
        "second": ["e01", "e02"],
        "third": ["e03", "e04", "e05"],
        "consolation": ["e06", "e07", "e08", "e09", "e10"],
    }
    assert result.prize_of("e11") is None
    assert result.tie_flags == ()
    assert result.complete
    json.dumps(result.to_dict())


def test_a_tie_across_a_prize_tier_boundary_is_flagged(campaign):
    # Positions 3 and 4 straddle second/third and have the same mean.
    finalists = [Finalist(f"e{i}", f"tw/u{i}") for i in range(5)]
    judges = [Judge("j1")]
    totals = {"e0": 40, "e1": 35, "e2": 30, "e3": 30, "e4": 10}
    cards = [card("j1", e, t) for e, t in totals.items()]

    result = jury_results(campaign, finalists, judges, cards)

    (flag,) = result.tie_flags
    assert (flag.upper_tier, flag.lower_tier) == ("second", "third")
    assert flag.entry_ids == ("e2", "e3")
    assert flag.provisionally_upper == ("e2",)
    assert [s.rank for s in result.standings] == [1, 2, 3, 3, 5]
    assert "Ban tổ chức" in result.to_dict()["tie_flags"][0]["message_vi"]


def test_a_tie_at_the_last_prize_is_flagged_against_no_prize(campaign):
    finalists = [Finalist(f"e{i:02d}", f"tw/u{i}") for i in range(12)]
    cards = [card("j1", f.entry_id, 40 - i if i < 10 else 30) for i, f in enumerate(finalists)]

    result = jury_results(campaign, finalists, [Judge("j1")], cards)

    (flag,) = result.tie_flags
    assert (flag.upper_tier, flag.lower_tier) == ("consolation", None)
    assert flag.entry_ids == ("e10", "e11")


def test_conflicted_judges_do_not_count_as_missing_and_unscored_entries_are_listed(campaign):
    finalists = [Finalist("hn", "tw/ha-noi/ha-noi-ba-dinh"), Finalist("dk", "tw/dk-tw"), Finalist("none", "tw/x")]
    judges = [Judge("hanoi-judge", "tw/ha-noi"), Judge("outside")]
    cards = [card("hanoi-judge", "dk", 30), card("outside", "dk", 20), card("outside", "hn", 35)]

    result = jury_results(campaign, finalists, judges, cards)

    assert [(s.entry_id, s.average, s.judge_count) for s in result.standings] == [
        ("hn", 75, 1), ("dk", 65, 2),
    ]
    assert result.missing_scorecards == (("hanoi-judge", "none"), ("outside", "none"))
    assert result.unscored == ("none",)
    assert not result.complete


def test_results_refuse_conflicted_or_duplicate_scorecards(campaign):
    finalists = [Finalist("hn", "tw/ha-noi/ha-noi-ba-dinh")]
    with pytest.raises(ConflictOfInterest):
        jury_results(campaign, finalists, [Judge("j", "tw/ha-noi")], [card("j", "hn", 10)])
    with pytest.raises(Conflict):
        jury_results(campaign, finalists, [Judge("j")], [card("j", "hn", 10), card("j", "hn", 12)])
    with pytest.raises(InvalidInput):
        jury_results(campaign, finalists, [Judge("j")], [card("stranger", "hn", 10)])


def test_stored_scorecards_with_decimal_points_stay_exact():
    from decimal import Decimal

    stored = Scorecard("j", "e", {"message": Decimal("33.5"), "creativity": Decimal("20"), "craft": 0.1})

    assert stored.total == Fraction("53.6")
    with pytest.raises(InvalidScore):
        Scorecard("j", "e", {"message": "lots"})


# --- declared conflicts (issue 11) ---------------------------------------------------

def test_the_organising_unit_is_no_conflict_for_a_judge_who_belongs_to_it():
    """jury-1 belongs to Đoàn Khối, the root of every entry of seed 000's contest: before, they could
    score nothing. Their declared units are what conflicts."""
    judge = judge_for("jury-1", "tw/dk-tw", "tw/dk-tw", ["tw/dk-tw/dk-tw-bo-tttt"])

    assert not judge.conflicts_with("tw/dk-tw/dk-tw-bo-ct/dk-tw-bo-ct-vp")
    assert judge.conflicts_with("tw/dk-tw/dk-tw-bo-tttt/dk-tw-bo-tttt-bc")
    with pytest.raises(ConflictOfInterest):
        ensure_can_score(judge, Finalist("e", "tw/dk-tw/dk-tw-bo-tttt/dk-tw-bo-tttt-bc"))


def test_a_judges_own_unit_stays_a_conflict_in_a_campaign_organised_above_it():
    judge = judge_for("jury-1", "tw/dk-tw", "tw", [])

    assert judge.conflicts_with("tw/dk-tw/dk-tw-vhl") and not judge.conflicts_with("tw/ha-noi")


def test_declared_units_must_exist_and_never_cover_the_organising_unit():
    paths = {"dk-tw-vhl": "tw/dk-tw/dk-tw-vhl", "dk-tw": "tw/dk-tw", "tw": "tw", "nowhere": None}

    assert check_declared_conflicts(["dk-tw-vhl", "dk-tw-vhl"], paths, "tw/dk-tw") == ("dk-tw-vhl",)
    with pytest.raises(InvalidInput) as unknown:
        check_declared_conflicts(["nowhere"], paths, "tw/dk-tw")
    assert unknown.value.code == "unknown_unit"
    for covering in ("dk-tw", "tw"):
        with pytest.raises(InvalidInput) as refused:
            check_declared_conflicts([covering], paths, "tw/dk-tw")
        assert refused.value.code == "organising_unit_not_a_conflict"
