import copy
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.ranking import live_ranking
from chalicelib.domain.scoring import WeekEntry
from chalicelib.domain.week_result import WeekResult, content_hash, disqualify, freeze_week, verify

SEED = Path(__file__).resolve().parents[2] / "samples/campaigns/khat-vong-hung-cuong.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
OPEN = datetime(2024, 8, 5, tzinfo=VN)
CLOSE = datetime(2024, 8, 12, tzinfo=VN)
AFTER_CLOSE = CLOSE + timedelta(minutes=5)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign_file(SEED)


def entry(entry_id: str, published_hours_after_open: float = 1, **close_values) -> WeekEntry:
    """An entry published inside week 1 (so it opens at zero) measured exactly at the close."""
    values = {"likes": 0, "saves": 0, "shares": 0, "reposts": 0, **close_values}
    published = OPEN + timedelta(hours=published_hours_after_open)
    return WeekEntry(entry_id, published, [Snapshot(CLOSE, "tiktok", values)])


def standings(result):
    return [(row.entry_id, row.rank, row.position) for row in result.rows]


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped(campaign):
    # Given scores 10, 8, 8 and 5
    entries = [entry("a", likes=10), entry("b", likes=8), entry("c", likes=8), entry("d", likes=5)]
    # When the week is frozen
    result = freeze_week(campaign, 1, entries, AFTER_CLOSE)
    # Then ranks are 1, 2, 2, 4
    assert [row.rank for row in result.rows] == [1, 2, 2, 4]
    assert [row.position for row in result.rows] == [1, 2, 3, 4]


def test_tie_break_orders_equal_scores_by_reposts_first_without_changing_the_rank(campaign):
    # Both score 10; "late" has a repost, "early" has none.
    entries = [entry("early", 1, likes=10), entry("late", 5, likes=5, reposts=1)]

    result = freeze_week(campaign, 1, entries, AFTER_CLOSE)

    assert standings(result) == [("late", 1, 1), ("early", 1, 2)]
    assert result.winners == ("late",)
    assert result.outputs.tie_flags == ()


def test_earlier_publication_breaks_a_tie_the_metrics_cannot(campaign):
    entries = [entry("second", 3, likes=10), entry("first", 2, likes=10)]

    result = freeze_week(campaign, 1, entries, AFTER_CLOSE)

    assert result.winners == ("first",)
    assert not result.outputs.requires_confirmation


def test_a_full_tie_across_the_winner_cut_is_flagged_for_organisers(campaign):
    # Identical gains and publication instant: no rule separates them.
    entries = [entry("z", 1, likes=10), entry("y", 1, likes=10), entry("x", 1, likes=2)]

    result = freeze_week(campaign, 1, entries, AFTER_CLOSE)

    (flag,) = result.outputs.tie_flags
    assert flag.cut == "winners"
    assert flag.entry_ids == ("y", "z")
    assert flag.provisionally_inside == ("y",)  # by entry id, only for determinism
    assert result.outputs.row("z").tie_at_cut == ("winners",)
    assert {"code": "tie_at_cut", "cut": "winners", "entry_ids": ["y", "z"]} in result.outputs.confirmations_required
    notice = next(n for n in result.to_dict()["notices"] if n["code"] == "tie_at_cut")
    assert "Ban tổ chức" in notice["message_vi"]


def test_a_full_tie_across_the_finalist_cut_is_flagged(campaign):
    entries = [entry(f"e{i}", i, likes=100 - i) for i in range(4)]
    entries += [entry("t1", 9, likes=50), entry("t2", 9, likes=50), entry("t3", 9, likes=50)]

    result = freeze_week(campaign, 1, entries, AFTER_CLOSE)

    (flag,) = result.outputs.tie_flags
    assert (flag.cut, flag.cut_size, flag.entry_ids) == ("finalists", 5, ("t1", "t2", "t3"))
    assert flag.provisionally_outside == ("t2", "t3")
    assert len(result.finalists) == 5


def test_a_never_measured_weighted_metric_is_flagged_and_needs_confirmation(campaign):
    unmeasured = WeekEntry(
        "blind", OPEN + timedelta(hours=1),
        [Snapshot(CLOSE, "tiktok", {"likes": 40, "saves": 1, "shares": 1, "reposts": None})],
    )

    result = freeze_week(campaign, 1, [unmeasured, entry("ok", likes=10)], AFTER_CLOSE)

    assert result.outputs.row("blind").unmeasured_metrics == ("reposts",)
    assert result.to_dict()["outputs"]["rows"][0]["unmeasured_metrics"] == ["reposts"]
    assert result.outputs.requires_confirmation
    assert result.outputs.confirmations_required[0] == {
        "code": "unmeasured_metrics", "entry_ids": ["blind"],
    }


def test_estimated_boundaries_are_marked_on_the_row(campaign):
    estimated = WeekEntry(
        "est", OPEN - timedelta(days=3),
        [
            Snapshot(OPEN - timedelta(hours=1), "tiktok", {"likes": 10, "saves": 0, "shares": 0, "reposts": 0}),
            Snapshot(OPEN + timedelta(hours=1), "tiktok", {"likes": 30, "saves": 0, "shares": 0, "reposts": 0}),
            Snapshot(CLOSE, "tiktok", {"likes": 120, "saves": 0, "shares": 0, "reposts": 0}),
        ],
    )

    result = freeze_week(campaign, 1, [estimated], AFTER_CLOSE)

    row = result.outputs.row("est")
    assert row.score.total == 100  # 120 at the close minus 20 interpolated at the open
    assert row.estimated and "likes" in row.estimated_metrics
    assert result.outputs.estimated_entries == ("est",)
    inputs = result.to_dict()["inputs"][0]["metrics"]["likes"]
    assert inputs["open"]["method"] == "interpolated" and inputs["open"]["estimated"] is True
    assert [b["value"] for b in inputs["open"]["basis"]] == [10, 30]


def test_post_close_disqualification_makes_version_2_and_leaves_version_1_untouched(campaign):
    # Given a frozen week where "cheat" won and "runner" came second
    entries = [
        entry("cheat", likes=500), entry("runner", likes=400),
        entry("third", likes=300), entry("fourth", likes=200),
        entry("fifth", likes=100), entry("sixth", likes=50),
    ]
    v1 = freeze_week(campaign, 1, entries, AFTER_CLOSE)
    v1_document = copy.deepcopy(v1.to_dict())
    assert v1.winners == ("cheat",)
    assert "sixth" not in v1.finalists
    # When the winner is disqualified after the close
    v2 = disqualify(v1, "cheat", "Mua tương tác ảo")
    # Then version 2 promotes the runner-up and lets the sixth entry into the finalists
    assert v2.version == 2
    assert v2.winners == ("runner",)
    assert v2.finalists == ("runner", "third", "fourth", "fifth", "sixth")
    assert v2.outputs.row("cheat") is None
    assert v2.to_dict()["disqualified"] == [{"entry_id": "cheat", "reason": "Mua tương tác ảo"}]
    assert v2.previous_hash == v1.hash and v2.hash != v1.hash
    # And version 1 is unchanged and still verifies
    assert v1.to_dict() == v1_document
    assert verify(v1) and verify(v2)


def test_disqualification_errors_are_typed(campaign):
    v1 = freeze_week(campaign, 1, [entry("a", likes=1)], AFTER_CLOSE)

    with pytest.raises(NotFound):
        disqualify(v1, "ghost", "x")
    with pytest.raises(InvalidInput):
        disqualify(v1, "a", "  ")
    with pytest.raises(Conflict) as raised:
        disqualify(disqualify(v1, "a", "trùng bài"), "a", "again")
    assert raised.value.code == "already_disqualified"


def test_disqualified_at_close_time_never_enters_the_rows(campaign):
    result = freeze_week(
        campaign, 1, [entry("a", likes=9), entry("b", likes=5)], AFTER_CLOSE,
        disqualified={"a": "Vi phạm bản quyền âm nhạc"},
    )

    assert [row.entry_id for row in result.rows] == ["b"]
    assert result.winners == ("b",)


def test_the_week_cannot_be_frozen_before_it_ends(campaign):
    with pytest.raises(Conflict) as raised:
        freeze_week(campaign, 1, [entry("a", likes=1)], CLOSE - timedelta(seconds=1))
    assert raised.value.code == "week_not_over"


def test_duplicate_entries_are_refused(campaign):
    with pytest.raises(InvalidInput):
        freeze_week(campaign, 1, [entry("a"), entry("a")], AFTER_CLOSE)


def test_frozen_result_is_json_with_inputs_weights_formula_and_a_sha256_hash(campaign):
    result = freeze_week(campaign, 1, [entry("a", likes=100, saves=50, shares=50, reposts=30)], AFTER_CLOSE)

    document = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))

    assert document["rules"]["weights"] == {"likes": 1, "reposts": 5, "saves": 2, "shares": 3}
    assert document["rules"]["formula_version"] == "weighted-sum/1"
    assert document["window"] == {"starts_at": "2024-08-04T17:00:00Z", "ends_at": "2024-08-11T17:00:00Z"}
    assert document["inputs"][0]["metrics"]["reposts"]["close"]["basis"][0] == {
        "at": "2024-08-11T17:00:00Z", "source": "tiktok", "value": 30,
    }
    assert document["outputs"]["rows"][0]["score"] == 500
    assert document["hash"].startswith("sha256:") and len(document["hash"]) == 7 + 64
    assert verify(document)


def test_recomputing_from_the_same_inputs_gives_the_same_hash_in_any_input_order(campaign):
    entries = [entry(f"e{i}", i % 3, likes=(i * 7) % 11, reposts=i % 2) for i in range(12)]
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)

    first = freeze_week(campaign, 1, entries, AFTER_CLOSE)
    again = freeze_week(campaign, 1, shuffled, AFTER_CLOSE + timedelta(days=1))

    assert first.hash == again.hash
    assert WeekResult.from_dict(first.to_dict()).hash == first.hash


def test_tampering_with_an_output_or_an_input_fails_verification(campaign):
    document = freeze_week(campaign, 1, [entry("a", likes=10), entry("b", likes=5)], AFTER_CLOSE).to_dict()

    forged_output = copy.deepcopy(document)
    forged_output["outputs"]["winners"] = ["b"]
    forged_input = copy.deepcopy(document)
    forged_input["inputs"][1]["metrics"]["likes"]["close"]["value"] = 99
    resealed = copy.deepcopy(forged_output)
    resealed["hash"] = content_hash(resealed)  # a forger who re-hashes is still caught

    assert not verify(forged_output)
    assert not verify(forged_input)
    assert not verify(resealed)
    with pytest.raises(Conflict):
        WeekResult.from_dict(resealed)
    # Rewording a notice does not matter: notices are outside the hash.
    reworded = copy.deepcopy(document)
    reworded["notices"] = []
    assert verify(reworded)


def test_live_ranking_counts_gains_up_to_now_while_the_week_is_open(campaign):
    midweek = OPEN + timedelta(days=3)
    live = WeekEntry("a", OPEN + timedelta(hours=1), [
        Snapshot(midweek - timedelta(hours=1), "tiktok", {"likes": 7, "saves": 0, "shares": 0, "reposts": 1}),
    ])
    not_yet = entry("future", published_hours_after_open=100)

    outputs = live_ranking(campaign, 1, [live, not_yet], midweek)

    assert [r.entry_id for r in outputs.rows] == ["a"]
    assert outputs.rows[0].score.total == 12


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8), st.randoms())
def test_ranking_is_a_pure_function_of_the_inputs(campaign, data, rnd):
    entries = [entry(f"e{i}", hours, likes=likes, reposts=reposts) for i, (likes, reposts, hours) in enumerate(data)]
    shuffled = entries[:]
    rnd.shuffle(shuffled)

    a = freeze_week(campaign, 1, entries, AFTER_CLOSE)
    b = freeze_week(campaign, 1, shuffled, AFTER_CLOSE)

    assert a.hash == b.hash
    scores = [row.score.total for row in a.rows]
    assert scores == sorted(scores, reverse=True)
    assert all(row.rank == 1 + sum(s > row.score.total for s in scores) for row in a.rows)


def test_live_ranking_before_the_week_starts_is_refused(campaign):
    with pytest.raises(Conflict):
        live_ranking(campaign, 1, [], OPEN - timedelta(hours=1))
