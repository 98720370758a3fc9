"""Per-unit counters, status-transition deltas and branch roll-ups."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import OrgTree
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.rollup import (
    STATUS_COUNTERS,
    UnitCounters,
    apply_deltas,
    branch_totals,
    build_branch_report,
    counter_deltas,
    counters_from_items,
    raise_best_weekly_score,
    required_minimums,
    weekly_bests,
)

TREE_CSV = (
    "unit_id,name,parent_id,level\n"
    "tw,TW,,central\n"
    "hn,Hà Nội,tw,province\n"
    "hn-bd,Ba Đình,hn,district\n"
    "hn-bd-km,Kim Mã,hn-bd,grassroots\n"
    "hn-bd-db,Điện Biên,hn-bd,grassroots\n"
    "hn-hk,Hoàn Kiếm,hn,district\n"
    "hn-2,Hà Nội 2,tw,province\n"
)


@pytest.fixture
def tree() -> OrgTree:
    return load_tree_csv(TREE_CSV)


# --- deltas ----------------------------------------------------------------


def test_creating_an_entry_awaiting_its_upload_adds_one_entry() -> None:
    assert counter_deltas(None, "awaiting_upload") == {"entries": 1}


def test_passing_media_checks_moves_nothing_but_valid() -> None:
    assert counter_deltas("awaiting_upload", "valid") == {"valid": 1}


def test_publishing_an_entry_that_skipped_approval() -> None:
    assert counter_deltas("valid", "published") == {"approved": 1, "published": 1}


def test_disqualifying_a_published_entry() -> None:
    # Given a published entry / When disqualified
    deltas = counter_deltas("published", "disqualified")
    # Then it leaves valid/approved/published and joins disqualified; still one entry
    assert deltas == {"valid": -1, "approved": -1, "published": -1, "disqualified": 1}
    assert required_minimums(deltas) == {"valid": 1, "approved": 1, "published": 1}


def test_same_status_writes_nothing() -> None:
    assert counter_deltas("approved", "approved") == {}


def test_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        counter_deltas("awaiting_upload", "teleported")
    assert caught.value.code == "unknown_submission_status"


statuses = st.sampled_from(sorted(STATUS_COUNTERS, key=str))


@given(st.lists(statuses, min_size=1, max_size=12))
def test_any_lifecycle_ends_with_counters_matching_the_final_status(path: list) -> None:
    # Given a submission walking through arbitrary statuses from creation
    counters = UnitCounters()
    previous = None
    for status in path:
        counters = apply_deltas(counters, counter_deltas(previous, status))
        previous = status
    # Then the counters hold exactly what the final status implies
    expected = UnitCounters(**{name: 1 for name in STATUS_COUNTERS[previous]})
    assert counters == expected


def test_every_transition_pair_is_defined() -> None:
    for old, new in product(STATUS_COUNTERS, repeat=2):
        counter_deltas(old, new)


def test_counters_never_go_negative() -> None:
    with pytest.raises(InvalidInput) as caught:
        apply_deltas(UnitCounters(), counter_deltas("valid", "invalid"))
    assert caught.value.code == "counter_underflow"


def test_best_weekly_score_only_rises() -> None:
    counters = raise_best_weekly_score(UnitCounters(), Fraction(7, 2))
    counters = raise_best_weekly_score(counters, 3)
    assert counters.best_weekly_score == Fraction(7, 2)


def test_a_weeks_bests_keep_each_units_best_and_each_ancestors_once() -> None:
    bests = weekly_bests([
        ("km", "tw/hn/bd/km", Fraction(7, 2)),
        ("km", "tw/hn/bd/km", 9),
        ("db", "tw/hn/bd/db", 4),
        ("hk", "tw/hn/hk", Fraction(1, 2)),
    ])
    assert bests.own == {"km": ("tw/hn/bd/km", 9), "db": ("tw/hn/bd/db", 4), "hk": ("tw/hn/hk", Fraction(1, 2))}
    assert bests.subtree == {"tw": 9, "hn": 9, "bd": 9, "km": 9, "db": 4, "hk": Fraction(1, 2)}


def test_a_week_without_scores_has_no_bests() -> None:
    bests = weekly_bests([])
    assert bests.own == {} and bests.subtree == {}


# --- roll-up ---------------------------------------------------------------


def test_branch_report_sums_each_child_branch(tree: OrgTree) -> None:
    # Given counters at the province, two wards and a district
    counters = {
        "hn": UnitCounters(entries=1, valid=1),
        "hn-bd-km": UnitCounters(entries=3, valid=2, invalid=1, best_weekly_score=Decimal("10.5")),
        "hn-bd-db": UnitCounters(entries=2, valid=2, approved=2, published=1, best_weekly_score=12),
        "hn-hk": UnitCounters(entries=4, valid=4, disqualified=0),
        "hn-2": UnitCounters(entries=100, valid=100),  # sibling with a common prefix
    }
    # When reporting on Hà Nội
    report = build_branch_report(tree, "hn", counters)
    # Then totals cover the branch and each child figure is its own branch
    assert report.totals == UnitCounters(
        entries=10, valid=9, invalid=1, approved=2, published=1, best_weekly_score=12
    )
    assert report.own == UnitCounters(entries=1, valid=1)
    assert report.units_in_branch == 5 and report.units_with_entries == 4
    by_child = {c.unit.unit_id: c for c in report.children}
    assert list(by_child) == ["hn-bd", "hn-hk"]
    assert by_child["hn-bd"].totals.entries == 5
    assert by_child["hn-bd"].totals.best_weekly_score == 12
    assert by_child["hn-bd"].units_in_branch == 3
    assert by_child["hn-hk"].totals.entries == 4


def test_rows_outside_the_branch_are_ignored(tree: OrgTree) -> None:
    counters = {"hn-2": UnitCounters(entries=9), "tw": UnitCounters(entries=1)}
    report = build_branch_report(tree, "hn", counters)
    assert report.totals == UnitCounters()
    assert report.units_with_entries == 0


def test_leaf_report_has_no_children(tree: OrgTree) -> None:
    report = build_branch_report(tree, "hn-bd-km", {"hn-bd-km": UnitCounters(entries=2)})
    assert report.children == () and report.totals.entries == 2


def test_branch_totals_cover_every_unit(tree: OrgTree) -> None:
    figures = branch_totals(tree, "tw", {"hn-bd-km": UnitCounters(entries=1)})
    assert set(figures) == {u.unit_id for u in tree}
    assert [figures[u].totals.entries for u in ("tw", "hn", "hn-bd", "hn-bd-km", "hn-hk")] == [1, 1, 1, 1, 0]


def test_counter_items_from_storage(tree: OrgTree) -> None:
    # Given DynamoDB items (Decimal numbers, absent attributes, a sharded unit)
    items = [
        {"unit_id": "hn-hk", "entries": Decimal(3), "valid": Decimal(2)},
        {"unit_id": "hn-hk", "entries": Decimal(1), "best_weekly_score": Decimal("4.25")},
    ]
    counters = counters_from_items(items)
    assert counters["hn-hk"] == UnitCounters(entries=4, valid=2, best_weekly_score=Decimal("4.25"))
    assert counters["hn-hk"].to_dict()["best_weekly_score"] == "4.25"


def test_report_serialises(tree: OrgTree) -> None:
    data = build_branch_report(tree, "hn", {"hn-hk": UnitCounters(entries=1)}).to_dict()
    assert data["totals"]["entries"] == 1
    assert [c["unit_id"] for c in data["children"]] == ["hn-bd", "hn-hk"]
